/* vesc-deadline-private.h: how the escalation drives its deadlines
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include "vesc-deadline.h"

G_BEGIN_DECLS

/* A deadline that fires more than this after its due time is late. */
#define VESC_DEADLINE_LATE_AFTER (G_USEC_PER_SEC)

VescDeadline *vesc_deadline_new          (const char          *name,
                                          VescDeadlineKind     kind,
                                          gint64               due_usec);
gint64        vesc_deadline_due_usec     (VescDeadline        *self);
gint64        vesc_deadline_fired_usec   (VescDeadline        *self);
guint         vesc_deadline_get_alarm_id (VescDeadline        *self);
void          vesc_deadline_set_alarm_id (VescDeadline        *self,
                                          guint                alarm_id);
void          vesc_deadline_mark_fired   (VescDeadline        *self,
                                          gint64               now_usec);
void          vesc_deadline_set_outcome  (VescDeadline        *self,
                                          VescDeadlineOutcome  outcome);
gboolean      vesc_deadline_is_pending   (VescDeadline        *self);

G_END_DECLS

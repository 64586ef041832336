/* vesc-deadline.h: a point in time the procedure enforces
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include <glib-object.h>

#include "vesc-types.h"

G_BEGIN_DECLS

#define VESC_TYPE_DEADLINE (vesc_deadline_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescDeadline, vesc_deadline, VESC, DEADLINE, GObject)

VESC_AVAILABLE_IN_ALL
const char          *vesc_deadline_get_name     (VescDeadline *self);
VESC_AVAILABLE_IN_ALL
VescDeadlineKind     vesc_deadline_get_kind     (VescDeadline *self);
VESC_AVAILABLE_IN_ALL
GDateTime           *vesc_deadline_get_due      (VescDeadline *self);
VESC_AVAILABLE_IN_ALL
gboolean             vesc_deadline_get_fired    (VescDeadline *self);
VESC_AVAILABLE_IN_ALL
gboolean             vesc_deadline_get_late     (VescDeadline *self);
VESC_AVAILABLE_IN_ALL
GDateTime           *vesc_deadline_get_fired_at (VescDeadline *self);
VESC_AVAILABLE_IN_ALL
VescDeadlineOutcome  vesc_deadline_get_outcome  (VescDeadline *self);

G_END_DECLS

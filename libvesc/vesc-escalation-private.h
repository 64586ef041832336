/* vesc-escalation-private.h: what the desk and the report use of an escalation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include "vesc-escalation.h"
#include "vesc-desk.h"

G_BEGIN_DECLS

/* What happened, for the texts and the report; -1 for "not yet". */
typedef struct {
  gint64    email_1_usec;
  gint64    last_head_email_usec;
  gint64    removed_usec;        /* a check found the device gone */
  gint64    decision_usec;
  gboolean  decision;
  char     *decision_by;
  gint64    disconnected_usec;
  gint64    clean_usec;
  gint64    reconnected_usec;
} VescEscalationFacts;

/* The windows an escalation enforces, fixed when it opens so that a policy
 * changed later (or between restarts) never moves a deadline already set. */
typedef struct {
  GTimeSpan removal;
  GTimeSpan final;
  GTimeSpan warning_lead;
  GTimeSpan reminder_delay;
} VescWindows;

VescEscalation            *vesc_escalation_new       (VescDesk          *desk,
                                                      VescIncident      *incident,
                                                      const VescWindows *windows);
/* Fires the pending deadline @name as recorded in the journal. */
gboolean                   vesc_escalation_replay_deadline (VescEscalation  *self,
                                                            const char      *name,
                                                            GError         **error);
void                       vesc_escalation_start     (VescEscalation *self,
                                                      const char     *actor);
const VescEscalationFacts *vesc_escalation_get_facts (VescEscalation *self);
/* Puts a warning on the timeline at the current step. */
void                       vesc_escalation_add_warning (VescEscalation *self,
                                                        const char     *detail);
/* Withdraws every alarm; the escalation takes no more input. */
void                       vesc_escalation_detach    (VescEscalation *self);

/* vesc-report.c */
char *vesc_report_build_json (VescEscalation *self);
char *vesc_report_build_text (VescEscalation *self);

G_END_DECLS

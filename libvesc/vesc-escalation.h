/* vesc-escalation.h: the procedure running for one incident
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vesc-deadline.h"
#include "vesc-incident.h"
#include "vesc-policy.h"

G_BEGIN_DECLS

#define VESC_TYPE_ESCALATION (vesc_escalation_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescEscalation, vesc_escalation, VESC, ESCALATION, GObject)

VESC_AVAILABLE_IN_ALL
VescIncident *vesc_escalation_get_incident      (VescEscalation   *self);
VESC_AVAILABLE_IN_ALL
const char   *vesc_escalation_get_step          (VescEscalation   *self);
VESC_AVAILABLE_IN_ALL
VescStepKind  vesc_escalation_get_step_kind     (VescEscalation   *self);
VESC_AVAILABLE_IN_ALL
gboolean      vesc_escalation_get_closed        (VescEscalation   *self);
VESC_AVAILABLE_IN_ALL
GListModel   *vesc_escalation_get_deadlines     (VescEscalation   *self);
VESC_AVAILABLE_IN_ALL
VescDeadline *vesc_escalation_lookup_deadline   (VescEscalation   *self,
                                                 const char       *name);
VESC_AVAILABLE_IN_ALL
gboolean      vesc_escalation_record_check      (VescEscalation   *self,
                                                 VescCheckResult   result,
                                                 const char       *actor,
                                                 GError          **error);
VESC_AVAILABLE_IN_ALL
gboolean      vesc_escalation_report_removal    (VescEscalation   *self,
                                                 const char       *actor,
                                                 GError          **error);
VESC_AVAILABLE_IN_ALL
gboolean      vesc_escalation_decide            (VescEscalation   *self,
                                                 gboolean          disconnect,
                                                 const char       *actor,
                                                 GError          **error);
VESC_AVAILABLE_IN_ALL
gboolean      vesc_escalation_report_clean      (VescEscalation   *self,
                                                 const char       *actor,
                                                 GError          **error);
VESC_AVAILABLE_IN_ALL
gboolean      vesc_escalation_reconnect         (VescEscalation   *self,
                                                 const char       *actor,
                                                 GError          **error);
VESC_AVAILABLE_IN_ALL
gboolean      vesc_escalation_mark_threat       (VescEscalation   *self,
                                                 const char       *reason,
                                                 const char       *actor,
                                                 GError          **error);
VESC_AVAILABLE_IN_ALL
gboolean      vesc_escalation_add_device        (VescEscalation   *self,
                                                 const char       *device,
                                                 const char       *actor,
                                                 GError          **error);
VESC_AVAILABLE_IN_ALL
char         *vesc_escalation_get_report_json   (VescEscalation   *self);
VESC_AVAILABLE_IN_ALL
char         *vesc_escalation_get_report_text   (VescEscalation   *self);

G_END_DECLS

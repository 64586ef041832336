/* vesc-policy.h: the procedure's numbers and texts
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

#define VESC_TYPE_POLICY (vesc_policy_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescPolicy, vesc_policy, VESC, POLICY, GObject)

VESC_AVAILABLE_IN_ALL
VescPolicy  *vesc_policy_new                         (void);
VESC_AVAILABLE_IN_ALL
VescPolicy  *vesc_policy_new_from_file               (const char  *path,
                                                      GError     **error);
VESC_AVAILABLE_IN_ALL
VescPolicy  *vesc_policy_new_from_data               (const char  *data,
                                                      gssize       length,
                                                      GError     **error);
VESC_AVAILABLE_IN_ALL
gboolean     vesc_policy_validate                    (VescPolicy  *self,
                                                      GError     **error);
VESC_AVAILABLE_IN_ALL
GTimeSpan    vesc_policy_get_removal_window          (VescPolicy  *self);
VESC_AVAILABLE_IN_ALL
GTimeSpan    vesc_policy_get_final_window            (VescPolicy  *self);
VESC_AVAILABLE_IN_ALL
GTimeSpan    vesc_policy_get_warning_lead            (VescPolicy  *self);
VESC_AVAILABLE_IN_ALL
GTimeSpan    vesc_policy_get_reminder_delay          (VescPolicy  *self);
VESC_AVAILABLE_IN_ALL
guint        vesc_policy_get_machine_threshold       (VescPolicy  *self);
VESC_AVAILABLE_IN_ALL
gboolean     vesc_policy_get_major_at_threshold      (VescPolicy  *self);
VESC_AVAILABLE_IN_ALL
GTimeSpan    vesc_policy_get_recurrence_window       (VescPolicy  *self);
VESC_AVAILABLE_IN_ALL
guint        vesc_policy_get_recurrence_count        (VescPolicy  *self);
VESC_AVAILABLE_IN_ALL
gboolean     vesc_policy_get_early_check_ends_ladder (VescPolicy  *self);
VESC_AVAILABLE_IN_ALL
const char  *vesc_policy_get_time_zone               (VescPolicy  *self);
VESC_AVAILABLE_IN_ALL
const char  *vesc_policy_get_template_dir            (VescPolicy  *self);

G_END_DECLS

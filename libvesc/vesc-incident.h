/* vesc-incident.h: the facts of one security problem
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vesc-site.h"

G_BEGIN_DECLS

#define VESC_TYPE_INCIDENT (vesc_incident_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescIncident, vesc_incident, VESC, INCIDENT, GObject)

VESC_AVAILABLE_IN_ALL
const char         *vesc_incident_get_id              (VescIncident *self);
VESC_AVAILABLE_IN_ALL
VescSite           *vesc_incident_get_site            (VescIncident *self);
VESC_AVAILABLE_IN_ALL
const char         *vesc_incident_get_summary         (VescIncident *self);
VESC_AVAILABLE_IN_ALL
VescScenario        vesc_incident_get_scenario        (VescIncident *self);
VESC_AVAILABLE_IN_ALL
const char         *vesc_incident_get_scenario_reason (VescIncident *self);
VESC_AVAILABLE_IN_ALL
gboolean            vesc_incident_get_threat          (VescIncident *self);
VESC_AVAILABLE_IN_ALL
GDateTime          *vesc_incident_get_opened_at       (VescIncident *self);
VESC_AVAILABLE_IN_ALL
GDateTime          *vesc_incident_get_closed_at       (VescIncident *self);
VESC_AVAILABLE_IN_ALL
const char * const *vesc_incident_get_devices         (VescIncident *self);
VESC_AVAILABLE_IN_ALL
guint               vesc_incident_get_n_devices       (VescIncident *self);
VESC_AVAILABLE_IN_ALL
GListModel         *vesc_incident_get_timeline        (VescIncident *self);
VESC_AVAILABLE_IN_ALL
VescOutcome         vesc_incident_get_outcome         (VescIncident *self);

G_END_DECLS

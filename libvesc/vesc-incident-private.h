/* vesc-incident-private.h: how the desk and the escalation change an incident
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include "vesc-event.h"
#include "vesc-incident.h"

G_BEGIN_DECLS

VescIncident *vesc_incident_new          (const char    *id,
                                          VescSite      *site,
                                          const char    *summary,
                                          gint64         opened_usec);
gint64        vesc_incident_opened_usec  (VescIncident  *self);
gint64        vesc_incident_closed_usec  (VescIncident  *self);
void          vesc_incident_set_scenario (VescIncident  *self,
                                          VescScenario   scenario,
                                          const char    *reason);
void          vesc_incident_set_threat   (VescIncident  *self,
                                          gboolean       threat);
gboolean      vesc_incident_add_device   (VescIncident  *self,
                                          const char    *device);
gboolean      vesc_incident_has_device   (VescIncident  *self,
                                          const char    *device);
void          vesc_incident_append_event (VescIncident  *self,
                                          VescEvent     *event);
void          vesc_incident_close        (VescIncident  *self,
                                          gint64         closed_usec,
                                          VescOutcome    outcome);

G_END_DECLS

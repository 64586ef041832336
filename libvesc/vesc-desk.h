/* vesc-desk.h: the help desk that runs every escalation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vesc-clock.h"
#include "vesc-directory.h"
#include "vesc-escalation.h"
#include "vesc-notifier.h"
#include "vesc-policy.h"
#include "vesc-store.h"

G_BEGIN_DECLS

#define VESC_TYPE_DESK (vesc_desk_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescDesk, vesc_desk, VESC, DESK, GObject)

VESC_AVAILABLE_IN_ALL
VescDesk       *vesc_desk_new                   (VescDirectory       *directory,
                                                 VescPolicy          *policy,
                                                 VescClock           *clock,
                                                 VescStore           *store,
                                                 GError             **error);
VESC_AVAILABLE_IN_ALL
VescDesk       *vesc_desk_open                  (VescDirectory       *directory,
                                                 VescPolicy          *policy,
                                                 const char          *store_path,
                                                 GError             **error);
VESC_AVAILABLE_IN_ALL
VescDirectory  *vesc_desk_get_directory         (VescDesk            *self);
VESC_AVAILABLE_IN_ALL
VescPolicy     *vesc_desk_get_policy            (VescDesk            *self);
VESC_AVAILABLE_IN_ALL
VescClock      *vesc_desk_get_clock             (VescDesk            *self);
VESC_AVAILABLE_IN_ALL
VescStore      *vesc_desk_get_store             (VescDesk            *self);
VESC_AVAILABLE_IN_ALL
void            vesc_desk_add_notifier          (VescDesk            *self,
                                                 VescNotifier        *notifier);
VESC_AVAILABLE_IN_ALL
gboolean        vesc_desk_add_named_notifier    (VescDesk            *self,
                                                 VescNotifier        *notifier,
                                                 const char          *name);
VESC_AVAILABLE_IN_ALL
void            vesc_desk_remove_notifier       (VescDesk            *self,
                                                 VescNotifier        *notifier);
VESC_AVAILABLE_IN_ALL
VescEscalation *vesc_desk_open_incident         (VescDesk            *self,
                                                 const char          *site_id,
                                                 const char * const  *devices,
                                                 const char          *summary,
                                                 gboolean             threat,
                                                 const char          *actor,
                                                 GError             **error);
VESC_AVAILABLE_IN_ALL
VescEscalation *vesc_desk_report_detection      (VescDesk            *self,
                                                 const char          *address,
                                                 const char          *summary,
                                                 GError             **error);
VESC_AVAILABLE_IN_ALL
GListModel     *vesc_desk_get_escalations       (VescDesk            *self);
VESC_AVAILABLE_IN_ALL
VescEscalation *vesc_desk_lookup_escalation     (VescDesk            *self,
                                                 const char          *incident_id);
VESC_AVAILABLE_IN_ALL
VescEscalation *vesc_desk_lookup_open_for_site  (VescDesk            *self,
                                                 const char          *site_id);
VESC_AVAILABLE_IN_ALL
char           *vesc_desk_get_period_report_json (VescDesk           *self,
                                                  GDateTime          *from,
                                                  GDateTime          *to);
VESC_AVAILABLE_IN_ALL
char           *vesc_desk_get_period_report_text (VescDesk           *self,
                                                  GDateTime          *from,
                                                  GDateTime          *to);
VESC_AVAILABLE_IN_ALL
guint           vesc_desk_get_n_pending         (VescDesk            *self);
VESC_AVAILABLE_IN_ALL
const char * const *vesc_desk_get_unmatched_addresses (VescDesk      *self);

G_END_DECLS

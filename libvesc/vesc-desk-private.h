/* vesc-desk-private.h: what an escalation asks of its desk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include "vesc-desk.h"

G_BEGIN_DECLS

/* Appends @record (a JSON object; ownership taken) to the store. */
gboolean   vesc_desk_journal            (VescDesk          *self,
                                         JsonNode          *record,
                                         GError           **error);
void       vesc_desk_dispatch           (VescDesk          *self,
                                         VescNotification  *notification);
void       vesc_desk_escalation_closed  (VescDesk          *self,
                                         VescEscalation    *escalation);
GTimeZone *vesc_desk_get_time_zone      (VescDesk          *self);
/* "Friday 23 March 2018, 14:00 GMT" in the policy's zone; "" for -1. */
char      *vesc_desk_format_local_time  (VescDesk          *self,
                                         gint64             usec);

G_END_DECLS

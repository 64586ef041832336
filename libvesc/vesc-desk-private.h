/* vesc-desk-private.h: what an escalation asks of its desk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include "vesc-desk.h"
#include "vesc-escalation-private.h"
#include "vesc-report-private.h"

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
/* The clock's time, or the time of the record being replayed. */
gint64     vesc_desk_now_usec           (VescDesk          *self);
gboolean   vesc_desk_is_replaying       (VescDesk          *self);
/* "Friday 23 March 2018, 14:00 GMT" in the policy's zone; "" for -1. */
char      *vesc_desk_format_local_time  (VescDesk          *self,
                                         gint64             usec);

/* Everything an incident is opened with, as the "open" record keeps it. */
typedef struct {
  const char  *id;
  VescSite    *site;
  GPtrArray   *devices;    /* char *, each once */
  const char  *summary;
  gboolean     threat;
  const char  *actor;
  VescScenario scenario;
  const char  *reason;
  VescWindows  windows;
} VescOpening;

VescEscalation *vesc_desk_start_opening   (VescDesk          *self,
                                           const VescOpening *opening);
void            vesc_desk_set_replay_time (VescDesk          *self,
                                           gint64             usec);
/* A closed incident known only by its closing record; takes @summary. */
void            vesc_desk_remember_closed (VescDesk          *self,
                                           VescSummary       *summary);

typedef struct _VescOutbox VescOutbox;

VescOutbox     *vesc_desk_get_outbox      (VescDesk          *self);
void            vesc_desk_notify_pending  (VescDesk          *self);
void            vesc_desk_emit_notification_failed (VescDesk         *self,
                                                    VescNotification *notification,
                                                    VescNotifier     *notifier,
                                                    const GError     *error);

/* vesc-replay.c: rebuilds the desk's state from the store's records. */
gboolean        vesc_desk_replay          (VescDesk          *self,
                                           GPtrArray         *records,
                                           GError           **error);

G_END_DECLS

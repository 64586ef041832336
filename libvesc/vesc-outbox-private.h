/* vesc-outbox-private.h: every message recorded before it is sent
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include "vesc-desk.h"

G_BEGIN_DECLS

/* A failed send is tried again this many times in all, the wait doubling
 * from the first backoff up to the cap. */
#define VESC_OUTBOX_MAX_ATTEMPTS   5
#define VESC_OUTBOX_FIRST_BACKOFF  (G_TIME_SPAN_MINUTE)
#define VESC_OUTBOX_MAX_BACKOFF    (G_TIME_SPAN_HOUR)

typedef struct _VescOutbox VescOutbox;

VescOutbox *vesc_outbox_new            (VescDesk         *desk);
void        vesc_outbox_free           (VescOutbox       *self);
gboolean    vesc_outbox_add_channel    (VescOutbox       *self,
                                        VescNotifier     *notifier,
                                        const char       *channel);
void        vesc_outbox_remove_channel (VescOutbox       *self,
                                        VescNotifier     *notifier);
void        vesc_outbox_queue          (VescOutbox       *self,
                                        VescNotification *notification);
gboolean    vesc_outbox_replay         (VescOutbox       *self,
                                        JsonObject       *record,
                                        const char       *type,
                                        GError          **error);
void        vesc_outbox_replay_done    (VescOutbox       *self);
guint       vesc_outbox_get_n_sending  (VescOutbox       *self);

G_END_DECLS

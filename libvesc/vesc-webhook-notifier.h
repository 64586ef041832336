/* vesc-webhook-notifier.h: a notifier that POSTs each notification as JSON
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include "vesc-notifier.h"

G_BEGIN_DECLS

#define VESC_TYPE_WEBHOOK_NOTIFIER (vesc_webhook_notifier_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescWebhookNotifier, vesc_webhook_notifier, VESC, WEBHOOK_NOTIFIER, GObject)

VESC_AVAILABLE_IN_ALL
VescWebhookNotifier *vesc_webhook_notifier_new                 (const char           *url,
                                                                GError              **error);
VESC_AVAILABLE_IN_ALL
const char          *vesc_webhook_notifier_get_url             (VescWebhookNotifier  *self);
VESC_AVAILABLE_IN_ALL
guint                vesc_webhook_notifier_get_timeout         (VescWebhookNotifier  *self);
VESC_AVAILABLE_IN_ALL
void                 vesc_webhook_notifier_set_timeout         (VescWebhookNotifier  *self,
                                                                guint                 timeout);
VESC_AVAILABLE_IN_ALL
guint                vesc_webhook_notifier_get_max_attempts    (VescWebhookNotifier  *self);
VESC_AVAILABLE_IN_ALL
void                 vesc_webhook_notifier_set_max_attempts    (VescWebhookNotifier  *self,
                                                                guint                 max_attempts);
VESC_AVAILABLE_IN_ALL
GTimeSpan            vesc_webhook_notifier_get_initial_backoff (VescWebhookNotifier  *self);
VESC_AVAILABLE_IN_ALL
void                 vesc_webhook_notifier_set_initial_backoff (VescWebhookNotifier  *self,
                                                                GTimeSpan             initial_backoff);

G_END_DECLS

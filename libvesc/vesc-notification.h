/* vesc-notification.h: one message to be sent
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vesc-recipient.h"

G_BEGIN_DECLS

#define VESC_TYPE_NOTIFICATION (vesc_notification_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescNotification, vesc_notification, VESC, NOTIFICATION, GObject)

VESC_AVAILABLE_IN_ALL
VescNotification *vesc_notification_new               (const char       *key,
                                                       const char       *incident_id,
                                                       const char       *step,
                                                       const char       *template_id,
                                                       const char       *subject,
                                                       const char       *body,
                                                       GDateTime        *created_at);
VESC_AVAILABLE_IN_ALL
const char       *vesc_notification_get_key           (VescNotification *self);
VESC_AVAILABLE_IN_ALL
const char       *vesc_notification_get_incident_id   (VescNotification *self);
VESC_AVAILABLE_IN_ALL
const char       *vesc_notification_get_step          (VescNotification *self);
VESC_AVAILABLE_IN_ALL
const char       *vesc_notification_get_template_id   (VescNotification *self);
VESC_AVAILABLE_IN_ALL
const char       *vesc_notification_get_subject       (VescNotification *self);
VESC_AVAILABLE_IN_ALL
const char       *vesc_notification_get_body          (VescNotification *self);
VESC_AVAILABLE_IN_ALL
GDateTime        *vesc_notification_get_created_at    (VescNotification *self);
VESC_AVAILABLE_IN_ALL
void              vesc_notification_add_recipient     (VescNotification *self,
                                                       VescRecipient    *recipient);
VESC_AVAILABLE_IN_ALL
GListModel       *vesc_notification_get_recipients    (VescNotification *self);
VESC_AVAILABLE_IN_ALL
void              vesc_notification_set_sender        (VescNotification *self,
                                                       VescRecipient    *sender);
VESC_AVAILABLE_IN_ALL
VescRecipient    *vesc_notification_get_sender        (VescNotification *self);
VESC_AVAILABLE_IN_ALL
void              vesc_notification_set_reply_to_key  (VescNotification *self,
                                                       const char       *key);
VESC_AVAILABLE_IN_ALL
const char       *vesc_notification_get_reply_to_key  (VescNotification *self);

G_END_DECLS

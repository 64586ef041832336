/* vesc-recipient.h: a person a notification is addressed to
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

#define VESC_TYPE_RECIPIENT (vesc_recipient_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescRecipient, vesc_recipient, VESC, RECIPIENT, GObject)

VESC_AVAILABLE_IN_ALL
VescRecipient *vesc_recipient_new       (VescRole       role,
                                         const char    *name,
                                         const char    *email,
                                         GError       **error);
VESC_AVAILABLE_IN_ALL
VescRole       vesc_recipient_get_role  (VescRecipient *self);
VESC_AVAILABLE_IN_ALL
const char    *vesc_recipient_get_name  (VescRecipient *self);
VESC_AVAILABLE_IN_ALL
const char    *vesc_recipient_get_email (VescRecipient *self);

G_END_DECLS

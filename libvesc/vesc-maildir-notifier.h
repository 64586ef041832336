/* vesc-maildir-notifier.h: a notifier that writes RFC 5322 messages into a Maildir
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include "vesc-notifier.h"

G_BEGIN_DECLS

#define VESC_TYPE_MAILDIR_NOTIFIER (vesc_maildir_notifier_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescMaildirNotifier, vesc_maildir_notifier, VESC, MAILDIR_NOTIFIER, GObject)

VESC_AVAILABLE_IN_ALL
VescMaildirNotifier *vesc_maildir_notifier_new      (const char          *path,
                                                     GError             **error);
VESC_AVAILABLE_IN_ALL
const char          *vesc_maildir_notifier_get_path (VescMaildirNotifier *self);

G_END_DECLS

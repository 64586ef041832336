/* vesc-sendmail-notifier.h: a notifier that hands RFC 5322 messages to sendmail
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include "vesc-notifier.h"

G_BEGIN_DECLS

#define VESC_TYPE_SENDMAIL_NOTIFIER (vesc_sendmail_notifier_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescSendmailNotifier, vesc_sendmail_notifier, VESC, SENDMAIL_NOTIFIER, GObject)

VESC_AVAILABLE_IN_ALL
VescSendmailNotifier *vesc_sendmail_notifier_new               (const char           *sendmail_path);
VESC_AVAILABLE_IN_ALL
VescSendmailNotifier *vesc_sendmail_notifier_new_with_args     (const char           *sendmail_path,
                                                                const char * const   *sendmail_args);
VESC_AVAILABLE_IN_ALL
const char           *vesc_sendmail_notifier_get_sendmail_path (VescSendmailNotifier *self);
VESC_AVAILABLE_IN_ALL
const char * const   *vesc_sendmail_notifier_get_sendmail_args (VescSendmailNotifier *self);

G_END_DECLS

/* vesc-template-private.h: the message templates
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include "vesc-notification.h"

G_BEGIN_DECLS

/* Looks @template_id up in @override_dir (may be NULL) as "<id>.txt", then
 * in the built-in GResource; substitutes {{name}} from @vars (char* -> char*).
 * A template file is "Subject: ...", an empty line, then the body. */
gboolean vesc_template_render (const char  *override_dir,
                               const char  *template_id,
                               GHashTable  *vars,
                               char       **subject,
                               char       **body,
                               GError     **error);

/* RFC 5322 text (CRLF line ends) for a notification; refuses header
 * injection with VESC_ERROR_INVALID_INPUT. */
char    *vesc_notification_to_rfc5322 (VescNotification  *notification,
                                       GError           **error);

G_END_DECLS

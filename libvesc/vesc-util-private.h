/* vesc-util-private.h: validation and formatting shared inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include <glib.h>

G_BEGIN_DECLS

/* A plain addr-spec (local@domain), no display name, no control characters. */
gboolean vesc_validate_email        (const char  *email,
                                     const char  *what,
                                     GError     **error);
/* Refuses CR, LF and other control characters in anything that may reach a
 * mail header; @what names the value in the message. */
gboolean vesc_validate_header_value (const char  *value,
                                     const char  *what,
                                     GError     **error);
/* "3 hours", "30 minutes", "1 hour 30 minutes" (translatable). */
char    *vesc_format_duration       (GTimeSpan    span);

G_END_DECLS

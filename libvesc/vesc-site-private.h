/* vesc-site-private.h: site state changed only by the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include "vesc-site.h"

G_BEGIN_DECLS

/* The escalation cuts and restores the link; notifies VescSite:cin-state
 * when the state changes. */
void    vesc_site_set_cin_state (VescSite     *self,
                                 VescCinState  state);

/* Reads a whole file refusing one larger than @max_size bytes, so a wrong
 * path (a disk image, /dev/zero) cannot exhaust memory. Errors are
 * VESC_ERROR_IO or VESC_ERROR_INVALID_INPUT and name the file. Shared by the
 * directory and policy loaders. */
GBytes *vesc_read_file_limited  (const char   *path,
                                 gsize         max_size,
                                 GError      **error);

/* Starts the message of *@error with the file's name; a json-glib
 * "<data>:line:column" location becomes "path:line:column". */
void    vesc_prefix_file_error  (GError      **error,
                                 const char   *path);

/* Checks a host name (or, when @pattern, a "*.suffix" pattern) and returns
 * it in the form the directory compares: lower case, no trailing dot.
 * Errors are VESC_ERROR_INVALID_INPUT and name the value. */
char   *vesc_normalize_host_name (const char  *name,
                                  gboolean     pattern,
                                  GError     **error);

G_END_DECLS

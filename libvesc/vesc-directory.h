/* vesc-directory.h: the schools and the council's contacts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vesc-recipient.h"
#include "vesc-site.h"

G_BEGIN_DECLS

#define VESC_TYPE_DIRECTORY (vesc_directory_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescDirectory, vesc_directory, VESC, DIRECTORY, GObject)

VESC_AVAILABLE_IN_ALL
VescDirectory *vesc_directory_new            (void);
VESC_AVAILABLE_IN_ALL
gboolean       vesc_directory_load_from_file (VescDirectory  *self,
                                              const char     *path,
                                              GError        **error);
VESC_AVAILABLE_IN_ALL
gboolean       vesc_directory_load_from_data (VescDirectory  *self,
                                              const char     *data,
                                              gssize          length,
                                              GError        **error);
VESC_AVAILABLE_IN_ALL
gboolean       vesc_directory_add_site       (VescDirectory  *self,
                                              VescSite       *site,
                                              GError        **error);
VESC_AVAILABLE_IN_ALL
VescSite      *vesc_directory_lookup_site    (VescDirectory  *self,
                                              const char     *site_id);
VESC_AVAILABLE_IN_ALL
VescSite      *vesc_directory_lookup_address (VescDirectory  *self,
                                              const char     *address,
                                              GError        **error);
VESC_AVAILABLE_IN_ALL
VescSite      *vesc_directory_lookup_host    (VescDirectory  *self,
                                              const char     *name,
                                              GError        **error);
VESC_AVAILABLE_IN_ALL
GListModel    *vesc_directory_get_sites      (VescDirectory  *self);
VESC_AVAILABLE_IN_ALL
gboolean       vesc_directory_add_contact    (VescDirectory  *self,
                                              VescRecipient  *contact,
                                              GError        **error);
VESC_AVAILABLE_IN_ALL
GListModel    *vesc_directory_get_contacts   (VescDirectory  *self,
                                              VescRole        role);

G_END_DECLS

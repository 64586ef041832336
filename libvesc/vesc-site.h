/* vesc-site.h: a school and its network link
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vesc-types.h"

G_BEGIN_DECLS

#define VESC_TYPE_SITE (vesc_site_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescSite, vesc_site, VESC, SITE, GObject)

VESC_AVAILABLE_IN_ALL
VescSite     *vesc_site_new                         (const char    *id,
                                                     const char    *name,
                                                     GError       **error);
VESC_AVAILABLE_IN_ALL
const char   *vesc_site_get_id                      (VescSite      *self);
VESC_AVAILABLE_IN_ALL
const char   *vesc_site_get_name                    (VescSite      *self);
VESC_AVAILABLE_IN_ALL
gboolean      vesc_site_set_head_teacher            (VescSite      *self,
                                                     const char    *name,
                                                     const char    *email,
                                                     GError       **error);
VESC_AVAILABLE_IN_ALL
const char   *vesc_site_get_head_teacher_name       (VescSite      *self);
VESC_AVAILABLE_IN_ALL
const char   *vesc_site_get_head_teacher_email      (VescSite      *self);
VESC_AVAILABLE_IN_ALL
gboolean      vesc_site_set_relationship_manager    (VescSite      *self,
                                                     const char    *name,
                                                     const char    *email,
                                                     GError       **error);
VESC_AVAILABLE_IN_ALL
const char   *vesc_site_get_relationship_manager_name  (VescSite   *self);
VESC_AVAILABLE_IN_ALL
const char   *vesc_site_get_relationship_manager_email (VescSite   *self);
VESC_AVAILABLE_IN_ALL
gboolean      vesc_site_get_kssc_supported          (VescSite      *self);
VESC_AVAILABLE_IN_ALL
void          vesc_site_set_kssc_supported          (VescSite      *self,
                                                     gboolean       supported);
VESC_AVAILABLE_IN_ALL
VescCinState  vesc_site_get_cin_state               (VescSite      *self);
VESC_AVAILABLE_IN_ALL
gboolean      vesc_site_add_subnet                  (VescSite      *self,
                                                     const char    *cidr,
                                                     GError       **error);
VESC_AVAILABLE_IN_ALL
GListModel   *vesc_site_get_subnets                 (VescSite      *self);
VESC_AVAILABLE_IN_ALL
int           vesc_site_match_address               (VescSite      *self,
                                                     GInetAddress  *address);
VESC_AVAILABLE_IN_ALL
gboolean      vesc_site_add_hostname                (VescSite      *self,
                                                     const char    *pattern,
                                                     GError       **error);
VESC_AVAILABLE_IN_ALL
const char * const *vesc_site_get_hostnames         (VescSite      *self);

G_END_DECLS

/* vesc-file-store.h: the durable store, a directory of JSON files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include "vesc-store.h"

G_BEGIN_DECLS

#define VESC_TYPE_FILE_STORE (vesc_file_store_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescFileStore, vesc_file_store, VESC, FILE_STORE, GObject)

VESC_AVAILABLE_IN_ALL
VescFileStore *vesc_file_store_new          (const char     *path,
                                             GError        **error);
VESC_AVAILABLE_IN_ALL
const char    *vesc_file_store_get_path     (VescFileStore  *self);
VESC_AVAILABLE_IN_ALL
void           vesc_file_store_begin_batch  (VescFileStore  *self);
VESC_AVAILABLE_IN_ALL
gboolean       vesc_file_store_end_batch    (VescFileStore  *self,
                                             GError        **error);
VESC_AVAILABLE_IN_ALL
gboolean       vesc_file_store_compact      (VescFileStore  *self,
                                             GError        **error);
VESC_AVAILABLE_IN_ALL
guint          vesc_file_store_get_n_dropped (VescFileStore *self);

G_END_DECLS

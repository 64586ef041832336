/* vesc-list-view-private.h: a read-only view of a list the library keeps
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define VESC_TYPE_LIST_VIEW (vesc_list_view_get_type ())
G_DECLARE_FINAL_TYPE (VescListView, vesc_list_view, VESC, LIST_VIEW, GObject)

/* Shows @model's items and changes but cannot change it: what the library
 * hands out is a GListStore it owns, and a binding would otherwise see, and
 * could call, g_list_store_remove(). */
VescListView *vesc_list_view_new (GListModel *model);

G_END_DECLS

/* vesc-list-view.c: a read-only view of a list the library keeps
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vesc-list-view-private.h"

struct _VescListView
{
  GObject     parent_instance;

  GListModel *model;
};

static void vesc_list_view_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VescListView, vesc_list_view, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      vesc_list_view_model_init))

static GType
vesc_list_view_get_item_type (GListModel *model)
{
  return g_list_model_get_item_type (VESC_LIST_VIEW (model)->model);
}

static guint
vesc_list_view_get_n_items (GListModel *model)
{
  return g_list_model_get_n_items (VESC_LIST_VIEW (model)->model);
}

static gpointer
vesc_list_view_get_item (GListModel *model,
                         guint       position)
{
  return g_list_model_get_item (VESC_LIST_VIEW (model)->model, position);
}

static void
vesc_list_view_model_init (GListModelInterface *iface)
{
  iface->get_item_type = vesc_list_view_get_item_type;
  iface->get_n_items = vesc_list_view_get_n_items;
  iface->get_item = vesc_list_view_get_item;
}

static void
forward_changes (VescListView *self,
                 guint         position,
                 guint         removed,
                 guint         added)
{
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

static void
vesc_list_view_finalize (GObject *object)
{
  g_clear_object (&VESC_LIST_VIEW (object)->model);

  G_OBJECT_CLASS (vesc_list_view_parent_class)->finalize (object);
}

static void
vesc_list_view_class_init (VescListViewClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vesc_list_view_finalize;
}

static void
vesc_list_view_init (VescListView *self)
{
}

VescListView *
vesc_list_view_new (GListModel *model)
{
  VescListView *self = g_object_new (VESC_TYPE_LIST_VIEW, NULL);

  self->model = g_object_ref (model);
  g_signal_connect_object (model, "items-changed", G_CALLBACK (forward_changes), self,
                           G_CONNECT_SWAPPED);
  return self;
}

/* vesc-store.c: where the journal of every state change is kept
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vesc-store.h"

#include <glib/gi18n-lib.h>

/**
 * VescStore:
 *
 * Where a [class@Vesc.Desk] records every change before it takes effect:
 * an append-only journal of JSON records. The state of every incident can
 * be derived from it.
 *
 * [class@Vesc.MemoryStore] keeps the journal in memory.
 */

G_DEFINE_INTERFACE (VescStore, vesc_store, G_TYPE_OBJECT)

static void
vesc_store_default_init (VescStoreInterface *iface)
{
}

/**
 * vesc_store_append:
 * @self: a #VescStore
 * @record: a JSON object
 * @error: return location for a #GError
 *
 * Adds @record at the end of the journal. When this returns %TRUE the record
 * is as durable as the store can make it.
 *
 * Returns: %TRUE if the record was stored
 */
gboolean
vesc_store_append (VescStore  *self,
                   JsonNode   *record,
                   GError    **error)
{
  g_return_val_if_fail (VESC_IS_STORE (self), FALSE);
  g_return_val_if_fail (record != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return VESC_STORE_GET_IFACE (self)->append (self, record, error);
}

/**
 * vesc_store_load:
 * @self: a #VescStore
 * @error: return location for a #GError
 *
 * Reads the whole journal.
 *
 * Returns: (transfer container) (element-type Json.Node): every record, in the
 *   order it was appended, or %NULL on error
 */
GPtrArray *
vesc_store_load (VescStore  *self,
                 GError    **error)
{
  g_return_val_if_fail (VESC_IS_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return VESC_STORE_GET_IFACE (self)->load (self, error);
}

/**
 * VescMemoryStore:
 *
 * A [iface@Vesc.Store] that keeps the journal in memory, as compact JSON
 * text: nothing survives the process. For tests, drills and benchmarks.
 */

struct _VescMemoryStore
{
  GObject    parent_instance;

  GPtrArray *records; /* compact JSON text */
};

static void vesc_memory_store_iface_init (VescStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VescMemoryStore, vesc_memory_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VESC_TYPE_STORE,
                                                      vesc_memory_store_iface_init))

static gboolean
vesc_memory_store_append (VescStore  *store,
                          JsonNode   *record,
                          GError    **error)
{
  VescMemoryStore *self = VESC_MEMORY_STORE (store);

  g_ptr_array_add (self->records, json_to_string (record, FALSE));
  return TRUE;
}

static GPtrArray *
vesc_memory_store_load (VescStore  *store,
                        GError    **error)
{
  VescMemoryStore *self = VESC_MEMORY_STORE (store);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  for (guint i = 0; i < self->records->len; i++)
    {
      JsonNode *node = json_from_string (self->records->pdata[i], error);

      if (node == NULL)
        return NULL;
      g_ptr_array_add (records, node);
    }
  return g_steal_pointer (&records);
}

static void
vesc_memory_store_iface_init (VescStoreInterface *iface)
{
  iface->append = vesc_memory_store_append;
  iface->load = vesc_memory_store_load;
}

static void
vesc_memory_store_finalize (GObject *object)
{
  VescMemoryStore *self = VESC_MEMORY_STORE (object);

  g_ptr_array_unref (self->records);

  G_OBJECT_CLASS (vesc_memory_store_parent_class)->finalize (object);
}

static void
vesc_memory_store_class_init (VescMemoryStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = vesc_memory_store_finalize;
}

static void
vesc_memory_store_init (VescMemoryStore *self)
{
  self->records = g_ptr_array_new_with_free_func (g_free);
}

/**
 * vesc_memory_store_new:
 *
 * Creates an empty store in memory.
 *
 * Returns: (transfer full): a new store
 */
VescMemoryStore *
vesc_memory_store_new (void)
{
  return g_object_new (VESC_TYPE_MEMORY_STORE, NULL);
}

/* vesc-store.h: where the journal of every state change is kept
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include <json-glib/json-glib.h>

#include "vesc-types.h"

G_BEGIN_DECLS

#define VESC_TYPE_STORE (vesc_store_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (VescStore, vesc_store, VESC, STORE, GObject)

/**
 * VescStoreInterface:
 * @g_iface: the parent interface
 * @append: adds one record at the end of the journal; when it returns %TRUE
 *   the record is as durable as the store can make it
 * @load: returns every record in the order it was appended
 *
 * The virtual methods of a store.
 */
struct _VescStoreInterface
{
  GTypeInterface g_iface;

  gboolean   (*append) (VescStore  *self,
                        JsonNode   *record,
                        GError    **error);
  GPtrArray *(*load)   (VescStore  *self,
                        GError    **error);
};

VESC_AVAILABLE_IN_ALL
gboolean   vesc_store_append (VescStore  *self,
                              JsonNode   *record,
                              GError    **error);
VESC_AVAILABLE_IN_ALL
GPtrArray *vesc_store_load   (VescStore  *self,
                              GError    **error);

#define VESC_TYPE_MEMORY_STORE (vesc_memory_store_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescMemoryStore, vesc_memory_store, VESC, MEMORY_STORE, GObject)

VESC_AVAILABLE_IN_ALL
VescMemoryStore *vesc_memory_store_new (void);

G_END_DECLS

/* vesc-notifier.h: how notifications leave the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include <gio/gio.h>

#include "vesc-notification.h"

G_BEGIN_DECLS

#define VESC_TYPE_NOTIFIER (vesc_notifier_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (VescNotifier, vesc_notifier, VESC, NOTIFIER, GObject)

/**
 * VescNotifierInterface:
 * @g_iface: the parent interface
 * @send: sends one notification, blocking; implement this one for a simple
 *   notifier (Python and JavaScript implementations usually do)
 * @send_async: starts sending; the default calls @send from an idle
 *   callback on the thread-default main context
 * @send_finish: finishes @send_async
 *
 * The virtual methods of a notifier.
 */
struct _VescNotifierInterface
{
  GTypeInterface g_iface;

  gboolean (*send)        (VescNotifier         *self,
                           VescNotification     *notification,
                           GCancellable         *cancellable,
                           GError              **error);
  void     (*send_async)  (VescNotifier         *self,
                           VescNotification     *notification,
                           GCancellable         *cancellable,
                           GAsyncReadyCallback   callback,
                           gpointer              user_data);
  gboolean (*send_finish) (VescNotifier         *self,
                           GAsyncResult         *result,
                           GError              **error);
};

VESC_AVAILABLE_IN_ALL
gboolean vesc_notifier_send        (VescNotifier         *self,
                                    VescNotification     *notification,
                                    GCancellable         *cancellable,
                                    GError              **error);
VESC_AVAILABLE_IN_ALL
void     vesc_notifier_send_async  (VescNotifier         *self,
                                    VescNotification     *notification,
                                    GCancellable         *cancellable,
                                    GAsyncReadyCallback   callback,
                                    gpointer              user_data);
VESC_AVAILABLE_IN_ALL
gboolean vesc_notifier_send_finish (VescNotifier         *self,
                                    GAsyncResult         *result,
                                    GError              **error);

G_END_DECLS

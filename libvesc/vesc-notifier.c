/* vesc-notifier.c: how notifications leave the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gi18n-lib.h>

#include "vesc-notifier.h"
#include "vesc-types.h"

/**
 * VescNotifier:
 *
 * Something that delivers a [class@Vesc.Notification]: a log, a Maildir, a
 * mail transfer agent, a web hook.
 *
 * The desk sends with [method@Vesc.Notifier.send_async]. An implementation
 * may provide the asynchronous pair, or only the blocking
 * [vfunc@Vesc.Notifier.send]: the default `send_async` then calls it from an
 * idle callback on the thread-default main context, which is the easy way to
 * write a notifier in Python or JavaScript.
 *
 * A `send` that returns %FALSE without setting an error (a Python method that
 * raised something other than `GLib.Error` does that) is reported as
 * %VESC_ERROR_FAILED, so callers always get an error to log.
 */

G_DEFINE_INTERFACE (VescNotifier, vesc_notifier, G_TYPE_OBJECT)

static void
set_silent_failure_error (GError **error)
{
  g_set_error_literal (error, VESC_ERROR, VESC_ERROR_FAILED,
                       _("The notifier failed without saying why"));
}

/* Takes a vfunc's result and its local error; a FALSE without an error
 * still gives the caller one. */
static gboolean
check_result (gboolean   ok,
              GError    *local_error,
              GError   **error)
{
  if (ok)
    {
      /* A TRUE with an error set breaks the GError rules; the send worked,
       * so the error is dropped rather than reported. */
      if (local_error != NULL)
        g_warning ("A notifier returned TRUE and set an error: %s", local_error->message);
      g_clear_error (&local_error);
      return TRUE;
    }

  if (local_error != NULL)
    g_propagate_error (error, local_error);
  else
    set_silent_failure_error (error);

  return FALSE;
}

static gboolean
send_in_idle (gpointer user_data)
{
  GTask *task = user_data;
  VescNotifier *self = g_task_get_source_object (task);
  VescNotification *notification = g_task_get_task_data (task);
  GError *local_error = NULL;
  GError *error = NULL;
  gboolean ok;

  if (g_task_return_error_if_cancelled (task))
    return G_SOURCE_REMOVE;

  ok = VESC_NOTIFIER_GET_IFACE (self)->send (self, notification,
                                             g_task_get_cancellable (task),
                                             &local_error);
  if (check_result (ok, local_error, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);

  return G_SOURCE_REMOVE;
}

static void
vesc_notifier_real_send_async (VescNotifier        *self,
                               VescNotification    *notification,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GSource) source = NULL;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, vesc_notifier_real_send_async);
  g_task_set_task_data (task, g_object_ref (notification), g_object_unref);

  if (VESC_NOTIFIER_GET_IFACE (self)->send == NULL)
    {
      g_task_return_new_error (task, VESC_ERROR, VESC_ERROR_FAILED,
                               _("The notifier %s implements no way to send"),
                               G_OBJECT_TYPE_NAME (self));
      return;
    }

  /* The idle runs on the context the task was made on, so a notifier
   * written for one main loop never sees another thread. */
  source = g_idle_source_new ();
  g_task_attach_source (task, source, send_in_idle);
}

static gboolean
vesc_notifier_real_send_finish (VescNotifier  *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vesc_notifier_default_init (VescNotifierInterface *iface)
{
  iface->send_async = vesc_notifier_real_send_async;
  iface->send_finish = vesc_notifier_real_send_finish;
}

/**
 * vesc_notifier_send:
 * @self: a notifier
 * @notification: the message to deliver
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @error: return location for a #GError
 *
 * Delivers @notification and blocks until it is done.
 *
 * Only notifiers that implement [vfunc@Vesc.Notifier.send] support this; for
 * one that implements only the asynchronous pair it is not supported and
 * fails with %VESC_ERROR_FAILED. Use [method@Vesc.Notifier.send_async] from
 * a main loop instead.
 *
 * Returns: %TRUE when the notification was delivered
 */
gboolean
vesc_notifier_send (VescNotifier      *self,
                    VescNotification  *notification,
                    GCancellable      *cancellable,
                    GError           **error)
{
  VescNotifierInterface *iface;
  GError *local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (VESC_IS_NOTIFIER (self), FALSE);
  g_return_val_if_fail (VESC_IS_NOTIFICATION (notification), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  iface = VESC_NOTIFIER_GET_IFACE (self);
  if (iface->send == NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_FAILED,
                   _("The notifier %s can only send asynchronously"),
                   G_OBJECT_TYPE_NAME (self));
      return FALSE;
    }

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  ok = iface->send (self, notification, cancellable, &local_error);
  return check_result (ok, local_error, error);
}

/**
 * vesc_notifier_send_async:
 * @self: a notifier
 * @notification: the message to deliver
 * @cancellable: (nullable): a #GCancellable, or %NULL
 * @callback: (scope async): called when the notification was sent or failed
 * @user_data: data for @callback
 *
 * Starts delivering @notification. @callback runs on the thread-default main
 * context of the caller; finish with [method@Vesc.Notifier.send_finish].
 */
void
vesc_notifier_send_async (VescNotifier        *self,
                          VescNotification    *notification,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_return_if_fail (VESC_IS_NOTIFIER (self));
  g_return_if_fail (VESC_IS_NOTIFICATION (notification));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  VESC_NOTIFIER_GET_IFACE (self)->send_async (self, notification, cancellable,
                                              callback, user_data);
}

/**
 * vesc_notifier_send_finish:
 * @self: a notifier
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@Vesc.Notifier.send_async].
 *
 * Returns: %TRUE when the notification was delivered
 */
gboolean
vesc_notifier_send_finish (VescNotifier  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  GError *local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (VESC_IS_NOTIFIER (self), FALSE);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  ok = VESC_NOTIFIER_GET_IFACE (self)->send_finish (self, result, &local_error);
  return check_result (ok, local_error, error);
}

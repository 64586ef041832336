/* recording-notifier.c: a notifier for tests that keeps what it is given
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "recording-notifier.h"

static gboolean
recording_notifier_send (VescNotifier      *notifier,
                         VescNotification  *notification,
                         GCancellable      *cancellable,
                         GError           **error)
{
  RecordingNotifier *self = RECORDING_NOTIFIER (notifier);

  if (self->fail)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED, "mail server down");
      return FALSE;
    }
  g_ptr_array_add (self->sent, g_object_ref (notification));
  return TRUE;
}

static void
recording_notifier_iface_init (VescNotifierInterface *iface)
{
  iface->send = recording_notifier_send;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (RecordingNotifier, recording_notifier, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VESC_TYPE_NOTIFIER,
                                                      recording_notifier_iface_init))

static void
recording_notifier_finalize (GObject *object)
{
  g_ptr_array_unref (RECORDING_NOTIFIER (object)->sent);
  G_OBJECT_CLASS (recording_notifier_parent_class)->finalize (object);
}

static void
recording_notifier_class_init (RecordingNotifierClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = recording_notifier_finalize;
}

static void
recording_notifier_init (RecordingNotifier *self)
{
  self->sent = g_ptr_array_new_with_free_func (g_object_unref);
}

RecordingNotifier *
recording_notifier_new (void)
{
  return g_object_new (RECORDING_TYPE_NOTIFIER, NULL);
}

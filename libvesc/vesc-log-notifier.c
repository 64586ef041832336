/* vesc-log-notifier.c: a notifier that writes one line per notification
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>

#include "vesc-log-notifier.h"
#include "vesc-types.h"
#include "vesc-util-private.h"

/**
 * VescLogNotifier:
 *
 * A notifier that records each notification as one line instead of
 * delivering it: `<created-at> <key> to <addresses>: <subject>`, with the
 * time in ISO 8601 UTC and the addresses separated by commas.
 *
 * Made with [ctor@Vesc.LogNotifier.new] it logs the line with
 * g_log_structured() at %G_LOG_LEVEL_INFO, with the notification's key in
 * the `VESC_NOTIFICATION_KEY` field; made with
 * [ctor@Vesc.LogNotifier.new_for_stream] it appends the line to a stream.
 * It suits drills and tests, and keeps a trace next to a real notifier.
 *
 * Lines sent asynchronously reach the stream in the order they were sent.
 */
struct _VescLogNotifier
{
  GObject parent_instance;

  GOutputStream *stream;
  /* GTasks whose line waits for the stream, oldest first; the head is
   * being written when writing is TRUE. */
  GQueue pending;
  gboolean writing;
};

static void vesc_log_notifier_notifier_init (VescNotifierInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VescLogNotifier, vesc_log_notifier, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VESC_TYPE_NOTIFIER,
                                                      vesc_log_notifier_notifier_init))

enum {
  PROP_0,
  PROP_STREAM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The line without its newline; refuses line breaks, which would let a
 * subject forge log lines. */
static char *
format_line (VescNotification  *notification,
             GError           **error)
{
  GListModel *recipients = vesc_notification_get_recipients (notification);
  g_autoptr(GDateTime) utc = g_date_time_to_utc (vesc_notification_get_created_at (notification));
  g_autofree char *when = g_date_time_format_iso8601 (utc);
  g_autoptr(GString) line = g_string_new (NULL);
  guint n = g_list_model_get_n_items (recipients);

  if (!vesc_validate_header_value (vesc_notification_get_key (notification),
                                   _("The notification key"), error) ||
      !vesc_validate_header_value (vesc_notification_get_subject (notification),
                                   _("The subject"), error))
    return NULL;

  g_string_append_printf (line, "%s %s to ", when, vesc_notification_get_key (notification));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VescRecipient) recipient = g_list_model_get_item (recipients, i);

      if (i > 0)
        g_string_append (line, ", ");
      g_string_append (line, vesc_recipient_get_email (recipient));
    }
  g_string_append_printf (line, ": %s", vesc_notification_get_subject (notification));

  return g_string_free (g_steal_pointer (&line), FALSE);
}

static void
log_line (VescNotification *notification,
          const char       *line)
{
  g_log_structured (G_LOG_DOMAIN, G_LOG_LEVEL_INFO,
                    "VESC_NOTIFICATION_KEY", vesc_notification_get_key (notification),
                    "MESSAGE", "%s", line);
}

/* The task data of a queued line. */
typedef struct {
  char *line;
  char *key;
} PendingLine;

static void
pending_line_free (PendingLine *pending)
{
  g_free (pending->line);
  g_free (pending->key);
  g_free (pending);
}

/* Cancellation stays G_IO_ERROR_CANCELLED so callers can tell it apart. */
static void
set_write_error (GError       **error,
                 const GError  *cause,
                 const char    *key)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_set_error_literal (error, cause->domain, cause->code, cause->message);
  else
    g_set_error (error, VESC_ERROR, VESC_ERROR_IO,
                 _("Could not write the log line for “%s”: %s"), key, cause->message);
}

static gboolean
vesc_log_notifier_send (VescNotifier      *notifier,
                        VescNotification  *notification,
                        GCancellable      *cancellable,
                        GError           **error)
{
  VescLogNotifier *self = VESC_LOG_NOTIFIER (notifier);
  g_autofree char *line = format_line (notification, error);
  g_autoptr(GError) local_error = NULL;

  if (line == NULL)
    return FALSE;

  if (self->stream == NULL)
    {
      log_line (notification, line);
      return TRUE;
    }

  if (!g_output_stream_printf (self->stream, NULL, cancellable, &local_error, "%s\n", line) ||
      !g_output_stream_flush (self->stream, cancellable, &local_error))
    {
      set_write_error (error, local_error, vesc_notification_get_key (notification));
      return FALSE;
    }

  return TRUE;
}

static void write_next (VescLogNotifier *self);

static void
finish_head (VescLogNotifier *self,
             const GError    *cause)
{
  /* The task holds the last reference on self when the caller dropped its
   * own, so it is released only after the next write started. */
  g_autoptr(GTask) task = g_queue_pop_head (&self->pending);
  PendingLine *pending = g_task_get_task_data (task);
  GError *error = NULL;

  if (cause == NULL)
    {
      g_task_return_boolean (task, TRUE);
    }
  else
    {
      set_write_error (&error, cause, pending->key);
      g_task_return_error (task, error);
    }

  write_next (self);
}

static void
flushed_cb (GObject      *stream,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_output_stream_flush_finish (G_OUTPUT_STREAM (stream), result, &error);
  finish_head (user_data, error);
}

static void
written_cb (GObject      *stream,
            GAsyncResult *result,
            gpointer      user_data)
{
  VescLogNotifier *self = user_data;
  GTask *task = g_queue_peek_head (&self->pending);
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (stream), result, NULL, &error))
    {
      finish_head (self, error);
      return;
    }

  g_output_stream_flush_async (G_OUTPUT_STREAM (stream), G_PRIORITY_DEFAULT,
                               g_task_get_cancellable (task), flushed_cb, self);
}

/* A stream takes one operation at a time, so lines queue here. Each queued
 * task holds a reference on the notifier, which keeps it alive until the
 * queue is empty. */
static void
write_next (VescLogNotifier *self)
{
  GTask *task = g_queue_peek_head (&self->pending);
  const char *line;

  self->writing = task != NULL;
  if (task == NULL)
    return;

  line = ((PendingLine *) g_task_get_task_data (task))->line;
  g_output_stream_write_all_async (self->stream, line, strlen (line), G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), written_cb, self);
}

static void
vesc_log_notifier_send_async (VescNotifier        *notifier,
                              VescNotification    *notification,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  VescLogNotifier *self = VESC_LOG_NOTIFIER (notifier);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  g_autofree char *line = NULL;
  PendingLine *pending;

  g_task_set_source_tag (task, vesc_log_notifier_send_async);

  line = format_line (notification, &error);
  if (line == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (self->stream == NULL)
    {
      log_line (notification, line);
      g_task_return_boolean (task, TRUE);
      return;
    }

  pending = g_new0 (PendingLine, 1);
  pending->line = g_strconcat (line, "\n", NULL);
  pending->key = g_strdup (vesc_notification_get_key (notification));
  g_task_set_task_data (task, pending, (GDestroyNotify) pending_line_free);
  g_queue_push_tail (&self->pending, g_steal_pointer (&task));
  if (!self->writing)
    write_next (self);
}

static gboolean
vesc_log_notifier_send_finish (VescNotifier  *notifier,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, notifier), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vesc_log_notifier_notifier_init (VescNotifierInterface *iface)
{
  iface->send = vesc_log_notifier_send;
  iface->send_async = vesc_log_notifier_send_async;
  iface->send_finish = vesc_log_notifier_send_finish;
}

static void
vesc_log_notifier_finalize (GObject *object)
{
  VescLogNotifier *self = VESC_LOG_NOTIFIER (object);

  g_clear_object (&self->stream);

  G_OBJECT_CLASS (vesc_log_notifier_parent_class)->finalize (object);
}

static void
vesc_log_notifier_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  VescLogNotifier *self = VESC_LOG_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      g_value_set_object (value, self->stream);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_log_notifier_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  VescLogNotifier *self = VESC_LOG_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_STREAM:
      self->stream = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_log_notifier_class_init (VescLogNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vesc_log_notifier_finalize;
  object_class->get_property = vesc_log_notifier_get_property;
  object_class->set_property = vesc_log_notifier_set_property;

  /**
   * VescLogNotifier:stream:
   *
   * The stream the lines are appended to, or %NULL to log them with
   * g_log_structured().
   */
  properties[PROP_STREAM] =
    g_param_spec_object ("stream", NULL, NULL,
                         G_TYPE_OUTPUT_STREAM,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vesc_log_notifier_init (VescLogNotifier *self)
{
  g_queue_init (&self->pending);
}

/**
 * vesc_log_notifier_new:
 *
 * Creates a notifier that logs one line per notification with
 * g_log_structured().
 *
 * Returns: (transfer full): a new log notifier
 */
VescLogNotifier *
vesc_log_notifier_new (void)
{
  return g_object_new (VESC_TYPE_LOG_NOTIFIER, NULL);
}

/**
 * vesc_log_notifier_new_for_stream:
 * @stream: where the lines go
 *
 * Creates a notifier that appends one line per notification to @stream.
 *
 * Returns: (transfer full): a new log notifier
 */
VescLogNotifier *
vesc_log_notifier_new_for_stream (GOutputStream *stream)
{
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (stream), NULL);

  return g_object_new (VESC_TYPE_LOG_NOTIFIER, "stream", stream, NULL);
}

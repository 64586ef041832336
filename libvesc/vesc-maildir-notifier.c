/* vesc-maildir-notifier.c: a notifier that writes RFC 5322 messages into a Maildir
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "vesc-maildir-notifier.h"
#include "vesc-template-private.h"
#include "vesc-types.h"

/**
 * VescMaildirNotifier:
 *
 * A notifier that delivers each notification as an RFC 5322 message into a
 * [Maildir](https://cr.yp.to/proto/maildir.html), which any mail reader can
 * open: handy for drills, and for a site without a mail transfer agent.
 *
 * Delivery follows the Maildir rules: the message is written to `tmp/`,
 * synced to disk, then moved to `new/`. The file name is
 * `<created-at µs>.<key>.<host>`, derived from the notification rather than
 * from a counter, so delivering the same notification again finds the
 * message already there (in `new/` or, once read, in `cur/`) and writes
 * nothing.
 *
 * The file work of [method@Vesc.Notifier.send_async] runs in a GIO worker
 * thread, so syncing to disk never blocks the main loop.
 */
struct _VescMaildirNotifier
{
  GObject parent_instance;

  char *path;
};

static void vesc_maildir_notifier_notifier_init (VescNotifierInterface *iface);
static void vesc_maildir_notifier_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VescMaildirNotifier, vesc_maildir_notifier, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VESC_TYPE_NOTIFIER,
                                                      vesc_maildir_notifier_notifier_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      vesc_maildir_notifier_initable_init))

enum {
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Longer escaped keys are replaced by their SHA-256, keeping file names
 * well under the usual 255-byte limit. */
#define MAX_KEY_IN_NAME 160

/* What one delivery needs, made on the caller's thread so that the worker
 * thread touches no GObject. */
typedef struct {
  char *path;
  char *name;
  char *text;
} Delivery;

static void
delivery_free (Delivery *delivery)
{
  g_free (delivery->path);
  g_free (delivery->name);
  g_free (delivery->text);
  g_free (delivery);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Delivery, delivery_free)

/* Bytes other than [A-Za-z0-9_-] become "=XX", which keeps distinct keys
 * distinct: two notifications must never share a file name. */
static char *
escape_key (const char *key)
{
  GString *escaped = g_string_new (NULL);

  for (const char *p = key; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || *p == '-' || *p == '_')
        g_string_append_c (escaped, *p);
      else
        g_string_append_printf (escaped, "=%02X", (guchar) *p);
    }

  if (escaped->len > MAX_KEY_IN_NAME)
    {
      g_string_free (escaped, TRUE);
      return g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
    }

  return g_string_free (escaped, FALSE);
}

/* The Maildir convention for the two characters a host name may not bring
 * into a file name. */
static char *
escape_host_name (const char *host)
{
  GString *escaped = g_string_new (NULL);

  for (const char *p = host; *p != '\0'; p++)
    {
      if (*p == '/')
        g_string_append (escaped, "\\057");
      else if (*p == ':')
        g_string_append (escaped, "\\072");
      else
        g_string_append_c (escaped, *p);
    }

  return g_string_free (escaped, FALSE);
}

static char *
unique_name (VescNotification *notification)
{
  GDateTime *created_at = vesc_notification_get_created_at (notification);
  gint64 usec = g_date_time_to_unix (created_at) * G_USEC_PER_SEC +
                g_date_time_get_microsecond (created_at);
  g_autofree char *key = escape_key (vesc_notification_get_key (notification));
  g_autofree char *host = escape_host_name (g_get_host_name ());

  return g_strdup_printf ("%" G_GINT64_FORMAT ".%s.%s", usec, key, host);
}

/* A mail reader moves a message to cur/ and appends ":2,<flags>". */
static gboolean
already_delivered (const char *path,
                   const char *name)
{
  g_autofree char *new_path = g_build_filename (path, "new", name, NULL);
  g_autofree char *cur_dir = g_build_filename (path, "cur", NULL);
  g_autoptr(GDir) dir = NULL;
  gsize len = strlen (name);
  const char *entry;

  if (g_file_test (new_path, G_FILE_TEST_EXISTS))
    return TRUE;

  dir = g_dir_open (cur_dir, 0, NULL);
  if (dir == NULL)
    return FALSE;

  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      if (strncmp (entry, name, len) == 0 && (entry[len] == '\0' || entry[len] == ':'))
        return TRUE;
    }

  return FALSE;
}

/* FALSE with errno set when a write fails. */
static gboolean
write_all (int         fd,
           const char *text)
{
  gsize len = strlen (text);

  while (len > 0)
    {
      gssize n = write (fd, text, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          if (n == 0)
            errno = EIO;
          return FALSE;
        }
      text += n;
      len -= n;
    }

  return TRUE;
}

static gboolean
write_synced (const char  *file,
              const char  *text,
              GError     **error)
{
  int fd = g_open (file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_IO, _("Could not create “%s”: %s"),
                   file, g_strerror (errno));
      return FALSE;
    }

  if (!write_all (fd, text) || fsync (fd) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, VESC_ERROR, VESC_ERROR_IO, _("Could not write “%s”: %s"),
                   file, g_strerror (saved_errno));
      return FALSE;
    }

  if (!g_close (fd, NULL))
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_IO, _("Could not write “%s”: %s"),
                   file, g_strerror (errno));
      return FALSE;
    }

  return TRUE;
}

/* The rename into new/ is what makes the message visible; syncing the
 * directory makes it survive a crash. */
static void
sync_directory (const char *dir_path)
{
  int fd = g_open (dir_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0)
    return;
  fsync (fd);
  close (fd);
}

/* link() fails with EEXIST when a concurrent delivery of the same
 * notification won; where hard links are not supported, rename() does. */
static gboolean
move_to_new (const char  *tmp_path,
             const char  *new_path,
             GError     **error)
{
  if (link (tmp_path, new_path) == 0 || errno == EEXIST)
    {
      g_unlink (tmp_path);
      return TRUE;
    }

  if (g_rename (tmp_path, new_path) == 0)
    return TRUE;

  g_set_error (error, VESC_ERROR, VESC_ERROR_IO, _("Could not deliver “%s”: %s"),
               new_path, g_strerror (errno));
  g_unlink (tmp_path);
  return FALSE;
}

static gboolean
deliver (Delivery  *delivery,
         GError   **error)
{
  g_autofree char *tmp_path = NULL;
  g_autofree char *new_dir = NULL;
  g_autofree char *new_path = NULL;

  if (already_delivered (delivery->path, delivery->name))
    return TRUE;

  tmp_path = g_build_filename (delivery->path, "tmp", delivery->name, NULL);
  new_dir = g_build_filename (delivery->path, "new", NULL);
  new_path = g_build_filename (new_dir, delivery->name, NULL);

  if (!write_synced (tmp_path, delivery->text, error))
    {
      g_unlink (tmp_path);
      return FALSE;
    }

  if (!move_to_new (tmp_path, new_path, error))
    return FALSE;

  sync_directory (new_dir);
  return TRUE;
}

static Delivery *
prepare_delivery (VescMaildirNotifier  *self,
                  VescNotification     *notification,
                  GError              **error)
{
  g_autofree char *text = vesc_notification_to_rfc5322 (notification, error);
  Delivery *delivery;

  if (text == NULL)
    return NULL;

  delivery = g_new0 (Delivery, 1);
  delivery->path = g_strdup (self->path);
  delivery->name = unique_name (notification);
  delivery->text = g_steal_pointer (&text);

  return delivery;
}

static gboolean
vesc_maildir_notifier_send (VescNotifier      *notifier,
                            VescNotification  *notification,
                            GCancellable      *cancellable,
                            GError           **error)
{
  g_autoptr(Delivery) delivery = NULL;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  delivery = prepare_delivery (VESC_MAILDIR_NOTIFIER (notifier), notification, error);
  if (delivery == NULL)
    return FALSE;

  return deliver (delivery, error);
}

static void
deliver_in_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  GError *error = NULL;

  if (deliver (task_data, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
vesc_maildir_notifier_send_async (VescNotifier        *notifier,
                                  VescNotification    *notification,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (notifier, cancellable, callback, user_data);
  GError *error = NULL;
  Delivery *delivery;

  g_task_set_source_tag (task, vesc_maildir_notifier_send_async);
  /* Once the message is in new/ it has been delivered; a late cancel must
   * not report otherwise. */
  g_task_set_return_on_cancel (task, FALSE);

  delivery = prepare_delivery (VESC_MAILDIR_NOTIFIER (notifier), notification, &error);
  if (delivery == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_set_task_data (task, delivery, (GDestroyNotify) delivery_free);
  if (!g_task_return_error_if_cancelled (task))
    g_task_run_in_thread (task, deliver_in_thread);
}

static gboolean
vesc_maildir_notifier_send_finish (VescNotifier  *notifier,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, notifier), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vesc_maildir_notifier_notifier_init (VescNotifierInterface *iface)
{
  iface->send = vesc_maildir_notifier_send;
  iface->send_async = vesc_maildir_notifier_send_async;
  iface->send_finish = vesc_maildir_notifier_send_finish;
}

static gboolean
vesc_maildir_notifier_initable_init_impl (GInitable     *initable,
                                          GCancellable  *cancellable,
                                          GError       **error)
{
  VescMaildirNotifier *self = VESC_MAILDIR_NOTIFIER (initable);
  static const char * const subdirs[] = { "tmp", "new", "cur" };

  if (self->path == NULL || *self->path == '\0')
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                           _("A Maildir notifier needs the path of its directory"));
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (subdirs); i++)
    {
      g_autofree char *dir = g_build_filename (self->path, subdirs[i], NULL);

      /* Also creates the Maildir itself, and fails with ENOTDIR when the
       * path or a sub-directory name is taken by a file. */
      if (g_mkdir_with_parents (dir, 0700) != 0)
        {
          g_set_error (error, VESC_ERROR, VESC_ERROR_IO,
                       _("Could not create the Maildir directory “%s”: %s"),
                       dir, g_strerror (errno));
          return FALSE;
        }
    }

  return TRUE;
}

static void
vesc_maildir_notifier_initable_init (GInitableIface *iface)
{
  iface->init = vesc_maildir_notifier_initable_init_impl;
}

static void
vesc_maildir_notifier_finalize (GObject *object)
{
  VescMaildirNotifier *self = VESC_MAILDIR_NOTIFIER (object);

  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (vesc_maildir_notifier_parent_class)->finalize (object);
}

static void
vesc_maildir_notifier_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  VescMaildirNotifier *self = VESC_MAILDIR_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_maildir_notifier_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  VescMaildirNotifier *self = VESC_MAILDIR_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_maildir_notifier_class_init (VescMaildirNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vesc_maildir_notifier_finalize;
  object_class->get_property = vesc_maildir_notifier_get_property;
  object_class->set_property = vesc_maildir_notifier_set_property;

  /**
   * VescMaildirNotifier:path:
   *
   * The Maildir: the directory holding `tmp/`, `new/` and `cur/`.
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vesc_maildir_notifier_init (VescMaildirNotifier *self)
{
}

/**
 * vesc_maildir_notifier_new:
 * @path: (type filename): the Maildir directory
 * @error: return location for a #GError
 *
 * Creates a notifier that delivers into the Maildir at @path, creating
 * @path and its `tmp/`, `new/` and `cur/` directories (mode 0700) when they
 * are missing.
 *
 * Returns: (transfer full): a new notifier, or %NULL with %VESC_ERROR_IO when
 *   the directories cannot be made (for example because @path is a file)
 */
VescMaildirNotifier *
vesc_maildir_notifier_new (const char  *path,
                           GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (VESC_TYPE_MAILDIR_NOTIFIER, NULL, error, "path", path, NULL);
}

/**
 * vesc_maildir_notifier_get_path:
 * @self: a Maildir notifier
 *
 * Gets the Maildir the notifier delivers into.
 *
 * Returns: (type filename): the directory
 */
const char *
vesc_maildir_notifier_get_path (VescMaildirNotifier *self)
{
  g_return_val_if_fail (VESC_IS_MAILDIR_NOTIFIER (self), NULL);

  return self->path;
}

/* vesc-sendmail-notifier.c: a notifier that hands RFC 5322 messages to sendmail
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <signal.h>
#include <string.h>

#include <glib-unix.h>
#include <glib/gi18n-lib.h>
#include <gio/gunixoutputstream.h>

#include "vesc-sendmail-notifier.h"
#include "vesc-template-private.h"
#include "vesc-types.h"

/**
 * VescSendmailNotifier:
 *
 * A notifier that hands each notification, as an RFC 5322 message, to the
 * `sendmail` program of the mail transfer agent: `sendmail -t -oi`, with the
 * message on its standard input. Postfix, Exim and OpenSMTPD all provide
 * one, and so do relay-only clients such as msmtp.
 *
 * `-t` takes the recipients from the `To:` header, so the envelope matches
 * what the reader sees; `-oi` stops a line holding a single dot from ending
 * the message early. Arguments in
 * [property@Vesc.SendmailNotifier:sendmail-args] go before these two (for
 * msmtp, `-C <file>` names its configuration).
 *
 * The message is the one [class@Vesc.MaildirNotifier] writes: a Date, a
 * Message-ID derived from the notification's key (so that sending the same
 * notification again carries the same Message-ID, which receivers can use
 * to drop the copy), In-Reply-To and References for replies, a UTF-8 body
 * and RFC 2047 encoded subject and names. A CR or LF in any value that would
 * reach a header fails with %VESC_ERROR_INVALID_INPUT before sendmail is
 * started. Lines reach sendmail ending in LF, the local convention it
 * expects; it adds the CR itself when it speaks SMTP.
 *
 * A send succeeds when sendmail has read the whole message and exits with
 * status 0. Anything else fails with %VESC_ERROR_IO, naming the exit status
 * and quoting what sendmail printed. The process runs as a
 * [class@Gio.Subprocess] whose pipes are driven from the main loop, so
 * nothing blocks; cancelling kills it.
 *
 * Like GIO's sockets, the notifier ignores `SIGPIPE` in the whole process
 * (unless the application has set a handler of its own): a sendmail that
 * exits before reading the whole message would otherwise kill the caller.
 */
struct _VescSendmailNotifier
{
  GObject parent_instance;

  char *sendmail_path;
  GStrv sendmail_args;
};

static void vesc_sendmail_notifier_notifier_init (VescNotifierInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VescSendmailNotifier, vesc_sendmail_notifier, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VESC_TYPE_NOTIFIER,
                                                      vesc_sendmail_notifier_notifier_init))

enum {
  PROP_0,
  PROP_SENDMAIL_PATH,
  PROP_SENDMAIL_ARGS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define DEFAULT_SENDMAIL_PATH "/usr/sbin/sendmail"

/* An error quotes at most this much of what sendmail printed. */
#define MAX_OUTPUT_IN_ERROR 1000

/* How long the output may stay open once sendmail has exited: a daemon it
 * forked could hold the pipe for ever. */
#define OUTPUT_GRACE_MS 1000

/* One run of sendmail: writing the message, reading what sendmail prints
 * and waiting for it to exit complete in any order; the run ends when all
 * three have. */
typedef struct {
  char *program;
  GBytes *message;
  GSubprocess *process;
  GMemoryOutputStream *output;
  GCancellable *output_cancellable;
  GSource *output_grace;
  GCancellable *cancellable;
  gulong cancelled_id;
  guint pending;
  gboolean message_cut;
  GError *write_error;
} Run;

static void
run_free (Run *run)
{
  if (run->cancelled_id != 0)
    g_cancellable_disconnect (run->cancellable, run->cancelled_id);
  g_clear_object (&run->cancellable);
  if (run->output_grace != NULL)
    g_source_destroy (run->output_grace);
  g_clear_pointer (&run->output_grace, g_source_unref);
  g_clear_object (&run->output_cancellable);
  g_clear_object (&run->output);
  g_clear_object (&run->process);
  g_clear_pointer (&run->message, g_bytes_unref);
  g_clear_error (&run->write_error);
  g_free (run->program);
  g_free (run);
}

/* sendmail reads text in the local convention: lines end in LF. The RFC
 * 5322 text has CRLF everywhere and no lone CR. */
static GBytes *
to_local_line_ends (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));

  for (const char *p = text; *p != '\0'; p++)
    {
      if (p[0] != '\r' || p[1] != '\n')
        g_string_append_c (out, *p);
    }

  return g_string_free_to_bytes (out);
}

static GSubprocess *
spawn_sendmail (VescSendmailNotifier  *self,
                GError               **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) local_error = NULL;
  GSubprocess *process;

  g_strv_builder_add (builder, self->sendmail_path);
  g_strv_builder_addv (builder, (const char **) self->sendmail_args);
  g_strv_builder_add_many (builder, "-t", "-oi", NULL);
  argv = g_strv_builder_end (builder);

  process = g_subprocess_newv ((const char * const *) argv,
                               G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_MERGE,
                               &local_error);
  if (process == NULL)
    g_set_error (error, VESC_ERROR, VESC_ERROR_IO, _("Could not run the mail program “%s”: %s"),
                 self->sendmail_path, local_error->message);

  return process;
}

/* What sendmail printed, made fit for one line of an error message. */
static char *
output_text (GMemoryOutputStream *output)
{
  gsize size = g_memory_output_stream_get_data_size (output);
  g_autofree char *text = NULL;

  if (size == 0)
    return g_strdup (_("it printed nothing"));

  text = g_utf8_make_valid (g_memory_output_stream_get_data (output),
                            MIN (size, MAX_OUTPUT_IN_ERROR));
  for (char *p = text; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        *p = ' ';
    }
  g_strstrip (text);

  return *text != '\0' ? g_steal_pointer (&text) : g_strdup (_("it printed nothing"));
}

static GError *
exit_error (Run *run)
{
  GSubprocess *process = run->process;
  g_autofree char *output = output_text (run->output);

  if (g_subprocess_get_if_signaled (process))
    return g_error_new (VESC_ERROR, VESC_ERROR_IO,
                        _("The mail program “%s” was killed by signal %d: %s"),
                        run->program, g_subprocess_get_term_sig (process), output);

  if (g_subprocess_get_exit_status (process) != 0)
    return g_error_new (VESC_ERROR, VESC_ERROR_IO,
                        _("The mail program “%s” failed with exit status %d: %s"),
                        run->program, g_subprocess_get_exit_status (process), output);

  return g_error_new (VESC_ERROR, VESC_ERROR_IO,
                      _("The mail program “%s” exited before reading the whole message: %s"),
                      run->program, output);
}

static void
finish_run (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (run->output_grace != NULL)
    g_source_destroy (run->output_grace);
  g_clear_pointer (&run->output_grace, g_source_unref);

  /* A message sendmail took is sent, however late a cancel came; when the
   * cancel killed it, its exit status says nothing more. */
  if (run->write_error == NULL && !run->message_cut && g_subprocess_get_successful (run->process))
    g_task_return_boolean (task, TRUE);
  else if (g_task_return_error_if_cancelled (task))
    return;
  else if (run->write_error != NULL)
    g_task_return_new_error (task, VESC_ERROR, VESC_ERROR_IO,
                             _("Could not give the message to the mail program “%s”: %s"),
                             run->program, run->write_error->message);
  else
    g_task_return_error (task, exit_error (run));
}

/* Each of the three operations ends here, handing back its task reference. */
static void
step_done (GTask *task)
{
  Run *run = g_task_get_task_data (task);

  if (--run->pending == 0)
    finish_run (task);
  g_object_unref (task);
}

static void
message_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Run *run = g_task_get_task_data (G_TASK (user_data));
  g_autoptr(GError) error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      /* sendmail stopped reading: its exit status will say why. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
        run->message_cut = TRUE;
      else
        run->write_error = g_steal_pointer (&error);
    }

  /* The end of its input is what tells sendmail the message is complete. */
  g_output_stream_close (G_OUTPUT_STREAM (source), NULL, NULL);
  step_done (user_data);
}

static void
output_read (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  /* A read cut short keeps what it got, which is all the error quotes. */
  g_output_stream_splice_finish (G_OUTPUT_STREAM (source), result, NULL);
  step_done (user_data);
}

static gboolean
output_grace_over (gpointer user_data)
{
  Run *run = g_task_get_task_data (G_TASK (user_data));

  g_cancellable_cancel (run->output_cancellable);
  g_clear_pointer (&run->output_grace, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
process_exited (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GTask *task = user_data;
  Run *run = g_task_get_task_data (task);

  /* Without a cancellable, waiting cannot fail. */
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);

  if (run->pending > 1)
    {
      run->output_grace = g_timeout_source_new (OUTPUT_GRACE_MS);
      g_task_attach_source (task, run->output_grace, output_grace_over);
    }
  step_done (task);
}

/* Runs from whichever thread cancels; g_subprocess_force_exit() is safe
 * there, and the run then ends through the usual steps. */
static void
kill_process (GCancellable *cancellable,
              gpointer      process)
{
  g_subprocess_force_exit (process);
}

static void
start_run (GTask *task)
{
  Run *run = g_task_get_task_data (task);
  GOutputStream *input = g_subprocess_get_stdin_pipe (run->process);
  GCancellable *cancellable = g_task_get_cancellable (task);

  /* A blocking pipe polls as writable with any room in it, and a larger
   * write would then block the main loop. */
  g_unix_set_fd_nonblocking (g_unix_output_stream_get_fd (G_UNIX_OUTPUT_STREAM (input)),
                             TRUE, NULL);

  run->pending = 3;
  run->output = G_MEMORY_OUTPUT_STREAM (g_memory_output_stream_new_resizable ());
  run->output_cancellable = g_cancellable_new ();
  g_output_stream_write_all_async (input, g_bytes_get_data (run->message, NULL),
                                   g_bytes_get_size (run->message), G_PRIORITY_DEFAULT, NULL,
                                   message_written, g_object_ref (task));
  g_output_stream_splice_async (G_OUTPUT_STREAM (run->output),
                                g_subprocess_get_stdout_pipe (run->process),
                                G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE, G_PRIORITY_DEFAULT,
                                run->output_cancellable, output_read, g_object_ref (task));
  g_subprocess_wait_async (run->process, NULL, process_exited, g_object_ref (task));

  if (cancellable != NULL)
    {
      run->cancellable = g_object_ref (cancellable);
      run->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (kill_process),
                                                 g_object_ref (run->process), g_object_unref);
    }
}

static void
vesc_sendmail_notifier_send_async (VescNotifier        *notifier,
                                   VescNotification    *notification,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  VescSendmailNotifier *self = VESC_SENDMAIL_NOTIFIER (notifier);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autofree char *text = NULL;
  GError *error = NULL;
  Run *run;

  g_task_set_source_tag (task, vesc_sendmail_notifier_send_async);
  g_task_set_check_cancellable (task, FALSE);
  if (g_task_return_error_if_cancelled (task))
    return;

  /* Refuses header injection before anything is started. */
  text = vesc_notification_to_rfc5322 (notification, &error);
  if (text == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  run = g_new0 (Run, 1);
  run->program = g_strdup (self->sendmail_path);
  run->message = to_local_line_ends (text);
  g_task_set_task_data (task, run, (GDestroyNotify) run_free);

  run->process = spawn_sendmail (self, &error);
  if (run->process == NULL)
    g_task_return_error (task, error);
  else
    start_run (task);
}

static gboolean
vesc_sendmail_notifier_send_finish (VescNotifier  *notifier,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, notifier), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **result_out = user_data;

  *result_out = g_object_ref (result);
}

/* The asynchronous run on a private main context: the pipes still make
 * progress together, and the caller's main loop does not run meanwhile. */
static gboolean
vesc_sendmail_notifier_send (VescNotifier      *notifier,
                             VescNotification  *notification,
                             GCancellable      *cancellable,
                             GError           **error)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GAsyncResult) result = NULL;

  g_main_context_push_thread_default (context);
  vesc_sendmail_notifier_send_async (notifier, notification, cancellable, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  return vesc_sendmail_notifier_send_finish (notifier, result, error);
}

static void
vesc_sendmail_notifier_notifier_init (VescNotifierInterface *iface)
{
  iface->send = vesc_sendmail_notifier_send;
  iface->send_async = vesc_sendmail_notifier_send_async;
  iface->send_finish = vesc_sendmail_notifier_send_finish;
}

static void
vesc_sendmail_notifier_finalize (GObject *object)
{
  VescSendmailNotifier *self = VESC_SENDMAIL_NOTIFIER (object);

  g_clear_pointer (&self->sendmail_path, g_free);
  g_clear_pointer (&self->sendmail_args, g_strfreev);

  G_OBJECT_CLASS (vesc_sendmail_notifier_parent_class)->finalize (object);
}

static void
vesc_sendmail_notifier_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  VescSendmailNotifier *self = VESC_SENDMAIL_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_SENDMAIL_PATH:
      g_value_set_string (value, self->sendmail_path);
      break;
    case PROP_SENDMAIL_ARGS:
      g_value_set_boxed (value, self->sendmail_args);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_sendmail_notifier_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  VescSendmailNotifier *self = VESC_SENDMAIL_NOTIFIER (object);
  const char *path;

  switch (prop_id)
    {
    case PROP_SENDMAIL_PATH:
      path = g_value_get_string (value);
      self->sendmail_path = g_strdup (path != NULL && *path != '\0' ? path
                                                                    : DEFAULT_SENDMAIL_PATH);
      break;
    case PROP_SENDMAIL_ARGS:
      self->sendmail_args = g_value_dup_boxed (value);
      if (self->sendmail_args == NULL)
        self->sendmail_args = g_new0 (char *, 1);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* GIO's sockets do the same, for the same reason: writing to a pipe whose
 * reader has gone raises SIGPIPE, and its default action ends the process. */
static void
ignore_sigpipe (void)
{
  struct sigaction action;

  if (sigaction (SIGPIPE, NULL, &action) == 0 &&
      (action.sa_flags & SA_SIGINFO) == 0 && action.sa_handler == SIG_DFL)
    signal (SIGPIPE, SIG_IGN);
}

static void
vesc_sendmail_notifier_class_init (VescSendmailNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vesc_sendmail_notifier_finalize;
  object_class->get_property = vesc_sendmail_notifier_get_property;
  object_class->set_property = vesc_sendmail_notifier_set_property;

  /**
   * VescSendmailNotifier:sendmail-path:
   *
   * The sendmail program: an absolute path, or a name looked up in `PATH`.
   * %NULL or an empty string stands for `/usr/sbin/sendmail`.
   */
  properties[PROP_SENDMAIL_PATH] =
    g_param_spec_string ("sendmail-path", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * VescSendmailNotifier:sendmail-args:
   *
   * Arguments given to the sendmail program before `-t -oi`, for instance
   * `-C /etc/vesc/msmtprc` for msmtp. Never %NULL once constructed.
   */
  properties[PROP_SENDMAIL_ARGS] =
    g_param_spec_boxed ("sendmail-args", NULL, NULL,
                        G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  ignore_sigpipe ();
}

static void
vesc_sendmail_notifier_init (VescSendmailNotifier *self)
{
}

/**
 * vesc_sendmail_notifier_new:
 * @sendmail_path: (nullable) (type filename): the sendmail program, or %NULL
 *   for `/usr/sbin/sendmail`
 *
 * Creates a notifier that runs `sendmail_path -t -oi` for each notification.
 * The program is not looked for until the first send, which fails with
 * %VESC_ERROR_IO when it cannot be run.
 *
 * Returns: (transfer full): a new notifier
 */
VescSendmailNotifier *
vesc_sendmail_notifier_new (const char *sendmail_path)
{
  return vesc_sendmail_notifier_new_with_args (sendmail_path, NULL);
}

/**
 * vesc_sendmail_notifier_new_with_args:
 * @sendmail_path: (nullable) (type filename): the sendmail program, or %NULL
 *   for `/usr/sbin/sendmail`
 * @sendmail_args: (nullable) (array zero-terminated=1): arguments to give
 *   before `-t -oi`, or %NULL for none
 *
 * Creates a notifier that runs `sendmail_path sendmail_args... -t -oi` for
 * each notification.
 *
 * Returns: (transfer full): a new notifier
 */
VescSendmailNotifier *
vesc_sendmail_notifier_new_with_args (const char         *sendmail_path,
                                      const char * const *sendmail_args)
{
  return g_object_new (VESC_TYPE_SENDMAIL_NOTIFIER,
                       "sendmail-path", sendmail_path,
                       "sendmail-args", sendmail_args,
                       NULL);
}

/**
 * vesc_sendmail_notifier_get_sendmail_path:
 * @self: a sendmail notifier
 *
 * Gets the sendmail program the notifier runs.
 *
 * Returns: (type filename): the program
 */
const char *
vesc_sendmail_notifier_get_sendmail_path (VescSendmailNotifier *self)
{
  g_return_val_if_fail (VESC_IS_SENDMAIL_NOTIFIER (self), NULL);

  return self->sendmail_path;
}

/**
 * vesc_sendmail_notifier_get_sendmail_args:
 * @self: a sendmail notifier
 *
 * Gets the arguments given to sendmail before `-t -oi`.
 *
 * Returns: (transfer none) (array zero-terminated=1): the arguments, possibly
 *   none
 */
const char * const *
vesc_sendmail_notifier_get_sendmail_args (VescSendmailNotifier *self)
{
  g_return_val_if_fail (VESC_IS_SENDMAIL_NOTIFIER (self), NULL);

  return (const char * const *) self->sendmail_args;
}

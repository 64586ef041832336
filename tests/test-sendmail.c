/* test-sendmail.c: the sendmail notifier, end to end through msmtp and SMTP
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "vesc.h"

#define KEY_1 "INC-7/M3/email-1"
#define KEY_2 "INC-7/M5/email-2"
#define MESSAGE_ID_1 "<INC-7.M3.email-1@libvesc.invalid>"
#define MESSAGE_ID_2 "<INC-7.M5.email-2@libvesc.invalid>"
#define ENVELOPE_FROM "bounces@council.example.org"

#define SUBJECT_1 "Security incident at St Mary & St John's – Ysgol Gŵyr"
#define SUBJECT_2 "Re: " SUBJECT_1 " – devices still connected"
/* A line holding one dot would end the message without -oi. */
#define BODY_1 \
  "Dear Siân Ŵyn,\n" \
  "\n" \
  "A device at “St Mary & St John's” (Ysgol Gŵyr) is infected.\n" \
  ".\n" \
  "Please remove it from the network within 3 hours.\n"
#define BODY_2 "Dear Siân Ŵyn,\n\nThe device is still connected.\n"

/* Helpers ------------------------------------------------------------------ */

static VescRecipient *
recipient (VescRole    role,
           const char *name,
           const char *email)
{
  g_autoptr(GError) error = NULL;
  VescRecipient *r = vesc_recipient_new (role, name, email, &error);

  g_assert_no_error (error);
  return r;
}

static VescNotification *
notification_new (const char *key,
                  const char *step,
                  const char *template_id,
                  const char *subject,
                  const char *body)
{
  g_autoptr(GDateTime) created_at = g_date_time_new_utc (2018, 3, 23, 14, 0, 0);
  g_autoptr(VescRecipient) head = recipient (VESC_ROLE_HEAD_TEACHER, "Siân Ŵyn",
                                             "head@stmaryjohn.example.org");
  g_autoptr(VescRecipient) rm = recipient (VESC_ROLE_RELATIONSHIP_MANAGER, "O'Brien, Pat",
                                           "rm@council.example.org");
  g_autoptr(VescRecipient) itd = recipient (VESC_ROLE_ITD, "IT Department",
                                            "itd@council.example.org");
  VescNotification *n = vesc_notification_new (key, "INC-7", step, template_id, subject, body,
                                               created_at);

  vesc_notification_add_recipient (n, head);
  vesc_notification_add_recipient (n, rm);
  vesc_notification_set_sender (n, itd);
  return n;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **result_out = user_data;

  *result_out = g_object_ref (result);
}

/* Sends through the main loop, as the desk does. */
static gboolean
send_and_wait (gpointer           notifier,
               VescNotification  *notification,
               GCancellable      *cancellable,
               GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  vesc_notifier_send_async (VESC_NOTIFIER (notifier), notification, cancellable,
                            store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return vesc_notifier_send_finish (VESC_NOTIFIER (notifier), result, error);
}

static char *
scratch_path (const char *name)
{
  /* G_TEST_OPTION_ISOLATE_DIRS gives each test its own data directory. */
  g_autofree char *dir = g_build_filename (g_get_user_data_dir (), "sendmail", NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return g_build_filename (dir, name, NULL);
}

static char *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* A notifier running /bin/sh with @script; sendmail's arguments follow as
 * "$@" and "$0" is "sendmail". */
static VescSendmailNotifier *
shell_notifier (const char *script)
{
  const char *args[] = { "-c", script, "sendmail", NULL };

  return vesc_sendmail_notifier_new_with_args ("/bin/sh", args);
}

/* A message far larger than a pipe's buffer, so that a sendmail which
 * exits without reading makes the write fail. */
static VescNotification *
large_notification_new (void)
{
  g_autoptr(GString) body = g_string_new (NULL);

  for (guint i = 0; i < 20000; i++)
    g_string_append (body, "Ŵ line of a long message, to fill the pipe.\n");
  return notification_new (KEY_1, "M3", "email-1", SUBJECT_1, body->str);
}

/* Local tests: sh scripts as sendmail ------------------------------------- */

static void
test_properties (void)
{
  const char *args[] = { "-C", "/etc/msmtprc", NULL };
  g_autoptr(VescSendmailNotifier) plain = vesc_sendmail_notifier_new (NULL);
  g_autoptr(VescSendmailNotifier) empty = vesc_sendmail_notifier_new ("");
  g_autoptr(VescSendmailNotifier) msmtp = vesc_sendmail_notifier_new_with_args ("/usr/bin/msmtp",
                                                                                args);
  g_autofree char *path = NULL;
  g_auto(GStrv) got_args = NULL;

  g_assert_true (VESC_IS_NOTIFIER (plain));
  g_assert_cmpstr (vesc_sendmail_notifier_get_sendmail_path (plain), ==, "/usr/sbin/sendmail");
  g_assert_cmpuint (g_strv_length ((GStrv) vesc_sendmail_notifier_get_sendmail_args (plain)),
                    ==, 0);
  g_assert_cmpstr (vesc_sendmail_notifier_get_sendmail_path (empty), ==, "/usr/sbin/sendmail");

  g_object_get (msmtp, "sendmail-path", &path, "sendmail-args", &got_args, NULL);
  g_assert_cmpstr (path, ==, "/usr/bin/msmtp");
  g_assert_true (g_strv_equal ((const char * const *) got_args, args));
  g_assert_true (g_strv_equal (vesc_sendmail_notifier_get_sendmail_args (msmtp), args));
}

/* What sendmail gets: its arguments, then the message on stdin with LF
 * line ends. */
static void
test_arguments_and_input (void)
{
  g_autofree char *out = scratch_path ("capture");
  g_autofree char *quoted = g_shell_quote (out);
  g_autofree char *script = g_strdup_printf ("printf '%%s\\n' \"$0\" \"$@\" > %s.args && "
                                             "cat > %s.msg", quoted, quoted);
  g_autoptr(VescSendmailNotifier) notifier = shell_notifier (script);
  g_autoptr(VescNotification) n = notification_new (KEY_1, "M3", "email-1", SUBJECT_1, BODY_1);
  g_autoptr(GError) error = NULL;
  g_autofree char *args_path = g_strconcat (out, ".args", NULL);
  g_autofree char *msg_path = g_strconcat (out, ".msg", NULL);
  g_autofree char *args = NULL;
  g_autofree char *msg = NULL;

  g_assert_true (send_and_wait (notifier, n, NULL, &error));
  g_assert_no_error (error);

  args = read_file (args_path);
  g_assert_cmpstr (args, ==, "sendmail\n-t\n-oi\n");

  msg = read_file (msg_path);
  g_assert_null (strchr (msg, '\r'));
  g_assert_true (g_str_has_prefix (msg, "From: IT Department <itd@council.example.org>\n"));
  g_assert_nonnull (strstr (msg, "\nMessage-ID: " MESSAGE_ID_1 "\n"));
  g_assert_nonnull (strstr (msg, "\nContent-Type: text/plain; charset=UTF-8\n"));
  g_assert_true (g_str_has_suffix (msg, "\n\n" BODY_1));
}

/* The blocking vfunc runs the same code on a private main context. */
static void
test_sync_send (void)
{
  g_autofree char *out = scratch_path ("sync.msg");
  g_autofree char *quoted = g_shell_quote (out);
  g_autofree char *script = g_strdup_printf ("cat > %s", quoted);
  g_autoptr(VescSendmailNotifier) notifier = shell_notifier (script);
  g_autoptr(VescNotification) n = notification_new (KEY_1, "M3", "email-1", SUBJECT_1, BODY_1);
  g_autoptr(GError) error = NULL;
  g_autofree char *msg = NULL;

  g_assert_true (vesc_notifier_send (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_no_error (error);

  msg = read_file (out);
  g_assert_true (g_str_has_suffix (msg, "\n\n" BODY_1));
}

static void
test_exit_status (void)
{
  g_autoptr(VescSendmailNotifier) notifier =
    shell_notifier ("cat > /dev/null; echo 'sendmail: cannot reach the relay' >&2; exit 75");
  g_autoptr(VescNotification) n = notification_new (KEY_1, "M3", "email-1", SUBJECT_1, BODY_1);
  g_autoptr(GError) error = NULL;

  g_assert_false (send_and_wait (notifier, n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "/bin/sh"));
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "exit status 75"));
  g_assert_nonnull (strstr (error->message, "sendmail: cannot reach the relay"));
}

/* sendmail gives up before reading: the broken pipe neither kills the test
 * (SIGPIPE) nor hides the exit status. */
static void
test_exit_before_reading (void)
{
  g_autoptr(VescSendmailNotifier) notifier = shell_notifier ("echo 'no queue' >&2; exit 3");
  g_autoptr(VescNotification) n = large_notification_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (send_and_wait (notifier, n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "exit status 3"));
  g_assert_nonnull (strstr (error->message, "no queue"));
}

/* Status 0 is not a delivery when sendmail did not take the whole message. */
static void
test_success_without_reading (void)
{
  g_autoptr(VescSendmailNotifier) notifier = shell_notifier ("exit 0");
  g_autoptr(VescNotification) n = large_notification_new ();
  g_autoptr(GError) error = NULL;

  g_assert_false (send_and_wait (notifier, n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "before reading the whole message"));
  g_assert_nonnull (strstr (error->message, "it printed nothing"));
}

static void
test_killed (void)
{
  g_autoptr(VescSendmailNotifier) notifier = shell_notifier ("cat > /dev/null; kill -9 $$");
  g_autoptr(VescNotification) n = notification_new (KEY_1, "M3", "email-1", SUBJECT_1, BODY_1);
  g_autoptr(GError) error = NULL;

  g_assert_false (send_and_wait (notifier, n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "killed by signal 9"));
}

static void
test_program_missing (void)
{
  g_autoptr(VescSendmailNotifier) notifier =
    vesc_sendmail_notifier_new ("/nonexistent/vesc/sendmail");
  g_autoptr(VescNotification) n = notification_new (KEY_1, "M3", "email-1", SUBJECT_1, BODY_1);
  g_autoptr(GError) error = NULL;

  g_assert_false (send_and_wait (notifier, n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "/nonexistent/vesc/sendmail"));
}

static gboolean
cancel_in_idle (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

/* Cancelling kills a sendmail that hangs. */
static void
test_cancel (void)
{
  g_autoptr(VescSendmailNotifier) notifier = shell_notifier ("exec sleep 600");
  g_autoptr(VescNotification) n = notification_new (KEY_1, "M3", "email-1", SUBJECT_1, BODY_1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_idle_add (cancel_in_idle, cancellable);
  g_assert_false (send_and_wait (notifier, n, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_TIME_SPAN_SECOND);

  /* A cancellable already cancelled starts nothing. */
  g_clear_error (&error);
  g_assert_false (send_and_wait (notifier, n, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* A CR or LF that would reach a header is refused before sendmail starts:
 * the script would leave a file behind if it ran. */
static void
test_injection_spawns_nothing (void)
{
  g_autofree char *out = scratch_path ("ran");
  g_autofree char *quoted = g_shell_quote (out);
  g_autofree char *script = g_strdup_printf ("cat > %s", quoted);
  g_autoptr(VescSendmailNotifier) notifier = shell_notifier (script);
  g_autoptr(VescNotification) subject = notification_new (KEY_1, "M3", "email-1",
                                                          "Hello\r\nBcc: all@example.org",
                                                          BODY_1);
  g_autoptr(VescNotification) name = notification_new (KEY_1, "M3", "email-1", SUBJECT_1, BODY_1);
  g_autoptr(VescRecipient) evil = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (send_and_wait (notifier, subject, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* g_object_new() skips the checks of vesc_recipient_new(). */
  evil = g_object_new (VESC_TYPE_RECIPIENT, "role", VESC_ROLE_HEAD_TEACHER,
                       "name", "Jane\nBcc: all@example.org", "email", "jane@example.org", NULL);
  vesc_notification_add_recipient (name, evil);
  g_assert_false (send_and_wait (notifier, name, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);

  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
}

/* End to end: msmtp to an SMTP server on 127.0.0.1 ------------------------- */

typedef struct {
  GSubprocess *server;
  char *spool;
  char *msmtprc;
  VescSendmailNotifier *notifier;
} SmtpFixture;

static const char *
python_path (void)
{
  const char *python = g_getenv ("PYTHON");

  /* Debian's python has aiosmtpd; one earlier in PATH may not. */
  if (python != NULL)
    return python;
  return g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE) ? "/usr/bin/python3"
                                                                      : "python3";
}

/* The server prints "PORT <n>" once it listens, or "SKIP <why>". */
static char *
start_server (SmtpFixture *fixture)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "mail", "smtp-sink.py", NULL);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  char *line;

  fixture->server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                      G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                                      &error, python_path (), script, fixture->spool, NULL);
  g_assert_no_error (error);

  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (fixture->server));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (line);
  return line;
}

static void
write_msmtprc (SmtpFixture *fixture,
               guint        port)
{
  g_autofree char *rc = g_strdup_printf ("defaults\n"
                                         "auth off\n"
                                         "tls off\n"
                                         "timeout 10\n"
                                         "\n"
                                         "account default\n"
                                         "host 127.0.0.1\n"
                                         "port %u\n"
                                         "from " ENVELOPE_FROM "\n",
                                         port);
  g_autoptr(GError) error = NULL;

  g_file_set_contents_full (fixture->msmtprc, rc, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                            &error);
  g_assert_no_error (error);
}

static void
smtp_fixture_set_up (SmtpFixture   *fixture,
                     gconstpointer  data)
{
  g_autofree char *msmtp = g_find_program_in_path ("msmtp");
  g_autofree char *line = NULL;
  const char *args[] = { "-C", NULL, NULL };
  guint64 port;

  if (msmtp == NULL)
    {
      g_test_skip ("msmtp is not installed (Debian package msmtp; .ci/setup installs it)");
      return;
    }

  fixture->spool = scratch_path ("spool");
  fixture->msmtprc = scratch_path ("msmtprc");
  g_assert_cmpint (g_mkdir_with_parents (fixture->spool, 0700), ==, 0);

  line = start_server (fixture);
  if (g_str_has_prefix (line, "SKIP "))
    {
      g_test_skip (line + 5);
      return;
    }
  g_assert_true (g_str_has_prefix (line, "PORT "));
  g_assert_true (g_ascii_string_to_unsigned (line + 5, 10, 1, G_MAXUINT16, &port, NULL));

  write_msmtprc (fixture, port);
  args[1] = fixture->msmtprc;
  fixture->notifier = vesc_sendmail_notifier_new_with_args (msmtp, args);
}

static void
smtp_fixture_tear_down (SmtpFixture   *fixture,
                        gconstpointer  data)
{
  if (fixture->server != NULL)
    {
      g_autoptr(GError) error = NULL;

      /* The server stops at the end of its input. */
      g_output_stream_close (g_subprocess_get_stdin_pipe (fixture->server), NULL, NULL);
      g_subprocess_wait (fixture->server, NULL, &error);
      g_assert_no_error (error);
    }

  g_clear_object (&fixture->notifier);
  g_clear_object (&fixture->server);
  g_free (fixture->spool);
  g_free (fixture->msmtprc);
}

static char *
spool_file (SmtpFixture *fixture,
            guint        n,
            const char  *extension)
{
  g_autofree char *name = g_strdup_printf ("%u.%s", n, extension);

  return g_build_filename (fixture->spool, name, NULL);
}

static guint
count_messages (SmtpFixture *fixture)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->spool, 0, NULL);
  const char *name;
  guint n = 0;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_suffix (name, ".eml");
  return n;
}

/* What the server's Python email parser made of message @n. */
static JsonObject *
arrived (SmtpFixture *fixture,
         guint        n)
{
  g_autofree char *path = spool_file (fixture, n, "json");
  g_autofree char *text = read_file (path);
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);
  JsonObject *object;

  g_assert_no_error (error);
  object = json_object_ref (json_node_get_object (node));
  json_node_unref (node);
  return object;
}

static char *
crlf_to_lf (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);

  return g_strjoinv ("\n", lines);
}

static void
assert_common_headers (JsonObject *mail,
                       const char *subject,
                       const char *message_id)
{
  JsonArray *rcpts = json_object_get_array_member (mail, "rcpt_tos");

  /* msmtp found the recipients in To: (-t), names encoded and quoted. */
  g_assert_cmpstr (json_object_get_string_member (mail, "mail_from"), ==, ENVELOPE_FROM);
  g_assert_cmpuint (json_array_get_length (rcpts), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (rcpts, 0), ==, "head@stmaryjohn.example.org");
  g_assert_cmpstr (json_array_get_string_element (rcpts, 1), ==, "rm@council.example.org");

  g_assert_cmpstr (json_object_get_string_member (mail, "from"), ==,
                   "IT Department <itd@council.example.org>");
  g_assert_cmpstr (json_object_get_string_member (mail, "to"), ==,
                   "Siân Ŵyn <head@stmaryjohn.example.org>, "
                   "\"O'Brien, Pat\" <rm@council.example.org>");
  g_assert_cmpstr (json_object_get_string_member (mail, "subject"), ==, subject);
  g_assert_cmpstr (json_object_get_string_member (mail, "message_id"), ==, message_id);
  g_assert_cmpstr (json_object_get_string_member (mail, "date"), ==,
                   "Fri, 23 Mar 2018 14:00:00 +0000");
  g_assert_cmpstr (json_object_get_string_member (mail, "content_type"), ==, "text/plain");
  g_assert_cmpstr (json_object_get_string_member (mail, "charset"), ==, "utf-8");
}

/* E-mail 1, then e-mail 2 replying to it, through msmtp and SMTP; the
 * server decodes them with Python's email package. */
static void
test_smtp_thread (SmtpFixture   *fixture,
                  gconstpointer  data)
{
  g_autoptr(VescNotification) email_1 = notification_new (KEY_1, "M3", "email-1", SUBJECT_1,
                                                          BODY_1);
  g_autoptr(VescNotification) email_2 = notification_new (KEY_2, "M5", "email-2", SUBJECT_2,
                                                          BODY_2);
  g_autoptr(JsonObject) mail_1 = NULL;
  g_autoptr(JsonObject) mail_2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body_1 = NULL;
  g_autofree char *body_2 = NULL;

  if (fixture->notifier == NULL)
    return;

  vesc_notification_set_reply_to_key (email_2, KEY_1);
  g_assert_true (send_and_wait (fixture->notifier, email_1, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (send_and_wait (fixture->notifier, email_2, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (fixture), ==, 2);

  mail_1 = arrived (fixture, 1);
  assert_common_headers (mail_1, SUBJECT_1, MESSAGE_ID_1);
  g_assert_true (json_object_get_null_member (mail_1, "in_reply_to"));
  body_1 = crlf_to_lf (json_object_get_string_member (mail_1, "body"));
  g_assert_cmpstr (body_1, ==, BODY_1);

  mail_2 = arrived (fixture, 2);
  assert_common_headers (mail_2, SUBJECT_2, MESSAGE_ID_2);
  g_assert_cmpstr (json_object_get_string_member (mail_2, "in_reply_to"), ==, MESSAGE_ID_1);
  g_assert_cmpstr (json_object_get_string_member (mail_2, "references"), ==, MESSAGE_ID_1);
  body_2 = crlf_to_lf (json_object_get_string_member (mail_2, "body"));
  g_assert_cmpstr (body_2, ==, BODY_2);
}

/* The bytes on the wire: CRLF only, the subject RFC 2047 encoded, the body
 * 8-bit UTF-8. */
static void
test_smtp_raw (SmtpFixture   *fixture,
               gconstpointer  data)
{
  g_autoptr(VescNotification) email_1 = notification_new (KEY_1, "M3", "email-1", SUBJECT_1,
                                                          BODY_1);
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *raw = NULL;

  if (fixture->notifier == NULL)
    return;

  g_assert_true (send_and_wait (fixture->notifier, email_1, NULL, &error));
  g_assert_no_error (error);

  path = spool_file (fixture, 1, "eml");
  raw = read_file (path);
  if (g_test_verbose ())
    g_test_message ("The message as it arrived:\n%s", raw);

  for (const char *p = raw; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_assert_true (p > raw && p[-1] == '\r');
    }
  g_assert_nonnull (strstr (raw, "\r\nSubject: =?UTF-8?B?"));
  g_assert_nonnull (strstr (raw, "\r\nMIME-Version: 1.0\r\n"));
  g_assert_nonnull (strstr (raw, "\r\nContent-Transfer-Encoding: 8bit\r\n"));
  g_assert_nonnull (strstr (raw, "\r\n\r\nDear Siân Ŵyn,\r\n"));
  g_assert_nonnull (strstr (raw, "“St Mary & St John's” (Ysgol Gŵyr)"));
}

/* A refused header injection sends nothing; the next message is the
 * server's first. */
static void
test_smtp_injection (SmtpFixture   *fixture,
                     gconstpointer  data)
{
  g_autoptr(VescNotification) evil = notification_new (KEY_1, "M3", "email-1",
                                                       "Hello\nBcc: all@example.org", BODY_1);
  g_autoptr(VescNotification) good = notification_new (KEY_2, "M5", "email-2", SUBJECT_2,
                                                       BODY_2);
  g_autoptr(JsonObject) mail = NULL;
  g_autoptr(GError) error = NULL;

  if (fixture->notifier == NULL)
    return;

  g_assert_false (send_and_wait (fixture->notifier, evil, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_cmpuint (count_messages (fixture), ==, 0);

  g_assert_true (send_and_wait (fixture->notifier, good, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_messages (fixture), ==, 1);
  mail = arrived (fixture, 1);
  g_assert_cmpstr (json_object_get_string_member (mail, "message_id"), ==, MESSAGE_ID_2);
}

/* msmtp cannot reach the server: its exit status and message come back. */
static void
test_smtp_unreachable (SmtpFixture   *fixture,
                       gconstpointer  data)
{
  g_autoptr(VescNotification) email_1 = notification_new (KEY_1, "M3", "email-1", SUBJECT_1,
                                                          BODY_1);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) any = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GError) error = NULL;

  if (fixture->notifier == NULL)
    return;

  /* A port bound but not listening refuses connections, and stays ours. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  any = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  write_msmtprc (fixture, g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));

  g_assert_false (send_and_wait (fixture->notifier, email_1, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "msmtp"));
  g_assert_nonnull (strstr (error->message, "exit status"));
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_cmpuint (count_messages (fixture), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/sendmail/properties", test_properties);
  g_test_add_func ("/sendmail/arguments-and-input", test_arguments_and_input);
  g_test_add_func ("/sendmail/sync-send", test_sync_send);
  g_test_add_func ("/sendmail/failure/exit-status", test_exit_status);
  g_test_add_func ("/sendmail/failure/exit-before-reading", test_exit_before_reading);
  g_test_add_func ("/sendmail/failure/success-without-reading", test_success_without_reading);
  g_test_add_func ("/sendmail/failure/killed", test_killed);
  g_test_add_func ("/sendmail/failure/program-missing", test_program_missing);
  g_test_add_func ("/sendmail/cancel", test_cancel);
  g_test_add_func ("/sendmail/injection/spawns-nothing", test_injection_spawns_nothing);

  g_test_add ("/sendmail/smtp/thread", SmtpFixture, NULL,
              smtp_fixture_set_up, test_smtp_thread, smtp_fixture_tear_down);
  g_test_add ("/sendmail/smtp/raw", SmtpFixture, NULL,
              smtp_fixture_set_up, test_smtp_raw, smtp_fixture_tear_down);
  g_test_add ("/sendmail/smtp/injection", SmtpFixture, NULL,
              smtp_fixture_set_up, test_smtp_injection, smtp_fixture_tear_down);
  g_test_add ("/sendmail/smtp/unreachable", SmtpFixture, NULL,
              smtp_fixture_set_up, test_smtp_unreachable, smtp_fixture_tear_down);

  return g_test_run ();
}

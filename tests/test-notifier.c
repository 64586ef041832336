/* test-notifier.c: notifications, their RFC 5322 form and the notifiers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>
#include <sys/stat.h>

#include <glib/gstdio.h>

#include "vesc.h"
#include "vesc-template-private.h"
#include "signal-logger.h"

#define KEY_1 "INC-1/M3/email-1"
#define MESSAGE_ID_1 "<INC-1.M3.email-1@libvesc.invalid>"

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

static GDateTime *
march_23 (void)
{
  return g_date_time_new_utc (2018, 3, 23, 14, 0, 0);
}

static VescNotification *
notification_new (const char *key,
                  const char *subject)
{
  g_autoptr(GDateTime) created_at = march_23 ();
  g_autoptr(VescRecipient) head = recipient (VESC_ROLE_HEAD_TEACHER, "Jane Smith",
                                             "head@school.example.org");
  g_autoptr(VescRecipient) rm = recipient (VESC_ROLE_RELATIONSHIP_MANAGER, NULL,
                                           "rm@council.example.org");
  VescNotification *n = vesc_notification_new (key, "INC-1", "M3", "email-1", subject,
                                               "Dear Jane,\n\nPlease act.\n", created_at);

  vesc_notification_add_recipient (n, head);
  vesc_notification_add_recipient (n, rm);
  return n;
}

static char *
rfc5322 (VescNotification *n)
{
  g_autoptr(GError) error = NULL;
  char *text = vesc_notification_to_rfc5322 (n, &error);

  g_assert_no_error (error);
  g_assert_nonnull (text);
  return text;
}

/* Every line ends in CRLF: no lone CR or LF anywhere. */
static void
assert_crlf_only (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r')
        g_assert_cmpint (p[1], ==, '\n');
      if (*p == '\n')
        g_assert_true (p > text && p[-1] == '\r');
    }
  g_assert_true (g_str_has_suffix (text, "\r\n"));
}

/* Unfolded header values by name (the last one wins; @counts counts them)
 * and the body, parsed back from the message text line by line. */
typedef struct {
  GHashTable *headers;
  GHashTable *counts;
  char *body;
} Message;

static void
message_free (Message *m)
{
  g_hash_table_unref (m->headers);
  g_hash_table_unref (m->counts);
  g_free (m->body);
  g_free (m);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Message, message_free)

static void
add_header (Message    *m,
            const char *line)
{
  const char *colon = strchr (line, ':');
  char *name;
  guint count;

  g_assert_nonnull (colon);
  g_assert_cmpint (colon[1], ==, ' ');
  name = g_strndup (line, colon - line);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (m->counts, name));
  g_hash_table_insert (m->counts, g_strdup (name), GUINT_TO_POINTER (count + 1));
  g_hash_table_insert (m->headers, name, g_strdup (colon + 2));
}

static Message *
parse_message (const char *text)
{
  Message *m = g_new0 (Message, 1);
  g_auto(GStrv) lines = NULL;
  GString *current = NULL;
  guint i;

  assert_crlf_only (text);
  m->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  m->counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  lines = g_strsplit (text, "\r\n", -1);

  /* A message starts with a header line, never with a continuation. */
  g_assert_true (g_ascii_isalpha (lines[0][0]));
  current = g_string_new (lines[0]);
  for (i = 1; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_assert_cmpuint (strlen (lines[i]), <=, 998);
      if (lines[i][0] == ' ' || lines[i][0] == '\t')
        {
          g_string_append (current, lines[i]);
          continue;
        }
      add_header (m, current->str);
      g_string_assign (current, lines[i]);
    }
  add_header (m, current->str);
  g_string_free (current, TRUE);
  g_assert_nonnull (lines[i]);
  m->body = g_strjoinv ("\r\n", lines + i + 1);

  return m;
}

static const char *
header (Message    *m,
        const char *name)
{
  return g_hash_table_lookup (m->headers, name);
}

/* RFC 2047 decoding of "B" encoded words; white space between two encoded
 * words is dropped, as the RFC says. */
static char *
decode_words (const char *value)
{
  g_autoptr(GRegex) regex = g_regex_new ("=\\?UTF-8\\?B\\?([A-Za-z0-9+/=]*)\\?=", 0, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  GString *out = g_string_new (NULL);
  int last_end = 0;
  gboolean previous_was_word = FALSE;

  g_regex_match (regex, value, 0, &match);
  while (g_match_info_matches (match))
    {
      int start, end;
      g_autofree char *b64 = g_match_info_fetch (match, 1);
      g_autofree char *gap = NULL;
      g_autofree guchar *raw = NULL;
      gsize len;

      g_match_info_fetch_pos (match, 0, &start, &end);
      g_assert_cmpint (end - start, <=, 75);
      gap = g_strndup (value + last_end, start - last_end);
      if (!previous_was_word || strspn (gap, " \t") != strlen (gap))
        g_string_append (out, gap);
      raw = g_base64_decode (b64, &len);
      g_assert_true (g_utf8_validate ((const char *) raw, len, NULL));
      g_string_append_len (out, (const char *) raw, len);
      last_end = end;
      previous_was_word = TRUE;
      g_match_info_next (match, NULL);
    }
  g_string_append (out, value + last_end);

  return g_string_free (out, FALSE);
}

/* VescNotification ------------------------------------------------------- */

static void
test_notification_properties (void)
{
  g_autoptr(GDateTime) created_at = march_23 ();
  g_autoptr(VescNotification) n = NULL;
  g_autoptr(VescRecipient) head = recipient (VESC_ROLE_HEAD_TEACHER, "Jane Smith",
                                             "head@school.example.org");
  g_autoptr(GListModel) recipients = NULL;
  g_autoptr(GDateTime) got_at = NULL;
  g_autofree char *key = NULL;
  g_autofree char *template_id = NULL;
  g_autoptr(VescRecipient) first = NULL;

  n = vesc_notification_new (KEY_1, "INC-1", "M3", "email-1", "Subject", "Body", created_at);
  g_assert_cmpstr (vesc_notification_get_key (n), ==, KEY_1);
  g_assert_cmpstr (vesc_notification_get_incident_id (n), ==, "INC-1");
  g_assert_cmpstr (vesc_notification_get_step (n), ==, "M3");
  g_assert_cmpstr (vesc_notification_get_template_id (n), ==, "email-1");
  g_assert_cmpstr (vesc_notification_get_subject (n), ==, "Subject");
  g_assert_cmpstr (vesc_notification_get_body (n), ==, "Body");
  g_assert_true (g_date_time_equal (vesc_notification_get_created_at (n), created_at));
  g_assert_null (vesc_notification_get_sender (n));
  g_assert_null (vesc_notification_get_reply_to_key (n));
  g_assert_cmpuint (g_list_model_get_n_items (vesc_notification_get_recipients (n)), ==, 0);

  vesc_notification_add_recipient (n, head);
  g_object_get (n, "key", &key, "template-id", &template_id, "recipients", &recipients,
                "created-at", &got_at, NULL);
  g_assert_cmpstr (key, ==, KEY_1);
  g_assert_cmpstr (template_id, ==, "email-1");
  g_assert_true (g_date_time_equal (got_at, created_at));
  g_assert_true (g_list_model_get_item_type (recipients) == VESC_TYPE_RECIPIENT);
  g_assert_cmpuint (g_list_model_get_n_items (recipients), ==, 1);
  first = g_list_model_get_item (recipients, 0);
  g_assert_true (first == head);
}

static void
test_notification_default_time (void)
{
  g_autoptr(GDateTime) before = g_date_time_new_now_utc ();
  g_autoptr(VescNotification) n = vesc_notification_new ("k", "i", "s", "t", "S", "B", NULL);
  g_autoptr(VescNotification) bare = g_object_new (VESC_TYPE_NOTIFICATION, NULL);

  g_assert_nonnull (vesc_notification_get_created_at (n));
  g_assert_cmpint (g_date_time_compare (vesc_notification_get_created_at (n), before), >=, 0);
  /* Made by a binding without construct properties: strings, never NULL. */
  g_assert_cmpstr (vesc_notification_get_key (bare), ==, "");
  g_assert_cmpstr (vesc_notification_get_body (bare), ==, "");
  g_assert_nonnull (vesc_notification_get_created_at (bare));
}

static void
test_notification_notify (void)
{
  g_autoptr(VescNotification) n = notification_new (KEY_1, "Subject");
  g_autoptr(VescRecipient) itd = recipient (VESC_ROLE_ITD, "ITD", "itd@council.example.org");
  g_autoptr(SignalLogger) logger = signal_logger_new ();

  signal_logger_connect (logger, n, "notify");

  vesc_notification_set_sender (n, itd);
  g_assert_true (vesc_notification_get_sender (n) == itd);
  g_assert_true (signal_logger_pop (logger, n, "notify::sender", NULL, NULL));
  vesc_notification_set_sender (n, itd);
  signal_logger_assert_empty (logger);

  vesc_notification_set_reply_to_key (n, "INC-1/M3/email-0");
  g_assert_cmpstr (vesc_notification_get_reply_to_key (n), ==, "INC-1/M3/email-0");
  g_assert_true (signal_logger_pop (logger, n, "notify::reply-to-key", NULL, NULL));
  vesc_notification_set_reply_to_key (n, "INC-1/M3/email-0");
  signal_logger_assert_empty (logger);

  vesc_notification_set_reply_to_key (n, NULL);
  vesc_notification_set_sender (n, NULL);
  g_assert_null (vesc_notification_get_reply_to_key (n));
  g_assert_null (vesc_notification_get_sender (n));
  g_assert_true (signal_logger_pop (logger, n, "notify::reply-to-key", NULL, NULL));
  g_assert_true (signal_logger_pop (logger, n, "notify::sender", NULL, NULL));
  signal_logger_assert_empty (logger);
}

/* RFC 5322 ----------------------------------------------------------------- */

static void
test_rfc5322_headers (void)
{
  g_autoptr(VescNotification) n = notification_new (KEY_1, "Security problem at Hill School");
  g_autofree char *text = rfc5322 (n);
  g_autoptr(Message) m = parse_message (text);
  const char *order[] = {
    "From:", "To:", "Subject:", "Date:", "Message-ID:", "MIME-Version:", "Content-Type:",
    "Content-Transfer-Encoding:", "X-Vesc-Incident:", "X-Vesc-Step:",
  };
  const char *last = text;
  GHashTableIter iter;
  gpointer name, count;

  g_assert_cmpstr (header (m, "From"), ==, "libvesc <noreply@localhost>");
  g_assert_cmpstr (header (m, "To"), ==,
                   "Jane Smith <head@school.example.org>, rm@council.example.org");
  g_assert_cmpstr (header (m, "Subject"), ==, "Security problem at Hill School");
  g_assert_cmpstr (header (m, "Date"), ==, "Fri, 23 Mar 2018 14:00:00 +0000");
  g_assert_cmpstr (header (m, "Message-ID"), ==, MESSAGE_ID_1);
  g_assert_cmpstr (header (m, "MIME-Version"), ==, "1.0");
  g_assert_cmpstr (header (m, "Content-Type"), ==, "text/plain; charset=UTF-8");
  g_assert_cmpstr (header (m, "Content-Transfer-Encoding"), ==, "8bit");
  g_assert_cmpstr (header (m, "X-Vesc-Incident"), ==, "INC-1");
  g_assert_cmpstr (header (m, "X-Vesc-Step"), ==, "M3");
  g_assert_null (header (m, "In-Reply-To"));
  g_assert_null (header (m, "References"));
  g_assert_cmpuint (g_hash_table_size (m->headers), ==, G_N_ELEMENTS (order));
  g_assert_cmpstr (m->body, ==, "Dear Jane,\r\n\r\nPlease act.\r\n");

  /* Each header once, in the documented order. */
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      const char *at = strstr (last, order[i]);

      g_assert_nonnull (at);
      g_assert_true (at == text || at[-1] == '\n');
      last = at;
    }
  g_hash_table_iter_init (&iter, m->counts);
  while (g_hash_table_iter_next (&iter, &name, &count))
    g_assert_cmpuint (GPOINTER_TO_UINT (count), ==, 1);
}

static void
test_rfc5322_sender_and_names (void)
{
  g_autoptr(VescNotification) n = notification_new (KEY_1, "Subject");
  g_autoptr(VescRecipient) itd = recipient (VESC_ROLE_ITD, "ITD Help Desk",
                                            "itd@council.example.org");
  g_autoptr(VescRecipient) quoted = recipient (VESC_ROLE_KSSC, "Support \"Centre\", Kent",
                                               "kssc@example.org");
  g_autoptr(VescRecipient) welsh = recipient (VESC_ROLE_HEAD_TEACHER, "Siân Ŵyn",
                                              "sian@ysgol.example.org");
  g_autofree char *text = NULL;
  g_autoptr(Message) m = NULL;
  g_autofree char *to = NULL;

  vesc_notification_set_sender (n, itd);
  vesc_notification_add_recipient (n, quoted);
  vesc_notification_add_recipient (n, welsh);
  text = rfc5322 (n);
  m = parse_message (text);

  g_assert_cmpstr (header (m, "From"), ==, "ITD Help Desk <itd@council.example.org>");
  g_assert_nonnull (strstr (header (m, "To"),
                            "\"Support \\\"Centre\\\", Kent\" <kssc@example.org>, "));
  g_assert_null (strstr (header (m, "To"), "Siân"));
  g_assert_nonnull (strstr (header (m, "To"), "=?UTF-8?B?"));
  to = decode_words (header (m, "To"));
  g_assert_true (g_str_has_suffix (to, ", Siân Ŵyn <sian@ysgol.example.org>"));
  g_assert_true (g_str_has_prefix (to, "Jane Smith <head@school.example.org>, "));
}

static void
assert_subject_round_trip (const char *subject)
{
  g_autoptr(VescNotification) n = notification_new (KEY_1, subject);
  g_autofree char *text = rfc5322 (n);
  g_autoptr(Message) m = parse_message (text);
  g_autofree char *decoded = decode_words (header (m, "Subject"));
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);

  g_assert_true (g_str_has_prefix (header (m, "Subject"), "=?UTF-8?B?"));
  g_assert_cmpstr (decoded, ==, subject);

  /* No raw 8-bit byte in any header line, and folded lines stay short. */
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      for (const char *p = lines[i]; *p != '\0'; p++)
        g_assert_cmpint ((guchar) *p, <, 0x80);
      if (g_str_has_prefix (lines[i], "Subject:") || lines[i][0] == ' ')
        g_assert_cmpuint (strlen (lines[i]), <=, 76);
    }
}

static void
test_rfc5322_encoded_subject (void)
{
  assert_subject_round_trip ("Security problem at “St Mary & St John's”");
  assert_subject_round_trip ("Ysgol Gymraeg ŵ");
  /* Long enough for several encoded words, with multi-byte characters at
   * every position so a split inside one would show. */
  assert_subject_round_trip ("Ysgol Gymraeg ŵ: ŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷŵŷ "
                             "problem diogelwch ar rwydwaith y cyngor – “St Mary & St John's”");
}

static void
test_rfc5322_long_ascii_subject (void)
{
  const char *subject = "Extremely urgent: the device is still on the network at "
                        "St Mary and St John's Church of England Primary School (INC-2018-0001)";
  g_autoptr(VescNotification) n = notification_new (KEY_1, subject);
  g_autofree char *text = rfc5322 (n);
  g_autoptr(Message) m = parse_message (text);

  /* Folded at spaces, not encoded: unfolding gives the subject back. */
  g_assert_cmpstr (header (m, "Subject"), ==, subject);
  g_assert_nonnull (strstr (text, "\r\n "));
}

static void
test_rfc5322_message_id (void)
{
  g_autoptr(GDateTime) later = g_date_time_new_utc (2018, 3, 24, 9, 30, 0);
  g_autoptr(VescNotification) a = notification_new (KEY_1, "A");
  g_autoptr(VescNotification) b = vesc_notification_new (KEY_1, "INC-1", "M3", "email-1",
                                                         "B", "", later);
  g_autoptr(VescNotification) c = notification_new ("INC-1/M8/email-2", "C");
  g_autoptr(VescRecipient) head = recipient (VESC_ROLE_HEAD_TEACHER, NULL, "h@example.org");
  g_autofree char *text_a = rfc5322 (a);
  g_autofree char *text_a_again = rfc5322 (a);
  g_autofree char *text_b = NULL;
  g_autofree char *text_c = rfc5322 (c);
  g_autoptr(Message) ma = parse_message (text_a);
  g_autoptr(Message) mb = NULL;
  g_autoptr(Message) mc = parse_message (text_c);

  vesc_notification_add_recipient (b, head);
  text_b = rfc5322 (b);
  mb = parse_message (text_b);

  g_assert_cmpstr (text_a, ==, text_a_again);
  g_assert_cmpstr (header (ma, "Message-ID"), ==, MESSAGE_ID_1);
  g_assert_cmpstr (header (mb, "Message-ID"), ==, MESSAGE_ID_1);
  g_assert_cmpstr (header (mb, "Date"), ==, "Sat, 24 Mar 2018 09:30:00 +0000");
  g_assert_cmpstr (header (mc, "Message-ID"), ==, "<INC-1.M8.email-2@libvesc.invalid>");
  /* An empty body still makes a message: headers, blank line, nothing. */
  g_assert_true (g_str_has_suffix (text_b, "X-Vesc-Step: M3\r\n\r\n"));
}

static void
test_rfc5322_local_date (void)
{
  g_autoptr(GTimeZone) bst = g_time_zone_new_identifier ("+01:00");
  g_autoptr(GDateTime) created_at = g_date_time_new (bst, 2018, 6, 1, 9, 5, 7);
  g_autoptr(VescNotification) n = vesc_notification_new (KEY_1, "INC-1", "M3", "email-1",
                                                         "S", "B", created_at);
  g_autoptr(VescRecipient) head = recipient (VESC_ROLE_HEAD_TEACHER, NULL, "h@example.org");
  g_autofree char *text = NULL;
  g_autoptr(Message) m = NULL;

  vesc_notification_add_recipient (n, head);
  text = rfc5322 (n);
  m = parse_message (text);
  g_assert_cmpstr (header (m, "Date"), ==, "Fri, 01 Jun 2018 09:05:07 +0100");
  g_assert_cmpstr (m->body, ==, "B\r\n");
}

static void
test_rfc5322_reply (void)
{
  g_autoptr(VescNotification) first = notification_new (KEY_1, "First");
  g_autoptr(VescNotification) second = notification_new ("INC-1/M8/email-2", "Second");
  g_autofree char *text_1 = rfc5322 (first);
  g_autofree char *text_2 = NULL;
  g_autoptr(Message) m1 = parse_message (text_1);
  g_autoptr(Message) m2 = NULL;

  vesc_notification_set_reply_to_key (second, KEY_1);
  text_2 = rfc5322 (second);
  m2 = parse_message (text_2);

  g_assert_cmpstr (header (m2, "Message-ID"), ==, "<INC-1.M8.email-2@libvesc.invalid>");
  g_assert_cmpstr (header (m2, "In-Reply-To"), ==, header (m1, "Message-ID"));
  g_assert_cmpstr (header (m2, "References"), ==, header (m1, "Message-ID"));
}

static void
test_rfc5322_body_line_ends (void)
{
  g_autoptr(GDateTime) created_at = march_23 ();
  g_autoptr(VescNotification) n = vesc_notification_new (KEY_1, "INC-1", "M3", "email-1", "S",
                                                         "one\ntwo\r\nthree\rfour", created_at);
  g_autoptr(VescRecipient) head = recipient (VESC_ROLE_HEAD_TEACHER, NULL, "h@example.org");
  g_autofree char *text = NULL;
  g_autoptr(Message) m = NULL;

  vesc_notification_add_recipient (n, head);
  text = rfc5322 (n);
  m = parse_message (text);
  g_assert_cmpstr (m->body, ==, "one\r\ntwo\r\nthree\r\nfour\r\n");
}

static void
assert_refused (VescNotification *n)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *subject = g_strdup (vesc_notification_get_subject (n));
  guint n_recipients = g_list_model_get_n_items (vesc_notification_get_recipients (n));
  g_autofree char *text = vesc_notification_to_rfc5322 (n, &error);

  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_assert_null (text);
  /* Refusing changes nothing. */
  g_assert_cmpstr (vesc_notification_get_subject (n), ==, subject);
  g_assert_cmpuint (g_list_model_get_n_items (vesc_notification_get_recipients (n)), ==,
                    n_recipients);
}

static void
test_rfc5322_injection_subject (void)
{
  g_autoptr(VescNotification) lf = notification_new (KEY_1, "Hello\nBcc: all@example.org");
  g_autoptr(VescNotification) cr = notification_new (KEY_1, "Hello\rBcc: all@example.org");

  assert_refused (lf);
  assert_refused (cr);
}

static void
test_rfc5322_injection_name (void)
{
  g_autoptr(VescNotification) to = notification_new (KEY_1, "Subject");
  g_autoptr(VescNotification) from = notification_new (KEY_1, "Subject");
  g_autoptr(VescRecipient) evil = NULL;
  g_autoptr(GError) error = NULL;

  /* vesc_recipient_new() refuses such a name; g_object_new(), which a
   * binding may use, does not, so the message must refuse it itself. */
  evil = vesc_recipient_new (VESC_ROLE_HEAD_TEACHER, "Jane\r\nBcc: all@example.org",
                             "jane@example.org", &error);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_assert_null (evil);

  evil = g_object_new (VESC_TYPE_RECIPIENT, "role", VESC_ROLE_HEAD_TEACHER,
                       "name", "Jane\r\nBcc: all@example.org", "email", "jane@example.org", NULL);
  vesc_notification_add_recipient (to, evil);
  assert_refused (to);

  vesc_notification_set_sender (from, evil);
  assert_refused (from);
}

static void
test_rfc5322_injection_key (void)
{
  g_autoptr(VescNotification) key = notification_new ("INC-1/M3\r\nBcc: x@example.org", "S");
  g_autoptr(VescNotification) reply = notification_new (KEY_1, "S");
  g_autoptr(VescNotification) incident = NULL;
  g_autoptr(GDateTime) created_at = march_23 ();
  g_autoptr(VescRecipient) head = recipient (VESC_ROLE_HEAD_TEACHER, NULL, "h@example.org");

  assert_refused (key);

  vesc_notification_set_reply_to_key (reply, "INC-1/M3\nBcc: x@example.org");
  assert_refused (reply);

  incident = vesc_notification_new (KEY_1, "INC-1\nBcc: x@example.org", "M3", "email-1",
                                    "S", "B", created_at);
  vesc_notification_add_recipient (incident, head);
  assert_refused (incident);
}

static void
test_rfc5322_no_recipients (void)
{
  g_autoptr(GDateTime) created_at = march_23 ();
  g_autoptr(VescNotification) n = vesc_notification_new (KEY_1, "INC-1", "M3", "email-1",
                                                         "S", "B", created_at);
  g_autoptr(VescNotification) no_key = vesc_notification_new ("", "INC-1", "M3", "email-1",
                                                              "S", "B", created_at);
  g_autoptr(VescRecipient) head = recipient (VESC_ROLE_HEAD_TEACHER, NULL, "h@example.org");

  assert_refused (n);
  vesc_notification_add_recipient (no_key, head);
  assert_refused (no_key);
}

/* The default send_async, with a notifier that implements only send ------ */

#define TEST_TYPE_SYNC_NOTIFIER (test_sync_notifier_get_type ())
G_DECLARE_FINAL_TYPE (TestSyncNotifier, test_sync_notifier, TEST, SYNC_NOTIFIER, GObject)

typedef enum {
  OUTCOME_OK,
  OUTCOME_ERROR,
  OUTCOME_SILENT_FAILURE,
} Outcome;

struct _TestSyncNotifier
{
  GObject parent_instance;
  Outcome outcome;
  guint n_sent;
  char *last_key;
};

static gboolean
test_sync_notifier_send (VescNotifier      *notifier,
                         VescNotification  *notification,
                         GCancellable      *cancellable,
                         GError           **error)
{
  TestSyncNotifier *self = TEST_SYNC_NOTIFIER (notifier);

  self->n_sent++;
  g_free (self->last_key);
  self->last_key = g_strdup (vesc_notification_get_key (notification));

  switch (self->outcome)
    {
    case OUTCOME_OK:
      return TRUE;
    case OUTCOME_ERROR:
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_IO, "the pigeon got lost");
      return FALSE;
    case OUTCOME_SILENT_FAILURE:
    default:
      return FALSE;
    }
}

static void
test_sync_notifier_iface_init (VescNotifierInterface *iface)
{
  iface->send = test_sync_notifier_send;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSyncNotifier, test_sync_notifier, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VESC_TYPE_NOTIFIER,
                                                      test_sync_notifier_iface_init))

static void
test_sync_notifier_finalize (GObject *object)
{
  g_free (TEST_SYNC_NOTIFIER (object)->last_key);
  G_OBJECT_CLASS (test_sync_notifier_parent_class)->finalize (object);
}

static void
test_sync_notifier_class_init (TestSyncNotifierClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_sync_notifier_finalize;
}

static void
test_sync_notifier_init (TestSyncNotifier *self)
{
}

/* A notifier that implements nothing and keeps every default. */
#define TEST_TYPE_EMPTY_NOTIFIER (test_empty_notifier_get_type ())
G_DECLARE_FINAL_TYPE (TestEmptyNotifier, test_empty_notifier, TEST, EMPTY_NOTIFIER, GObject)

struct _TestEmptyNotifier
{
  GObject parent_instance;
};

static void
test_empty_notifier_iface_init (VescNotifierInterface *iface)
{
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestEmptyNotifier, test_empty_notifier, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VESC_TYPE_NOTIFIER,
                                                      test_empty_notifier_iface_init))

static void
test_empty_notifier_class_init (TestEmptyNotifierClass *klass)
{
}

static void
test_empty_notifier_init (TestEmptyNotifier *self)
{
}

static void
store_result_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  g_assert_null (*out);
  *out = g_object_ref (result);
}

/* Sends through the public async pair and returns the result once the
 * callback ran; asserts that it did not run before the main loop did. */
static gboolean
send_and_wait (VescNotifier      *notifier,
               VescNotification  *notification,
               GCancellable      *cancellable,
               GError           **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  vesc_notifier_send_async (notifier, notification, cancellable, store_result_cb, &result);
  g_assert_null (result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return vesc_notifier_send_finish (notifier, result, error);
}

static void
test_default_async_success (void)
{
  g_autoptr(TestSyncNotifier) notifier = g_object_new (TEST_TYPE_SYNC_NOTIFIER, NULL);
  g_autoptr(VescNotification) n = notification_new (KEY_1, "S");
  g_autoptr(GError) error = NULL;

  g_assert_true (send_and_wait (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notifier->n_sent, ==, 1);
  g_assert_cmpstr (notifier->last_key, ==, KEY_1);

  /* The blocking wrapper calls the same vfunc. */
  g_assert_true (vesc_notifier_send (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (notifier->n_sent, ==, 2);
}

static void
test_default_async_error (void)
{
  g_autoptr(TestSyncNotifier) notifier = g_object_new (TEST_TYPE_SYNC_NOTIFIER, NULL);
  g_autoptr(VescNotification) n = notification_new (KEY_1, "S");
  g_autoptr(GError) error = NULL;

  notifier->outcome = OUTCOME_ERROR;
  g_assert_false (send_and_wait (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_assert_cmpstr (error->message, ==, "the pigeon got lost");
  g_assert_cmpuint (notifier->n_sent, ==, 1);
}

static void
test_default_async_silent_failure (void)
{
  g_autoptr(TestSyncNotifier) notifier = g_object_new (TEST_TYPE_SYNC_NOTIFIER, NULL);
  g_autoptr(VescNotification) n = notification_new (KEY_1, "S");
  g_autoptr(GError) error = NULL;

  notifier->outcome = OUTCOME_SILENT_FAILURE;
  g_assert_false (send_and_wait (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "The notifier failed without saying why");
  g_clear_error (&error);

  g_assert_false (vesc_notifier_send (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_FAILED);
  g_assert_cmpuint (notifier->n_sent, ==, 2);
}

static void
test_default_async_cancelled (void)
{
  g_autoptr(TestSyncNotifier) notifier = g_object_new (TEST_TYPE_SYNC_NOTIFIER, NULL);
  g_autoptr(VescNotification) n = notification_new (KEY_1, "S");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  /* Cancelled after the call but before the idle ran: nothing is sent. */
  vesc_notifier_send_async (VESC_NOTIFIER (notifier), n, cancellable, store_result_cb, &result);
  g_cancellable_cancel (cancellable);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  g_assert_false (vesc_notifier_send_finish (VESC_NOTIFIER (notifier), result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (notifier->n_sent, ==, 0);
}

static void
test_notifier_nothing_implemented (void)
{
  g_autoptr(TestEmptyNotifier) notifier = g_object_new (TEST_TYPE_EMPTY_NOTIFIER, NULL);
  g_autoptr(VescNotification) n = notification_new (KEY_1, "S");
  g_autoptr(GError) error = NULL;

  g_assert_false (vesc_notifier_send (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "TestEmptyNotifier"));
  g_clear_error (&error);

  g_assert_false (send_and_wait (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_FAILED);
}

/* VescLogNotifier ---------------------------------------------------------- */

static char *
stream_text (GOutputStream *stream)
{
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (stream);

  return g_strndup (g_memory_output_stream_get_data (memory),
                    g_memory_output_stream_get_data_size (memory));
}

#define LINE_1 "2018-03-23T14:00:00Z INC-1/M3/email-1 to head@school.example.org, " \
               "rm@council.example.org: Security problem\n"

static void
test_log_notifier_stream (void)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(VescLogNotifier) notifier = vesc_log_notifier_new_for_stream (stream);
  g_autoptr(VescNotification) n = notification_new (KEY_1, "Security problem");
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  g_assert_true (vesc_notifier_send (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_no_error (error);
  text = stream_text (stream);
  g_assert_cmpstr (text, ==, LINE_1);
}

static void
count_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  guint *n_done = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (vesc_notifier_send_finish (VESC_NOTIFIER (source), result, &error));
  g_assert_no_error (error);
  (*n_done)++;
}

static void
test_log_notifier_async_order (void)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(VescLogNotifier) notifier = vesc_log_notifier_new_for_stream (stream);
  g_autoptr(VescNotification) first = notification_new (KEY_1, "Security problem");
  g_autoptr(VescNotification) second = notification_new ("INC-1/M8/email-2", "Still there");
  g_autofree char *text = NULL;
  guint n_done = 0;

  /* Two sends at once: the second waits for the stream instead of failing
   * with G_IO_ERROR_PENDING, and the lines keep their order. */
  vesc_notifier_send_async (VESC_NOTIFIER (notifier), first, NULL, count_done_cb, &n_done);
  vesc_notifier_send_async (VESC_NOTIFIER (notifier), second, NULL, count_done_cb, &n_done);
  g_clear_object (&notifier);
  while (n_done < 2)
    g_main_context_iteration (NULL, TRUE);

  text = stream_text (stream);
  g_assert_cmpstr (text, ==,
                   LINE_1
                   "2018-03-23T14:00:00Z INC-1/M8/email-2 to head@school.example.org, "
                   "rm@council.example.org: Still there\n");
}

static void
test_log_notifier_injection (void)
{
  g_autoptr(GOutputStream) stream = g_memory_output_stream_new_resizable ();
  g_autoptr(VescLogNotifier) notifier = vesc_log_notifier_new_for_stream (stream);
  g_autoptr(VescNotification) n = notification_new (KEY_1, "Fine\n2018-01-01T00:00:00Z forged");
  g_autoptr(GError) error = NULL;

  g_assert_false (vesc_notifier_send (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (send_and_wait (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_assert_cmpuint (g_memory_output_stream_get_data_size (G_MEMORY_OUTPUT_STREAM (stream)), ==, 0);
}

/* Structured log entries that carry VESC_NOTIFICATION_KEY, "key|message". */
static GPtrArray *logged;

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  const char *key = NULL;
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    {
      if (g_strcmp0 (fields[i].key, "VESC_NOTIFICATION_KEY") == 0)
        key = fields[i].value;
      else if (g_strcmp0 (fields[i].key, "MESSAGE") == 0)
        message = fields[i].value;
    }

  if (key == NULL)
    return g_log_writer_default (level, fields, n_fields, user_data);

  g_assert_cmpint (level & G_LOG_LEVEL_MASK, ==, G_LOG_LEVEL_INFO);
  g_ptr_array_add (logged, g_strdup_printf ("%s|%s", key, message));
  return G_LOG_WRITER_HANDLED;
}

static void
test_log_notifier_structured (void)
{
  g_autoptr(VescLogNotifier) notifier = vesc_log_notifier_new ();
  g_autoptr(VescNotification) n = notification_new (KEY_1, "Security problem");
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_strconcat (KEY_1 "|", LINE_1, NULL);

  /* The MESSAGE field carries the line without its newline. */
  expected[strlen (expected) - 1] = '\0';
  g_ptr_array_set_size (logged, 0);

  g_assert_true (vesc_notifier_send (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (send_and_wait (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (logged->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (logged, 0), ==, expected);
  g_assert_cmpstr (g_ptr_array_index (logged, 1), ==, expected);
}

/* VescMaildirNotifier ------------------------------------------------------ */

static char *
maildir_path (void)
{
  /* G_TEST_OPTION_ISOLATE_DIRS gives each test its own data directory. */
  return g_build_filename (g_get_user_data_dir (), "Maildir", NULL);
}

static GPtrArray *
list_dir (const char *maildir,
          const char *sub)
{
  g_autofree char *path = g_build_filename (maildir, sub, NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  return names;
}

static guint
count_files (const char *maildir,
             const char *sub)
{
  g_autoptr(GPtrArray) names = list_dir (maildir, sub);

  return names->len;
}

static void
test_maildir_creates_directories (void)
{
  g_autofree char *path = maildir_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VescMaildirNotifier) notifier = vesc_maildir_notifier_new (path, &error);
  const char *subs[] = { "tmp", "new", "cur" };

  g_assert_no_error (error);
  g_assert_cmpstr (vesc_maildir_notifier_get_path (notifier), ==, path);
  for (guint i = 0; i < G_N_ELEMENTS (subs); i++)
    {
      g_autofree char *sub = g_build_filename (path, subs[i], NULL);
      GStatBuf st;

      g_assert_cmpint (g_stat (sub, &st), ==, 0);
      g_assert_true (S_ISDIR (st.st_mode));
      g_assert_cmpint (st.st_mode & 0777, ==, 0700);
      g_assert_cmpuint (count_files (path, subs[i]), ==, 0);
    }

  /* Opening an existing Maildir is fine. */
  g_clear_object (&notifier);
  notifier = vesc_maildir_notifier_new (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (notifier);
}

static void
test_maildir_deliver_once (void)
{
  g_autofree char *path = maildir_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VescMaildirNotifier) notifier = vesc_maildir_notifier_new (path, &error);
  g_autoptr(VescNotification) n = notification_new (KEY_1, "Security problem");
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *expected = rfc5322 (n);

  g_assert_no_error (error);
  g_assert_true (vesc_notifier_send (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_no_error (error);

  names = list_dir (path, "new");
  g_assert_cmpuint (names->len, ==, 1);
  g_assert_cmpuint (count_files (path, "tmp"), ==, 0);
  /* 2018-03-23T14:00:00Z in microseconds, then the escaped key. */
  g_assert_true (g_str_has_prefix (g_ptr_array_index (names, 0),
                                   "1521813600000000.INC-1=2FM3=2Femail-1."));
  file = g_build_filename (path, "new", g_ptr_array_index (names, 0), NULL);
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, expected);

  /* The same notification again writes nothing. */
  g_assert_true (vesc_notifier_send (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (path, "new"), ==, 1);
  g_assert_cmpuint (count_files (path, "tmp"), ==, 0);
}

static void
test_maildir_read_message_not_redelivered (void)
{
  g_autofree char *path = maildir_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VescMaildirNotifier) notifier = vesc_maildir_notifier_new (path, &error);
  g_autoptr(VescNotification) n = notification_new (KEY_1, "Security problem");
  g_autoptr(VescNotification) other = notification_new ("INC-1/M8/email-2", "Still there");
  g_autoptr(GPtrArray) names = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;

  g_assert_true (vesc_notifier_send (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_no_error (error);

  /* A mail reader moves what it has shown to cur/ with flags. */
  names = list_dir (path, "new");
  from = g_build_filename (path, "new", g_ptr_array_index (names, 0), NULL);
  to = g_strdup_printf ("%s/cur/%s:2,S", path, (char *) g_ptr_array_index (names, 0));
  g_assert_cmpint (g_rename (from, to), ==, 0);

  g_assert_true (vesc_notifier_send (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (path, "new"), ==, 0);
  g_assert_cmpuint (count_files (path, "cur"), ==, 1);

  /* Another notification is another message. */
  g_assert_true (vesc_notifier_send (VESC_NOTIFIER (notifier), other, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (path, "new"), ==, 1);
}

static void
test_maildir_async (void)
{
  g_autofree char *path = maildir_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VescMaildirNotifier) notifier = vesc_maildir_notifier_new (path, &error);
  g_autoptr(VescNotification) n = notification_new (KEY_1, "Security problem");

  g_assert_true (send_and_wait (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (path, "new"), ==, 1);
  g_assert_true (send_and_wait (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (path, "new"), ==, 1);
  g_assert_cmpuint (count_files (path, "tmp"), ==, 0);
}

static void
test_maildir_path_is_file (void)
{
  g_autofree char *path = maildir_path ();
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VescMaildirNotifier) notifier = NULL;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_data_dir (), 0700), ==, 0);
  g_assert_true (g_file_set_contents (path, "not a directory", -1, NULL));

  notifier = vesc_maildir_notifier_new (path, &error);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_null (notifier);
  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "not a directory");
}

static void
test_maildir_bad_notification (void)
{
  g_autofree char *path = maildir_path ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VescMaildirNotifier) notifier = vesc_maildir_notifier_new (path, &error);
  g_autoptr(VescNotification) n = notification_new (KEY_1, "Hello\r\nBcc: all@example.org");

  g_assert_false (vesc_notifier_send (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (send_and_wait (VESC_NOTIFIER (notifier), n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);

  g_assert_cmpuint (count_files (path, "new"), ==, 0);
  g_assert_cmpuint (count_files (path, "tmp"), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) log_entries = g_ptr_array_new_with_free_func (g_free);

  logged = log_entries;
  g_log_set_writer_func (capture_writer, NULL, NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/notification/properties", test_notification_properties);
  g_test_add_func ("/notification/default-time", test_notification_default_time);
  g_test_add_func ("/notification/notify", test_notification_notify);
  g_test_add_func ("/notification/rfc5322/headers", test_rfc5322_headers);
  g_test_add_func ("/notification/rfc5322/sender-and-names", test_rfc5322_sender_and_names);
  g_test_add_func ("/notification/rfc5322/encoded-subject", test_rfc5322_encoded_subject);
  g_test_add_func ("/notification/rfc5322/long-ascii-subject", test_rfc5322_long_ascii_subject);
  g_test_add_func ("/notification/rfc5322/message-id", test_rfc5322_message_id);
  g_test_add_func ("/notification/rfc5322/local-date", test_rfc5322_local_date);
  g_test_add_func ("/notification/rfc5322/reply", test_rfc5322_reply);
  g_test_add_func ("/notification/rfc5322/body-line-ends", test_rfc5322_body_line_ends);
  g_test_add_func ("/notification/rfc5322/injection/subject", test_rfc5322_injection_subject);
  g_test_add_func ("/notification/rfc5322/injection/name", test_rfc5322_injection_name);
  g_test_add_func ("/notification/rfc5322/injection/key", test_rfc5322_injection_key);
  g_test_add_func ("/notification/rfc5322/no-recipients", test_rfc5322_no_recipients);
  g_test_add_func ("/notifier/default-async/success", test_default_async_success);
  g_test_add_func ("/notifier/default-async/error", test_default_async_error);
  g_test_add_func ("/notifier/default-async/silent-failure", test_default_async_silent_failure);
  g_test_add_func ("/notifier/default-async/cancelled", test_default_async_cancelled);
  g_test_add_func ("/notifier/nothing-implemented", test_notifier_nothing_implemented);
  g_test_add_func ("/log-notifier/stream", test_log_notifier_stream);
  g_test_add_func ("/log-notifier/async-order", test_log_notifier_async_order);
  g_test_add_func ("/log-notifier/injection", test_log_notifier_injection);
  g_test_add_func ("/log-notifier/structured", test_log_notifier_structured);
  g_test_add_func ("/maildir/creates-directories", test_maildir_creates_directories);
  g_test_add_func ("/maildir/deliver-once", test_maildir_deliver_once);
  g_test_add_func ("/maildir/read-message-not-redelivered",
                   test_maildir_read_message_not_redelivered);
  g_test_add_func ("/maildir/async", test_maildir_async);
  g_test_add_func ("/maildir/path-is-file", test_maildir_path_is_file);
  g_test_add_func ("/maildir/bad-notification", test_maildir_bad_notification);

  return g_test_run ();
}

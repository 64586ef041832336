/* test-webhook.c: the web hook notifier against a SoupServer that fails on purpose
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "vesc.h"
#include "signal-logger.h"

#define KEY "INC-7/M3/email-1"
#define SUBJECT "Security incident at St Mary & St John's – Ysgol Gŵyr"
#define BODY "Dear Siân Ŵyn,\n\n“St Mary & St John's” <has> a \"problem\".\n"

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
notification_new (const char *key)
{
  g_autoptr(GDateTime) created_at = g_date_time_new_utc (2018, 3, 23, 14, 0, 0);
  g_autoptr(VescRecipient) head = recipient (VESC_ROLE_HEAD_TEACHER, "Siân Ŵyn",
                                             "head@stmaryjohn.example.org");
  g_autoptr(VescRecipient) rm = recipient (VESC_ROLE_RELATIONSHIP_MANAGER, NULL,
                                           "rm@council.example.org");
  VescNotification *n = vesc_notification_new (key, "INC-7", "M3", "email-1", SUBJECT, BODY,
                                               created_at);

  vesc_notification_add_recipient (n, head);
  vesc_notification_add_recipient (n, rm);
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

/* The server and the client share the thread-default main context. */
static gboolean
send_and_wait (VescWebhookNotifier  *notifier,
               VescNotification     *notification,
               GCancellable         *cancellable,
               GError              **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  vesc_notifier_send_async (VESC_NOTIFIER (notifier), notification, cancellable,
                            store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  return vesc_notifier_send_finish (VESC_NOTIFIER (notifier), result, error);
}

/* The receiving end -------------------------------------------------------- */

/* What the server answers to one request. */
typedef struct {
  guint status;
  const char *retry_after;
  const char *location;
  gboolean hold;          /* act on it, then never answer */
} Reply;

typedef struct {
  SoupServer *server;
  char *url;
  GQueue replies;         /* Reply *, one per request; then 200 */
  Reply *repeat;          /* answers every request instead, when set */
  guint requests;
  GPtrArray *keys;        /* the Idempotency-Key of each request */
  GHashTable *processed;  /* key -> the document the receiver acted on */
  guint deliveries;
  guint duplicates;       /* requests whose key had been processed */
  GPtrArray *held;
  GCancellable *cancel_on_request;
  VescWebhookNotifier *notifier;
} HookFixture;

static JsonObject *
parse_document (SoupServerMessage *msg)
{
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  g_autofree char *text = g_strndup (body->data, body->length);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (text, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

/* An idempotent receiver: a key it has seen is answered but not acted on. */
static void
process (HookFixture *fixture,
         const char  *key,
         JsonObject  *document)
{
  if (g_hash_table_contains (fixture->processed, key))
    {
      fixture->duplicates++;
      return;
    }

  g_hash_table_insert (fixture->processed, g_strdup (key), json_object_ref (document));
  fixture->deliveries++;
}

static void
check_request (SoupServerMessage *msg,
               const char        *key,
               JsonObject        *document)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  g_assert_cmpstr (soup_server_message_get_method (msg), ==, "POST");
  g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==,
                   "application/json");
  g_assert_nonnull (key);
  g_assert_cmpstr (json_object_get_string_member (document, "key"), ==, key);
}

static void
handle_hook (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  HookFixture *fixture = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *key = soup_message_headers_get_one (headers, "Idempotency-Key");
  g_autoptr(JsonObject) document = parse_document (msg);
  Reply *reply = fixture->repeat != NULL ? fixture->repeat : g_queue_pop_head (&fixture->replies);
  guint status = reply != NULL ? reply->status : SOUP_STATUS_OK;

  fixture->requests++;
  check_request (msg, key, document);
  g_ptr_array_add (fixture->keys, g_strdup (key));

  if (fixture->cancel_on_request != NULL)
    g_cancellable_cancel (fixture->cancel_on_request);

  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    process (fixture, key, document);

  if (reply != NULL && reply->hold)
    {
      soup_server_message_pause (msg);
      g_ptr_array_add (fixture->held, g_object_ref (msg));
      return;
    }

  soup_server_message_set_status (msg, status, NULL);
  if (reply != NULL && reply->retry_after != NULL)
    soup_message_headers_replace (response, "Retry-After", reply->retry_after);
  if (reply != NULL && reply->location != NULL)
    soup_message_headers_replace (response, "Location", reply->location);
}

static void
hook_fixture_set_up (HookFixture   *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  fixture->keys = g_ptr_array_new_with_free_func (g_free);
  fixture->processed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                              (GDestroyNotify) json_object_unref);
  fixture->held = g_ptr_array_new_with_free_func (g_object_unref);
  g_queue_init (&fixture->replies);

  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, "/hook", handle_hook, fixture, NULL);
  soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (fixture->server);
  fixture->url = g_strdup_printf ("http://127.0.0.1:%d/hook", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  fixture->notifier = vesc_webhook_notifier_new (fixture->url, &error);
  g_assert_no_error (error);
  /* Retries follow each other at once unless a test says otherwise. */
  vesc_webhook_notifier_set_initial_backoff (fixture->notifier, G_TIME_SPAN_MILLISECOND);
}

static void
hook_fixture_tear_down (HookFixture   *fixture,
                        gconstpointer  data)
{
  /* Answer what was held, so the server can let go of it. */
  for (guint i = 0; i < fixture->held->len; i++)
    {
      SoupServerMessage *msg = g_ptr_array_index (fixture->held, i);

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_unpause (msg);
    }
  g_clear_object (&fixture->notifier);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  soup_server_disconnect (fixture->server);
  g_object_add_weak_pointer (G_OBJECT (fixture->server), (gpointer *) &fixture->server);
  g_object_unref (fixture->server);
  g_assert_null (fixture->server);
  g_ptr_array_unref (fixture->held);
  g_hash_table_unref (fixture->processed);
  g_ptr_array_unref (fixture->keys);
  g_queue_clear (&fixture->replies);
  g_free (fixture->url);
}

static void
assert_all_keys (HookFixture *fixture,
                 const char  *key)
{
  g_assert_cmpuint (fixture->keys->len, ==, fixture->requests);
  for (guint i = 0; i < fixture->keys->len; i++)
    g_assert_cmpstr (g_ptr_array_index (fixture->keys, i), ==, key);
}

/* A port bound but not listening refuses connections, and stays ours while
 * @socket lives. */
static char *
refusing_url (GSocket **socket)
{
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                          &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (*socket, any, FALSE, &error));
  bound = g_socket_get_local_address (*socket, &error);
  g_assert_no_error (error);

  return g_strdup_printf ("http://127.0.0.1:%u/hook",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
}

/* Construction and properties --------------------------------------------- */

static void
test_bad_url (void)
{
  const char *urls[] = {
    "", "not a url", "ftp://example.org/hook", "mailto:itd@example.org", "http://",
    "https:///hook", "http://exa mple.org/",
  };

  for (guint i = 0; i < G_N_ELEMENTS (urls); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VescWebhookNotifier) notifier = vesc_webhook_notifier_new (urls[i], &error);

      g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
      g_assert_null (notifier);
      g_assert_nonnull (strstr (error->message, urls[i]));
    }
}

/* A binding may skip g_initable_init(): sending then fails cleanly. */
static void
test_not_initialised (void)
{
  g_autoptr(VescWebhookNotifier) notifier = g_object_new (VESC_TYPE_WEBHOOK_NOTIFIER,
                                                          "url", "http://127.0.0.1:9/hook",
                                                          NULL);
  g_autoptr(VescNotification) n = notification_new (KEY);
  g_autoptr(GError) error = NULL;

  g_assert_false (send_and_wait (notifier, n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
}

static void
test_properties (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VescWebhookNotifier) notifier =
    vesc_webhook_notifier_new ("https://helpdesk.example.org/hooks/vesc", &error);
  g_autoptr(SignalLogger) logger = signal_logger_new ();
  g_autofree char *url = NULL;
  guint timeout, max_attempts;
  gint64 initial_backoff;

  g_assert_no_error (error);
  g_assert_true (VESC_IS_NOTIFIER (notifier));
  g_assert_cmpstr (vesc_webhook_notifier_get_url (notifier), ==,
                   "https://helpdesk.example.org/hooks/vesc");
  g_assert_cmpuint (vesc_webhook_notifier_get_timeout (notifier), ==, 30);
  g_assert_cmpuint (vesc_webhook_notifier_get_max_attempts (notifier), ==, 5);
  g_assert_cmpint (vesc_webhook_notifier_get_initial_backoff (notifier), ==, G_TIME_SPAN_SECOND);

  signal_logger_connect (logger, notifier, "notify");
  vesc_webhook_notifier_set_timeout (notifier, 30);
  vesc_webhook_notifier_set_max_attempts (notifier, 5);
  vesc_webhook_notifier_set_initial_backoff (notifier, G_TIME_SPAN_SECOND);
  signal_logger_assert_empty (logger);

  vesc_webhook_notifier_set_timeout (notifier, 5);
  vesc_webhook_notifier_set_max_attempts (notifier, 2);
  vesc_webhook_notifier_set_initial_backoff (notifier, 250 * G_TIME_SPAN_MILLISECOND);
  g_assert_true (signal_logger_pop (logger, notifier, "notify::timeout", NULL, NULL));
  g_assert_true (signal_logger_pop (logger, notifier, "notify::max-attempts", NULL, NULL));
  g_assert_true (signal_logger_pop (logger, notifier, "notify::initial-backoff", NULL, NULL));
  signal_logger_assert_empty (logger);

  g_object_get (notifier, "url", &url, "timeout", &timeout, "max-attempts", &max_attempts,
                "initial-backoff", &initial_backoff, NULL);
  g_assert_cmpstr (url, ==, "https://helpdesk.example.org/hooks/vesc");
  g_assert_cmpuint (timeout, ==, 5);
  g_assert_cmpuint (max_attempts, ==, 2);
  g_assert_cmpint (initial_backoff, ==, 250 * G_TIME_SPAN_MILLISECOND);
}

/* The document ------------------------------------------------------------ */

static void
assert_mailbox (JsonObject *mailbox,
                const char *role,
                const char *name,
                const char *email)
{
  g_assert_cmpstr (json_object_get_string_member (mailbox, "role"), ==, role);
  if (name != NULL)
    g_assert_cmpstr (json_object_get_string_member (mailbox, "name"), ==, name);
  else
    g_assert_true (json_object_get_null_member (mailbox, "name"));
  g_assert_cmpstr (json_object_get_string_member (mailbox, "email"), ==, email);
  g_assert_cmpuint (json_object_get_size (mailbox), ==, 3);
}

static void
test_document (HookFixture   *fixture,
               gconstpointer  data)
{
  g_autoptr(VescNotification) n = notification_new (KEY);
  g_autoptr(GError) error = NULL;
  JsonObject *document;
  JsonArray *recipients;

  g_assert_true (send_and_wait (fixture->notifier, n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->requests, ==, 1);
  g_assert_cmpuint (fixture->deliveries, ==, 1);
  assert_all_keys (fixture, KEY);

  document = g_hash_table_lookup (fixture->processed, KEY);
  g_assert_nonnull (document);
  g_assert_cmpuint (json_object_get_size (document), ==, 11);
  g_assert_cmpstr (json_object_get_string_member (document, "schema"), ==,
                   "libvesc-notification/1");
  g_assert_cmpstr (json_object_get_string_member (document, "incident"), ==, "INC-7");
  g_assert_cmpstr (json_object_get_string_member (document, "step"), ==, "M3");
  g_assert_cmpstr (json_object_get_string_member (document, "template"), ==, "email-1");
  g_assert_cmpstr (json_object_get_string_member (document, "subject"), ==, SUBJECT);
  g_assert_cmpstr (json_object_get_string_member (document, "body"), ==, BODY);
  g_assert_cmpstr (json_object_get_string_member (document, "created_at"), ==,
                   "2018-03-23T14:00:00Z");
  g_assert_true (json_object_get_null_member (document, "sender"));
  g_assert_true (json_object_get_null_member (document, "reply_to"));

  recipients = json_object_get_array_member (document, "recipients");
  g_assert_cmpuint (json_array_get_length (recipients), ==, 2);
  assert_mailbox (json_array_get_object_element (recipients, 0), "head-teacher", "Siân Ŵyn",
                  "head@stmaryjohn.example.org");
  assert_mailbox (json_array_get_object_element (recipients, 1), "relationship-manager", NULL,
                  "rm@council.example.org");
}

static void
test_document_reply (HookFixture   *fixture,
                     gconstpointer  data)
{
  g_autoptr(VescNotification) n = notification_new ("INC-7/M5/email-2");
  g_autoptr(VescRecipient) itd = recipient (VESC_ROLE_ITD, "IT Department",
                                            "itd@council.example.org");
  g_autoptr(GError) error = NULL;
  JsonObject *document;

  vesc_notification_set_sender (n, itd);
  vesc_notification_set_reply_to_key (n, KEY);
  g_assert_true (send_and_wait (fixture->notifier, n, NULL, &error));
  g_assert_no_error (error);

  document = g_hash_table_lookup (fixture->processed, "INC-7/M5/email-2");
  g_assert_nonnull (document);
  g_assert_cmpstr (json_object_get_string_member (document, "reply_to"), ==, KEY);
  assert_mailbox (json_object_get_object_member (document, "sender"), "itd", "IT Department",
                  "itd@council.example.org");
}

/* A CR or LF in the key would split the Idempotency-Key header: refused
 * before any request. */
static void
test_bad_key (HookFixture   *fixture,
              gconstpointer  data)
{
  g_autoptr(VescNotification) crlf = notification_new ("INC-7/M3\r\nX-Evil: 1");
  g_autoptr(VescNotification) empty = notification_new ("");
  g_autoptr(GError) error = NULL;

  g_assert_false (send_and_wait (fixture->notifier, crlf, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  g_assert_false (send_and_wait (fixture->notifier, empty, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_assert_cmpuint (fixture->requests, ==, 0);
}

/* Failures that are tried again ------------------------------------------- */

static void
test_server_error_then_ok (HookFixture   *fixture,
                           gconstpointer  data)
{
  Reply error_500 = { SOUP_STATUS_INTERNAL_SERVER_ERROR };
  g_autoptr(VescNotification) n = notification_new (KEY);
  g_autoptr(GError) error = NULL;

  g_queue_push_tail (&fixture->replies, &error_500);
  g_assert_true (send_and_wait (fixture->notifier, n, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (fixture->requests, ==, 2);
  assert_all_keys (fixture, KEY);
  g_assert_cmpuint (fixture->deliveries, ==, 1);
  g_assert_cmpuint (fixture->duplicates, ==, 0);
}

/* The receiver acted on the first request but its answer came too late;
 * the retry carries the same key and the receiver drops it. */
static void
test_slow_answer (HookFixture   *fixture,
                  gconstpointer  data)
{
  Reply slow = { SOUP_STATUS_OK, .hold = TRUE };
  g_autoptr(VescNotification) n = notification_new (KEY);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  vesc_webhook_notifier_set_timeout (fixture->notifier, 1);
  g_queue_push_tail (&fixture->replies, &slow);
  g_assert_true (send_and_wait (fixture->notifier, n, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_TIME_SPAN_SECOND);
  g_assert_cmpuint (fixture->requests, ==, 2);
  assert_all_keys (fixture, KEY);
  g_assert_cmpuint (fixture->deliveries, ==, 1);
  g_assert_cmpuint (fixture->duplicates, ==, 1);
}

static void
test_request_timeout_status (HookFixture   *fixture,
                             gconstpointer  data)
{
  Reply timeout_408 = { SOUP_STATUS_REQUEST_TIMEOUT };
  g_autoptr(VescNotification) n = notification_new (KEY);
  g_autoptr(GError) error = NULL;

  g_queue_push_tail (&fixture->replies, &timeout_408);
  g_assert_true (send_and_wait (fixture->notifier, n, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->requests, ==, 2);
  g_assert_cmpuint (fixture->deliveries, ==, 1);
}

/* Retry-After: 0 wins over an initial backoff of an hour. */
static void
test_too_many_requests (HookFixture   *fixture,
                        gconstpointer  data)
{
  Reply busy = { 429, .retry_after = "0" };
  g_autoptr(VescNotification) n = notification_new (KEY);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  vesc_webhook_notifier_set_initial_backoff (fixture->notifier, G_TIME_SPAN_HOUR);
  g_queue_push_tail (&fixture->replies, &busy);
  g_assert_true (send_and_wait (fixture->notifier, n, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (fixture->requests, ==, 2);
  assert_all_keys (fixture, KEY);
  g_assert_cmpuint (fixture->deliveries, ==, 1);
}

/* Retry-After: 1 on a 503 makes the notifier wait a second, though its own
 * backoff is a millisecond. */
static void
test_retry_after_seconds (HookFixture   *fixture,
                          gconstpointer  data)
{
  Reply unavailable = { SOUP_STATUS_SERVICE_UNAVAILABLE, .retry_after = "1" };
  g_autoptr(VescNotification) n = notification_new (KEY);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_queue_push_tail (&fixture->replies, &unavailable);
  g_assert_true (send_and_wait (fixture->notifier, n, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_TIME_SPAN_SECOND);
  g_assert_cmpuint (fixture->requests, ==, 2);
  g_assert_cmpuint (fixture->deliveries, ==, 1);
}

/* The HTTP-date form, in the past: try again at once. */
static void
test_retry_after_date (HookFixture   *fixture,
                       gconstpointer  data)
{
  Reply unavailable = { SOUP_STATUS_SERVICE_UNAVAILABLE,
                        .retry_after = "Wed, 21 Oct 2015 07:28:00 GMT" };
  g_autoptr(VescNotification) n = notification_new (KEY);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  vesc_webhook_notifier_set_initial_backoff (fixture->notifier, G_TIME_SPAN_HOUR);
  g_queue_push_tail (&fixture->replies, &unavailable);
  g_assert_true (send_and_wait (fixture->notifier, n, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (fixture->requests, ==, 2);
}

/* Every attempt fails: the waits double (10, 20, 40 ms), the key never
 * changes, and the error names the count and the last status. */
static void
test_give_up (HookFixture   *fixture,
              gconstpointer  data)
{
  Reply error_502 = { SOUP_STATUS_BAD_GATEWAY };
  g_autoptr(VescNotification) n = notification_new (KEY);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  vesc_webhook_notifier_set_max_attempts (fixture->notifier, 4);
  vesc_webhook_notifier_set_initial_backoff (fixture->notifier, 10 * G_TIME_SPAN_MILLISECOND);
  fixture->repeat = &error_502;
  g_assert_false (send_and_wait (fixture->notifier, n, NULL, &error));

  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "4 attempts"));
  g_assert_nonnull (strstr (error->message, "HTTP 502 Bad Gateway"));
  g_assert_nonnull (strstr (error->message, KEY));
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 70 * G_TIME_SPAN_MILLISECOND);
  g_assert_cmpuint (fixture->requests, ==, 4);
  assert_all_keys (fixture, KEY);
  g_assert_cmpuint (fixture->deliveries, ==, 0);
}

static void
test_connection_refused (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autofree char *url = refusing_url (&socket);
  g_autoptr(GError) error = NULL;
  g_autoptr(VescWebhookNotifier) notifier = vesc_webhook_notifier_new (url, &error);
  g_autoptr(VescNotification) n = notification_new (KEY);
  gint64 start = g_get_monotonic_time ();

  g_assert_no_error (error);
  vesc_webhook_notifier_set_max_attempts (notifier, 3);
  vesc_webhook_notifier_set_initial_backoff (notifier, 20 * G_TIME_SPAN_MILLISECOND);
  g_assert_false (send_and_wait (notifier, n, NULL, &error));

  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "3 attempts"));
  g_assert_nonnull (strstr (error->message, url));
  /* Waits of 20 then 40 ms between the three attempts. */
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 60 * G_TIME_SPAN_MILLISECOND);
}

/* Failures that are final ------------------------------------------------- */

static void
test_bad_request (HookFixture   *fixture,
                  gconstpointer  data)
{
  Reply bad = { SOUP_STATUS_BAD_REQUEST };
  g_autoptr(VescNotification) n = notification_new (KEY);
  g_autoptr(GError) error = NULL;

  g_queue_push_tail (&fixture->replies, &bad);
  g_assert_false (send_and_wait (fixture->notifier, n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "HTTP 400 Bad Request"));
  g_assert_nonnull (strstr (error->message, fixture->url));
  g_assert_cmpuint (fixture->requests, ==, 1);
  g_assert_cmpuint (fixture->deliveries, ==, 0);
}

/* A redirected POST could arrive as a GET without its body. */
static void
test_redirect_not_followed (HookFixture   *fixture,
                            gconstpointer  data)
{
  Reply moved = { SOUP_STATUS_FOUND, .location = "/hook" };
  g_autoptr(VescNotification) n = notification_new (KEY);
  g_autoptr(GError) error = NULL;

  g_queue_push_tail (&fixture->replies, &moved);
  g_assert_false (send_and_wait (fixture->notifier, n, NULL, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "HTTP 302"));
  g_assert_cmpuint (fixture->requests, ==, 1);
}

/* Idempotency across restarts --------------------------------------------- */

/* A notifier made after a restart sends the same notification with the
 * same key; the receiver acts once. */
static void
test_restart_same_key (HookFixture   *fixture,
                       gconstpointer  data)
{
  g_autoptr(VescNotification) before = notification_new (KEY);
  g_autoptr(VescNotification) after = notification_new (KEY);
  g_autoptr(VescWebhookNotifier) restarted = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (send_and_wait (fixture->notifier, before, NULL, &error));
  g_assert_no_error (error);

  restarted = vesc_webhook_notifier_new (fixture->url, &error);
  g_assert_no_error (error);
  g_assert_true (send_and_wait (restarted, after, NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (fixture->requests, ==, 2);
  assert_all_keys (fixture, KEY);
  g_assert_cmpuint (fixture->deliveries, ==, 1);
  g_assert_cmpuint (fixture->duplicates, ==, 1);
}

/* Cancelling -------------------------------------------------------------- */

static void
test_cancel_while_waiting (HookFixture   *fixture,
                           gconstpointer  data)
{
  Reply unavailable = { SOUP_STATUS_SERVICE_UNAVAILABLE };
  g_autoptr(VescNotification) n = notification_new (KEY);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  vesc_webhook_notifier_set_initial_backoff (fixture->notifier, G_TIME_SPAN_HOUR);
  g_queue_push_tail (&fixture->replies, &unavailable);
  fixture->cancel_on_request = cancellable;
  g_assert_false (send_and_wait (fixture->notifier, n, cancellable, &error));

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (fixture->requests, ==, 1);
}

static void
test_cancel_in_flight (HookFixture   *fixture,
                       gconstpointer  data)
{
  Reply held = { SOUP_STATUS_OK, .hold = TRUE };
  g_autoptr(VescNotification) n = notification_new (KEY);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_queue_push_tail (&fixture->replies, &held);
  fixture->cancel_on_request = cancellable;
  g_assert_false (send_and_wait (fixture->notifier, n, cancellable, &error));

  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_TIME_SPAN_SECOND);
  g_assert_cmpuint (fixture->requests, ==, 1);

  /* Cancelled before it starts: no request at all. */
  g_clear_error (&error);
  g_assert_false (send_and_wait (fixture->notifier, n, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (fixture->requests, ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  /* Everything here is on loopback: GIO's dummy proxy resolver keeps the
   * system's (GSettings, libproxy and its threads) out of the tests. */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD_HOOK_TEST(path, func) \
  g_test_add (path, HookFixture, NULL, hook_fixture_set_up, func, hook_fixture_tear_down)

  g_test_add_func ("/webhook/new/bad-url", test_bad_url);
  g_test_add_func ("/webhook/new/not-initialised", test_not_initialised);
  g_test_add_func ("/webhook/properties", test_properties);
  ADD_HOOK_TEST ("/webhook/document", test_document);
  ADD_HOOK_TEST ("/webhook/document/reply", test_document_reply);
  ADD_HOOK_TEST ("/webhook/bad-key", test_bad_key);
  ADD_HOOK_TEST ("/webhook/retry/server-error", test_server_error_then_ok);
  ADD_HOOK_TEST ("/webhook/retry/slow-answer", test_slow_answer);
  ADD_HOOK_TEST ("/webhook/retry/request-timeout", test_request_timeout_status);
  ADD_HOOK_TEST ("/webhook/retry/too-many-requests", test_too_many_requests);
  ADD_HOOK_TEST ("/webhook/retry/retry-after-seconds", test_retry_after_seconds);
  ADD_HOOK_TEST ("/webhook/retry/retry-after-date", test_retry_after_date);
  ADD_HOOK_TEST ("/webhook/retry/give-up", test_give_up);
  g_test_add_func ("/webhook/retry/connection-refused", test_connection_refused);
  ADD_HOOK_TEST ("/webhook/final/bad-request", test_bad_request);
  ADD_HOOK_TEST ("/webhook/final/redirect", test_redirect_not_followed);
  ADD_HOOK_TEST ("/webhook/idempotency/restart", test_restart_same_key);
  ADD_HOOK_TEST ("/webhook/cancel/waiting", test_cancel_while_waiting);
  ADD_HOOK_TEST ("/webhook/cancel/in-flight", test_cancel_in_flight);

  return g_test_run ();
}

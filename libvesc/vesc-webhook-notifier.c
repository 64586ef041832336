/* vesc-webhook-notifier.c: a notifier that POSTs each notification as JSON
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "vesc-webhook-notifier.h"
#include "vesc-enum-types.h"
#include "vesc-types.h"
#include "vesc-util-private.h"

/**
 * VescWebhookNotifier:
 *
 * A notifier that POSTs each notification as a JSON document to a URL, for
 * a help desk system or a chat bridge to receive.
 *
 * ## The request
 *
 * `POST <url>` with `Content-Type: application/json` and
 * `Idempotency-Key: <key>`, the key being the notification's
 * [property@Vesc.Notification:key]. The key is the same on every attempt
 * and after a restart, so a receiver that remembers the keys it has
 * processed never acts on a notification twice. The body is one object:
 *
 * ```json
 * {
 *   "schema": "libvesc-notification/1",
 *   "key": "INC-1/M3/email-1",
 *   "incident": "INC-1",
 *   "step": "M3",
 *   "template": "email-1",
 *   "subject": "Security incident at St Mary & St John's",
 *   "body": "Dear Siân,\n…",
 *   "created_at": "2018-03-23T14:00:00Z",
 *   "recipients": [
 *     { "role": "head-teacher", "name": "Siân Ŵyn", "email": "head@school.example.org" }
 *   ],
 *   "sender": { "role": "itd", "name": "IT Department", "email": "itd@council.example.org" },
 *   "reply_to": "INC-1/M3/email-1"
 * }
 * ```
 *
 * - `schema`: always `libvesc-notification/1`; a change that could break a
 *   receiver gets a new number
 * - `key`, `incident`, `step`, `template`, `subject`, `body`: strings, as in
 *   [class@Vesc.Notification]
 * - `created_at`: ISO 8601 in UTC, with fractional seconds when there are any
 * - `recipients`: objects with `role` (the nick of a [enum@Vesc.Role]:
 *   `itd`, `principal-manager`, `relationship-manager`, `head-teacher`,
 *   `kssc`, `ltsb`), `name` (a string or null) and `email`
 * - `sender`: an object like a recipient, or null
 * - `reply_to`: the key of the notification this one follows up, or null
 *
 * ## Delivery
 *
 * Any 2xx status is a delivery. Connection failures, attempts that take
 * longer than [property@Vesc.WebhookNotifier:timeout] and the statuses 408,
 * 429 and 5xx are tried again, up to
 * [property@Vesc.WebhookNotifier:max-attempts] attempts in all. The wait
 * before attempt n + 1 is [property@Vesc.WebhookNotifier:initial-backoff]
 * doubled n - 1 times, at most ten minutes, except that a `Retry-After`
 * header (seconds or an HTTP date) on a 429 or 503 answer is obeyed, up to
 * an hour. Other statuses, redirects included (a redirected POST could lose
 * its body), and TLS certificate errors end the send at once. A send that
 * fails ends with %VESC_ERROR_IO naming the last failure.
 *
 * TLS certificates are verified against the system's trusted authorities,
 * libsoup's default; there is no switch to turn that off. Requests go
 * through the system's proxy settings.
 *
 * Timers run on the thread-default main context of the caller of
 * [method@Vesc.Notifier.send_async]; use the notifier from the thread that
 * made it. The notifier implements only the asynchronous pair.
 */
struct _VescWebhookNotifier
{
  GObject parent_instance;

  char *url;
  GUri *uri;
  SoupSession *session;
  guint timeout;
  guint max_attempts;
  GTimeSpan initial_backoff;
};

static void vesc_webhook_notifier_notifier_init (VescNotifierInterface *iface);
static void vesc_webhook_notifier_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VescWebhookNotifier, vesc_webhook_notifier, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VESC_TYPE_NOTIFIER,
                                                      vesc_webhook_notifier_notifier_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      vesc_webhook_notifier_initable_init))

enum {
  PROP_0,
  PROP_URL,
  PROP_TIMEOUT,
  PROP_MAX_ATTEMPTS,
  PROP_INITIAL_BACKOFF,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

#define SCHEMA "libvesc-notification/1"
#define USER_AGENT "libvesc/" G_STRINGIFY (VESC_MAJOR_VERSION) "." \
                   G_STRINGIFY (VESC_MINOR_VERSION) " "

#define DEFAULT_TIMEOUT 30
#define DEFAULT_MAX_ATTEMPTS 5
#define DEFAULT_INITIAL_BACKOFF G_TIME_SPAN_SECOND
#define MAX_BACKOFF (10 * G_TIME_SPAN_MINUTE)
#define MAX_RETRY_AFTER G_TIME_SPAN_HOUR

/* RFC 6585; libsoup 3.2 has no name for it. */
#define STATUS_TOO_MANY_REQUESTS 429

/* One send: the document and where its attempts have got to. */
typedef struct {
  char *key;
  GBytes *document;
  guint attempts;
  gboolean in_flight;
  gboolean timed_out;
  GCancellable *attempt_cancellable;
  GSource *timer;           /* the attempt's time limit, or the wait before the next */
  GSource *cancel_watch;    /* the caller's cancellable */
  char *last_failure;
} Delivery;

static void
stop_source (GSource **source)
{
  if (*source != NULL)
    g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* The sources hold the task; they go before it is returned. */
static void
delivery_stop (Delivery *delivery)
{
  stop_source (&delivery->timer);
  stop_source (&delivery->cancel_watch);
}

static void
delivery_free (Delivery *delivery)
{
  delivery_stop (delivery);
  g_clear_object (&delivery->attempt_cancellable);
  g_clear_pointer (&delivery->document, g_bytes_unref);
  g_free (delivery->key);
  g_free (delivery->last_failure);
  g_free (delivery);
}

/* The document ------------------------------------------------------------ */

static const char *
role_nick (VescRole role)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (VESC_TYPE_ROLE);
  GEnumValue *value = g_enum_get_value (klass, role);

  /* The class of a static enum type is never freed, nor its nicks. */
  return value != NULL ? value->value_nick : "unknown";
}

static void
add_string_member (JsonBuilder *builder,
                   const char  *name,
                   const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_mailbox_object (JsonBuilder   *builder,
                    VescRecipient *mailbox)
{
  json_builder_begin_object (builder);
  add_string_member (builder, "role", role_nick (vesc_recipient_get_role (mailbox)));
  add_string_member (builder, "name", vesc_recipient_get_name (mailbox));
  add_string_member (builder, "email", vesc_recipient_get_email (mailbox));
  json_builder_end_object (builder);
}

static void
add_sender_member (JsonBuilder   *builder,
                   VescRecipient *sender)
{
  json_builder_set_member_name (builder, "sender");
  if (sender != NULL)
    add_mailbox_object (builder, sender);
  else
    json_builder_add_null_value (builder);
}

static void
add_recipients_member (JsonBuilder *builder,
                       GListModel  *recipients)
{
  guint n = g_list_model_get_n_items (recipients);

  json_builder_set_member_name (builder, "recipients");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VescRecipient) recipient = g_list_model_get_item (recipients, i);

      add_mailbox_object (builder, recipient);
    }
  json_builder_end_array (builder);
}

static GBytes *
build_document (VescNotification *notification)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) utc = g_date_time_to_utc (vesc_notification_get_created_at (notification));
  g_autofree char *created_at = g_date_time_format_iso8601 (utc);
  gsize length;
  char *data;

  json_builder_begin_object (builder);
  add_string_member (builder, "schema", SCHEMA);
  add_string_member (builder, "key", vesc_notification_get_key (notification));
  add_string_member (builder, "incident", vesc_notification_get_incident_id (notification));
  add_string_member (builder, "step", vesc_notification_get_step (notification));
  add_string_member (builder, "template", vesc_notification_get_template_id (notification));
  add_string_member (builder, "subject", vesc_notification_get_subject (notification));
  add_string_member (builder, "body", vesc_notification_get_body (notification));
  add_string_member (builder, "created_at", created_at);
  add_recipients_member (builder, vesc_notification_get_recipients (notification));
  add_sender_member (builder, vesc_notification_get_sender (notification));
  add_string_member (builder, "reply_to", vesc_notification_get_reply_to_key (notification));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  data = json_generator_to_data (generator, &length);

  return g_bytes_new_take (data, length);
}

/* The key goes into a header; the texts must be UTF-8 for the JSON to be. */
static gboolean
validate_notification (VescNotification  *notification,
                       GError           **error)
{
  const char *texts[] = {
    vesc_notification_get_incident_id (notification),
    vesc_notification_get_step (notification),
    vesc_notification_get_template_id (notification),
    vesc_notification_get_subject (notification),
    vesc_notification_get_body (notification),
  };
  const char *key = vesc_notification_get_key (notification);

  if (*key == '\0')
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("The notification for incident “%s” has no key"),
                   vesc_notification_get_incident_id (notification));
      return FALSE;
    }
  if (!vesc_validate_header_value (key, _("The notification key"), error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      if (texts[i] != NULL && !g_utf8_validate (texts[i], -1, NULL))
        {
          g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                       _("The notification “%s” holds text that is not valid UTF-8"), key);
          return FALSE;
        }
    }

  return TRUE;
}

/* Deciding what a failure means ------------------------------------------- */

/* initial-backoff doubled once per failed attempt after the first. */
static GTimeSpan
backoff_delay (VescWebhookNotifier *self,
               guint                failed_attempts)
{
  GTimeSpan cap = MAX (self->initial_backoff, MAX_BACKOFF);
  GTimeSpan delay = self->initial_backoff;

  for (guint i = 1; i < failed_attempts && delay < cap; i++)
    delay *= 2;

  return MIN (delay, cap);
}

/* The wait a Retry-After header asks for, or -1 when there is none. */
static GTimeSpan
retry_after_delay (SoupMessage *message)
{
  SoupMessageHeaders *headers = soup_message_get_response_headers (message);
  const char *value = soup_message_headers_get_one (headers, "Retry-After");
  g_autoptr(GDateTime) date = NULL;
  g_autoptr(GDateTime) now = NULL;
  guint64 seconds;

  if (value == NULL)
    return -1;

  if (g_ascii_string_to_unsigned (value, 10, 0, G_MAXUINT64, &seconds, NULL))
    return seconds >= MAX_RETRY_AFTER / G_TIME_SPAN_SECOND ? MAX_RETRY_AFTER
                                                             : (GTimeSpan) seconds * G_TIME_SPAN_SECOND;

  date = soup_date_time_new_from_http_string (value);
  if (date == NULL)
    return -1;
  now = g_date_time_new_now_utc ();
  return CLAMP (g_date_time_difference (date, now), 0, MAX_RETRY_AFTER);
}

/* Network trouble may pass; a certificate that fails verification or an
 * answer libsoup cannot parse will not. */
static gboolean
is_transient_error (const GError *error)
{
  if (error->domain == G_TLS_ERROR)
    return error->code == G_TLS_ERROR_EOF || error->code == G_TLS_ERROR_MISC;

  return error->domain == G_IO_ERROR || error->domain == G_RESOLVER_ERROR;
}

/* Records why the attempt failed; returns the wait before the next
 * attempt, or -1 when the failure is final. */
static GTimeSpan
note_transport_failure (VescWebhookNotifier *self,
                        Delivery            *delivery,
                        const GError        *error)
{
  g_free (delivery->last_failure);
  if (delivery->timed_out)
    delivery->last_failure = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                           "no answer within %u second",
                                                           "no answer within %u seconds",
                                                           self->timeout),
                                              self->timeout);
  else
    delivery->last_failure = g_strdup (error->message);

  if (delivery->timed_out || is_transient_error (error))
    return backoff_delay (self, delivery->attempts);
  return -1;
}

static GTimeSpan
note_status_failure (VescWebhookNotifier *self,
                     Delivery            *delivery,
                     SoupMessage         *message)
{
  guint status = soup_message_get_status (message);
  const char *reason = soup_message_get_reason_phrase (message);
  GTimeSpan retry_after;

  g_free (delivery->last_failure);
  delivery->last_failure = g_strdup_printf ("HTTP %u %s", status, reason != NULL ? reason : "");
  g_strchomp (delivery->last_failure);

  if (status != SOUP_STATUS_REQUEST_TIMEOUT && status != STATUS_TOO_MANY_REQUESTS &&
      !SOUP_STATUS_IS_SERVER_ERROR (status))
    return -1;

  retry_after = -1;
  if (status == STATUS_TOO_MANY_REQUESTS || status == SOUP_STATUS_SERVICE_UNAVAILABLE)
    retry_after = retry_after_delay (message);

  return retry_after >= 0 ? retry_after : backoff_delay (self, delivery->attempts);
}

static void
give_up (GTask    *task,
         gboolean  out_of_attempts)
{
  VescWebhookNotifier *self = g_task_get_source_object (task);
  Delivery *delivery = g_task_get_task_data (task);

  delivery_stop (delivery);
  if (out_of_attempts)
    g_task_return_new_error (task, VESC_ERROR, VESC_ERROR_IO,
                             g_dngettext (GETTEXT_PACKAGE,
                                          "The web hook %s did not take “%s” in %u attempt; "
                                          "the last failure: %s",
                                          "The web hook %s did not take “%s” in %u attempts; "
                                          "the last failure: %s",
                                          delivery->attempts),
                             self->url, delivery->key, delivery->attempts,
                             delivery->last_failure);
  else
    g_task_return_new_error (task, VESC_ERROR, VESC_ERROR_IO,
                             _("The web hook %s refused “%s”: %s"),
                             self->url, delivery->key, delivery->last_failure);
}

/* Attempts ---------------------------------------------------------------- */

static void start_attempt (GTask *task);

static gboolean
retry_now (gpointer user_data)
{
  Delivery *delivery = g_task_get_task_data (G_TASK (user_data));

  g_clear_pointer (&delivery->timer, g_source_unref);
  start_attempt (user_data);
  return G_SOURCE_REMOVE;
}

static void
wait_and_retry (GTask     *task,
                GTimeSpan  delay)
{
  Delivery *delivery = g_task_get_task_data (task);

  /* Rounded up, so that a Retry-After of one second is never cut short. */
  delivery->timer = g_timeout_source_new ((guint) ((delay + 999) / 1000));
  g_task_attach_source (task, delivery->timer, retry_now);
}

static void
attempt_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  VescWebhookNotifier *self = g_task_get_source_object (task);
  Delivery *delivery = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) answer = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                                &error);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  GTimeSpan delay;

  delivery->in_flight = FALSE;
  stop_source (&delivery->timer);
  g_clear_object (&delivery->attempt_cancellable);

  /* A delivery counts, however late a cancel came. */
  if (answer != NULL && SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (message)))
    {
      delivery_stop (delivery);
      g_task_return_boolean (task, TRUE);
      return;
    }

  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      delivery_stop (delivery);
      g_task_return_error_if_cancelled (task);
      return;
    }

  if (answer == NULL)
    delay = note_transport_failure (self, delivery, error);
  else
    delay = note_status_failure (self, delivery, message);

  if (delay < 0)
    give_up (task, FALSE);
  else if (delivery->attempts >= self->max_attempts)
    give_up (task, TRUE);
  else
    wait_and_retry (task, delay);
}

static gboolean
attempt_timed_out (gpointer user_data)
{
  Delivery *delivery = g_task_get_task_data (G_TASK (user_data));

  delivery->timed_out = TRUE;
  g_cancellable_cancel (delivery->attempt_cancellable);
  g_clear_pointer (&delivery->timer, g_source_unref);
  return G_SOURCE_REMOVE;
}

static SoupMessage *
build_message (VescWebhookNotifier *self,
               Delivery            *delivery)
{
  SoupMessage *message = soup_message_new_from_uri (SOUP_METHOD_POST, self->uri);
  SoupMessageHeaders *headers = soup_message_get_request_headers (message);

  /* A redirected POST may come back as a GET without its body. The key
   * makes the request safe to repeat, so libsoup may also resend it on a
   * kept-alive connection the server had closed. */
  soup_message_add_flags (message, SOUP_MESSAGE_NO_REDIRECT | SOUP_MESSAGE_IDEMPOTENT);
  soup_message_headers_replace (headers, "Idempotency-Key", delivery->key);
  soup_message_headers_replace (headers, "Accept", "application/json");
  soup_message_set_request_body_from_bytes (message, "application/json", delivery->document);

  return message;
}

static void
start_attempt (GTask *task)
{
  VescWebhookNotifier *self = g_task_get_source_object (task);
  Delivery *delivery = g_task_get_task_data (task);
  g_autoptr(SoupMessage) message = build_message (self, delivery);

  delivery->attempts++;
  delivery->in_flight = TRUE;
  delivery->timed_out = FALSE;
  delivery->attempt_cancellable = g_cancellable_new ();

  /* One limit for the whole attempt, connecting included: libsoup's own
   * timeout only bounds each read or write. */
  delivery->timer = g_timeout_source_new (self->timeout * 1000);
  g_task_attach_source (task, delivery->timer, attempt_timed_out);

  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT,
                                    delivery->attempt_cancellable, attempt_done,
                                    g_object_ref (task));
}

/* An attempt in flight ends through attempt_done(); a wait between
 * attempts ends here. */
static gboolean
caller_cancelled (GCancellable *cancellable,
                  gpointer      user_data)
{
  GTask *task = user_data;
  Delivery *delivery = g_task_get_task_data (task);

  g_clear_pointer (&delivery->cancel_watch, g_source_unref);
  if (delivery->in_flight)
    {
      g_cancellable_cancel (delivery->attempt_cancellable);
      return G_SOURCE_REMOVE;
    }

  delivery_stop (delivery);
  g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

static void
vesc_webhook_notifier_send_async (VescNotifier        *notifier,
                                  VescNotification    *notification,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (notifier, cancellable, callback, user_data);
  GError *error = NULL;
  Delivery *delivery;

  g_task_set_source_tag (task, vesc_webhook_notifier_send_async);
  g_task_set_check_cancellable (task, FALSE);
  if (g_task_return_error_if_cancelled (task))
    return;

  /* g_object_new() without g_initable_init() leaves no URL to use. */
  if (VESC_WEBHOOK_NOTIFIER (notifier)->uri == NULL)
    {
      g_task_return_new_error (task, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                               _("The web hook notifier has no valid URL; make it with "
                                 "vesc_webhook_notifier_new()"));
      return;
    }

  if (!validate_notification (notification, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  delivery = g_new0 (Delivery, 1);
  delivery->key = g_strdup (vesc_notification_get_key (notification));
  delivery->document = build_document (notification);
  g_task_set_task_data (task, delivery, (GDestroyNotify) delivery_free);

  if (cancellable != NULL)
    {
      delivery->cancel_watch = g_cancellable_source_new (cancellable);
      g_task_attach_source (task, delivery->cancel_watch, G_SOURCE_FUNC (caller_cancelled));
    }

  start_attempt (task);
}

static gboolean
vesc_webhook_notifier_send_finish (VescNotifier  *notifier,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, notifier), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
vesc_webhook_notifier_notifier_init (VescNotifierInterface *iface)
{
  iface->send_async = vesc_webhook_notifier_send_async;
  iface->send_finish = vesc_webhook_notifier_send_finish;
}

/* The object -------------------------------------------------------------- */

/* GUri takes almost anything for a host, a space included. Letters beyond
 * ASCII pass, for international domain names. */
static gboolean
is_plausible_host (const char *host)
{
  if (host == NULL || *host == '\0')
    return FALSE;

  for (const char *p = host; *p != '\0'; p++)
    {
      if ((guchar) *p < 0x80 && !g_ascii_isalnum (*p) && strchr ("-._:%", *p) == NULL)
        return FALSE;
    }

  return TRUE;
}

static gboolean
vesc_webhook_notifier_initable_init_impl (GInitable     *initable,
                                          GCancellable  *cancellable,
                                          GError       **error)
{
  VescWebhookNotifier *self = VESC_WEBHOOK_NOTIFIER (initable);
  g_autoptr(GError) local_error = NULL;
  const char *scheme;

  if (self->url == NULL)
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                           _("A web hook notifier needs a URL"));
      return FALSE;
    }

  self->uri = g_uri_parse (self->url, SOUP_HTTP_URI_FLAGS, &local_error);
  if (self->uri == NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("The web hook URL “%s” is not valid: %s"), self->url, local_error->message);
      return FALSE;
    }

  scheme = g_uri_get_scheme (self->uri);
  if ((g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0) ||
      !is_plausible_host (g_uri_get_host (self->uri)))
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("The web hook URL “%s” is not an http or https URL with a host"), self->url);
      g_clear_pointer (&self->uri, g_uri_unref);
      return FALSE;
    }

  return TRUE;
}

static void
vesc_webhook_notifier_initable_init (GInitableIface *iface)
{
  iface->init = vesc_webhook_notifier_initable_init_impl;
}

static void
vesc_webhook_notifier_finalize (GObject *object)
{
  VescWebhookNotifier *self = VESC_WEBHOOK_NOTIFIER (object);

  g_clear_object (&self->session);
  g_clear_pointer (&self->uri, g_uri_unref);
  g_clear_pointer (&self->url, g_free);

  G_OBJECT_CLASS (vesc_webhook_notifier_parent_class)->finalize (object);
}

static void
vesc_webhook_notifier_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  VescWebhookNotifier *self = VESC_WEBHOOK_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_URL:
      g_value_set_string (value, self->url);
      break;
    case PROP_TIMEOUT:
      g_value_set_uint (value, self->timeout);
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;
    case PROP_INITIAL_BACKOFF:
      g_value_set_int64 (value, self->initial_backoff);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_webhook_notifier_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  VescWebhookNotifier *self = VESC_WEBHOOK_NOTIFIER (object);

  switch (prop_id)
    {
    case PROP_URL:
      self->url = g_value_dup_string (value);
      break;
    case PROP_TIMEOUT:
      vesc_webhook_notifier_set_timeout (self, g_value_get_uint (value));
      break;
    case PROP_MAX_ATTEMPTS:
      vesc_webhook_notifier_set_max_attempts (self, g_value_get_uint (value));
      break;
    case PROP_INITIAL_BACKOFF:
      vesc_webhook_notifier_set_initial_backoff (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_webhook_notifier_class_init (VescWebhookNotifierClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vesc_webhook_notifier_finalize;
  object_class->get_property = vesc_webhook_notifier_get_property;
  object_class->set_property = vesc_webhook_notifier_set_property;

  /**
   * VescWebhookNotifier:url:
   *
   * Where the documents are POSTed: an http or https URL.
   */
  properties[PROP_URL] =
    g_param_spec_string ("url", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * VescWebhookNotifier:timeout:
   *
   * How many seconds one attempt may take, from connecting to the end of
   * the answer, before it counts as failed and is tried again.
   */
  properties[PROP_TIMEOUT] =
    g_param_spec_uint ("timeout", NULL, NULL,
                       1, 3600, DEFAULT_TIMEOUT,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * VescWebhookNotifier:max-attempts:
   *
   * How many attempts a send makes, the first included, before it fails.
   */
  properties[PROP_MAX_ATTEMPTS] =
    g_param_spec_uint ("max-attempts", NULL, NULL,
                       1, 1000, DEFAULT_MAX_ATTEMPTS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * VescWebhookNotifier:initial-backoff:
   *
   * The wait after the first failed attempt, in microseconds; it doubles
   * after each further failure, up to ten minutes (or this value, if it is
   * longer).
   */
  properties[PROP_INITIAL_BACKOFF] =
    g_param_spec_int64 ("initial-backoff", NULL, NULL,
                        0, G_TIME_SPAN_HOUR, DEFAULT_INITIAL_BACKOFF,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vesc_webhook_notifier_init (VescWebhookNotifier *self)
{
  self->timeout = DEFAULT_TIMEOUT;
  self->max_attempts = DEFAULT_MAX_ATTEMPTS;
  self->initial_backoff = DEFAULT_INITIAL_BACKOFF;
  /* The trailing space makes libsoup add its own name and version. */
  self->session = soup_session_new_with_options ("user-agent", USER_AGENT,
                                                 "timeout", DEFAULT_TIMEOUT,
                                                 NULL);
}

/**
 * vesc_webhook_notifier_new:
 * @url: where to POST the documents: an http or https URL
 * @error: return location for a #GError
 *
 * Creates a notifier that POSTs each notification to @url as a JSON
 * document, with the defaults: a 30 second timeout, 5 attempts, waits of
 * 1, 2, 4 and 8 seconds between them.
 *
 * Returns: (transfer full): a new notifier, or %NULL with
 *   %VESC_ERROR_INVALID_INPUT when @url is not an http or https URL
 */
VescWebhookNotifier *
vesc_webhook_notifier_new (const char  *url,
                           GError     **error)
{
  g_return_val_if_fail (url != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (VESC_TYPE_WEBHOOK_NOTIFIER, NULL, error, "url", url, NULL);
}

/**
 * vesc_webhook_notifier_get_url:
 * @self: a web hook notifier
 *
 * Gets the URL the documents are POSTed to.
 *
 * Returns: the URL
 */
const char *
vesc_webhook_notifier_get_url (VescWebhookNotifier *self)
{
  g_return_val_if_fail (VESC_IS_WEBHOOK_NOTIFIER (self), NULL);

  return self->url;
}

/**
 * vesc_webhook_notifier_get_timeout:
 * @self: a web hook notifier
 *
 * Gets [property@Vesc.WebhookNotifier:timeout].
 *
 * Returns: the time limit of one attempt, in seconds
 */
guint
vesc_webhook_notifier_get_timeout (VescWebhookNotifier *self)
{
  g_return_val_if_fail (VESC_IS_WEBHOOK_NOTIFIER (self), 0);

  return self->timeout;
}

/**
 * vesc_webhook_notifier_set_timeout:
 * @self: a web hook notifier
 * @timeout: the time limit of one attempt, in seconds, from 1 to 3600
 *
 * Sets [property@Vesc.WebhookNotifier:timeout]; attempts already started
 * keep their limit.
 */
void
vesc_webhook_notifier_set_timeout (VescWebhookNotifier *self,
                                   guint                timeout)
{
  g_return_if_fail (VESC_IS_WEBHOOK_NOTIFIER (self));
  g_return_if_fail (timeout >= 1 && timeout <= 3600);

  if (self->timeout == timeout)
    return;

  self->timeout = timeout;
  /* Each read and write gets the same limit as the whole attempt. */
  g_object_set (self->session, "timeout", timeout, NULL);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TIMEOUT]);
}

/**
 * vesc_webhook_notifier_get_max_attempts:
 * @self: a web hook notifier
 *
 * Gets [property@Vesc.WebhookNotifier:max-attempts].
 *
 * Returns: how many attempts a send makes at most
 */
guint
vesc_webhook_notifier_get_max_attempts (VescWebhookNotifier *self)
{
  g_return_val_if_fail (VESC_IS_WEBHOOK_NOTIFIER (self), 0);

  return self->max_attempts;
}

/**
 * vesc_webhook_notifier_set_max_attempts:
 * @self: a web hook notifier
 * @max_attempts: how many attempts a send makes at most, from 1 to 1000
 *
 * Sets [property@Vesc.WebhookNotifier:max-attempts].
 */
void
vesc_webhook_notifier_set_max_attempts (VescWebhookNotifier *self,
                                        guint                max_attempts)
{
  g_return_if_fail (VESC_IS_WEBHOOK_NOTIFIER (self));
  g_return_if_fail (max_attempts >= 1 && max_attempts <= 1000);

  if (self->max_attempts == max_attempts)
    return;

  self->max_attempts = max_attempts;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MAX_ATTEMPTS]);
}

/**
 * vesc_webhook_notifier_get_initial_backoff:
 * @self: a web hook notifier
 *
 * Gets [property@Vesc.WebhookNotifier:initial-backoff].
 *
 * Returns: the wait after the first failed attempt, in microseconds
 */
GTimeSpan
vesc_webhook_notifier_get_initial_backoff (VescWebhookNotifier *self)
{
  g_return_val_if_fail (VESC_IS_WEBHOOK_NOTIFIER (self), 0);

  return self->initial_backoff;
}

/**
 * vesc_webhook_notifier_set_initial_backoff:
 * @self: a web hook notifier
 * @initial_backoff: the wait after the first failed attempt, in
 *   microseconds, from 0 to an hour
 *
 * Sets [property@Vesc.WebhookNotifier:initial-backoff].
 */
void
vesc_webhook_notifier_set_initial_backoff (VescWebhookNotifier *self,
                                           GTimeSpan            initial_backoff)
{
  g_return_if_fail (VESC_IS_WEBHOOK_NOTIFIER (self));
  g_return_if_fail (initial_backoff >= 0 && initial_backoff <= G_TIME_SPAN_HOUR);

  if (self->initial_backoff == initial_backoff)
    return;

  self->initial_backoff = initial_backoff;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_INITIAL_BACKOFF]);
}

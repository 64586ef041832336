/* vesc-notification.c: one message to be sent
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>

#include "vesc-notification.h"
#include "vesc-template-private.h"
#include "vesc-types.h"
#include "vesc-util-private.h"

/**
 * VescNotification:
 *
 * One message the procedure sends: a rendered subject and body, the people
 * it goes to and the incident and step it belongs to.
 *
 * The [property@Vesc.Notification:key] is an idempotency key. The escalation
 * builds it as `<incident-id>/<step>/<template-id>`, so the same message
 * always has the same key; notifiers use it to deliver a message once even
 * when they are asked twice, and the e-mail `Message-ID` is derived from it.
 *
 * A follow-up e-mail names the key of the message it answers in
 * [property@Vesc.Notification:reply-to-key], so that mail readers thread the
 * second and third e-mails under the first.
 */
struct _VescNotification
{
  GObject parent_instance;

  char *key;
  char *incident_id;
  char *step;
  char *template_id;
  char *subject;
  char *body;
  GDateTime *created_at;
  GListStore *recipients;
  VescRecipient *sender;
  char *reply_to_key;
};

G_DEFINE_FINAL_TYPE (VescNotification, vesc_notification, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_KEY,
  PROP_INCIDENT_ID,
  PROP_STEP,
  PROP_TEMPLATE_ID,
  PROP_SUBJECT,
  PROP_BODY,
  PROP_CREATED_AT,
  PROP_RECIPIENTS,
  PROP_SENDER,
  PROP_REPLY_TO_KEY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vesc_notification_constructed (GObject *object)
{
  VescNotification *self = VESC_NOTIFICATION (object);
  char **strings[] = {
    &self->key, &self->incident_id, &self->step, &self->template_id, &self->subject, &self->body,
  };

  G_OBJECT_CLASS (vesc_notification_parent_class)->constructed (object);

  /* Bindings may leave construct properties unset; the getters promise
   * strings and a time, never NULL. */
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    {
      if (*strings[i] == NULL)
        *strings[i] = g_strdup ("");
    }

  if (self->created_at == NULL)
    self->created_at = g_date_time_new_now_utc ();
}

static void
vesc_notification_finalize (GObject *object)
{
  VescNotification *self = VESC_NOTIFICATION (object);

  g_clear_pointer (&self->key, g_free);
  g_clear_pointer (&self->incident_id, g_free);
  g_clear_pointer (&self->step, g_free);
  g_clear_pointer (&self->template_id, g_free);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->body, g_free);
  g_clear_pointer (&self->created_at, g_date_time_unref);
  g_clear_object (&self->recipients);
  g_clear_object (&self->sender);
  g_clear_pointer (&self->reply_to_key, g_free);

  G_OBJECT_CLASS (vesc_notification_parent_class)->finalize (object);
}

static void
vesc_notification_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  VescNotification *self = VESC_NOTIFICATION (object);

  switch (prop_id)
    {
    case PROP_KEY:
      g_value_set_string (value, self->key);
      break;
    case PROP_INCIDENT_ID:
      g_value_set_string (value, self->incident_id);
      break;
    case PROP_STEP:
      g_value_set_string (value, self->step);
      break;
    case PROP_TEMPLATE_ID:
      g_value_set_string (value, self->template_id);
      break;
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;
    case PROP_BODY:
      g_value_set_string (value, self->body);
      break;
    case PROP_CREATED_AT:
      g_value_set_boxed (value, self->created_at);
      break;
    case PROP_RECIPIENTS:
      g_value_set_object (value, self->recipients);
      break;
    case PROP_SENDER:
      g_value_set_object (value, self->sender);
      break;
    case PROP_REPLY_TO_KEY:
      g_value_set_string (value, self->reply_to_key);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_notification_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  VescNotification *self = VESC_NOTIFICATION (object);

  switch (prop_id)
    {
    case PROP_KEY:
      self->key = g_value_dup_string (value);
      break;
    case PROP_INCIDENT_ID:
      self->incident_id = g_value_dup_string (value);
      break;
    case PROP_STEP:
      self->step = g_value_dup_string (value);
      break;
    case PROP_TEMPLATE_ID:
      self->template_id = g_value_dup_string (value);
      break;
    case PROP_SUBJECT:
      self->subject = g_value_dup_string (value);
      break;
    case PROP_BODY:
      self->body = g_value_dup_string (value);
      break;
    case PROP_CREATED_AT:
      self->created_at = g_value_dup_boxed (value);
      break;
    case PROP_SENDER:
      vesc_notification_set_sender (self, g_value_get_object (value));
      break;
    case PROP_REPLY_TO_KEY:
      vesc_notification_set_reply_to_key (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
construct_string_param (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL,
                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                              G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static void
vesc_notification_class_init (VescNotificationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = vesc_notification_constructed;
  object_class->finalize = vesc_notification_finalize;
  object_class->get_property = vesc_notification_get_property;
  object_class->set_property = vesc_notification_set_property;

  /**
   * VescNotification:key:
   *
   * The idempotency key: `<incident-id>/<step>/<template-id>` when the
   * escalation builds the notification. Stable across restarts.
   */
  properties[PROP_KEY] = construct_string_param ("key");

  /**
   * VescNotification:incident-id:
   *
   * The id of the incident the notification belongs to.
   */
  properties[PROP_INCIDENT_ID] = construct_string_param ("incident-id");

  /**
   * VescNotification:step:
   *
   * The procedure step that sends the notification, such as `M3`.
   */
  properties[PROP_STEP] = construct_string_param ("step");

  /**
   * VescNotification:template-id:
   *
   * The template the subject and body were rendered from, such as `email-1`.
   */
  properties[PROP_TEMPLATE_ID] = construct_string_param ("template-id");

  /**
   * VescNotification:subject:
   *
   * The rendered subject line.
   */
  properties[PROP_SUBJECT] = construct_string_param ("subject");

  /**
   * VescNotification:body:
   *
   * The rendered body, plain text with `\n` line ends.
   */
  properties[PROP_BODY] = construct_string_param ("body");

  /**
   * VescNotification:created-at:
   *
   * When the notification was made; the e-mail `Date`. The current time
   * when not given.
   */
  properties[PROP_CREATED_AT] =
    g_param_spec_boxed ("created-at", NULL, NULL,
                        G_TYPE_DATE_TIME,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                        G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * VescNotification:recipients:
   *
   * The people the notification goes to, a [iface@Gio.ListModel] of
   * [class@Vesc.Recipient]; it grows with
   * [method@Vesc.Notification.add_recipient].
   */
  properties[PROP_RECIPIENTS] =
    g_param_spec_object ("recipients", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * VescNotification:sender:
   *
   * Who the message is from, or %NULL for the library's fallback address.
   */
  properties[PROP_SENDER] =
    g_param_spec_object ("sender", NULL, NULL,
                         VESC_TYPE_RECIPIENT,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * VescNotification:reply-to-key:
   *
   * The key of the notification this one follows up, or %NULL. E-mail
   * notifiers turn it into `In-Reply-To` and `References` headers.
   */
  properties[PROP_REPLY_TO_KEY] =
    g_param_spec_string ("reply-to-key", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vesc_notification_init (VescNotification *self)
{
  self->recipients = g_list_store_new (VESC_TYPE_RECIPIENT);
}

/**
 * vesc_notification_new:
 * @key: the idempotency key, `<incident-id>/<step>/<template-id>`
 * @incident_id: the incident's id
 * @step: the step that sends it, such as `M3`
 * @template_id: the template it was rendered from
 * @subject: the subject line
 * @body: the body text
 * @created_at: (nullable): when it was made, or %NULL for now
 *
 * Creates a notification with no recipients yet.
 *
 * Returns: (transfer full): a new notification
 */
VescNotification *
vesc_notification_new (const char *key,
                       const char *incident_id,
                       const char *step,
                       const char *template_id,
                       const char *subject,
                       const char *body,
                       GDateTime  *created_at)
{
  g_return_val_if_fail (key != NULL, NULL);
  g_return_val_if_fail (incident_id != NULL, NULL);
  g_return_val_if_fail (step != NULL, NULL);
  g_return_val_if_fail (template_id != NULL, NULL);
  g_return_val_if_fail (subject != NULL, NULL);
  g_return_val_if_fail (body != NULL, NULL);

  return g_object_new (VESC_TYPE_NOTIFICATION,
                       "key", key,
                       "incident-id", incident_id,
                       "step", step,
                       "template-id", template_id,
                       "subject", subject,
                       "body", body,
                       "created-at", created_at,
                       NULL);
}

/**
 * vesc_notification_get_key:
 * @self: a notification
 *
 * Gets the idempotency key.
 *
 * Returns: the key
 */
const char *
vesc_notification_get_key (VescNotification *self)
{
  g_return_val_if_fail (VESC_IS_NOTIFICATION (self), NULL);

  return self->key;
}

/**
 * vesc_notification_get_incident_id:
 * @self: a notification
 *
 * Gets the id of the incident the notification belongs to.
 *
 * Returns: the incident id
 */
const char *
vesc_notification_get_incident_id (VescNotification *self)
{
  g_return_val_if_fail (VESC_IS_NOTIFICATION (self), NULL);

  return self->incident_id;
}

/**
 * vesc_notification_get_step:
 * @self: a notification
 *
 * Gets the step that sends the notification.
 *
 * Returns: the step, such as `M3`
 */
const char *
vesc_notification_get_step (VescNotification *self)
{
  g_return_val_if_fail (VESC_IS_NOTIFICATION (self), NULL);

  return self->step;
}

/**
 * vesc_notification_get_template_id:
 * @self: a notification
 *
 * Gets the id of the template the message was rendered from.
 *
 * Returns: the template id
 */
const char *
vesc_notification_get_template_id (VescNotification *self)
{
  g_return_val_if_fail (VESC_IS_NOTIFICATION (self), NULL);

  return self->template_id;
}

/**
 * vesc_notification_get_subject:
 * @self: a notification
 *
 * Gets the subject line.
 *
 * Returns: the subject
 */
const char *
vesc_notification_get_subject (VescNotification *self)
{
  g_return_val_if_fail (VESC_IS_NOTIFICATION (self), NULL);

  return self->subject;
}

/**
 * vesc_notification_get_body:
 * @self: a notification
 *
 * Gets the body text.
 *
 * Returns: the body
 */
const char *
vesc_notification_get_body (VescNotification *self)
{
  g_return_val_if_fail (VESC_IS_NOTIFICATION (self), NULL);

  return self->body;
}

/**
 * vesc_notification_get_created_at:
 * @self: a notification
 *
 * Gets the time the notification was made.
 *
 * Returns: (transfer none): the creation time
 */
GDateTime *
vesc_notification_get_created_at (VescNotification *self)
{
  g_return_val_if_fail (VESC_IS_NOTIFICATION (self), NULL);

  return self->created_at;
}

/**
 * vesc_notification_add_recipient:
 * @self: a notification
 * @recipient: who else receives it
 *
 * Appends @recipient to [property@Vesc.Notification:recipients].
 */
void
vesc_notification_add_recipient (VescNotification *self,
                                 VescRecipient    *recipient)
{
  g_return_if_fail (VESC_IS_NOTIFICATION (self));
  g_return_if_fail (VESC_IS_RECIPIENT (recipient));

  g_list_store_append (self->recipients, recipient);
}

/**
 * vesc_notification_get_recipients:
 * @self: a notification
 *
 * Gets the people the notification goes to.
 *
 * Returns: (transfer none): a list model of [class@Vesc.Recipient]
 */
GListModel *
vesc_notification_get_recipients (VescNotification *self)
{
  g_return_val_if_fail (VESC_IS_NOTIFICATION (self), NULL);

  return G_LIST_MODEL (self->recipients);
}

/**
 * vesc_notification_set_sender:
 * @self: a notification
 * @sender: (nullable): who the message is from, or %NULL for the fallback
 *
 * Sets [property@Vesc.Notification:sender].
 */
void
vesc_notification_set_sender (VescNotification *self,
                              VescRecipient    *sender)
{
  g_return_if_fail (VESC_IS_NOTIFICATION (self));
  g_return_if_fail (sender == NULL || VESC_IS_RECIPIENT (sender));

  if (g_set_object (&self->sender, sender))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENDER]);
}

/**
 * vesc_notification_get_sender:
 * @self: a notification
 *
 * Gets who the message is from.
 *
 * Returns: (transfer none) (nullable): the sender, or %NULL
 */
VescRecipient *
vesc_notification_get_sender (VescNotification *self)
{
  g_return_val_if_fail (VESC_IS_NOTIFICATION (self), NULL);

  return self->sender;
}

/**
 * vesc_notification_set_reply_to_key:
 * @self: a notification
 * @key: (nullable): the key of the notification this one follows up
 *
 * Sets [property@Vesc.Notification:reply-to-key].
 */
void
vesc_notification_set_reply_to_key (VescNotification *self,
                                    const char       *key)
{
  g_return_if_fail (VESC_IS_NOTIFICATION (self));

  if (g_strcmp0 (self->reply_to_key, key) == 0)
    return;

  g_free (self->reply_to_key);
  self->reply_to_key = g_strdup (key);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLY_TO_KEY]);
}

/**
 * vesc_notification_get_reply_to_key:
 * @self: a notification
 *
 * Gets the key of the notification this one follows up.
 *
 * Returns: (nullable): the key, or %NULL
 */
const char *
vesc_notification_get_reply_to_key (VescNotification *self)
{
  g_return_val_if_fail (VESC_IS_NOTIFICATION (self), NULL);

  return self->reply_to_key;
}

/* RFC 5322 ---------------------------------------------------------------- */

/* RFC 2047 says an encoded-word is at most 75 characters; lines holding
 * them should stay within 76. */
#define ENCODED_WORD_MAX 75
#define HEADER_LINE_MAX 76
#define FALLBACK_FROM "libvesc <noreply@localhost>"

static gboolean
is_ascii_printable (const char *s)
{
  for (; *s != '\0'; s++)
    {
      if ((guchar) *s < 0x20 || (guchar) *s > 0x7e)
        return FALSE;
    }
  return TRUE;
}

/* The most text bytes an encoded word of @max_len characters holds: 12
 * characters of framing, then 4 base64 characters per 3 bytes. */
static gsize
encoded_word_capacity (gsize max_len)
{
  return (MAX (max_len, 16) - 12) / 4 * 3;
}

/* Appends to @words the UTF-8 text @s as "=?UTF-8?B?...?=" words of at most
 * ENCODED_WORD_MAX characters, the first at most @first_max_len so that it
 * fits after the header's name, never splitting a character between two
 * words (RFC 2047 section 5). */
static void
append_encoded_words (GPtrArray  *words,
                      const char *s,
                      gsize       first_max_len)
{
  gsize max_bytes = encoded_word_capacity (MIN (first_max_len, ENCODED_WORD_MAX));

  while (*s != '\0')
    {
      const char *end = s;
      g_autofree char *b64 = NULL;

      while (*end != '\0')
        {
          const char *next = g_utf8_next_char (end);

          if ((gsize) (next - s) > max_bytes)
            break;
          end = next;
        }

      b64 = g_base64_encode ((const guchar *) s, end - s);
      g_ptr_array_add (words, g_strdup_printf ("=?UTF-8?B?%s?=", b64));
      s = end;
      max_bytes = encoded_word_capacity (ENCODED_WORD_MAX);
    }
}

/* RFC 5322 "specials" force a display name into a quoted-string. */
static gboolean
needs_quoting (const char *s)
{
  return strpbrk (s, "()<>[]:;@\\,.\"") != NULL;
}

static char *
quote_string (const char *s)
{
  GString *quoted = g_string_new ("\"");

  for (; *s != '\0'; s++)
    {
      if (*s == '"' || *s == '\\')
        g_string_append_c (quoted, '\\');
      g_string_append_c (quoted, *s);
    }
  g_string_append_c (quoted, '"');

  return g_string_free (quoted, FALSE);
}

/* Appends the words of one mailbox: the display name (as it is, quoted or
 * encoded) and the address. */
static void
append_mailbox_words (GPtrArray  *words,
                      const char *name,
                      const char *email,
                      gboolean    last)
{
  const char *comma = last ? "" : ",";

  if (name == NULL || *name == '\0')
    {
      g_ptr_array_add (words, g_strconcat (email, comma, NULL));
      return;
    }

  /* The folding puts a word that does not fit on a line of its own. */
  if (!is_ascii_printable (name))
    append_encoded_words (words, name, ENCODED_WORD_MAX);
  else if (needs_quoting (name))
    g_ptr_array_add (words, quote_string (name));
  else
    g_ptr_array_add (words, g_strdup (name));

  g_ptr_array_add (words, g_strconcat ("<", email, ">", comma, NULL));
}

/* Writes "Name: w1 w2 ...\r\n", folding between words so that lines stay
 * within HEADER_LINE_MAX where the words allow it. */
static void
append_folded_header (GString    *out,
                      const char *name,
                      GPtrArray  *words)
{
  gsize line_len;

  g_string_append_printf (out, "%s:", name);
  line_len = strlen (name) + 1;

  for (guint i = 0; i < words->len; i++)
    {
      const char *word = g_ptr_array_index (words, i);
      gsize len = strlen (word);

      if (i > 0 && line_len + 1 + len > HEADER_LINE_MAX)
        {
          g_string_append (out, "\r\n");
          line_len = 0;
        }
      g_string_append_c (out, ' ');
      g_string_append (out, word);
      line_len += 1 + len;
    }
  g_string_append (out, "\r\n");
}

/* Plain ASCII words that can be folded at their single spaces without
 * changing the text once it is unfolded; FALSE when the text needs
 * encoding instead. */
static gboolean
split_plain_words (GPtrArray  *words,
                   const char *value)
{
  g_auto(GStrv) tokens = NULL;

  /* "=?" could be taken for the start of an encoded word. */
  if (!is_ascii_printable (value) || strstr (value, "=?") != NULL)
    return FALSE;

  tokens = g_strsplit (value, " ", -1);
  for (guint i = 0; tokens[i] != NULL; i++)
    {
      /* An empty token (a leading, trailing or doubled space) could leave a
       * line of nothing but white space when folded. */
      if (*tokens[i] == '\0' && tokens[1] != NULL)
        return FALSE;
      if (strlen (tokens[i]) > HEADER_LINE_MAX)
        return FALSE;
    }

  for (guint i = 0; tokens[i] != NULL; i++)
    g_ptr_array_add (words, g_steal_pointer (&tokens[i]));
  return TRUE;
}

/* An unstructured header (Subject, X-Vesc-*): plain ASCII words when the
 * text allows, otherwise RFC 2047 encoded words. */
static void
append_unstructured_header (GString    *out,
                            const char *name,
                            const char *value)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);

  if (!split_plain_words (words, value))
    {
      g_ptr_array_set_size (words, 0);
      append_encoded_words (words, value, HEADER_LINE_MAX - strlen (name) - 2);
    }

  append_folded_header (out, name, words);
}

/* "<key with '/' as '.'@libvesc.invalid>": a pure function of the key, so
 * that the same notification always carries the same Message-ID and
 * replies can name it. Bytes that may not appear in a msg-id become '_'. */
static char *
message_id_for_key (const char *key)
{
  GString *id = g_string_new ("<");

  for (const char *p = key; *p != '\0'; p++)
    {
      if (*p == '/')
        g_string_append_c (id, '.');
      else if (g_ascii_isalnum (*p) || strchr ("!#$%&'*+-=?^_`{|}~.", *p) != NULL)
        g_string_append_c (id, *p);
      else
        g_string_append_c (id, '_');
    }
  g_string_append (id, "@libvesc.invalid>");

  return g_string_free (id, FALSE);
}

/* RFC 5322 section 3.3, with English names whatever the locale. */
static char *
format_rfc5322_date (GDateTime *dt)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  gint64 offset_min = g_date_time_get_utc_offset (dt) / G_TIME_SPAN_MINUTE;

  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d %c%02d%02d",
                          days[g_date_time_get_day_of_week (dt) - 1],
                          g_date_time_get_day_of_month (dt),
                          months[g_date_time_get_month (dt) - 1],
                          g_date_time_get_year (dt),
                          g_date_time_get_hour (dt),
                          g_date_time_get_minute (dt),
                          g_date_time_get_second (dt),
                          offset_min < 0 ? '-' : '+',
                          (int) (ABS (offset_min) / 60),
                          (int) (ABS (offset_min) % 60));
}

/* The checks run again here because a binding can build a recipient with
 * g_object_new(), which skips those of vesc_recipient_new(). */
static gboolean
validate_mailbox (VescRecipient  *mailbox,
                  const char     *name_what,
                  const char     *email_what,
                  GError        **error)
{
  const char *name = vesc_recipient_get_name (mailbox);
  const char *email = vesc_recipient_get_email (mailbox);

  if (name != NULL && !vesc_validate_header_value (name, name_what, error))
    return FALSE;

  return vesc_validate_email (email != NULL ? email : "", email_what, error);
}

static gboolean
validate_recipients (VescNotification  *self,
                     GError           **error)
{
  GListModel *recipients = G_LIST_MODEL (self->recipients);
  guint n = g_list_model_get_n_items (recipients);

  if (n == 0)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("The notification “%s” has no recipients"), self->key);
      return FALSE;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VescRecipient) recipient = g_list_model_get_item (recipients, i);

      if (!validate_mailbox (recipient, _("The recipient’s name"),
                             _("The recipient’s e-mail address"), error))
        return FALSE;
    }

  return TRUE;
}

/* Everything that reaches a header is checked before any text is made, so
 * that a bad value produces no message at all. */
static gboolean
validate_for_headers (VescNotification  *self,
                      GError           **error)
{
  if (*self->key == '\0')
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("The notification for incident “%s” has no key"), self->incident_id);
      return FALSE;
    }

  if (!vesc_validate_header_value (self->key, _("The notification key"), error) ||
      !vesc_validate_header_value (self->subject, _("The subject"), error) ||
      !vesc_validate_header_value (self->incident_id, _("The incident id"), error) ||
      !vesc_validate_header_value (self->step, _("The step"), error) ||
      (self->reply_to_key != NULL &&
       !vesc_validate_header_value (self->reply_to_key, _("The reply-to key"), error)) ||
      (self->sender != NULL &&
       !validate_mailbox (self->sender, _("The sender’s name"),
                          _("The sender’s e-mail address"), error)) ||
      !validate_recipients (self, error))
    return FALSE;

  if (!g_utf8_validate (self->body, -1, NULL))
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("The body of notification “%s” is not valid UTF-8"), self->key);
      return FALSE;
    }

  return TRUE;
}

static void
append_address_headers (VescNotification *self,
                        GString          *out)
{
  g_autoptr(GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  GListModel *recipients = G_LIST_MODEL (self->recipients);
  guint n = g_list_model_get_n_items (recipients);

  if (self->sender != NULL)
    append_mailbox_words (words, vesc_recipient_get_name (self->sender),
                          vesc_recipient_get_email (self->sender), TRUE);
  else
    g_ptr_array_add (words, g_strdup (FALLBACK_FROM));
  append_folded_header (out, "From", words);

  g_ptr_array_set_size (words, 0);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VescRecipient) recipient = g_list_model_get_item (recipients, i);

      append_mailbox_words (words, vesc_recipient_get_name (recipient),
                            vesc_recipient_get_email (recipient), i + 1 == n);
    }
  append_folded_header (out, "To", words);
}

static void
append_id_headers (VescNotification *self,
                   GString          *out)
{
  g_autofree char *date = format_rfc5322_date (self->created_at);
  g_autofree char *message_id = message_id_for_key (self->key);

  g_string_append_printf (out, "Date: %s\r\n", date);
  g_string_append_printf (out, "Message-ID: %s\r\n", message_id);

  if (self->reply_to_key != NULL)
    {
      g_autofree char *parent_id = message_id_for_key (self->reply_to_key);

      g_string_append_printf (out, "In-Reply-To: %s\r\n", parent_id);
      g_string_append_printf (out, "References: %s\r\n", parent_id);
    }
}

/* Line ends become CRLF whatever they were (LF, CRLF or a lone CR), and the
 * body ends with one. */
static void
append_body (GString    *out,
             const char *body)
{
  for (const char *p = body; *p != '\0'; p++)
    {
      if (*p == '\r' && p[1] == '\n')
        continue;
      if (*p == '\n' || *p == '\r')
        g_string_append (out, "\r\n");
      else
        g_string_append_c (out, *p);
    }

  if (*body != '\0' && !g_str_has_suffix (out->str, "\r\n"))
    g_string_append (out, "\r\n");
}

char *
vesc_notification_to_rfc5322 (VescNotification  *notification,
                              GError           **error)
{
  GString *out;

  g_return_val_if_fail (VESC_IS_NOTIFICATION (notification), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!validate_for_headers (notification, error))
    return NULL;

  out = g_string_new (NULL);
  append_address_headers (notification, out);
  append_unstructured_header (out, "Subject", notification->subject);
  append_id_headers (notification, out);
  g_string_append (out,
                   "MIME-Version: 1.0\r\n"
                   "Content-Type: text/plain; charset=UTF-8\r\n"
                   "Content-Transfer-Encoding: 8bit\r\n");
  append_unstructured_header (out, "X-Vesc-Incident", notification->incident_id);
  append_unstructured_header (out, "X-Vesc-Step", notification->step);
  g_string_append (out, "\r\n");
  append_body (out, notification->body);

  return g_string_free (out, FALSE);
}

/* vesc-util.c: validation and formatting shared inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vesc-util-private.h"
#include "vesc-types.h"

#include <string.h>
#include <glib/gi18n-lib.h>

/* RFC 5321 limits. */
#define MAX_EMAIL_LENGTH 254
#define MAX_LOCAL_PART_LENGTH 64

/* How much of a bad value an error message quotes. */
#define MAX_QUOTED_CHARS 64

static gboolean
is_control (guchar c)
{
  return c < 0x20 || c == 0x7f;
}

/* The value as an error message may show it: valid UTF-8, control characters
 * escaped (a message with a raw line break could forge a log line), and
 * shortened if long. */
static char *
quotable (const char *value)
{
  g_autofree char *valid = g_utf8_make_valid (value, -1);
  GString *out = g_string_new (NULL);
  guint n_chars = 0;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (++n_chars > MAX_QUOTED_CHARS)
        {
          g_string_append (out, "…");
          break;
        }
      if (*p == '\n')
        g_string_append (out, "\\n");
      else if (*p == '\r')
        g_string_append (out, "\\r");
      else if (is_control ((guchar) *p))
        g_string_append_printf (out, "\\x%02x", (guint) (guchar) *p);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (out, FALSE);
}

static gboolean
set_invalid (GError     **error,
             const char  *what,
             const char  *value,
             const char  *reason)
{
  g_autofree char *shown = quotable (value);

  /* Translators: the first %s names the value and starts the sentence ("The
   * head teacher's e-mail address"), the second is the value, the third
   * says what is wrong with it ("it has no “@”"). */
  g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT, _("%s “%s” is not valid: %s"),
               what, shown, reason);
  return FALSE;
}

/* Finds CR, LF or another control character; returns the reason or NULL. */
static const char *
find_control_characters (const char *value)
{
  if (strpbrk (value, "\r\n") != NULL)
    return _("it contains a line break");
  for (const char *p = value; *p != '\0'; p++)
    if (is_control ((guchar) *p))
      return _("it contains a control character");
  return NULL;
}

/* The characters RFC 5322 allows unquoted in a local part, besides letters,
 * digits and the dot. Quoted local parts are not accepted. */
static gboolean
is_local_char (guchar c)
{
  return g_ascii_isalnum (c) || c >= 0x80 || strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static gboolean
is_domain_char (guchar c)
{
  return g_ascii_isalnum (c) || c >= 0x80 || c == '-';
}

/* Dot-separated, each piece non-empty; @first_last_bad is a character no
 * piece may start or end with (0 for none). */
static gboolean
has_good_dots (const char *start,
               const char *end,
               char        first_last_bad)
{
  const char *piece = start;

  for (const char *p = start; p <= end; p++)
    {
      if (p < end && *p != '.')
        continue;
      if (p == piece)
        return FALSE;
      if (first_last_bad != 0 && (*piece == first_last_bad || p[-1] == first_last_bad))
        return FALSE;
      piece = p + 1;
    }
  return TRUE;
}

/* Only called for ASCII characters: other bytes are allowed. */
static char *
bad_character (char c)
{
  return g_strdup_printf (_("it contains “%c”, which an e-mail address cannot contain"), c);
}

static char *
check_local_part (const char *local,
                  const char *at)
{
  if (at == local)
    return g_strdup (_("nothing comes before the “@”"));
  if (at - local > MAX_LOCAL_PART_LENGTH)
    return g_strdup_printf (_("the part before the “@” is longer than %d characters"),
                            MAX_LOCAL_PART_LENGTH);

  for (const char *p = local; p < at; p++)
    if (*p != '.' && !is_local_char ((guchar) *p))
      return bad_character (*p);

  if (!has_good_dots (local, at, 0))
    return g_strdup (_("the part before the “@” starts or ends with a dot, "
                       "or has two dots in a row"));
  return NULL;
}

static char *
check_domain (const char *domain)
{
  const char *end = domain + strlen (domain);

  if (*domain == '\0')
    return g_strdup (_("nothing comes after the “@”"));

  for (const char *p = domain; p < end; p++)
    if (*p != '.' && !is_domain_char ((guchar) *p))
      return bad_character (*p);

  if (!has_good_dots (domain, end, '-'))
    /* Translators: %s is the part of an e-mail address after the “@”. */
    return g_strdup_printf (_("its domain “%s” is malformed"), domain);
  if (strchr (domain, '.') == NULL && g_ascii_strcasecmp (domain, "localhost") != 0)
    return g_strdup_printf (_("its domain “%s” has no dot"), domain);
  return NULL;
}

/* The checks that look at the address as a whole. */
static char *
check_email_shape (const char *email)
{
  const char *at = strchr (email, '@');
  const char *reason;

  if (*email == '\0')
    return g_strdup (_("it is empty"));
  if (!g_utf8_validate (email, -1, NULL))
    return g_strdup (_("it is not valid UTF-8"));
  if (strlen (email) > MAX_EMAIL_LENGTH)
    return g_strdup_printf (_("it is longer than %d characters"), MAX_EMAIL_LENGTH);
  if ((reason = find_control_characters (email)) != NULL)
    return g_strdup (reason);
  if (strchr (email, ' ') != NULL)
    return g_strdup (_("it contains a space"));
  if (at == NULL)
    return g_strdup (_("it has no “@”"));
  if (strchr (at + 1, '@') != NULL)
    return g_strdup (_("it has more than one “@”"));
  return NULL;
}

/*
 * vesc_validate_email:
 * @email: the address
 * @what: names the address and starts the error message, for instance
 *   "The head teacher's e-mail address"
 *
 * Accepts a plain addr-spec: local@domain with a dot-atom local part, no
 * display name, no angle brackets, no quoted strings, at most 254 bytes; the
 * domain has a dot or is "localhost".
 */
gboolean
vesc_validate_email (const char  *email,
                     const char  *what,
                     GError     **error)
{
  g_autofree char *reason = NULL;

  g_return_val_if_fail (email != NULL, FALSE);
  g_return_val_if_fail (what != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  reason = check_email_shape (email);
  if (reason == NULL)
    {
      const char *at = strchr (email, '@');

      reason = check_local_part (email, at);
      if (reason == NULL)
        reason = check_domain (at + 1);
    }

  if (reason != NULL)
    return set_invalid (error, what, email, reason);
  return TRUE;
}

/* Refuses every control character, tab included: a value may be folded into
 * a mail header, where CR or LF would start a new header. */
gboolean
vesc_validate_header_value (const char  *value,
                            const char  *what,
                            GError     **error)
{
  const char *reason;

  g_return_val_if_fail (value != NULL, FALSE);
  g_return_val_if_fail (what != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!g_utf8_validate (value, -1, NULL))
    return set_invalid (error, what, value, _("it is not valid UTF-8"));
  if ((reason = find_control_characters (value)) != NULL)
    return set_invalid (error, what, value, reason);
  return TRUE;
}

/* One function per unit keeps the plural strings literal, for xgettext and
 * for the compiler's format checks. The counts always fit a guint. */
static char *
format_seconds (guint n)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds", n), n);
}

static char *
format_minutes (guint n)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u minute", "%u minutes", n), n);
}

static char *
format_hours (guint n)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u hour", "%u hours", n), n);
}

static char *
format_days (guint n)
{
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day", "%u days", n), n);
}

static char *
format_hours_minutes (guint hours,
                      guint minutes)
{
  g_autofree char *h = NULL;
  g_autofree char *m = NULL;

  if (hours > 0)
    h = format_hours (hours);
  if (minutes > 0 || hours == 0)
    m = format_minutes (minutes);

  if (h != NULL && m != NULL)
    /* Translators: hours then minutes, as in “1 hour 30 minutes”. */
    return g_strdup_printf (C_("duration", "%s %s"), h, m);
  return g_strdup (h != NULL ? h : m);
}

static char *
format_positive_duration (guint64 span)
{
  guint64 seconds = span / G_USEC_PER_SEC;

  if (seconds < 60)
    return format_seconds ((guint) seconds);
  /* Whole days read better from two days on: “90 days”, but “36 hours”. */
  if (seconds >= 2 * 86400 && seconds % 86400 == 0)
    return format_days ((guint) (seconds / 86400));
  return format_hours_minutes ((guint) (seconds / 3600), (guint) (seconds % 3600 / 60));
}

/*
 * vesc_format_duration:
 * @span: a duration
 *
 * Formats @span for a person: “45 seconds” below a minute, then hours and
 * minutes (“3 hours”, “1 hour 30 minutes”; seconds beyond the minute are
 * dropped), and whole days from two days on (“90 days”). A negative span
 * gets a minus sign.
 *
 * Returns: (transfer full): the text
 */
char *
vesc_format_duration (GTimeSpan span)
{
  g_autofree char *text = NULL;

  if (span >= 0)
    return format_positive_duration ((guint64) span);

  /* Negating in unsigned arithmetic is safe even for G_MININT64. */
  text = format_positive_duration (-(guint64) span);
  return g_strconcat ("-", text, NULL);
}

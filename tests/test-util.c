/* test-util.c: e-mail and header validation, duration formatting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <libvesc/vesc.h>

#include "vesc-util-private.h"
#include "signal-logger.h"

#include <string.h>

#define WHAT "The head teacher's e-mail address"

static void
test_email_good (void)
{
  const char *good[] = {
    "a@b.cd",
    "head.teacher@st-marys.sch.uk",
    "it-desk+alerts@council.gov.uk",
    "o'brien_j@example.org",
    "root@localhost",
    "root@LocalHost",
    "élève@école.fr",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_test_message ("%s", good[i]);
      g_assert_true (vesc_validate_email (good[i], WHAT, &error));
      g_assert_no_error (error);
    }
}

typedef struct
{
  const char *value;
  const char *reason;
} Bad;

static void
assert_invalid_message (GError     *error,
                        const char *what,
                        const char *reason)
{
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_assert_true (g_str_has_prefix (error->message, what));
  g_assert_nonnull (strstr (error->message, reason));
  /* The message can go into a log or a mail: no raw control characters. */
  for (const char *p = error->message; *p != '\0'; p++)
    g_assert_false ((guchar) *p < 0x20 || *p == 0x7f);
}

static void
test_email_bad (void)
{
  g_autofree char *a250 = g_strnfill (250, 'a');
  g_autofree char *a65 = g_strnfill (65, 'a');
  g_autofree char *too_long = g_strconcat (a250, "@b.cd", NULL);
  g_autofree char *local_too_long = g_strconcat (a65, "@b.cd", NULL);
  const Bad bad[] = {
    { "", "it is empty" },
    { "a@b@c.de", "more than one “@”" },
    { "@b.cd", "nothing comes before the “@”" },
    { "a@", "nothing comes after the “@”" },
    { "a b@c.de", "contains a space" },
    { "Head <a@b.cd>", "contains a space" },
    { "<a@b.cd>", "contains “<”" },
    { "a,b@c.de", "contains “,”" },
    { "\"a\"@b.cd", "contains “\"”" },
    { "a@b.cd\r\nBcc: x@y.zz", "line break" },
    { "a@b.cd\n", "line break" },
    { "a\t@b.cd", "control character" },
    { "a\x7f@b.cd", "control character" },
    { "a\xff@b.cd", "not valid UTF-8" },
    { "a@localdomain", "its domain “localdomain” has no dot" },
    { "a@b..cd", "its domain “b..cd” is malformed" },
    { "a@.b.cd", "is malformed" },
    { "a@b.cd.", "is malformed" },
    { "a@-b.cd", "is malformed" },
    { "a@b-.cd", "is malformed" },
    { "a@b_c.de", "contains “_”" },
    { ".a@b.cd", "starts or ends with a dot" },
    { "a.@b.cd", "starts or ends with a dot" },
    { "a..b@c.de", "two dots in a row" },
    { too_long, "longer than 254 characters" },
    { local_too_long, "longer than 64 characters" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_autofree char *shown = g_strescape (bad[i].value, NULL);

      g_test_message ("%s", shown);
      g_assert_false (vesc_validate_email (bad[i].value, WHAT, &error));
      assert_invalid_message (error, WHAT, bad[i].reason);
    }
}

/* The message names the value, quotes it, and shows what was wrong. */
static void
test_email_message (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *long_value = g_strnfill (300, 'x');

  g_assert_false (vesc_validate_email ("foo", WHAT, &error));
  g_assert_cmpstr (error->message, ==,
                   "The head teacher's e-mail address “foo” is not valid: it has no “@”");
  g_clear_error (&error);

  g_assert_false (vesc_validate_email ("a@b.cd\r\nBcc: x@y.zz", WHAT, &error));
  g_assert_cmpstr (error->message, ==,
                   "The head teacher's e-mail address “a@b.cd\\r\\nBcc: x@y.zz” is not valid: "
                   "it contains a line break");
  g_clear_error (&error);

  /* A long value is shortened rather than quoted whole. */
  g_assert_false (vesc_validate_email (long_value, WHAT, &error));
  g_assert_nonnull (strstr (error->message, "xxx…”"));
  g_assert_cmpuint (strlen (error->message), <, 200);
}

static void
test_header_good (void)
{
  const char *good[] = {
    "",
    "Virus on 3 machines at St Mary’s",
    "Ünïcödé: ok; (also) <this> \"and\" that",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (vesc_validate_header_value (good[i], "The subject", &error));
      g_assert_no_error (error);
    }
}

static void
test_header_bad (void)
{
  const Bad bad[] = {
    { "Subject\r\nBcc: attacker@example.org", "line break" },
    { "a\nb", "line break" },
    { "a\rb", "line break" },
    { "tab\there", "control character" },
    { "bell\a", "control character" },
    { "del\x7f", "control character" },
    { "bad \xc3\x28 utf-8", "not valid UTF-8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (vesc_validate_header_value (bad[i].value, "The site's name", &error));
      assert_invalid_message (error, "The site's name", bad[i].reason);
    }
}

static void
test_format_duration (void)
{
  const struct {
    GTimeSpan   span;
    const char *text;
  } cases[] = {
    { 0, "0 seconds" },
    { G_TIME_SPAN_SECOND, "1 second" },
    { 45 * G_TIME_SPAN_SECOND, "45 seconds" },
    { G_TIME_SPAN_MINUTE - 1, "59 seconds" },
    { G_TIME_SPAN_MINUTE, "1 minute" },
    { 90 * G_TIME_SPAN_SECOND, "1 minute" },
    { 30 * G_TIME_SPAN_MINUTE, "30 minutes" },
    { G_TIME_SPAN_HOUR, "1 hour" },
    { 90 * G_TIME_SPAN_MINUTE, "1 hour 30 minutes" },
    { 61 * G_TIME_SPAN_MINUTE, "1 hour 1 minute" },
    { 3 * G_TIME_SPAN_HOUR, "3 hours" },
    { 3 * G_TIME_SPAN_HOUR + 2 * G_TIME_SPAN_MINUTE + 5, "3 hours 2 minutes" },
    { G_TIME_SPAN_DAY, "24 hours" },
    { 36 * G_TIME_SPAN_HOUR, "36 hours" },
    { 2 * G_TIME_SPAN_DAY, "2 days" },
    { 49 * G_TIME_SPAN_HOUR, "49 hours" },
    { 90 * G_TIME_SPAN_DAY, "90 days" },
    { -30 * G_TIME_SPAN_MINUTE, "-30 minutes" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = vesc_format_duration (cases[i].span);

      g_assert_cmpstr (text, ==, cases[i].text);
    }
}

/* The extremes of GTimeSpan format without overflowing. */
static void
test_format_duration_extremes (void)
{
  g_autofree char *max = vesc_format_duration (G_MAXINT64);
  g_autofree char *min = vesc_format_duration (G_MININT64);

  g_assert_cmpstr (max, ==, "2562047788 hours");
  g_assert_cmpstr (min, ==, "-2562047788 hours");
}

/* The logger other tests rely on: records details and arguments, matches
 * "notify" against "notify::enabled", and lets go of its handlers. */
static void
test_signal_logger (void)
{
  g_autoptr(GSimpleAction) action = g_simple_action_new ("check", G_VARIANT_TYPE_STRING);
  g_autoptr(GSimpleAction) other = g_simple_action_new ("other", NULL);
  SignalLogger *logger = signal_logger_new ();
  GValue *args = NULL;
  guint n_args = 0;

  g_assert_cmpuint (signal_logger_connect (logger, action, "activate"), !=, 0);
  signal_logger_connect (logger, action, "notify");
  signal_logger_connect (logger, other, "notify::enabled");

  g_action_activate (G_ACTION (action), g_variant_new_string ("present"));
  g_simple_action_set_enabled (other, FALSE);
  g_simple_action_set_enabled (action, FALSE);

  g_assert_cmpuint (signal_logger_count (logger, NULL), ==, 3);
  g_assert_cmpuint (signal_logger_count (logger, "notify"), ==, 2);
  g_assert_cmpuint (signal_logger_count (logger, "notify::enabled"), ==, 2);
  g_assert_cmpuint (signal_logger_count (logger, "notify::state"), ==, 0);

  /* The oldest match for this object, not the oldest emission. */
  g_assert_true (signal_logger_pop (logger, action, "notify", &args, &n_args));
  g_assert_cmpuint (n_args, ==, 1);
  g_assert_cmpstr (g_param_spec_get_name (g_value_get_param (&args[0])), ==, "enabled");
  signal_logger_args_free (args, n_args);

  g_assert_true (signal_logger_pop (logger, action, "activate", &args, &n_args));
  g_assert_cmpuint (n_args, ==, 1);
  g_assert_cmpstr (g_variant_get_string (g_value_get_variant (&args[0]), NULL), ==, "present");
  signal_logger_args_free (args, n_args);

  g_assert_false (signal_logger_pop (logger, action, NULL, &args, &n_args));
  g_assert_null (args);
  g_assert_true (signal_logger_pop (logger, other, "notify::enabled", NULL, NULL));
  signal_logger_assert_empty (logger);

  signal_logger_free (logger);
  /* Emissions after the logger is gone reach nothing. */
  g_simple_action_set_enabled (action, TRUE);
}

static void
test_signal_logger_leftover (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(SignalLogger) logger = signal_logger_new ();
      g_autoptr(GSimpleAction) action = g_simple_action_new ("check", NULL);

      signal_logger_connect (logger, action, "notify");
      g_simple_action_set_enabled (action, FALSE);
      signal_logger_assert_empty (logger);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_test_trap_assert_stderr ("*no more signal emissions*GSimpleAction*::notify::enabled*");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/util/email/good", test_email_good);
  g_test_add_func ("/util/email/bad", test_email_bad);
  g_test_add_func ("/util/email/message", test_email_message);
  g_test_add_func ("/util/header/good", test_header_good);
  g_test_add_func ("/util/header/bad", test_header_bad);
  g_test_add_func ("/util/duration/format", test_format_duration);
  g_test_add_func ("/util/duration/extremes", test_format_duration_extremes);
  g_test_add_func ("/util/signal-logger/records", test_signal_logger);
  g_test_add_func ("/util/signal-logger/leftover", test_signal_logger_leftover);

  return g_test_run ();
}

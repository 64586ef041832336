/* test-template.c: the message templates, built-in and overridden
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include "vesc.h"
#include "vesc-template-private.h"

/* The ids listed in libvesc/vesc.gresource.xml. */
static const char * const builtin_ids[] = {
  "email-1", "email-2", "email-3", "email-3-serious",
  "notice-opened", "notice-kssc", "notice-check-result", "notice-still-present",
  "notice-final-check", "notice-decision", "notice-disconnected", "notice-resolved",
  "notice-reconnected", "notice-report",
};

/* Every variable the escalation fills, each with a value that is easy to
 * find in the output. */
static GHashTable *
full_vars (void)
{
  static const char * const pairs[][2] = {
    { "incident_id", "INC-2018-0042" },
    { "site_id", "hill-primary" },
    { "site_name", "Hill Primary School" },
    { "head_teacher_name", "Mrs Ann Example" },
    { "relationship_manager_name", "Rob Manager" },
    { "devices", "10.1.2.3, 10.1.2.4" },
    { "n_devices", "2" },
    { "summary", "Worm traffic on port 445" },
    { "scenario", "major" },
    { "scenario_reason", "marked as a network-wide threat" },
    { "step", "M3" },
    { "removal_window", "3 hours" },
    { "final_window", "30 minutes" },
    { "opened_at", "Friday 23 March 2018, 11:00 GMT" },
    { "removal_deadline", "Friday 23 March 2018, 14:00 GMT" },
    { "final_deadline", "Friday 23 March 2018, 14:30 GMT" },
    { "email_1_sent_at", "Friday 23 March 2018, 11:00 GMT" },
    { "previous_email_sent_at", "Friday 23 March 2018, 14:00 GMT" },
    { "decision", "disconnect" },
    { "decision_by", "Pat Principal" },
    { "decision_at", "Friday 23 March 2018, 14:35 GMT" },
    { "check_result", "still present" },
    { "itd_name", "ITD Service Desk" },
    { "itd_email", "itd@council.example.org" },
    { "ltsb_name", "Learning and Technology Strategy Board" },
    { "kssc_name", "Schools Support Centre" },
    { "outcome", "reconnected" },
    { "disconnected_for", "2 hours 15 minutes" },
    { "report", "REPORT-BODY-MARKER" },
  };
  GHashTable *vars = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < G_N_ELEMENTS (pairs); i++)
    g_hash_table_insert (vars, (char *) pairs[i][0], (char *) pairs[i][1]);
  return vars;
}

static char *
data_dir (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "data", name, NULL);
}

static void
render_ok (const char  *override_dir,
           const char  *template_id,
           GHashTable  *vars,
           char       **subject,
           char       **body)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vesc_template_render (override_dir, template_id, vars, subject, body, &error));
  g_assert_no_error (error);
  g_assert_nonnull (*subject);
  g_assert_nonnull (*body);
}

/* Fails with @code and leaves the outputs alone. */
static GError *
render_fails (const char *override_dir,
              const char *template_id,
              GHashTable *vars,
              GQuark      domain,
              int         code)
{
  GError *error = NULL;
  char *subject = NULL;
  char *body = NULL;

  g_assert_false (vesc_template_render (override_dir, template_id, vars, &subject, &body, &error));
  g_assert_error (error, domain, code);
  g_assert_null (subject);
  g_assert_null (body);
  return error;
}

static void
assert_contains (const char *text,
                 const char *needle)
{
  if (strstr (text, needle) == NULL)
    g_error ("“%s” not found in:\n%s", needle, text);
}

/* Built-in templates --------------------------------------------------------- */

static void
test_builtin_resources (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (builtin_ids); i++)
    {
      g_autofree char *path = g_strdup_printf ("/org/libvesc/templates/%s.txt", builtin_ids[i]);
      g_autoptr(GBytes) bytes = g_resources_lookup_data (path, 0, NULL);

      g_assert_nonnull (bytes);
      g_assert_cmpuint (g_bytes_get_size (bytes), >, 0);
    }
}

static void
test_builtin_all_render (void)
{
  g_autoptr(GHashTable) vars = full_vars ();

  for (guint i = 0; i < G_N_ELEMENTS (builtin_ids); i++)
    {
      g_autofree char *subject = NULL;
      g_autofree char *body = NULL;

      g_test_message ("template %s", builtin_ids[i]);
      render_ok (NULL, builtin_ids[i], vars, &subject, &body);
      g_assert_cmpstr (subject, !=, "");
      g_assert_null (strchr (subject, '\n'));
      g_assert_null (strstr (subject, "{{"));
      g_assert_null (strstr (body, "{{"));
      g_assert_null (strstr (body, "}}"));
      g_assert_cmpuint (strlen (body), >, 80);
      g_assert_true (g_str_has_suffix (body, "\n"));
      assert_contains (body, "INC-2018-0042");
    }
}

static void
test_builtin_emails (void)
{
  g_autoptr(GHashTable) vars = full_vars ();
  const char *emails[] = { "email-1", "email-2", "email-3", "email-3-serious" };

  /* What every e-mail to the head teacher carries: the name, the school,
   * help and a contact, and the LTSB it is sent for. */
  for (guint i = 0; i < G_N_ELEMENTS (emails); i++)
    {
      g_autofree char *subject = NULL;
      g_autofree char *body = NULL;

      render_ok (NULL, emails[i], vars, &subject, &body);
      assert_contains (subject, "Hill Primary School");
      assert_contains (body, "Mrs Ann Example");
      assert_contains (body, "10.1.2.3, 10.1.2.4");
      assert_contains (body, "ITD Service Desk");
      assert_contains (body, "itd@council.example.org");
      assert_contains (body, "on behalf of the Learning and Technology Strategy Board");
      assert_contains (body, "CIN");
    }
}

static void
test_builtin_email_specifics (void)
{
  g_autoptr(GHashTable) vars = full_vars ();
  const char *expected[][4] = {
    { "email-1", "3 hours", "Friday 23 March 2018, 14:00 GMT", "Worm traffic on port 445" },
    { "email-2", "30 minutes", "Friday 23 March 2018, 14:30 GMT",
      "Friday 23 March 2018, 11:00 GMT, 3 hours ago" },
    { "email-3", "Pat Principal", "Friday 23 March 2018, 14:35 GMT",
      "e-mail of Friday 23 March 2018, 14:00 GMT" },
    { "email-3-serious", "major: marked as a network-wide threat", "Pat Principal",
      "Worm traffic on port 445" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *subject = NULL;
      g_autofree char *body = NULL;

      render_ok (NULL, expected[i][0], vars, &subject, &body);
      for (guint j = 1; j < 4; j++)
        assert_contains (body, expected[i][j]);
    }
}

static void
test_builtin_notices (void)
{
  g_autoptr(GHashTable) vars = full_vars ();

  /* Internal notices carry the incident's facts and deadlines. */
  for (guint i = 4; i < G_N_ELEMENTS (builtin_ids); i++)
    {
      g_autofree char *subject = NULL;
      g_autofree char *body = NULL;

      render_ok (NULL, builtin_ids[i], vars, &subject, &body);
      assert_contains (subject, "INC-2018-0042");
      assert_contains (body, "Hill Primary School");
      assert_contains (body, "10.1.2.3, 10.1.2.4");
      assert_contains (body, "M3");
      assert_contains (body, "Friday 23 March 2018, 14:00 GMT");
      assert_contains (body, "Friday 23 March 2018, 14:30 GMT");
    }
}

static void
test_builtin_notice_specifics (void)
{
  g_autoptr(GHashTable) vars = full_vars ();
  const char *expected[][2] = {
    { "notice-report", "REPORT-BODY-MARKER" },
    { "notice-check-result", "still present" },
    { "notice-final-check", "still present" },
    { "notice-decision", "Pat Principal" },
    { "notice-kssc", "Schools Support Centre" },
    { "notice-reconnected", "2 hours 15 minutes" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_autofree char *subject = NULL;
      g_autofree char *body = NULL;

      render_ok (NULL, expected[i][0], vars, &subject, &body);
      assert_contains (body, expected[i][1]);
    }
}

/* Errors ---------------------------------------------------------------------- */

static void
test_unknown_variable (void)
{
  g_autofree char *bad = data_dir ("templates-bad");
  g_autoptr(GHashTable) vars = full_vars ();
  g_autoptr(GError) error = NULL;

  error = render_fails (bad, "unknown-variable", vars, VESC_ERROR, VESC_ERROR_PARSE);
  assert_contains (error->message, "unknown-variable.txt:4");
  assert_contains (error->message, "“headteacher”");
  g_clear_error (&error);

  /* A built-in template with a variable missing from the table. */
  g_hash_table_remove (vars, "removal_deadline");
  error = render_fails (NULL, "email-1", vars, VESC_ERROR, VESC_ERROR_PARSE);
  assert_contains (error->message, "email-1.txt:");
  assert_contains (error->message, "“removal_deadline”");
  g_clear_error (&error);

  error = render_fails (NULL, "email-1", NULL, VESC_ERROR, VESC_ERROR_PARSE);
}

static void
test_unterminated (void)
{
  g_autofree char *bad = data_dir ("templates-bad");
  g_autoptr(GHashTable) vars = full_vars ();
  g_autoptr(GError) error = NULL;

  error = render_fails (bad, "unterminated", vars, VESC_ERROR, VESC_ERROR_PARSE);
  assert_contains (error->message, "unterminated.txt:3");
  assert_contains (error->message, "{{");
}

static void
test_missing_subject (void)
{
  g_autofree char *bad = data_dir ("templates-bad");
  g_autoptr(GHashTable) vars = full_vars ();
  g_autoptr(GError) error = NULL;

  error = render_fails (bad, "no-subject", vars, VESC_ERROR, VESC_ERROR_PARSE);
  assert_contains (error->message, "no-subject.txt:1");
  assert_contains (error->message, "Subject:");
  g_clear_error (&error);

  error = render_fails (bad, "empty-subject", vars, VESC_ERROR, VESC_ERROR_PARSE);
  assert_contains (error->message, "empty-subject.txt:1");
  g_clear_error (&error);

  error = render_fails (bad, "no-blank-line", vars, VESC_ERROR, VESC_ERROR_PARSE);
  assert_contains (error->message, "no-blank-line.txt:2");
}

static void
test_unknown_id (void)
{
  g_autofree char *override = data_dir ("templates-override");
  g_autoptr(GHashTable) vars = full_vars ();
  g_autoptr(GError) error = NULL;

  error = render_fails (NULL, "email-9", vars, VESC_ERROR, VESC_ERROR_NOT_FOUND);
  assert_contains (error->message, "“email-9”");
  g_clear_error (&error);

  error = render_fails (override, "email-9", vars, VESC_ERROR, VESC_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* An id is a name, not a path out of the override directory. */
  error = render_fails (override, "../templates-bad/no-subject", vars,
                        VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  error = render_fails (NULL, "", vars, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
}

static void
test_line_break_in_subject_value (void)
{
  g_autoptr(GHashTable) vars = full_vars ();
  g_autoptr(GError) error = NULL;

  g_hash_table_insert (vars, "site_name", "Hill\r\nBcc: all@example.org");
  error = render_fails (NULL, "email-1", vars, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  assert_contains (error->message, "email-1.txt");
}

/* Overrides ------------------------------------------------------------------- */

static void
test_override_wins (void)
{
  g_autofree char *override = data_dir ("templates-override");
  g_autoptr(GHashTable) vars = full_vars ();
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;
  g_autofree char *subject_2 = NULL;
  g_autofree char *body_2 = NULL;

  render_ok (override, "email-1", vars, &subject, &body);
  g_assert_cmpstr (subject, ==, "Council wording: Hill Primary School (INC-2018-0042)");
  g_assert_cmpstr (body, ==,
                   "This text replaces the built-in first e-mail for Hill Primary School.\n"
                   "Window: 3 hours.\n");

  /* Templates the directory does not have still come from the library. */
  render_ok (override, "email-2", vars, &subject_2, &body_2);
  assert_contains (body_2, "30 minutes");
  g_assert_null (strstr (body_2, "Council wording"));
}

static void
test_override_missing_dir (void)
{
  g_autofree char *missing = data_dir ("templates-missing");
  g_autoptr(GHashTable) vars = full_vars ();
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;

  render_ok (missing, "email-1", vars, &subject, &body);
  assert_contains (body, "3 hours");
}

static void
test_crlf_and_bom (void)
{
  g_autofree char *extra = data_dir ("templates-extra");
  g_autoptr(GHashTable) vars = full_vars ();
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;
  g_autofree char *bom_subject = NULL;
  g_autofree char *bom_body = NULL;

  render_ok (extra, "crlf", vars, &subject, &body);
  g_assert_cmpstr (subject, ==, "Hill Primary School");
  g_assert_cmpstr (body, ==, "Written on Windows for INC-2018-0042.\nSecond line.\n");

  render_ok (extra, "bom", vars, &bom_subject, &bom_body);
  g_assert_cmpstr (bom_subject, ==, "With a byte order mark");
  g_assert_cmpstr (bom_body, ==, "Body for INC-2018-0042.\n");
}

static void
test_values_not_expanded (void)
{
  g_autofree char *extra = data_dir ("templates-extra");
  g_autoptr(GHashTable) vars = full_vars ();
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;

  g_hash_table_insert (vars, "summary", "a {{site_name}} and an {{unknown}}");
  render_ok (extra, "nested", vars, &subject, &body);
  g_assert_cmpstr (body, ==, "a {{site_name}} and an {{unknown}}\n");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/template/builtin/resources", test_builtin_resources);
  g_test_add_func ("/template/builtin/all-render", test_builtin_all_render);
  g_test_add_func ("/template/builtin/emails", test_builtin_emails);
  g_test_add_func ("/template/builtin/email-specifics", test_builtin_email_specifics);
  g_test_add_func ("/template/builtin/notices", test_builtin_notices);
  g_test_add_func ("/template/builtin/notice-specifics", test_builtin_notice_specifics);
  g_test_add_func ("/template/error/unknown-variable", test_unknown_variable);
  g_test_add_func ("/template/error/unterminated", test_unterminated);
  g_test_add_func ("/template/error/missing-subject", test_missing_subject);
  g_test_add_func ("/template/error/unknown-id", test_unknown_id);
  g_test_add_func ("/template/error/line-break-in-subject", test_line_break_in_subject_value);
  g_test_add_func ("/template/override/wins", test_override_wins);
  g_test_add_func ("/template/override/missing-dir", test_override_missing_dir);
  g_test_add_func ("/template/override/crlf-and-bom", test_crlf_and_bom);
  g_test_add_func ("/template/override/values-not-expanded", test_values_not_expanded);

  return g_test_run ();
}

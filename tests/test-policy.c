/* test-policy.c: the policy's defaults, loading and validation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <glib/gstdio.h>

#include "vesc.h"

#include "signal-logger.h"

static void
assert_defaults (VescPolicy *policy)
{
  g_assert_cmpint (vesc_policy_get_removal_window (policy), ==, 3 * G_TIME_SPAN_HOUR);
  g_assert_cmpint (vesc_policy_get_final_window (policy), ==, 30 * G_TIME_SPAN_MINUTE);
  g_assert_cmpint (vesc_policy_get_warning_lead (policy), ==, 15 * G_TIME_SPAN_MINUTE);
  g_assert_cmpint (vesc_policy_get_reminder_delay (policy), ==, 30 * G_TIME_SPAN_MINUTE);
  g_assert_cmpuint (vesc_policy_get_machine_threshold (policy), ==, 3);
  g_assert_true (vesc_policy_get_major_at_threshold (policy));
  g_assert_cmpint (vesc_policy_get_recurrence_window (policy), ==, 90 * G_TIME_SPAN_DAY);
  g_assert_cmpuint (vesc_policy_get_recurrence_count (policy), ==, 1);
  g_assert_false (vesc_policy_get_early_check_ends_ladder (policy));
  g_assert_cmpstr (vesc_policy_get_time_zone (policy), ==, "Europe/London");
  g_assert_null (vesc_policy_get_template_dir (policy));
}

static void
test_defaults (void)
{
  g_autoptr(VescPolicy) policy = vesc_policy_new ();
  g_autoptr(GError) error = NULL;
  gint64 removal;
  guint threshold;
  g_autofree char *zone = NULL;

  assert_defaults (policy);
  g_assert_true (vesc_policy_validate (policy, &error));
  g_assert_no_error (error);

  g_object_get (policy,
                "removal-window", &removal, "machine-threshold", &threshold,
                "time-zone", &zone, NULL);
  g_assert_cmpint (removal, ==, 3 * G_TIME_SPAN_HOUR);
  g_assert_cmpuint (threshold, ==, 3);
  g_assert_cmpstr (zone, ==, "Europe/London");
}

static void
test_properties (void)
{
  g_autoptr(VescPolicy) policy = vesc_policy_new ();
  g_autoptr(SignalLogger) logger = signal_logger_new ();

  signal_logger_connect (logger, policy, "notify");

  /* The same values are no change. */
  g_object_set (policy,
                "removal-window", 3 * G_TIME_SPAN_HOUR, "time-zone", "Europe/London",
                "major-at-threshold", TRUE, "template-dir", NULL, NULL);
  signal_logger_assert_empty (logger);

  g_object_set (policy,
                "removal-window", (gint64) G_TIME_SPAN_HOUR, "recurrence-count", 0u,
                "early-check-ends-ladder", TRUE, "template-dir", "/srv/templates", NULL);
  g_assert_true (signal_logger_pop (logger, policy, "notify::removal-window", NULL, NULL));
  g_assert_true (signal_logger_pop (logger, policy, "notify::recurrence-count", NULL, NULL));
  g_assert_true (signal_logger_pop (logger, policy, "notify::early-check-ends-ladder",
                                    NULL, NULL));
  g_assert_true (signal_logger_pop (logger, policy, "notify::template-dir", NULL, NULL));
  signal_logger_assert_empty (logger);

  g_assert_cmpint (vesc_policy_get_removal_window (policy), ==, G_TIME_SPAN_HOUR);
  g_assert_cmpuint (vesc_policy_get_recurrence_count (policy), ==, 0);
  g_assert_true (vesc_policy_get_early_check_ends_ladder (policy));
  g_assert_cmpstr (vesc_policy_get_template_dir (policy), ==, "/srv/templates");

  /* No time zone means the default one. */
  g_object_set (policy, "time-zone", "UTC", NULL);
  g_object_set (policy, "time-zone", NULL, NULL);
  g_assert_cmpstr (vesc_policy_get_time_zone (policy), ==, "Europe/London");
}

static void
test_construct (void)
{
  g_autoptr(VescPolicy) policy = NULL;

  policy = g_object_new (VESC_TYPE_POLICY,
                         "final-window", (gint64) 45 * G_TIME_SPAN_MINUTE,
                         "machine-threshold", 2u,
                         NULL);
  g_assert_cmpint (vesc_policy_get_final_window (policy), ==, 45 * G_TIME_SPAN_MINUTE);
  g_assert_cmpuint (vesc_policy_get_machine_threshold (policy), ==, 2);
  g_assert_cmpint (vesc_policy_get_removal_window (policy), ==, 3 * G_TIME_SPAN_HOUR);
  g_assert_true (vesc_policy_validate (policy, NULL));
}

static void
test_validate (void)
{
  g_autoptr(VescPolicy) policy = vesc_policy_new ();
  g_autoptr(GError) error = NULL;

  g_object_set (policy, "warning-lead", (gint64) 45 * G_TIME_SPAN_MINUTE, NULL);
  g_assert_false (vesc_policy_validate (policy, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_POLICY);
  g_assert_nonnull (strstr (error->message, "warning_lead"));
  g_assert_nonnull (strstr (error->message, "final_window"));
  g_assert_nonnull (strstr (error->message, "45 minutes"));
  g_clear_error (&error);

  g_object_set (policy, "warning-lead", (gint64) 3 * G_TIME_SPAN_HOUR,
                "final-window", (gint64) 4 * G_TIME_SPAN_HOUR, NULL);
  g_assert_false (vesc_policy_validate (policy, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_POLICY);
  g_assert_nonnull (strstr (error->message, "removal_window"));
  g_clear_error (&error);

  /* No warnings at all is fine with any window. */
  g_object_set (policy, "warning-lead", (gint64) 0, NULL);
  g_assert_true (vesc_policy_validate (policy, &error));
  g_assert_no_error (error);

  g_object_set (policy, "time-zone", "Mars/Olympus_Mons", NULL);
  g_assert_false (vesc_policy_validate (policy, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_POLICY);
  g_assert_nonnull (strstr (error->message, "Mars/Olympus_Mons"));
  g_clear_error (&error);

  g_object_set (policy, "time-zone", "", NULL);
  g_assert_false (vesc_policy_validate (policy, &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_POLICY);
  g_assert_nonnull (strstr (error->message, "time_zone"));
  g_clear_error (&error);

  g_object_set (policy, "time-zone", "America/New_York", NULL);
  g_assert_true (vesc_policy_validate (policy, &error));
  g_assert_no_error (error);
}

static void
test_load_good (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "data", "policy-good.json", NULL);
  g_autofree char *templates = g_test_build_filename (G_TEST_DIST, "data", "policy-templates",
                                                      NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(VescPolicy) policy = NULL;

  policy = vesc_policy_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (policy);

  g_assert_cmpint (vesc_policy_get_removal_window (policy), ==, 90 * G_TIME_SPAN_MINUTE);
  g_assert_cmpint (vesc_policy_get_final_window (policy), ==, 10 * G_TIME_SPAN_MINUTE);
  g_assert_cmpint (vesc_policy_get_warning_lead (policy), ==, 5 * G_TIME_SPAN_MINUTE);
  g_assert_cmpint (vesc_policy_get_reminder_delay (policy), ==, 0);
  g_assert_cmpuint (vesc_policy_get_machine_threshold (policy), ==, 5);
  g_assert_false (vesc_policy_get_major_at_threshold (policy));
  g_assert_cmpint (vesc_policy_get_recurrence_window (policy), ==, 30 * G_TIME_SPAN_DAY);
  g_assert_cmpuint (vesc_policy_get_recurrence_count (policy), ==, 2);
  g_assert_true (vesc_policy_get_early_check_ends_ladder (policy));
  g_assert_cmpstr (vesc_policy_get_time_zone (policy), ==, "UTC");
  /* Relative to the policy file, not to the current directory. */
  g_assert_cmpstr (vesc_policy_get_template_dir (policy), ==, templates);
}

static void
test_load_data (void)
{
  static const struct { const char *data; GTimeSpan removal; } durations[] = {
    { "{\"removal_window\": \"3h\"}", 3 * G_TIME_SPAN_HOUR },
    { "{\"removal_window\": \"30m\"}", 30 * G_TIME_SPAN_MINUTE },
    { "{\"removal_window\": \"90d\"}", 90 * G_TIME_SPAN_DAY },
    /* A window shorter than the default warning needs the warning off. */
    { "{\"removal_window\": \"45s\", \"warning_lead\": 0}", 45 * G_TIME_SPAN_SECOND },
    { "{\"removal_window\": \"1h30m\"}", 90 * G_TIME_SPAN_MINUTE },
    { "{\"removal_window\": \"2d3h4m5s\"}",
      2 * G_TIME_SPAN_DAY + 3 * G_TIME_SPAN_HOUR + 4 * G_TIME_SPAN_MINUTE +
      5 * G_TIME_SPAN_SECOND },
    { "{\"removal_window\": 10800}", 3 * G_TIME_SPAN_HOUR },
    { "{\"removal_window\": \"0h90m\"}", 90 * G_TIME_SPAN_MINUTE },
  };
  g_autoptr(VescPolicy) empty = NULL;
  g_autoptr(VescPolicy) null_dir = NULL;
  g_autoptr(VescPolicy) relative = NULL;
  g_autoptr(GError) error = NULL;
  gsize i;

  empty = vesc_policy_new_from_data ("{}", -1, &error);
  g_assert_no_error (error);
  assert_defaults (empty);

  null_dir = vesc_policy_new_from_data ("{\"template_dir\": null}", -1, &error);
  g_assert_no_error (error);
  g_assert_null (vesc_policy_get_template_dir (null_dir));

  relative = vesc_policy_new_from_data ("{\"template_dir\": \"mine\"}", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vesc_policy_get_template_dir (relative), ==, "mine");

  for (i = 0; i < G_N_ELEMENTS (durations); i++)
    {
      g_autoptr(VescPolicy) policy = vesc_policy_new_from_data (durations[i].data, -1, &error);

      g_assert_no_error (error);
      g_assert_cmpint (vesc_policy_get_removal_window (policy), ==, durations[i].removal);
    }
}

typedef struct {
  const char *data;
  int code;
  const char *fragment;
} BadPolicy;

static const BadPolicy bad_policies[] = {
  { "", VESC_ERROR_PARSE, "" },
  { "{", VESC_ERROR_PARSE, "" },
  { "[1, 2]", VESC_ERROR_PARSE, "object" },
  { "{\"removal_windw\": \"3h\"}", VESC_ERROR_PARSE, "removal_windw" },
  { "{\"removal-window\": \"3h\"}", VESC_ERROR_PARSE, "removal-window" },
  { "{\"removal_window\": 0}", VESC_ERROR_INVALID_POLICY, "removal_window" },
  { "{\"removal_window\": \"0s\"}", VESC_ERROR_INVALID_POLICY, "removal_window" },
  { "{\"final_window\": -5}", VESC_ERROR_INVALID_POLICY, "final_window" },
  { "{\"recurrence_window\": 0}", VESC_ERROR_INVALID_POLICY, "recurrence_window" },
  { "{\"reminder_delay\": -1}", VESC_ERROR_INVALID_POLICY, "reminder_delay" },
  { "{\"removal_window\": \"3 hours\"}", VESC_ERROR_INVALID_POLICY, "3 hours" },
  { "{\"removal_window\": \"-3h\"}", VESC_ERROR_INVALID_POLICY, "removal_window" },
  { "{\"removal_window\": \"1m30h\"}", VESC_ERROR_INVALID_POLICY, "1m30h" },
  { "{\"removal_window\": \"3h3h\"}", VESC_ERROR_INVALID_POLICY, "3h3h" },
  { "{\"removal_window\": \"h\"}", VESC_ERROR_INVALID_POLICY, "removal_window" },
  { "{\"removal_window\": \"3\"}", VESC_ERROR_INVALID_POLICY, "removal_window" },
  { "{\"removal_window\": \"\"}", VESC_ERROR_INVALID_POLICY, "removal_window" },
  { "{\"removal_window\": \"3H\"}", VESC_ERROR_INVALID_POLICY, "3H" },
  { "{\"recurrence_window\": \"99999999999999999999d\"}", VESC_ERROR_INVALID_POLICY,
    "recurrence_window" },
  { "{\"recurrence_window\": 99999999999999}", VESC_ERROR_INVALID_POLICY, "recurrence_window" },
  { "{\"removal_window\": 1.5}", VESC_ERROR_PARSE, "removal_window" },
  { "{\"removal_window\": true}", VESC_ERROR_PARSE, "removal_window" },
  { "{\"removal_window\": null}", VESC_ERROR_PARSE, "removal_window" },
  { "{\"warning_lead\": \"45m\"}", VESC_ERROR_INVALID_POLICY, "warning_lead" },
  { "{\"machine_threshold\": 0}", VESC_ERROR_INVALID_POLICY, "machine_threshold" },
  { "{\"machine_threshold\": -1}", VESC_ERROR_INVALID_POLICY, "machine_threshold" },
  { "{\"machine_threshold\": 5000000000}", VESC_ERROR_INVALID_POLICY, "machine_threshold" },
  { "{\"machine_threshold\": \"3\"}", VESC_ERROR_PARSE, "machine_threshold" },
  { "{\"recurrence_count\": 1.0}", VESC_ERROR_PARSE, "recurrence_count" },
  { "{\"major_at_threshold\": \"yes\"}", VESC_ERROR_PARSE, "major_at_threshold" },
  { "{\"early_check_ends_ladder\": 1}", VESC_ERROR_PARSE, "early_check_ends_ladder" },
  { "{\"time_zone\": \"Mars/Olympus_Mons\"}", VESC_ERROR_INVALID_POLICY, "Mars/Olympus_Mons" },
  { "{\"time_zone\": \"\"}", VESC_ERROR_INVALID_POLICY, "time_zone" },
  { "{\"time_zone\": null}", VESC_ERROR_PARSE, "time_zone" },
  { "{\"time_zone\": [\"UTC\"]}", VESC_ERROR_PARSE, "time_zone" },
  { "{\"template_dir\": 5}", VESC_ERROR_PARSE, "template_dir" },
};

static void
test_load_bad (void)
{
  gsize i;

  for (i = 0; i < G_N_ELEMENTS (bad_policies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VescPolicy) policy = NULL;

      policy = vesc_policy_new_from_data (bad_policies[i].data, -1, &error);
      g_test_message ("%s: %s", bad_policies[i].data, error != NULL ? error->message : "no error");
      g_assert_null (policy);
      g_assert_error (error, VESC_ERROR, bad_policies[i].code);
      g_assert_nonnull (strstr (error->message, bad_policies[i].fragment));
    }
}

static void
test_load_file_errors (void)
{
  g_autofree char *unknown = g_test_build_filename (G_TEST_DIST, "data",
                                                    "policy-unknown-field.json", NULL);
  g_autofree char *warning = g_test_build_filename (G_TEST_DIST, "data",
                                                    "policy-warning-too-long.json", NULL);
  g_autofree char *missing = g_build_filename (g_get_user_config_dir (), "none.json", NULL);
  g_autofree char *large = g_build_filename (g_get_user_config_dir (), "large.json", NULL);
  g_autofree char *bad_json = g_build_filename (g_get_user_config_dir (), "bad.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(VescPolicy) policy = NULL;

  g_assert_no_errno (g_mkdir_with_parents (g_get_user_config_dir (), 0700));
  g_assert_true (g_file_set_contents (bad_json, "{\n  \"removal_window\" \"3h\"\n}\n", -1, NULL));

  policy = vesc_policy_new_from_file (unknown, &error);
  g_assert_null (policy);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, unknown));
  g_assert_nonnull (strstr (error->message, "final_windw"));
  g_clear_error (&error);

  policy = vesc_policy_new_from_file (warning, &error);
  g_assert_null (policy);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_POLICY);
  g_assert_true (g_str_has_prefix (error->message, warning));
  g_assert_nonnull (strstr (error->message, "warning_lead"));
  g_clear_error (&error);

  policy = vesc_policy_new_from_file (bad_json, &error);
  g_assert_null (policy);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_PARSE);
  g_assert_true (g_str_has_prefix (error->message, bad_json));
  g_assert_nonnull (strstr (error->message, "bad.json:2:"));
  g_clear_error (&error);

  policy = vesc_policy_new_from_file (missing, &error);
  g_assert_null (policy);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "none.json"));
  g_clear_error (&error);

  /* Valid JSON, but past the limit. */
  contents = g_strnfill (1024 * 1024 + 1, ' ');
  contents[0] = '{';
  contents[1024 * 1024] = '}';
  g_assert_true (g_file_set_contents (large, contents, -1, NULL));
  policy = vesc_policy_new_from_file (large, &error);
  g_assert_null (policy);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "large.json"));
  g_clear_error (&error);

  policy = vesc_policy_new_from_data (contents, -1, &error);
  g_assert_null (policy);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/policy/defaults", test_defaults);
  g_test_add_func ("/policy/properties", test_properties);
  g_test_add_func ("/policy/construct", test_construct);
  g_test_add_func ("/policy/validate", test_validate);
  g_test_add_func ("/policy/load/good", test_load_good);
  g_test_add_func ("/policy/load/data", test_load_data);
  g_test_add_func ("/policy/load/bad", test_load_bad);
  g_test_add_func ("/policy/load/file-errors", test_load_file_errors);

  return g_test_run ();
}

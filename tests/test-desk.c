/* test-desk.c: opening incidents, detections, notifiers and bad input at the desk
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <libvesc/vesc.h>
#include "vesc-system-clock-private.h"

#include "recording-notifier.h"
#include "signal-logger.h"

typedef struct {
  VescDirectory   *directory;
  VescPolicy      *policy;
  VescManualClock *clock;
  VescDesk        *desk;
  SignalLogger    *logger;
} Fixture;

static void
add_site (VescDirectory *directory,
          const char    *id,
          const char    *subnet)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VescSite) site = vesc_site_new (id, "Oakfield Ysgol Gymraeg", &error);

  g_assert_true (vesc_site_set_head_teacher (site, "Head", "head@schools.example.org", &error));
  g_assert_true (vesc_site_set_relationship_manager (site, "RM", "rm@council.example.org",
                                                     &error));
  g_assert_true (vesc_site_add_subnet (site, subnet, &error));
  g_assert_true (vesc_directory_add_site (directory, site, &error));
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GDateTime) start = g_date_time_new_utc (2026, 6, 1, 8, 30, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(VescRecipient) pm = vesc_recipient_new (VESC_ROLE_PRINCIPAL_MANAGER, "PM",
                                                    "pm@council.example.org", &error);

  fixture->directory = vesc_directory_new ();
  add_site (fixture->directory, "SCH101", "10.47.1.0/24");
  add_site (fixture->directory, "SCH108", "fd00:47:8::/48");
  g_assert_true (vesc_directory_add_contact (fixture->directory, pm, &error));
  fixture->policy = vesc_policy_new ();
  fixture->clock = vesc_manual_clock_new (start);
  fixture->desk = vesc_desk_new (fixture->directory, fixture->policy, VESC_CLOCK (fixture->clock),
                                 NULL, &error);
  g_assert_no_error (error);
  fixture->logger = signal_logger_new ();
  signal_logger_connect (fixture->logger, fixture->desk, "escalation-opened");
  signal_logger_connect (fixture->logger, fixture->desk, "unmatched-detection");
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  signal_logger_free (fixture->logger);
  g_clear_object (&fixture->desk);
  g_clear_object (&fixture->clock);
  g_clear_object (&fixture->policy);
  g_clear_object (&fixture->directory);
}

static guint
n_escalations (Fixture *fixture)
{
  return g_list_model_get_n_items (vesc_desk_get_escalations (fixture->desk));
}

static guint
n_records (Fixture *fixture)
{
  g_autoptr(GPtrArray) records = vesc_store_load (vesc_desk_get_store (fixture->desk), NULL);

  return records->len;
}

static void
drain_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Checks a refused call left no escalation and no record behind. */
#define ASSERT_NOTHING_OPENED(fixture, call, code) \
  G_STMT_START { \
    guint before_ = n_records (fixture); \
    VescEscalation *result_ = (call); \
    g_assert_null (result_); \
    g_assert_error (error, VESC_ERROR, (code)); \
    g_assert_cmpuint (n_records (fixture), ==, before_); \
    g_clear_error (&error); \
  } G_STMT_END

static void
test_unmatched_empty (Fixture       *fixture,
                      gconstpointer  data)
{
  const char * const *unmatched = vesc_desk_get_unmatched_addresses (fixture->desk);

  g_assert_nonnull (unmatched);
  g_assert_null (unmatched[0]);
}

static void
test_open_bad_input (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *devices[] = { "10.47.1.5", NULL };
  const char *no_devices[] = { NULL };
  const char *empty_device[] = { "", NULL };
  GError *error = NULL;

  ASSERT_NOTHING_OPENED (fixture, vesc_desk_open_incident (fixture->desk, "SCH999", devices, "x",
                                                           FALSE, "ITD", &error),
                         VESC_ERROR_UNKNOWN_SITE);
  ASSERT_NOTHING_OPENED (fixture, vesc_desk_open_incident (fixture->desk, "SCH101", no_devices,
                                                           "x", FALSE, "ITD", &error),
                         VESC_ERROR_INVALID_INPUT);
  ASSERT_NOTHING_OPENED (fixture, vesc_desk_open_incident (fixture->desk, "SCH101", empty_device,
                                                           "x", FALSE, "ITD", &error),
                         VESC_ERROR_INVALID_INPUT);
  ASSERT_NOTHING_OPENED (fixture, vesc_desk_open_incident (fixture->desk, "SCH101", devices,
                                                           "worm\r\nBcc: all@example.org", FALSE,
                                                           "ITD", &error),
                         VESC_ERROR_INVALID_INPUT);
  ASSERT_NOTHING_OPENED (fixture, vesc_desk_open_incident (fixture->desk, "SCH101", devices, "x",
                                                           FALSE, "", &error),
                         VESC_ERROR_INVALID_INPUT);
  g_assert_cmpuint (n_escalations (fixture), ==, 0);
  g_assert_cmpuint (signal_logger_count (fixture->logger, NULL), ==, 0);
}

static void
test_open_duplicate (Fixture       *fixture,
                     gconstpointer  data)
{
  const char *devices[] = { "10.47.1.5", "10.47.1.5", "10.47.1.6", NULL };
  GError *error = NULL;
  VescEscalation *first;
  VescIncident *incident;

  first = vesc_desk_open_incident (fixture->desk, "SCH101", devices, "x", FALSE, "ITD", &error);
  g_assert_no_error (error);
  incident = vesc_escalation_get_incident (first);
  g_assert_cmpuint (vesc_incident_get_n_devices (incident), ==, 2);
  g_assert_cmpstr (vesc_incident_get_id (incident), ==, "INC-20260601-0001");
  g_assert_true (vesc_desk_lookup_escalation (fixture->desk, "INC-20260601-0001") == first);
  g_assert_true (vesc_desk_lookup_open_for_site (fixture->desk, "SCH101") == first);
  ASSERT_NOTHING_OPENED (fixture, vesc_desk_open_incident (fixture->desk, "SCH101", devices, "x",
                                                           FALSE, "ITD", &error),
                         VESC_ERROR_DUPLICATE);
  g_assert_cmpuint (n_escalations (fixture), ==, 1);
}

static void
test_detection_opens_and_adds (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  VescEscalation *first, *again;
  VescIncident *incident;

  first = vesc_desk_report_detection (fixture->desk, "10.47.1.20", "ET TROJAN one", &error);
  g_assert_no_error (error);
  incident = vesc_escalation_get_incident (first);
  g_assert_cmpstr (vesc_site_get_id (vesc_incident_get_site (incident)), ==, "SCH101");
  g_assert_cmpstr (vesc_escalation_get_step (first), ==, "M5");
  g_assert_true (signal_logger_pop (fixture->logger, fixture->desk, "escalation-opened", NULL,
                                    NULL));

  again = vesc_desk_report_detection (fixture->desk, "10.47.1.20", "ET TROJAN again", &error);
  g_assert_true (again == first);
  g_assert_cmpuint (vesc_incident_get_n_devices (incident), ==, 1);
  vesc_desk_report_detection (fixture->desk, "10.47.1.21", "ET TROJAN two", &error);
  g_assert_cmpuint (vesc_incident_get_n_devices (incident), ==, 2);
  g_assert_cmpint (vesc_incident_get_scenario (incident), ==, VESC_SCENARIO_MINOR);
  /* The third machine reaches the threshold: upgraded at once. */
  vesc_desk_report_detection (fixture->desk, "10.47.1.22", "ET TROJAN three", &error);
  g_assert_no_error (error);
  g_assert_cmpint (vesc_incident_get_scenario (incident), ==, VESC_SCENARIO_MAJOR);
  g_assert_cmpstr (vesc_escalation_get_step (first), ==, "R2");
  g_assert_cmpuint (n_escalations (fixture), ==, 1);
  signal_logger_assert_empty (fixture->logger);
}

static void
test_detection_ipv6 (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  VescEscalation *escalation;

  escalation = vesc_desk_report_detection (fixture->desk, "fd00:47:8:1::25", "ET SCAN", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vesc_site_get_id (vesc_incident_get_site (vesc_escalation_get_incident (
                                        escalation))), ==, "SCH108");
}

static void
test_detection_host_name (Fixture       *fixture,
                          gconstpointer  data)
{
  VescSite *site = vesc_directory_lookup_site (fixture->directory, "SCH108");
  GError *error = NULL;
  VescEscalation *escalation;

  g_assert_true (vesc_site_add_hostname (site, "el33t-b00k-1", &error));
  /* Antivirus products report the machine's name, in any case. */
  escalation = vesc_desk_report_detection (fixture->desk, "EL33T-B00K-1", "Virus:DOS/EICAR",
                                           &error);
  g_assert_no_error (error);
  g_assert_true (vesc_incident_get_site (vesc_escalation_get_incident (escalation)) == site);
  g_assert_cmpstr (vesc_incident_get_devices (vesc_escalation_get_incident (escalation))[0], ==,
                   "el33t-b00k-1");
  vesc_desk_report_detection (fixture->desk, "el33t-b00k-1.", "Virus:DOS/EICAR", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vesc_incident_get_n_devices (vesc_escalation_get_incident (escalation)), ==, 1);
  g_assert_true (signal_logger_pop (fixture->logger, fixture->desk, "escalation-opened", NULL,
                                    NULL));
  ASSERT_NOTHING_OPENED (fixture, vesc_desk_report_detection (fixture->desk, "testserver4",
                                                              "Malware", &error),
                         VESC_ERROR_UNKNOWN_SITE);
  g_assert_cmpstr (vesc_desk_get_unmatched_addresses (fixture->desk)[0], ==, "testserver4");
  g_assert_true (signal_logger_pop (fixture->logger, fixture->desk, "unmatched-detection", NULL,
                                    NULL));
  signal_logger_assert_empty (fixture->logger);
}

static void
test_detection_unmatched (Fixture       *fixture,
                          gconstpointer  data)
{
  GError *error = NULL;
  const char * const *unmatched;
  GValue *args = NULL;
  guint n = 0;

  ASSERT_NOTHING_OPENED (fixture, vesc_desk_report_detection (fixture->desk, "10.128.0.210",
                                                              "ET SCAN", &error),
                         VESC_ERROR_UNKNOWN_SITE);
  unmatched = vesc_desk_get_unmatched_addresses (fixture->desk);
  g_assert_cmpstr (unmatched[0], ==, "10.128.0.210");
  g_assert_null (unmatched[1]);
  g_assert_true (signal_logger_pop (fixture->logger, fixture->desk, "unmatched-detection", NULL,
                                    NULL));
  vesc_desk_report_detection (fixture->desk, "192.0.2.7", "ET SCAN", &error);
  g_clear_error (&error);
  /* Kept in the order they came. */
  g_assert_cmpstr (vesc_desk_get_unmatched_addresses (fixture->desk)[1], ==, "192.0.2.7");
  g_assert_true (signal_logger_pop (fixture->logger, fixture->desk, "unmatched-detection", &args,
                                    &n));
  g_assert_cmpstr (g_value_get_string (&args[0]), ==, "192.0.2.7");
  g_assert_cmpstr (g_value_get_string (&args[1]), ==, "ET SCAN");
  signal_logger_args_free (args, n);

  /* A malformed address is an error of its own, and is not "of no school". */
  ASSERT_NOTHING_OPENED (fixture, vesc_desk_report_detection (fixture->desk, "10.47.1",
                                                              "ET SCAN", &error),
                         VESC_ERROR_INVALID_INPUT);
  g_assert_null (vesc_desk_get_unmatched_addresses (fixture->desk)[2]);
  signal_logger_assert_empty (fixture->logger);
  g_assert_cmpuint (n_escalations (fixture), ==, 0);
}

static void
test_invalid_policy (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(VescPolicy) policy = vesc_policy_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(VescDesk) desk = NULL;

  /* A warning due before its window even starts cannot be kept. */
  g_object_set (policy, "final-window", 10 * G_TIME_SPAN_MINUTE,
                "warning-lead", 15 * G_TIME_SPAN_MINUTE, NULL);
  desk = vesc_desk_new (fixture->directory, policy, VESC_CLOCK (fixture->clock), NULL, &error);
  g_assert_null (desk);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_POLICY);
}

static gboolean
timeline_has_warning (VescEscalation *escalation,
                      const char     *needle)
{
  GListModel *timeline = vesc_incident_get_timeline (vesc_escalation_get_incident (escalation));

  for (guint i = 0; i < g_list_model_get_n_items (timeline); i++)
    {
      g_autoptr(VescEvent) event = g_list_model_get_item (timeline, i);

      if (vesc_event_get_kind (event) == VESC_EVENT_KIND_WARNING &&
          strstr (vesc_event_get_detail (event), needle) != NULL)
        return TRUE;
    }
  return FALSE;
}

static void
test_notifiers (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(RecordingNotifier) good = recording_notifier_new ();
  g_autoptr(RecordingNotifier) bad = recording_notifier_new ();
  g_autoptr(GError) error = NULL;
  VescEscalation *escalation;

  bad->fail = TRUE;
  vesc_desk_add_notifier (fixture->desk, VESC_NOTIFIER (good));
  vesc_desk_add_notifier (fixture->desk, VESC_NOTIFIER (good));
  /* A second notifier of the same type needs a name of its own. */
  g_assert_false (vesc_desk_add_named_notifier (fixture->desk, VESC_NOTIFIER (bad),
                                                "RecordingNotifier"));
  g_assert_true (vesc_desk_add_named_notifier (fixture->desk, VESC_NOTIFIER (bad), "failing"));
  signal_logger_connect (fixture->logger, fixture->desk, "notification-failed");

  escalation = vesc_desk_report_detection (fixture->desk, "10.47.1.20", "ET TROJAN", &error);
  g_assert_no_error (error);
  /* Two messages, each handed to both notifiers, none finished yet. */
  g_assert_cmpuint (vesc_desk_get_n_pending (fixture->desk), ==, 4);
  drain_main_context ();
  g_assert_cmpuint (vesc_desk_get_n_pending (fixture->desk), ==, 0);
  /* Registered twice, sent once: notice-opened and e-mail 1 (no KSSC contact). */
  g_assert_cmpuint (good->sent->len, ==, 2);

  /* The failing one is tried again, waiting longer each time: 1, 2, 4, 8 min. */
  for (guint attempt = 2; attempt <= 5; attempt++)
    {
      g_assert_cmpuint (signal_logger_count (fixture->logger, "notification-failed"), ==, 0);
      vesc_manual_clock_advance (fixture->clock, 16 * G_TIME_SPAN_MINUTE);
      drain_main_context ();
    }
  g_assert_cmpuint (signal_logger_count (fixture->logger, "notification-failed"), ==, 2);
  g_assert_true (timeline_has_warning (escalation, "after 5 attempts: mail server down"));
  /* A failing notifier does not stall the escalation or the others. */
  g_assert_cmpstr (vesc_escalation_get_step (escalation), ==, "M5");
  g_assert_cmpuint (good->sent->len, ==, 2);

  vesc_manual_clock_advance (fixture->clock, 2 * G_TIME_SPAN_HOUR);
  g_assert_true (vesc_escalation_record_check (escalation, VESC_CHECK_RESULT_PRESENT, "ITD",
                                               &error));
  drain_main_context ();
  g_assert_cmpuint (good->sent->len, ==, 5);
}

static void
test_closed_frees_site (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  VescEscalation *first, *second;

  first = vesc_desk_report_detection (fixture->desk, "10.47.1.20", "ET TROJAN", &error);
  vesc_manual_clock_advance (fixture->clock, 3 * G_TIME_SPAN_HOUR);
  g_assert_true (vesc_escalation_record_check (first, VESC_CHECK_RESULT_ABSENT, "ITD", &error));
  g_assert_null (vesc_desk_lookup_open_for_site (fixture->desk, "SCH101"));
  second = vesc_desk_report_detection (fixture->desk, "10.47.1.20", "ET TROJAN", &error);
  g_assert_no_error (error);
  g_assert_true (second != first);
  g_assert_cmpstr (vesc_incident_get_id (vesc_escalation_get_incident (second)), ==,
                   "INC-20260601-0002");
  /* The site had an incident opened three hours ago. */
  g_assert_cmpint (vesc_incident_get_scenario (vesc_escalation_get_incident (second)), ==,
                   VESC_SCENARIO_REOCCURRING);
}

static void
test_dispose_with_open_escalations (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VescEscalation) kept = NULL;

  kept = g_object_ref (vesc_desk_report_detection (fixture->desk, "10.47.1.20", "x", &error));
  g_clear_object (&fixture->desk);
  /* The clock no longer fires for it, and it takes no input. */
  g_assert_cmpuint (vesc_clock_get_n_alarms (VESC_CLOCK (fixture->clock)), ==, 0);
  vesc_manual_clock_advance (fixture->clock, 5 * G_TIME_SPAN_HOUR);
  g_assert_false (vesc_escalation_report_removal (kept, "ITD", &error));
  g_assert_error (error, VESC_ERROR, VESC_ERROR_CLOSED);
}

static void
count_removal (VescEscalation *escalation,
               VescDeadline   *deadline,
               guint          *n_fired)
{
  (*n_fired)++;
}

/* On the wall clock, a resume from suspend three hours later must fire D1
 * at once; the test steps the clock as the kernel would tell it. */
static void
test_system_clock_step (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(VescSystemClock) clock = vesc_system_clock_new ();
  g_autoptr(VescDesk) desk = NULL;
  g_autoptr(GError) error = NULL;
  VescEscalation *escalation;
  guint n_fired = 0;
  gint64 give_up;

  desk = vesc_desk_new (fixture->directory, fixture->policy, VESC_CLOCK (clock), NULL, &error);
  escalation = vesc_desk_report_detection (desk, "10.47.1.20", "ET TROJAN", &error);
  g_assert_no_error (error);
  g_signal_connect (escalation, "deadline-reached::removal", G_CALLBACK (count_removal),
                    &n_fired);
  vesc_system_clock_step_for_tests (clock, 3 * G_TIME_SPAN_HOUR + G_TIME_SPAN_SECOND);
  give_up = g_get_monotonic_time () + 2 * G_TIME_SPAN_SECOND;
  while (n_fired == 0 && g_get_monotonic_time () < give_up)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (n_fired, ==, 1);
  g_assert_cmpstr (vesc_escalation_get_step (escalation), ==, "M6");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/desk/open/bad-input", test_open_bad_input);
  ADD ("/desk/open/duplicate", test_open_duplicate);
  ADD ("/desk/detection/opens-and-adds", test_detection_opens_and_adds);
  ADD ("/desk/detection/ipv6", test_detection_ipv6);
  ADD ("/desk/detection/unmatched", test_detection_unmatched);
  ADD ("/desk/detection/host-name", test_detection_host_name);
  ADD ("/desk/detection/unmatched-empty", test_unmatched_empty);
  ADD ("/desk/policy/invalid", test_invalid_policy);
  ADD ("/desk/notifiers", test_notifiers);
  ADD ("/desk/closed-frees-site", test_closed_frees_site);
  ADD ("/desk/dispose", test_dispose_with_open_escalations);
  ADD ("/desk/system-clock-step", test_system_clock_step);

#undef ADD

  return g_test_run ();
}

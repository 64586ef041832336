/* test-escalation.c: every step of both tracks, every deadline, every input
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <libvesc/vesc.h>

#include "signal-logger.h"

#define HOUR   G_TIME_SPAN_HOUR
#define MINUTE G_TIME_SPAN_MINUTE
#define SECOND G_TIME_SPAN_SECOND

typedef struct {
  VescDirectory   *directory;
  VescPolicy      *policy;
  VescManualClock *clock;
  VescDesk        *desk;
  SignalLogger    *logger;
  GPtrArray       *messages;   /* VescNotification, in the order queued */
  GDateTime       *start;
} Fixture;

static VescSite *
make_site (const char *id,
           const char *subnet,
           gboolean    kssc)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VescSite) site = vesc_site_new (id, "Northwood St Mary & St John's Primary", &error);

  g_assert_no_error (error);
  g_assert_true (vesc_site_set_head_teacher (site, "Head Teacher", "head@schools.example.org",
                                             &error));
  g_assert_true (vesc_site_set_relationship_manager (site, "Relationship Manager North",
                                                     "rm.north@council.example.org", &error));
  vesc_site_set_kssc_supported (site, kssc);
  g_assert_true (vesc_site_add_subnet (site, subnet, &error));
  g_assert_no_error (error);
  return g_steal_pointer (&site);
}

static void
add_contact (VescDirectory *directory,
             VescRole       role,
             const char    *name,
             const char    *email)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VescRecipient) contact = vesc_recipient_new (role, name, email, &error);

  g_assert_no_error (error);
  g_assert_true (vesc_directory_add_contact (directory, contact, &error));
}

static VescDirectory *
make_directory (void)
{
  g_autoptr(GError) error = NULL;
  VescDirectory *directory = vesc_directory_new ();
  g_autoptr(VescSite) kssc = make_site ("SCH101", "10.47.1.0/24", TRUE);
  g_autoptr(VescSite) own = make_site ("SCH103", "10.47.3.0/24", FALSE);
  g_autoptr(VescSite) bare = NULL;

  bare = vesc_site_new ("SCH199", "Site With No Head Teacher Address", &error);
  g_assert_true (vesc_site_add_subnet (bare, "10.47.99.0/24", &error));
  g_assert_true (vesc_directory_add_site (directory, kssc, &error));
  g_assert_true (vesc_directory_add_site (directory, own, &error));
  g_assert_true (vesc_directory_add_site (directory, bare, &error));
  g_assert_no_error (error);
  add_contact (directory, VESC_ROLE_ITD, "Corporate ITD Help Desk", "itd@council.example.org");
  add_contact (directory, VESC_ROLE_PRINCIPAL_MANAGER, "Principal Manager", "pm@council.example.org");
  add_contact (directory, VESC_ROLE_KSSC, "Schools Support Centre", "kssc@support.example.org");
  add_contact (directory, VESC_ROLE_LTSB, "Learning and Technology Strategy Board",
               "ltsb@council.example.org");
  return directory;
}

static void
on_escalation_opened (VescDesk       *desk,
                      VescEscalation *escalation,
                      Fixture        *fixture);

static void
on_notification (VescEscalation   *escalation,
                 VescNotification *notification,
                 Fixture          *fixture)
{
  g_ptr_array_add (fixture->messages, g_object_ref (notification));
}

static void
on_escalation_opened (VescDesk       *desk,
                      VescEscalation *escalation,
                      Fixture        *fixture)
{
  g_signal_connect (escalation, "notification-queued", G_CALLBACK (on_notification), fixture);
  signal_logger_connect (fixture->logger, escalation, "deadline-reached");
  signal_logger_connect (fixture->logger, escalation, "finished");
}

static void
make_desk (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->desk);
  fixture->desk = vesc_desk_new (fixture->directory, fixture->policy,
                                 VESC_CLOCK (fixture->clock), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (fixture->desk, "escalation-opened", G_CALLBACK (on_escalation_opened),
                    fixture);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->directory = make_directory ();
  fixture->policy = vesc_policy_new ();
  /* Monday 2 March 2026, 09:00 UTC (GMT in London). */
  fixture->start = g_date_time_new_utc (2026, 3, 2, 9, 0, 0);
  fixture->clock = vesc_manual_clock_new (fixture->start);
  fixture->logger = signal_logger_new ();
  fixture->messages = g_ptr_array_new_with_free_func (g_object_unref);
  make_desk (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->desk);
  signal_logger_free (fixture->logger);
  g_ptr_array_unref (fixture->messages);
  g_clear_object (&fixture->clock);
  g_clear_object (&fixture->policy);
  g_clear_object (&fixture->directory);
  g_date_time_unref (fixture->start);
}

/* ---- helpers ------------------------------------------------------------ */

static VescEscalation *
open_incident (Fixture    *fixture,
               const char *site_id,
               guint       n_devices,
               gboolean    threat)
{
  const char *all[] = { "10.47.1.20", "10.47.1.21", "10.47.1.22", "10.47.1.23", NULL };
  g_auto(GStrv) devices = g_new0 (char *, n_devices + 1);
  g_autoptr(GError) error = NULL;
  VescEscalation *escalation;

  for (guint i = 0; i < n_devices; i++)
    devices[i] = g_strdup (all[i]);
  escalation = vesc_desk_open_incident (fixture->desk, site_id, (const char * const *) devices,
                                        "ET TROJAN test detection", threat, "ITD", &error);
  g_assert_no_error (error);
  g_assert_nonnull (escalation);
  return escalation;
}

static void
advance (Fixture   *fixture,
         GTimeSpan  span)
{
  vesc_manual_clock_advance (fixture->clock, span);
}

static GTimeSpan
due_offset (Fixture        *fixture,
            VescEscalation *escalation,
            const char     *name)
{
  VescDeadline *deadline = vesc_escalation_lookup_deadline (escalation, name);
  g_autoptr(GDateTime) due = NULL;

  g_assert_nonnull (deadline);
  due = vesc_deadline_get_due (deadline);
  return g_date_time_difference (due, fixture->start);
}

/* Pops the next deadline-reached emission and checks its detail. */
static void
assert_reached (Fixture        *fixture,
                VescEscalation *escalation,
                const char     *name)
{
  g_autofree char *detailed = g_strdup_printf ("deadline-reached::%s", name);
  GValue *args = NULL;
  guint n = 0;
  VescDeadline *deadline;

  g_assert_true (signal_logger_pop (fixture->logger, escalation, detailed, &args, &n));
  g_assert_cmpuint (n, ==, 1);
  deadline = g_value_get_object (&args[0]);
  g_assert_cmpstr (vesc_deadline_get_name (deadline), ==, name);
  g_assert_true (vesc_deadline_get_fired (deadline));
  g_assert_false (vesc_deadline_get_late (deadline));
  signal_logger_args_free (args, n);
}

static void
assert_step (VescEscalation *escalation,
             const char     *step,
             VescStepKind    kind)
{
  g_assert_cmpstr (vesc_escalation_get_step (escalation), ==, step);
  g_assert_cmpint (vesc_escalation_get_step_kind (escalation), ==, kind);
}

/* Checks that the templates queued since @from are exactly @ids. */
static void
assert_messages (Fixture    *fixture,
                 guint       from,
                 const char *ids)
{
  g_autoptr(GString) got = g_string_new (NULL);

  for (guint i = from; i < fixture->messages->len; i++)
    g_string_append_printf (got, "%s%s", i > from ? " " : "",
                            vesc_notification_get_template_id (fixture->messages->pdata[i]));
  g_assert_cmpstr (got->str, ==, ids);
}

static VescNotification *
last_message (Fixture *fixture)
{
  g_assert_cmpuint (fixture->messages->len, >, 0);
  return fixture->messages->pdata[fixture->messages->len - 1];
}

static gboolean
timeline_has (VescEscalation *escalation,
              VescEventKind   kind,
              const char     *needle)
{
  GListModel *timeline = vesc_incident_get_timeline (vesc_escalation_get_incident (escalation));

  for (guint i = 0; i < g_list_model_get_n_items (timeline); i++)
    {
      g_autoptr(VescEvent) event = g_list_model_get_item (timeline, i);

      if (vesc_event_get_kind (event) == kind && strstr (vesc_event_get_detail (event), needle))
        return TRUE;
    }
  return FALSE;
}

static guint
timeline_length (VescEscalation *escalation)
{
  return g_list_model_get_n_items (
    vesc_incident_get_timeline (vesc_escalation_get_incident (escalation)));
}

static void
check (VescEscalation  *escalation,
       VescCheckResult  result)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vesc_escalation_record_check (escalation, result, "ITD", &error));
  g_assert_no_error (error);
}

static void
decide (VescEscalation *escalation,
        gboolean        disconnect)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vesc_escalation_decide (escalation, disconnect, "Principal Manager", &error));
  g_assert_no_error (error);
}

/* Runs a minor incident to the disconnect decision at M10. */
static VescEscalation *
minor_to_decision (Fixture *fixture)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);

  advance (fixture, 3 * HOUR);
  check (escalation, VESC_CHECK_RESULT_PRESENT);
  advance (fixture, 30 * MINUTE);
  check (escalation, VESC_CHECK_RESULT_PRESENT);
  assert_step (escalation, "M10", VESC_STEP_KIND_DECISION);
  return escalation;
}

/* ---- the minor track ---------------------------------------------------- */

static void
test_minor_opened (Fixture       *fixture,
                   gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);
  VescIncident *incident = vesc_escalation_get_incident (escalation);

  g_assert_cmpint (vesc_incident_get_scenario (incident), ==, VESC_SCENARIO_MINOR);
  assert_step (escalation, "M5", VESC_STEP_KIND_WAIT);
  /* M2 to the Principal Manager and RMs, M3 e-mail 1, M4 KSSC. */
  assert_messages (fixture, 0, "notice-opened email-1 notice-kssc");
  g_assert_cmpint (due_offset (fixture, escalation, "removal"), ==, 3 * HOUR);
  g_assert_cmpint (due_offset (fixture, escalation, "removal-warning"), ==, 3 * HOUR - 15 * MINUTE);
  g_assert_true (timeline_has (escalation, VESC_EVENT_KIND_STEP, "e-mail 1"));
  g_assert_true (timeline_has (escalation, VESC_EVENT_KIND_DEADLINE_ARMED, "removal"));
  g_assert_cmpint (vesc_incident_get_outcome (incident), ==, VESC_OUTCOME_OPEN);
  signal_logger_assert_empty (fixture->logger);
}

static void
test_minor_kssc_skipped (Fixture       *fixture,
                         gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH103", 1, FALSE);

  assert_step (escalation, "M5", VESC_STEP_KIND_WAIT);
  assert_messages (fixture, 0, "notice-opened email-1");
  g_assert_true (timeline_has (escalation, VESC_EVENT_KIND_STEP, "KSSC does not support"));
}

static void
test_minor_email_1 (Fixture       *fixture,
                    gconstpointer  data)
{
  VescNotification *email;
  GListModel *recipients;
  g_autoptr(VescRecipient) first = NULL;
  g_autoptr(VescRecipient) second = NULL;

  open_incident (fixture, "SCH101", 1, FALSE);
  email = fixture->messages->pdata[1];
  g_assert_cmpstr (vesc_notification_get_template_id (email), ==, "email-1");
  g_assert_cmpstr (vesc_notification_get_step (email), ==, "M3");
  /* The texts read their durations and times from the policy and clock. */
  g_assert_nonnull (strstr (vesc_notification_get_body (email), "3 hours"));
  g_assert_nonnull (strstr (vesc_notification_get_body (email), "12:00 GMT"));
  g_assert_nonnull (strstr (vesc_notification_get_body (email), "St Mary & St John's"));
  recipients = vesc_notification_get_recipients (email);
  g_assert_cmpuint (g_list_model_get_n_items (recipients), ==, 2);
  /* The Relationship Manager notifies the school and is copied. */
  first = g_list_model_get_item (recipients, 0);
  second = g_list_model_get_item (recipients, 1);
  g_assert_cmpint (vesc_recipient_get_role (first), ==, VESC_ROLE_RELATIONSHIP_MANAGER);
  g_assert_cmpint (vesc_recipient_get_role (second), ==, VESC_ROLE_HEAD_TEACHER);
  g_assert_cmpstr (vesc_recipient_get_email (second), ==, "head@schools.example.org");
  g_assert_nonnull (vesc_notification_get_sender (email));
}

static void
test_minor_removal_deadline (Fixture       *fixture,
                             gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);
  VescDeadline *removal = vesc_escalation_lookup_deadline (escalation, "removal");

  advance (fixture, 3 * HOUR - 15 * MINUTE - SECOND);
  signal_logger_assert_empty (fixture->logger);
  advance (fixture, SECOND);
  assert_reached (fixture, escalation, "removal-warning");
  assert_step (escalation, "M5", VESC_STEP_KIND_WAIT);

  advance (fixture, 15 * MINUTE - SECOND);
  signal_logger_assert_empty (fixture->logger);
  g_assert_false (vesc_deadline_get_fired (removal));
  advance (fixture, SECOND);
  assert_reached (fixture, escalation, "removal");
  assert_step (escalation, "M6", VESC_STEP_KIND_CHECK);
  g_assert_cmpint (vesc_deadline_get_outcome (removal), ==, VESC_DEADLINE_OUTCOME_PENDING);

  /* Fires once: not again later, nor after the clock is set back and on. */
  vesc_manual_clock_set_time (fixture->clock, fixture->start);
  advance (fixture, 3 * HOUR + 40 * MINUTE);
  g_assert_cmpuint (signal_logger_count (fixture->logger, "deadline-reached::removal"), ==, 0);
  assert_reached (fixture, escalation, "check-reminder");
  signal_logger_assert_empty (fixture->logger);
}

static void
test_minor_check_reminder (Fixture       *fixture,
                           gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);
  VescDeadline *reminder;

  advance (fixture, 3 * HOUR);
  assert_reached (fixture, escalation, "removal-warning");
  assert_reached (fixture, escalation, "removal");
  reminder = vesc_escalation_lookup_deadline (escalation, "check-reminder");
  g_assert_cmpint (due_offset (fixture, escalation, "check-reminder"), ==, 3 * HOUR + 30 * MINUTE);
  advance (fixture, 30 * MINUTE);
  assert_reached (fixture, escalation, "check-reminder");
  g_assert_cmpint (vesc_deadline_get_outcome (reminder), ==, VESC_DEADLINE_OUTCOME_FIRED);
  assert_step (escalation, "M6", VESC_STEP_KIND_CHECK);
  signal_logger_assert_empty (fixture->logger);
}

static void
test_minor_absent_at_removal (Fixture       *fixture,
                              gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);
  VescIncident *incident = vesc_escalation_get_incident (escalation);
  VescDeadline *removal = vesc_escalation_lookup_deadline (escalation, "removal");
  guint before;

  advance (fixture, 3 * HOUR);
  before = fixture->messages->len;
  check (escalation, VESC_CHECK_RESULT_ABSENT);

  /* M6 tells the RM, X1 informs the Principal Manager, X2 reports. */
  assert_messages (fixture, before, "notice-check-result notice-resolved notice-report");
  g_assert_true (vesc_escalation_get_closed (escalation));
  g_assert_cmpint (vesc_escalation_get_step_kind (escalation), ==, VESC_STEP_KIND_CLOSED);
  g_assert_cmpstr (vesc_escalation_get_step (escalation), ==, "X2");
  g_assert_cmpint (vesc_incident_get_outcome (incident), ==, VESC_OUTCOME_DEVICE_REMOVED);
  g_assert_cmpint (vesc_deadline_get_outcome (removal), ==, VESC_DEADLINE_OUTCOME_MET);
  g_assert_cmpint (vesc_site_get_cin_state (vesc_incident_get_site (incident)), ==,
                   VESC_CIN_STATE_CONNECTED);
  /* The reminder owed at M6 is withdrawn, not fired. */
  g_assert_cmpint (vesc_deadline_get_outcome (
                     vesc_escalation_lookup_deadline (escalation, "check-reminder")), ==,
                   VESC_DEADLINE_OUTCOME_CANCELLED);
  g_assert_nonnull (strstr (vesc_notification_get_body (last_message (fixture)), "Incident"));
  advance (fixture, 10 * HOUR);
  assert_reached (fixture, escalation, "removal-warning");
  assert_reached (fixture, escalation, "removal");
  g_assert_true (signal_logger_pop (fixture->logger, escalation, "finished", NULL, NULL));
  signal_logger_assert_empty (fixture->logger);
}

static void
test_minor_present_at_removal (Fixture       *fixture,
                               gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);
  VescNotification *email_1 = fixture->messages->pdata[1];
  VescNotification *email_2;
  guint before;

  advance (fixture, 3 * HOUR + 5 * MINUTE);
  before = fixture->messages->len;
  check (escalation, VESC_CHECK_RESULT_PRESENT);

  /* M6 tells the RM, M7 informs PM and RMs, M8 e-mail 2 and the final window. */
  assert_messages (fixture, before, "notice-check-result notice-still-present email-2");
  assert_step (escalation, "M8", VESC_STEP_KIND_WAIT);
  g_assert_cmpint (vesc_deadline_get_outcome (vesc_escalation_lookup_deadline (
                     escalation, "removal")), ==, VESC_DEADLINE_OUTCOME_MISSED);
  /* D2 counts from M8, when the school is contacted again. */
  g_assert_cmpint (due_offset (fixture, escalation, "final"), ==, 3 * HOUR + 35 * MINUTE);
  email_2 = last_message (fixture);
  g_assert_cmpstr (vesc_notification_get_reply_to_key (email_2), ==,
                   vesc_notification_get_key (email_1));
  g_assert_nonnull (strstr (vesc_notification_get_body (email_2), "30 minutes"));
  g_assert_nonnull (strstr (vesc_notification_get_body (email_2), "09:00 GMT"));
  g_assert_nonnull (strstr (vesc_notification_get_body (email_2), "12:35 GMT"));
}

static void
test_minor_final_deadline (Fixture       *fixture,
                           gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);

  advance (fixture, 3 * HOUR);
  check (escalation, VESC_CHECK_RESULT_PRESENT);
  while (signal_logger_pop (fixture->logger, escalation, NULL, NULL, NULL))
    ;
  advance (fixture, 15 * MINUTE - SECOND);
  signal_logger_assert_empty (fixture->logger);
  advance (fixture, SECOND);
  assert_reached (fixture, escalation, "final-warning");
  advance (fixture, 15 * MINUTE - SECOND);
  signal_logger_assert_empty (fixture->logger);
  advance (fixture, SECOND);
  assert_reached (fixture, escalation, "final");
  assert_step (escalation, "M9", VESC_STEP_KIND_CHECK);
  signal_logger_assert_empty (fixture->logger);
}

static void
test_minor_absent_at_final (Fixture       *fixture,
                            gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);
  guint before;

  advance (fixture, 3 * HOUR);
  check (escalation, VESC_CHECK_RESULT_PRESENT);
  advance (fixture, 30 * MINUTE);
  before = fixture->messages->len;
  check (escalation, VESC_CHECK_RESULT_ABSENT);
  assert_messages (fixture, before, "notice-final-check notice-resolved notice-report");
  g_assert_true (vesc_escalation_get_closed (escalation));
  g_assert_cmpint (vesc_deadline_get_outcome (vesc_escalation_lookup_deadline (
                     escalation, "final")), ==, VESC_DEADLINE_OUTCOME_MET);
  g_assert_cmpint (vesc_deadline_get_outcome (vesc_escalation_lookup_deadline (
                     escalation, "removal")), ==, VESC_DEADLINE_OUTCOME_MISSED);
  g_assert_cmpint (vesc_incident_get_outcome (vesc_escalation_get_incident (escalation)), ==,
                   VESC_OUTCOME_DEVICE_REMOVED);
}

static void
test_minor_full_ladder (Fixture       *fixture,
                        gconstpointer  data)
{
  VescEscalation *escalation = minor_to_decision (fixture);
  VescIncident *incident = vesc_escalation_get_incident (escalation);
  VescSite *site = vesc_incident_get_site (incident);
  g_autoptr(GError) error = NULL;
  guint before = fixture->messages->len;

  advance (fixture, 10 * MINUTE);
  decide (escalation, TRUE);
  assert_messages (fixture, before, "email-3");
  g_assert_cmpstr (vesc_notification_get_reply_to_key (last_message (fixture)), ==,
                   vesc_notification_get_key (fixture->messages->pdata[1]));
  assert_step (escalation, "M12", VESC_STEP_KIND_CLEAN_UP);
  g_assert_cmpint (vesc_site_get_cin_state (site), ==, VESC_CIN_STATE_DISCONNECTED);
  g_assert_true (timeline_has (escalation, VESC_EVENT_KIND_INPUT, "Decision: disconnect"));

  advance (fixture, 4 * HOUR);
  g_assert_true (vesc_escalation_report_clean (escalation, "KSSC", &error));
  assert_step (escalation, "M13", VESC_STEP_KIND_RECONNECT);
  advance (fixture, HOUR);
  before = fixture->messages->len;
  g_assert_true (vesc_escalation_reconnect (escalation, "ITD", &error));
  g_assert_no_error (error);
  assert_messages (fixture, before, "notice-reconnected notice-report");
  g_assert_cmpint (vesc_site_get_cin_state (site), ==, VESC_CIN_STATE_CONNECTED);
  g_assert_true (vesc_escalation_get_closed (escalation));
  g_assert_cmpstr (vesc_escalation_get_step (escalation), ==, "M15");
  g_assert_cmpint (vesc_incident_get_outcome (incident), ==, VESC_OUTCOME_RECONNECTED);
  g_assert_nonnull (strstr (vesc_notification_get_body (last_message (fixture)),
                            "disconnected for 5 hours"));
}

static void
test_minor_report (Fixture       *fixture,
                   gconstpointer  data)
{
  VescEscalation *escalation = minor_to_decision (fixture);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  JsonObject *report, *decision;
  JsonArray *deadlines;
  g_autoptr(GError) error = NULL;

  decide (escalation, TRUE);
  advance (fixture, 2 * HOUR);
  g_assert_true (vesc_escalation_report_clean (escalation, "KSSC", &error));
  g_assert_true (vesc_escalation_reconnect (escalation, "ITD", &error));
  json = vesc_escalation_get_report_json (escalation);
  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  report = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (report, "scenario"), ==, "minor");
  g_assert_cmpstr (json_object_get_string_member (report, "outcome"), ==, "reconnected");
  g_assert_cmpint (json_object_get_int_member (report, "disconnected_seconds"), ==, 2 * 3600);
  decision = json_object_get_object_member (report, "decision");
  g_assert_true (json_object_get_boolean_member (decision, "disconnect"));
  g_assert_cmpstr (json_object_get_string_member (decision, "by"), ==, "Principal Manager");
  deadlines = json_object_get_array_member (report, "deadlines");
  g_assert_cmpuint (json_array_get_length (deadlines), >=, 2);
  g_assert_cmpint (json_array_get_length (json_object_get_array_member (report, "timeline")), ==,
                   timeline_length (escalation));

  text = vesc_escalation_get_report_text (escalation);
  g_assert_nonnull (strstr (text, "Scenario:  minor"));
  g_assert_nonnull (strstr (text, "Deadline removal  due 2026-03-02 12:00:00 UTC: missed"));
  g_assert_nonnull (strstr (text, "Site disconnected for 2 hours"));
}

static void
test_minor_decision_no (Fixture       *fixture,
                        gconstpointer  data)
{
  VescEscalation *escalation = minor_to_decision (fixture);
  VescNotification *first_email_2 = fixture->messages->pdata[5];
  guint before = fixture->messages->len;

  decide (escalation, FALSE);
  /* Another final window: e-mail 2 again, with its own key. */
  assert_messages (fixture, before, "email-2");
  assert_step (escalation, "M8", VESC_STEP_KIND_WAIT);
  g_assert_cmpstr (vesc_notification_get_template_id (first_email_2), ==, "email-2");
  g_assert_cmpstr (vesc_notification_get_key (last_message (fixture)), !=,
                   vesc_notification_get_key (first_email_2));
  g_assert_cmpint (due_offset (fixture, escalation, "final"), ==, 4 * HOUR);
  g_assert_cmpint (vesc_site_get_cin_state (vesc_incident_get_site (
                     vesc_escalation_get_incident (escalation))), ==, VESC_CIN_STATE_CONNECTED);
  g_assert_true (timeline_has (escalation, VESC_EVENT_KIND_INPUT, "do not disconnect"));
}

static void
test_minor_decision_reminder (Fixture       *fixture,
                              gconstpointer  data)
{
  VescEscalation *escalation = minor_to_decision (fixture);

  while (signal_logger_pop (fixture->logger, escalation, NULL, NULL, NULL))
    ;
  advance (fixture, 30 * MINUTE);
  assert_reached (fixture, escalation, "decision-reminder");
  signal_logger_assert_empty (fixture->logger);
}

static void
test_minor_removal_reported (Fixture       *fixture,
                             gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);
  g_autoptr(GError) error = NULL;

  advance (fixture, HOUR);
  g_assert_true (vesc_escalation_report_removal (escalation, "Head Teacher", &error));
  g_assert_no_error (error);
  g_assert_true (timeline_has (escalation, VESC_EVENT_KIND_INPUT, "taken off the network"));
  assert_step (escalation, "M5", VESC_STEP_KIND_WAIT);
  /* An early check records the removal; the check at D1 confirms it. */
  check (escalation, VESC_CHECK_RESULT_ABSENT);
  assert_step (escalation, "M5", VESC_STEP_KIND_WAIT);
  advance (fixture, 2 * HOUR);
  assert_step (escalation, "M6", VESC_STEP_KIND_CHECK);
  check (escalation, VESC_CHECK_RESULT_ABSENT);
  g_assert_true (vesc_escalation_get_closed (escalation));
}

static void
test_minor_early_check_policy (Fixture       *fixture,
                               gconstpointer  data)
{
  VescEscalation *escalation;
  VescDeadline *removal;

  g_object_set (fixture->policy, "early-check-ends-ladder", TRUE, NULL);
  escalation = open_incident (fixture, "SCH101", 1, FALSE);
  removal = vesc_escalation_lookup_deadline (escalation, "removal");
  advance (fixture, HOUR);
  check (escalation, VESC_CHECK_RESULT_ABSENT);
  g_assert_true (vesc_escalation_get_closed (escalation));
  g_assert_cmpstr (vesc_escalation_get_step (escalation), ==, "X2");
  g_assert_cmpint (vesc_deadline_get_outcome (removal), ==, VESC_DEADLINE_OUTCOME_MET);
  g_assert_false (vesc_deadline_get_fired (removal));
  advance (fixture, 5 * HOUR);
  g_assert_false (vesc_deadline_get_fired (removal));
}

/* A handler may give the input that a deadline makes owed. */
static void
check_in_handler (VescEscalation *escalation,
                  VescDeadline   *deadline,
                  gpointer        data)
{
  check (escalation, VESC_CHECK_RESULT_PRESENT);
}

static void
test_minor_reentrant (Fixture       *fixture,
                      gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);

  g_signal_connect (escalation, "deadline-reached::removal", G_CALLBACK (check_in_handler), NULL);
  g_signal_connect (escalation, "deadline-reached::final", G_CALLBACK (check_in_handler), NULL);
  advance (fixture, 3 * HOUR + 30 * MINUTE);
  assert_step (escalation, "M10", VESC_STEP_KIND_DECISION);
  assert_reached (fixture, escalation, "removal-warning");
  assert_reached (fixture, escalation, "removal");
  assert_reached (fixture, escalation, "final-warning");
  assert_reached (fixture, escalation, "final");
  signal_logger_assert_empty (fixture->logger);
}

/* ---- the reoccurring and major track ------------------------------------ */

static void
test_major_threshold (Fixture       *fixture,
                      gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 3, FALSE);
  VescIncident *incident = vesc_escalation_get_incident (escalation);
  VescSite *site = vesc_incident_get_site (incident);
  g_autoptr(GError) error = NULL;
  guint before;

  g_assert_cmpint (vesc_incident_get_scenario (incident), ==, VESC_SCENARIO_MAJOR);
  g_assert_nonnull (strstr (vesc_incident_get_scenario_reason (incident), "threshold is 3"));
  /* R1 opened, R2 the decision at once: no removal window. */
  assert_step (escalation, "R2", VESC_STEP_KIND_DECISION);
  assert_messages (fixture, 0, "");
  g_assert_null (vesc_escalation_lookup_deadline (escalation, "removal"));

  decide (escalation, TRUE);
  /* R3 RMs informed, R4 e-mail 3, R5 KSSC, R6 disconnection. */
  assert_messages (fixture, 0, "notice-decision email-3-serious notice-kssc notice-disconnected");
  g_assert_cmpint (vesc_site_get_cin_state (site), ==, VESC_CIN_STATE_DISCONNECTED);
  assert_step (escalation, "R7", VESC_STEP_KIND_CLEAN_UP);
  g_assert_nonnull (strstr (vesc_notification_get_body (fixture->messages->pdata[1]), "major"));

  advance (fixture, 3 * HOUR);
  g_assert_true (vesc_escalation_report_clean (escalation, "KSSC", &error));
  assert_step (escalation, "R8", VESC_STEP_KIND_RECONNECT);
  before = fixture->messages->len;
  g_assert_true (vesc_escalation_reconnect (escalation, "ITD", &error));
  g_assert_no_error (error);
  assert_messages (fixture, before, "notice-reconnected notice-report");
  g_assert_cmpstr (vesc_escalation_get_step (escalation), ==, "R10");
  g_assert_true (vesc_escalation_get_closed (escalation));
  g_assert_cmpint (vesc_incident_get_outcome (incident), ==, VESC_OUTCOME_RECONNECTED);
  g_assert_cmpint (vesc_site_get_cin_state (site), ==, VESC_CIN_STATE_CONNECTED);
}

static void
test_major_threat (Fixture       *fixture,
                   gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH103", 1, TRUE);
  VescIncident *incident = vesc_escalation_get_incident (escalation);

  g_assert_cmpint (vesc_incident_get_scenario (incident), ==, VESC_SCENARIO_MAJOR);
  g_assert_true (vesc_incident_get_threat (incident));
  assert_step (escalation, "R2", VESC_STEP_KIND_DECISION);
  decide (escalation, TRUE);
  /* SCH103 is not a KSSC site: R5 sends nothing. */
  assert_messages (fixture, 0, "notice-decision email-3-serious notice-disconnected");
}

static void
test_major_threshold_policy (Fixture       *fixture,
                             gconstpointer  data)
{
  VescEscalation *escalation;

  g_object_set (fixture->policy, "major-at-threshold", FALSE, NULL);
  escalation = open_incident (fixture, "SCH101", 3, FALSE);
  g_assert_cmpint (vesc_incident_get_scenario (vesc_escalation_get_incident (escalation)), ==,
                   VESC_SCENARIO_MINOR);
  assert_step (escalation, "M5", VESC_STEP_KIND_WAIT);
}

static void
test_major_decision_no (Fixture       *fixture,
                        gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 3, FALSE);

  advance (fixture, 20 * MINUTE);
  decide (escalation, FALSE);
  /* The default: the minor ladder from M3, e-mail 1 and the removal window. */
  assert_messages (fixture, 0, "email-1 notice-kssc");
  assert_step (escalation, "M5", VESC_STEP_KIND_WAIT);
  g_assert_cmpint (due_offset (fixture, escalation, "removal"), ==, 3 * HOUR + 20 * MINUTE);
  g_assert_true (timeline_has (escalation, VESC_EVENT_KIND_INPUT, "do not disconnect"));
  g_assert_cmpint (vesc_incident_get_scenario (vesc_escalation_get_incident (escalation)), ==,
                   VESC_SCENARIO_MAJOR);
  advance (fixture, 3 * HOUR);
  assert_step (escalation, "M6", VESC_STEP_KIND_CHECK);
}

static void
close_minor (Fixture        *fixture,
             VescEscalation *escalation)
{
  advance (fixture, 3 * HOUR);
  check (escalation, VESC_CHECK_RESULT_ABSENT);
  g_assert_true (vesc_escalation_get_closed (escalation));
}

static void
test_reoccurring_window (Fixture       *fixture,
                         gconstpointer  data)
{
  VescEscalation *first = open_incident (fixture, "SCH101", 1, FALSE);
  VescEscalation *second;
  g_autoptr(GDateTime) edge = g_date_time_add_days (fixture->start, 90);
  VescIncident *incident;

  close_minor (fixture, first);
  /* Exactly 90 days after the first opened: still inside the window. */
  vesc_manual_clock_set_time (fixture->clock, edge);
  second = open_incident (fixture, "SCH101", 1, FALSE);
  incident = vesc_escalation_get_incident (second);
  g_assert_cmpint (vesc_incident_get_scenario (incident), ==, VESC_SCENARIO_REOCCURRING);
  g_assert_nonnull (strstr (vesc_incident_get_scenario_reason (incident), "1 other incident"));
  assert_step (second, "R2", VESC_STEP_KIND_DECISION);
  g_assert_cmpstr (vesc_incident_get_id (incident), !=,
                   vesc_incident_get_id (vesc_escalation_get_incident (first)));
}

static void
test_reoccurring_outside (Fixture       *fixture,
                          gconstpointer  data)
{
  VescEscalation *first = open_incident (fixture, "SCH101", 1, FALSE);
  VescEscalation *other_site;
  g_autoptr(GDateTime) later = g_date_time_add_seconds (fixture->start, 90 * 86400 + 1);
  VescEscalation *second;

  close_minor (fixture, first);
  other_site = open_incident (fixture, "SCH103", 1, FALSE);
  g_assert_cmpint (vesc_incident_get_scenario (vesc_escalation_get_incident (other_site)), ==,
                   VESC_SCENARIO_MINOR);
  vesc_manual_clock_set_time (fixture->clock, later);
  second = open_incident (fixture, "SCH101", 1, FALSE);
  g_assert_cmpint (vesc_incident_get_scenario (vesc_escalation_get_incident (second)), ==,
                   VESC_SCENARIO_MINOR);
}

/* ---- upgrades ----------------------------------------------------------- */

static void
test_upgrade_threshold (Fixture       *fixture,
                        gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);
  VescIncident *incident = vesc_escalation_get_incident (escalation);
  VescDeadline *removal = vesc_escalation_lookup_deadline (escalation, "removal");
  g_autoptr(GError) error = NULL;

  advance (fixture, HOUR);
  g_assert_true (vesc_escalation_add_device (escalation, "10.47.1.21", "IDS", &error));
  /* A device seen again is history, not a new machine. */
  g_assert_true (vesc_escalation_add_device (escalation, "10.47.1.21", "IDS", &error));
  g_assert_cmpuint (vesc_incident_get_n_devices (incident), ==, 2);
  g_assert_true (timeline_has (escalation, VESC_EVENT_KIND_DEVICE, "seen again"));
  assert_step (escalation, "M5", VESC_STEP_KIND_WAIT);

  g_assert_true (vesc_escalation_add_device (escalation, "10.47.1.22", "IDS", &error));
  g_assert_no_error (error);
  g_assert_cmpint (vesc_incident_get_scenario (incident), ==, VESC_SCENARIO_MAJOR);
  assert_step (escalation, "R2", VESC_STEP_KIND_DECISION);
  g_assert_cmpint (vesc_deadline_get_outcome (removal), ==, VESC_DEADLINE_OUTCOME_CANCELLED);
  g_assert_true (timeline_has (escalation, VESC_EVENT_KIND_UPGRADE, "3 machines reached"));
  advance (fixture, 5 * HOUR);
  g_assert_false (vesc_deadline_get_fired (removal));
  g_assert_cmpuint (signal_logger_count (fixture->logger, "deadline-reached::removal"), ==, 0);
}

static void
test_upgrade_threat (Fixture       *fixture,
                     gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);
  VescDeadline *final;
  g_autoptr(GError) error = NULL;

  advance (fixture, 3 * HOUR);
  check (escalation, VESC_CHECK_RESULT_PRESENT);
  final = vesc_escalation_lookup_deadline (escalation, "final");
  g_assert_true (vesc_escalation_mark_threat (escalation, "worm spreading to other sites",
                                              "Principal Manager", &error));
  g_assert_no_error (error);
  g_assert_true (vesc_incident_get_threat (vesc_escalation_get_incident (escalation)));
  assert_step (escalation, "R2", VESC_STEP_KIND_DECISION);
  g_assert_cmpint (vesc_deadline_get_outcome (final), ==, VESC_DEADLINE_OUTCOME_CANCELLED);
  g_assert_true (timeline_has (escalation, VESC_EVENT_KIND_UPGRADE, "worm spreading"));
}

static void
test_upgrade_after_decision (Fixture       *fixture,
                             gconstpointer  data)
{
  VescEscalation *escalation = minor_to_decision (fixture);
  g_autoptr(GError) error = NULL;

  g_assert_true (vesc_escalation_mark_threat (escalation, "ransomware", "ITD", &error));
  g_assert_cmpint (vesc_incident_get_scenario (vesc_escalation_get_incident (escalation)), ==,
                   VESC_SCENARIO_MAJOR);
  assert_step (escalation, "M10", VESC_STEP_KIND_DECISION);
  g_assert_true (timeline_has (escalation, VESC_EVENT_KIND_UPGRADE, "already in hand"));
}

/* ---- bad input ---------------------------------------------------------- */

static guint
store_length (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = vesc_store_load (vesc_desk_get_store (fixture->desk), &error);

  g_assert_no_error (error);
  return records->len;
}

/* A macro so the call runs before its error is looked at. */
#define ASSERT_REFUSED(escalation, call, code, timeline_before, step) \
  G_STMT_START { \
    gboolean done_ = (call); \
    g_assert_false (done_); \
    g_assert_error (error, VESC_ERROR, (code)); \
    g_assert_cmpuint (timeline_length (escalation), ==, (timeline_before)); \
    g_assert_cmpstr (vesc_escalation_get_step (escalation), ==, (step)); \
  } G_STMT_END

static void
test_bad_wrong_step (Fixture       *fixture,
                     gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);
  guint length = timeline_length (escalation);
  guint records = store_length (fixture);
  GError *error = NULL;

  ASSERT_REFUSED (escalation, vesc_escalation_decide (escalation, TRUE, "PM", &error),
                  VESC_ERROR_WRONG_STEP, length, "M5");
  g_assert_nonnull (strstr (error->message, "M5"));
  g_clear_error (&error);
  ASSERT_REFUSED (escalation, vesc_escalation_report_clean (escalation, "KSSC", &error),
                  VESC_ERROR_WRONG_STEP, length, "M5");
  g_clear_error (&error);
  /* Reconnecting a site that was never disconnected. */
  ASSERT_REFUSED (escalation, vesc_escalation_reconnect (escalation, "ITD", &error),
                  VESC_ERROR_WRONG_STEP, length, "M5");
  g_clear_error (&error);
  /* Nothing refused reached the journal. */
  g_assert_cmpuint (store_length (fixture), ==, records);
}

static void
test_bad_wrong_step_later (Fixture       *fixture,
                           gconstpointer  data)
{
  VescEscalation *escalation = minor_to_decision (fixture);
  guint length = timeline_length (escalation);
  GError *error = NULL;

  ASSERT_REFUSED (escalation, vesc_escalation_record_check (escalation, VESC_CHECK_RESULT_ABSENT,
                                                            "ITD", &error),
                  VESC_ERROR_WRONG_STEP, length, "M10");
  g_clear_error (&error);
  ASSERT_REFUSED (escalation, vesc_escalation_report_removal (escalation, "Head Teacher", &error),
                  VESC_ERROR_WRONG_STEP, length, "M10");
  g_clear_error (&error);
  decide (escalation, TRUE);
  length = timeline_length (escalation);
  /* At M12 the clean-up is owed: no reconnection before it. */
  ASSERT_REFUSED (escalation, vesc_escalation_reconnect (escalation, "ITD", &error),
                  VESC_ERROR_WRONG_STEP, length, "M12");
  g_clear_error (&error);
  ASSERT_REFUSED (escalation, vesc_escalation_decide (escalation, FALSE, "PM", &error),
                  VESC_ERROR_WRONG_STEP, length, "M12");
  g_clear_error (&error);
}

static void
test_bad_after_close (Fixture       *fixture,
                      gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", 1, FALSE);
  guint length;
  GError *error = NULL;

  close_minor (fixture, escalation);
  length = timeline_length (escalation);
  ASSERT_REFUSED (escalation, vesc_escalation_record_check (escalation, VESC_CHECK_RESULT_PRESENT,
                                                            "ITD", &error),
                  VESC_ERROR_CLOSED, length, "X2");
  g_clear_error (&error);
  ASSERT_REFUSED (escalation, vesc_escalation_mark_threat (escalation, "late", "ITD", &error),
                  VESC_ERROR_CLOSED, length, "X2");
  g_clear_error (&error);
  ASSERT_REFUSED (escalation, vesc_escalation_add_device (escalation, "10.47.1.99", "IDS", &error),
                  VESC_ERROR_CLOSED, length, "X2");
  g_clear_error (&error);
  ASSERT_REFUSED (escalation, vesc_escalation_reconnect (escalation, "ITD", &error),
                  VESC_ERROR_CLOSED, length, "X2");
  g_clear_error (&error);
}

static void
test_bad_values (Fixture       *fixture,
                 gconstpointer  data)
{
  VescEscalation *escalation = minor_to_decision (fixture);
  guint length = timeline_length (escalation);
  GError *error = NULL;

  ASSERT_REFUSED (escalation, vesc_escalation_decide (escalation, TRUE, "", &error),
                  VESC_ERROR_INVALID_INPUT, length, "M10");
  g_clear_error (&error);
  ASSERT_REFUSED (escalation, vesc_escalation_decide (escalation, TRUE, "PM\r\nBcc: x@y.z",
                                                      &error),
                  VESC_ERROR_INVALID_INPUT, length, "M10");
  g_clear_error (&error);
  ASSERT_REFUSED (escalation, vesc_escalation_add_device (escalation, "", "IDS", &error),
                  VESC_ERROR_INVALID_INPUT, length, "M10");
  g_clear_error (&error);
  ASSERT_REFUSED (escalation, vesc_escalation_mark_threat (escalation, "", "ITD", &error),
                  VESC_ERROR_INVALID_INPUT, length, "M10");
  g_clear_error (&error);
}

/* ---- recipients, journal ------------------------------------------------ */

static void
connect_missing (SignalLogger   *logger,
                 VescEscalation *escalation)
{
  signal_logger_connect (logger, escalation, "recipient-missing");
}

static void
test_recipient_missing (Fixture       *fixture,
                        gconstpointer  data)
{
  VescEscalation *escalation;
  g_autoptr(SignalLogger) logger = signal_logger_new ();
  GValue *args = NULL;
  guint n = 0;

  g_signal_connect_swapped (fixture->desk, "escalation-opened", G_CALLBACK (connect_missing),
                            logger);
  escalation = open_incident (fixture, "SCH199", 1, FALSE);
  /* SCH199 has neither a Head Teacher nor an RM address; the ladder runs. */
  assert_step (escalation, "M5", VESC_STEP_KIND_WAIT);
  g_assert_true (timeline_has (escalation, VESC_EVENT_KIND_WARNING, "head-teacher"));
  g_assert_true (signal_logger_pop (logger, escalation, "recipient-missing", &args, &n));
  g_assert_cmpint (g_value_get_enum (&args[0]), ==, VESC_ROLE_RELATIONSHIP_MANAGER);
  g_assert_cmpstr (g_value_get_string (&args[1]), ==, "notice-opened");
  signal_logger_args_free (args, n);
  /* e-mail 1 had nobody to go to; SCH199 is no KSSC site. */
  assert_messages (fixture, 0, "notice-opened");
  g_assert_cmpuint (signal_logger_count (logger, "recipient-missing"), ==, 2);
}

static void
test_journal (Fixture       *fixture,
              gconstpointer  data)
{
  VescEscalation *escalation = minor_to_decision (fixture);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GString) types = g_string_new (NULL);

  decide (escalation, TRUE);
  records = vesc_store_load (vesc_desk_get_store (fixture->desk), &error);
  g_assert_no_error (error);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *record = json_node_get_object (records->pdata[i]);

      g_assert_cmpstr (json_object_get_string_member (record, "incident"), ==,
                       vesc_incident_get_id (vesc_escalation_get_incident (escalation)));
      g_string_append_printf (types, "%s%s", i ? " " : "",
                              json_object_get_string_member (record, "type"));
    }
  /* Everything a replay needs: the opening, each deadline, each input, and
   * each message recorded after its cause and before it is sent. */
  g_assert_cmpstr (types->str, ==,
                   "open queued queued queued deadline deadline input queued queued queued "
                   "deadline deadline input queued input queued");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/escalation/minor/opened", test_minor_opened);
  ADD ("/escalation/minor/kssc-skipped", test_minor_kssc_skipped);
  ADD ("/escalation/minor/email-1", test_minor_email_1);
  ADD ("/escalation/minor/removal-deadline", test_minor_removal_deadline);
  ADD ("/escalation/minor/check-reminder", test_minor_check_reminder);
  ADD ("/escalation/minor/absent-at-removal", test_minor_absent_at_removal);
  ADD ("/escalation/minor/present-at-removal", test_minor_present_at_removal);
  ADD ("/escalation/minor/final-deadline", test_minor_final_deadline);
  ADD ("/escalation/minor/absent-at-final", test_minor_absent_at_final);
  ADD ("/escalation/minor/full-ladder", test_minor_full_ladder);
  ADD ("/escalation/minor/report", test_minor_report);
  ADD ("/escalation/minor/decision-no", test_minor_decision_no);
  ADD ("/escalation/minor/decision-reminder", test_minor_decision_reminder);
  ADD ("/escalation/minor/removal-reported", test_minor_removal_reported);
  ADD ("/escalation/minor/early-check-policy", test_minor_early_check_policy);
  ADD ("/escalation/minor/reentrant", test_minor_reentrant);
  ADD ("/escalation/major/threshold", test_major_threshold);
  ADD ("/escalation/major/threat", test_major_threat);
  ADD ("/escalation/major/threshold-policy", test_major_threshold_policy);
  ADD ("/escalation/major/decision-no", test_major_decision_no);
  ADD ("/escalation/reoccurring/window-edge", test_reoccurring_window);
  ADD ("/escalation/reoccurring/outside-window", test_reoccurring_outside);
  ADD ("/escalation/upgrade/threshold", test_upgrade_threshold);
  ADD ("/escalation/upgrade/threat", test_upgrade_threat);
  ADD ("/escalation/upgrade/after-decision", test_upgrade_after_decision);
  ADD ("/escalation/bad-input/wrong-step", test_bad_wrong_step);
  ADD ("/escalation/bad-input/wrong-step-later", test_bad_wrong_step_later);
  ADD ("/escalation/bad-input/after-close", test_bad_after_close);
  ADD ("/escalation/bad-input/values", test_bad_values);
  ADD ("/escalation/recipient-missing", test_recipient_missing);
  ADD ("/escalation/journal", test_journal);

#undef ADD

  return g_test_run ();
}

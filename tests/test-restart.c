/* test-restart.c: a desk reopened on its store has every escalation back
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <libvesc/vesc.h>

#include "recording-notifier.h"
#include "signal-logger.h"

#define HOUR   G_TIME_SPAN_HOUR
#define MINUTE G_TIME_SPAN_MINUTE

typedef struct {
  VescDirectory   *directory;
  VescPolicy      *policy;
  VescManualClock *clock;
  VescStore       *store;
  VescDesk        *desk;
  GDateTime       *start;
  SignalLogger    *logger;
} Fixture;

static void
add_site (VescDirectory *directory,
          const char    *id,
          const char    *subnet)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VescSite) site = vesc_site_new (id, "Ivy Bank Primary", &error);

  g_assert_true (vesc_site_set_head_teacher (site, "Head", "head@schools.example.org", &error));
  g_assert_true (vesc_site_add_subnet (site, subnet, &error));
  g_assert_true (vesc_directory_add_site (directory, site, &error));
  g_assert_no_error (error);
}

static void
open_desk (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->desk);
  fixture->desk = vesc_desk_new (fixture->directory, fixture->policy, VESC_CLOCK (fixture->clock),
                                 fixture->store, &error);
  g_assert_no_error (error);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->directory = vesc_directory_new ();
  add_site (fixture->directory, "SCH101", "10.47.1.0/24");
  add_site (fixture->directory, "SCH103", "10.47.3.0/24");
  fixture->policy = vesc_policy_new ();
  fixture->start = g_date_time_new_utc (2026, 1, 12, 10, 0, 0);
  fixture->clock = vesc_manual_clock_new (fixture->start);
  fixture->store = VESC_STORE (vesc_memory_store_new ());
  fixture->logger = signal_logger_new ();
  open_desk (fixture);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  signal_logger_free (fixture->logger);
  g_clear_object (&fixture->desk);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->clock);
  g_clear_object (&fixture->policy);
  g_clear_object (&fixture->directory);
  g_date_time_unref (fixture->start);
}

static VescEscalation *
open_incident (Fixture    *fixture,
               const char *site_id,
               const char *device)
{
  const char *devices[] = { device, NULL };
  g_autoptr(GError) error = NULL;
  VescEscalation *escalation = vesc_desk_open_incident (fixture->desk, site_id, devices,
                                                        "ET TROJAN", FALSE, "ITD", &error);

  g_assert_no_error (error);
  return escalation;
}

static void
set_clock (Fixture   *fixture,
           GTimeSpan  since_start)
{
  g_autoptr(GDateTime) time = g_date_time_add (fixture->start, since_start);

  vesc_manual_clock_set_time (fixture->clock, time);
}

static GTimeSpan
offset_of (Fixture   *fixture,
           GDateTime *time)
{
  return g_date_time_difference (time, fixture->start);
}

/* Reopens the desk, as a restarted process would, and finds @id again. */
static VescEscalation *
reopen (Fixture    *fixture,
        const char *id)
{
  VescEscalation *escalation;

  open_desk (fixture);
  escalation = vesc_desk_lookup_escalation (fixture->desk, id);
  g_assert_nonnull (escalation);
  signal_logger_connect (fixture->logger, escalation, "deadline-reached");
  return escalation;
}

static char *
timeline_text (VescEscalation *escalation)
{
  GListModel *timeline = vesc_incident_get_timeline (vesc_escalation_get_incident (escalation));
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (timeline); i++)
    {
      g_autoptr(VescEvent) event = g_list_model_get_item (timeline, i);
      g_autoptr(GDateTime) time = vesc_event_get_time (event);
      g_autofree char *iso = g_date_time_format_iso8601 (time);

      g_string_append_printf (text, "%s %s %s %s\n", iso, vesc_event_get_step (event),
                              vesc_event_get_actor (event), vesc_event_get_detail (event));
    }
  return g_string_free (text, FALSE);
}

static void
test_state_comes_back (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *id = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;
  VescEscalation *minor, *major;

  minor = open_incident (fixture, "SCH101", "10.47.1.20");
  g_assert_true (vesc_escalation_mark_threat (open_incident (fixture, "SCH103", "10.47.3.5"),
                                              "worm", "ITD", &error));
  major = vesc_desk_lookup_open_for_site (fixture->desk, "SCH103");
  g_assert_true (vesc_escalation_decide (major, TRUE, "Principal Manager", &error));
  set_clock (fixture, HOUR);
  g_assert_true (vesc_escalation_report_removal (minor, "Head Teacher", &error));
  id = g_strdup (vesc_incident_get_id (vesc_escalation_get_incident (minor)));
  before = timeline_text (minor);

  set_clock (fixture, 2 * HOUR);
  minor = reopen (fixture, id);
  after = timeline_text (minor);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpstr (vesc_escalation_get_step (minor), ==, "M5");
  major = vesc_desk_lookup_open_for_site (fixture->desk, "SCH103");
  g_assert_cmpstr (vesc_escalation_get_step (major), ==, "R7");
  g_assert_cmpint (vesc_site_get_cin_state (vesc_directory_lookup_site (fixture->directory,
                                                                        "SCH103")), ==,
                   VESC_CIN_STATE_DISCONNECTED);
  g_assert_true (vesc_incident_get_threat (vesc_escalation_get_incident (major)));
  g_assert_cmpuint (g_list_model_get_n_items (vesc_desk_get_escalations (fixture->desk)), ==, 2);
}

static void
test_deadline_keeps_its_time (Fixture       *fixture,
                              gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", "10.47.1.20");
  g_autofree char *id = g_strdup (vesc_incident_get_id (vesc_escalation_get_incident (escalation)));
  g_autoptr(GDateTime) due = NULL;

  /* Stored at t0+1 h of a 3 h window, reopened at t0+2 h: D1 stays at t0+3 h. */
  set_clock (fixture, HOUR);
  g_clear_object (&fixture->desk);
  set_clock (fixture, 2 * HOUR);
  escalation = reopen (fixture, id);
  due = vesc_deadline_get_due (vesc_escalation_lookup_deadline (escalation, "removal"));
  g_assert_cmpint (offset_of (fixture, due), ==, 3 * HOUR);
  set_clock (fixture, 3 * HOUR - 1);
  g_assert_cmpuint (signal_logger_count (fixture->logger, "deadline-reached::removal"), ==, 0);
  set_clock (fixture, 3 * HOUR);
  g_assert_cmpuint (signal_logger_count (fixture->logger, "deadline-reached::removal"), ==, 1);
  g_assert_false (vesc_deadline_get_late (vesc_escalation_lookup_deadline (escalation,
                                                                           "removal")));
  g_assert_cmpstr (vesc_escalation_get_step (escalation), ==, "M6");
}

static void
test_missed_while_down (Fixture       *fixture,
                        gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", "10.47.1.20");
  g_autofree char *id = g_strdup (vesc_incident_get_id (vesc_escalation_get_incident (escalation)));
  VescDeadline *removal;
  g_autoptr(GDateTime) fired_at = NULL;

  g_clear_object (&fixture->desk);
  set_clock (fixture, 4 * HOUR);
  escalation = reopen (fixture, id);
  removal = vesc_escalation_lookup_deadline (escalation, "removal");
  g_assert_false (vesc_deadline_get_fired (removal));
  /* The clock's next look fires it once, late, with the time it was due. */
  vesc_clock_fire_due (VESC_CLOCK (fixture->clock));
  g_assert_true (signal_logger_pop (fixture->logger, escalation,
                                    "deadline-reached::removal-warning", NULL, NULL));
  g_assert_true (signal_logger_pop (fixture->logger, escalation, "deadline-reached::removal",
                                    NULL, NULL));
  g_assert_true (vesc_deadline_get_late (removal));
  fired_at = vesc_deadline_get_fired_at (removal);
  g_assert_cmpint (offset_of (fixture, fired_at), ==, 4 * HOUR);
  g_assert_cmpstr (vesc_escalation_get_step (escalation), ==, "M6");

  /* And never again, in this process or the next. */
  set_clock (fixture, 8 * HOUR);
  g_assert_true (signal_logger_pop (fixture->logger, escalation,
                                    "deadline-reached::check-reminder", NULL, NULL));
  signal_logger_assert_empty (fixture->logger);
  escalation = reopen (fixture, id);
  vesc_clock_fire_due (VESC_CLOCK (fixture->clock));
  signal_logger_assert_empty (fixture->logger);
  removal = vesc_escalation_lookup_deadline (escalation, "removal");
  g_assert_true (vesc_deadline_get_fired (removal));
  g_assert_true (vesc_deadline_get_late (removal));
}

static void
test_policy_changed (Fixture       *fixture,
                     gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", "10.47.1.20");
  g_autofree char *id = g_strdup (vesc_incident_get_id (vesc_escalation_get_incident (escalation)));
  g_autoptr(GDateTime) due = NULL;

  /* The council shortens the window: incidents already open keep theirs. */
  g_object_set (fixture->policy, "removal-window", HOUR, NULL);
  escalation = reopen (fixture, id);
  due = vesc_deadline_get_due (vesc_escalation_lookup_deadline (escalation, "removal"));
  g_assert_cmpint (offset_of (fixture, due), ==, 3 * HOUR);
}

static void
test_closed_counts_for_recurrence (Fixture       *fixture,
                                   gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", "10.47.1.20");
  g_autoptr(GError) error = NULL;

  set_clock (fixture, 3 * HOUR);
  g_assert_true (vesc_escalation_record_check (escalation, VESC_CHECK_RESULT_ABSENT, "ITD",
                                               &error));
  open_desk (fixture);
  escalation = g_list_model_get_item (vesc_desk_get_escalations (fixture->desk), 0);
  g_assert_true (vesc_escalation_get_closed (escalation));
  g_assert_null (vesc_desk_lookup_open_for_site (fixture->desk, "SCH101"));
  g_object_unref (escalation);
  escalation = open_incident (fixture, "SCH101", "10.47.1.21");
  g_assert_cmpint (vesc_incident_get_scenario (vesc_escalation_get_incident (escalation)), ==,
                   VESC_SCENARIO_REOCCURRING);
  g_assert_cmpstr (vesc_incident_get_id (vesc_escalation_get_incident (escalation)), ==,
                   "INC-20260112-0002");
}

static guint
n_records (Fixture *fixture)
{
  g_autoptr(GPtrArray) records = vesc_store_load (fixture->store, NULL);

  return records->len;
}

static void
test_site_gone (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(VescDirectory) smaller = vesc_directory_new ();
  g_autoptr(VescDesk) desk = NULL;
  g_autoptr(GError) error = NULL;
  guint records;

  open_incident (fixture, "SCH101", "10.47.1.20");
  records = n_records (fixture);
  add_site (smaller, "SCH103", "10.47.3.0/24");
  desk = vesc_desk_new (smaller, fixture->policy, VESC_CLOCK (fixture->clock), fixture->store,
                        &error);
  g_assert_null (desk);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_UNKNOWN_SITE);
  g_assert_nonnull (strstr (error->message, "SCH101"));
  g_assert_cmpuint (n_records (fixture), ==, records);
}

static void
test_bad_record (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(VescDesk) desk = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) bogus = json_from_string ("{\"type\":\"input\",\"incident\":\"INC-X\","
                                                "\"at\":1,\"input\":\"check\",\"actor\":\"a\"}",
                                                NULL);

  g_autofree char *where = NULL;

  open_incident (fixture, "SCH101", "10.47.1.20");
  where = g_strdup_printf ("record %u of the store", n_records (fixture) + 1);
  g_assert_true (vesc_store_append (fixture->store, bogus, &error));
  desk = vesc_desk_new (fixture->directory, fixture->policy, VESC_CLOCK (fixture->clock),
                        fixture->store, &error);
  g_assert_null (desk);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_PARSE);
  g_assert_nonnull (strstr (error->message, where));
  g_assert_nonnull (strstr (error->message, "INC-X"));
}

static void
test_nothing_announced (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VescMaildirNotifier) notifier = NULL;
  g_autofree char *path = g_build_filename (g_get_user_data_dir (), "mail", NULL);
  g_autofree char *new_dir = g_build_filename (path, "new", NULL);
  g_autoptr(GDir) dir = NULL;

  open_incident (fixture, "SCH101", "10.47.1.20");
  notifier = vesc_maildir_notifier_new (path, &error);
  g_assert_no_error (error);
  open_desk (fixture);
  vesc_desk_add_notifier (fixture->desk, VESC_NOTIFIER (notifier));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  dir = g_dir_open (new_dir, 0, &error);
  g_assert_no_error (error);
  g_assert_null (g_dir_read_name (dir));
  g_assert_cmpuint (vesc_desk_get_n_pending (fixture->desk), ==, 0);
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* A message whose sending failed when the process stopped goes out when a
 * notifier of the same name is added after the restart; once. */
static void
test_outbox_undelivered (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(RecordingNotifier) down = recording_notifier_new ();
  g_autoptr(RecordingNotifier) mail = recording_notifier_new ();
  g_autoptr(RecordingNotifier) again = recording_notifier_new ();

  down->fail = TRUE;
  g_assert_true (vesc_desk_add_named_notifier (fixture->desk, VESC_NOTIFIER (down), "mail"));
  open_incident (fixture, "SCH101", "10.47.1.20");
  drain ();
  g_assert_cmpuint (down->sent->len, ==, 0);

  open_desk (fixture);
  drain ();
  g_assert_true (vesc_desk_add_named_notifier (fixture->desk, VESC_NOTIFIER (mail), "mail"));
  drain ();
  /* E-mail 1 (the site has no one else to tell), with the key it had. */
  g_assert_cmpuint (mail->sent->len, ==, 1);
  g_assert_cmpstr (vesc_notification_get_template_id (mail->sent->pdata[0]), ==, "email-1");
  g_assert_true (g_str_has_suffix (vesc_notification_get_key (mail->sent->pdata[0]),
                                   "/M3/email-1"));

  open_desk (fixture);
  g_assert_true (vesc_desk_add_named_notifier (fixture->desk, VESC_NOTIFIER (again), "mail"));
  drain ();
  g_assert_cmpuint (again->sent->len, ==, 0);
}

/* A crash between a step and the record of its message: the replay renders
 * the message again and the first notifier added sends it. */
static void
test_outbox_unrecorded (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(RecordingNotifier) mail = recording_notifier_new ();
  g_autoptr(VescStore) crashed = VESC_STORE (vesc_memory_store_new ());
  g_autoptr(GPtrArray) records = NULL;

  open_incident (fixture, "SCH101", "10.47.1.20");
  records = vesc_store_load (fixture->store, NULL);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *record = json_node_get_object (records->pdata[i]);

      if (!g_str_equal (json_object_get_string_member (record, "type"), "queued"))
        g_assert_true (vesc_store_append (crashed, records->pdata[i], NULL));
    }
  g_set_object (&fixture->store, crashed);
  open_desk (fixture);
  vesc_desk_add_notifier (fixture->desk, VESC_NOTIFIER (mail));
  drain ();
  g_assert_cmpuint (mail->sent->len, ==, 1);
}

/* A message given up on stays given up on, and its warning stays on the
 * timeline. */
static void
test_outbox_undeliverable (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(RecordingNotifier) down = recording_notifier_new ();
  g_autoptr(RecordingNotifier) mail = recording_notifier_new ();
  VescEscalation *escalation;
  g_autofree char *id = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  down->fail = TRUE;
  vesc_desk_add_named_notifier (fixture->desk, VESC_NOTIFIER (down), "mail");
  escalation = open_incident (fixture, "SCH101", "10.47.1.20");
  id = g_strdup (vesc_incident_get_id (vesc_escalation_get_incident (escalation)));
  for (guint attempt = 1; attempt <= 5; attempt++)
    {
      drain ();
      set_clock (fixture, attempt * 16 * MINUTE);
    }
  before = timeline_text (escalation);
  g_assert_nonnull (strstr (before, "after 5 attempts"));

  escalation = reopen (fixture, id);
  after = timeline_text (escalation);
  g_assert_cmpstr (after, ==, before);
  vesc_desk_add_named_notifier (fixture->desk, VESC_NOTIFIER (mail), "mail");
  drain ();
  g_assert_cmpuint (mail->sent->len, ==, 0);
}

/* What a deployment runs: the wall clock and the durable store in the
 * user's data folder, which only one program may hold. */
static void
test_open_default_store (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(VescDesk) desk = NULL;
  g_autoptr(VescDesk) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *journal = g_build_filename (g_get_user_data_dir (), "libvesc", "store",
                                               "journal.jsonl", NULL);
  const char *devices[] = { "10.47.1.20", NULL };
  g_autofree char *id = NULL;

  desk = vesc_desk_open (fixture->directory, fixture->policy, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (VESC_IS_SYSTEM_CLOCK (vesc_desk_get_clock (desk)));
  id = g_strdup (vesc_incident_get_id (vesc_escalation_get_incident (
    vesc_desk_open_incident (desk, "SCH101", devices, "ET TROJAN", FALSE, "ITD", &error))));
  g_assert_true (g_file_test (journal, G_FILE_TEST_IS_REGULAR));

  second = vesc_desk_open (fixture->directory, fixture->policy, NULL, &error);
  g_assert_null (second);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_LOCKED);
  g_clear_error (&error);

  g_clear_object (&desk);
  desk = vesc_desk_open (fixture->directory, fixture->policy, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (vesc_escalation_get_step (vesc_desk_lookup_escalation (desk, id)), ==, "M5");
}

/* A crash after the input that closed an incident but before its closing
 * record: the reopened desk writes the record, so compaction can work. */
static void
test_closing_record_restored (Fixture       *fixture,
                              gconstpointer  data)
{
  VescEscalation *escalation = open_incident (fixture, "SCH101", "10.47.1.20");
  g_autoptr(VescStore) crashed = VESC_STORE (vesc_memory_store_new ());
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) after = NULL;
  g_autoptr(GError) error = NULL;
  guint closings = 0;

  set_clock (fixture, 3 * HOUR);
  g_assert_true (vesc_escalation_record_check (escalation, VESC_CHECK_RESULT_ABSENT, "ITD",
                                               &error));
  records = vesc_store_load (fixture->store, NULL);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *record = json_node_get_object (records->pdata[i]);

      if (!g_str_equal (json_object_get_string_member (record, "type"), "closed"))
        g_assert_true (vesc_store_append (crashed, records->pdata[i], NULL));
    }
  g_set_object (&fixture->store, crashed);
  open_desk (fixture);
  after = vesc_store_load (fixture->store, NULL);
  for (guint i = 0; i < after->len; i++)
    closings += g_str_equal (json_object_get_string_member (json_node_get_object (
                               after->pdata[i]), "type"), "closed");
  g_assert_cmpuint (closings, ==, 1);
  /* And only once: a second reopening finds it. */
  open_desk (fixture);
  g_clear_pointer (&after, g_ptr_array_unref);
  after = vesc_store_load (fixture->store, NULL);
  g_assert_cmpuint (after->len, ==, records->len);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/restart/state-comes-back", test_state_comes_back);
  ADD ("/restart/deadline-keeps-its-time", test_deadline_keeps_its_time);
  ADD ("/restart/missed-while-down", test_missed_while_down);
  ADD ("/restart/policy-changed", test_policy_changed);
  ADD ("/restart/closed-counts-for-recurrence", test_closed_counts_for_recurrence);
  ADD ("/restart/site-gone", test_site_gone);
  ADD ("/restart/bad-record", test_bad_record);
  ADD ("/restart/nothing-announced", test_nothing_announced);
  ADD ("/restart/open-default-store", test_open_default_store);
  ADD ("/restart/closing-record-restored", test_closing_record_restored);
  ADD ("/restart/outbox/undelivered", test_outbox_undelivered);
  ADD ("/restart/outbox/unrecorded", test_outbox_unrecorded);
  ADD ("/restart/outbox/undeliverable", test_outbox_undeliverable);

#undef ADD

  return g_test_run ();
}

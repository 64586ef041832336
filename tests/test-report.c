/* test-report.c: the report for the LTSB over a period
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <libvesc/vesc.h>

#define HOUR G_TIME_SPAN_HOUR

typedef struct {
  VescDirectory   *directory;
  VescManualClock *clock;
  VescStore       *store;
  VescDesk        *desk;
  GDateTime       *start;
} Fixture;

static void
add_site (VescDirectory *directory,
          const char    *id,
          const char    *name,
          const char    *subnet)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VescSite) site = vesc_site_new (id, name, &error);

  g_assert_true (vesc_site_add_subnet (site, subnet, &error));
  g_assert_true (vesc_directory_add_site (directory, site, &error));
}

static VescDesk *
new_desk (Fixture   *fixture,
          VescStore *store)
{
  g_autoptr(VescPolicy) policy = vesc_policy_new ();
  g_autoptr(GError) error = NULL;
  VescDesk *desk = vesc_desk_new (fixture->directory, policy, VESC_CLOCK (fixture->clock), store,
                                  &error);

  g_assert_no_error (error);
  return desk;
}

static void
at (Fixture   *fixture,
    GTimeSpan  offset)
{
  g_autoptr(GDateTime) time = g_date_time_add (fixture->start, offset);

  vesc_manual_clock_set_time (fixture->clock, time);
}

static VescEscalation *
detect (Fixture    *fixture,
        const char *address)
{
  g_autoptr(GError) error = NULL;
  VescEscalation *escalation = vesc_desk_report_detection (fixture->desk, address, "ET TROJAN",
                                                           &error);

  g_assert_no_error (error);
  return escalation;
}

/* SCH101: a minor incident ended at D1, then a reoccurring one cut off for
 * two hours; SCH103: a major one still waiting for its decision. */
static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  VescEscalation *escalation;

  fixture->directory = vesc_directory_new ();
  add_site (fixture->directory, "SCH101", "Alder Brook Primary", "10.47.1.0/24");
  add_site (fixture->directory, "SCH103", "Cherry Lane Infants", "10.47.3.0/24");
  fixture->start = g_date_time_new_utc (2026, 4, 20, 8, 0, 0);
  fixture->clock = vesc_manual_clock_new (fixture->start);
  fixture->store = VESC_STORE (vesc_memory_store_new ());
  fixture->desk = new_desk (fixture, fixture->store);

  escalation = detect (fixture, "10.47.1.20");
  at (fixture, 3 * HOUR);
  g_assert_true (vesc_escalation_record_check (escalation, VESC_CHECK_RESULT_ABSENT, "ITD", &error));
  at (fixture, 24 * HOUR);
  escalation = detect (fixture, "10.47.1.21");
  g_assert_true (vesc_escalation_decide (escalation, TRUE, "Principal Manager", &error));
  at (fixture, 26 * HOUR);
  g_assert_true (vesc_escalation_report_clean (escalation, "KSSC", &error));
  g_assert_true (vesc_escalation_reconnect (escalation, "ITD", &error));
  at (fixture, 48 * HOUR);
  detect (fixture, "10.47.3.1");
  detect (fixture, "10.47.3.2");
  detect (fixture, "10.47.3.3");
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->desk);
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->clock);
  g_clear_object (&fixture->directory);
  g_date_time_unref (fixture->start);
}

static JsonObject *
period_json (VescDesk   *desk,
             GDateTime  *from,
             GDateTime  *to,
             JsonParser *parser)
{
  g_autofree char *json = vesc_desk_get_period_report_json (desk, from, to);
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  return json_node_get_object (json_parser_get_root (parser));
}

static gint64
member_int (JsonObject *object,
            const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path, ".", -1);

  for (guint i = 0; parts[i + 1] != NULL; i++)
    object = json_object_get_object_member (object, parts[i]);
  return json_object_get_int_member (object, parts[g_strv_length (parts) - 1]);
}

static void
check_whole_period (VescDesk  *desk,
                    GDateTime *start)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GDateTime) end = g_date_time_add_days (start, 7);
  JsonObject *report = period_json (desk, start, end, parser);
  JsonArray *reoccurring = json_object_get_array_member (report, "reoccurring_sites");

  g_assert_cmpint (member_int (report, "incidents"), ==, 3);
  g_assert_cmpint (member_int (report, "by_scenario.minor"), ==, 1);
  g_assert_cmpint (member_int (report, "by_scenario.reoccurring"), ==, 1);
  g_assert_cmpint (member_int (report, "by_scenario.major"), ==, 1);
  g_assert_cmpint (member_int (report, "outcomes.open"), ==, 1);
  g_assert_cmpint (member_int (report, "outcomes.device-removed"), ==, 1);
  g_assert_cmpint (member_int (report, "outcomes.reconnected"), ==, 1);
  /* Only the minor ladder had windows: D1 met by the removal. */
  g_assert_cmpint (member_int (report, "deadlines.met"), ==, 1);
  g_assert_cmpint (member_int (report, "deadlines.missed"), ==, 0);
  g_assert_cmpint (member_int (report, "time_to_removal.count"), ==, 1);
  g_assert_cmpint (member_int (report, "time_to_removal.mean_seconds"), ==, 3 * 3600);
  g_assert_cmpint (member_int (report, "time_to_reconnection.max_seconds"), ==, 2 * 3600);
  g_assert_cmpuint (json_array_get_length (reoccurring), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (reoccurring, 0), ==, "SCH101");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (report, "sites")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (report, "list")), ==, 3);
}

static void
test_whole_period (Fixture       *fixture,
                   gconstpointer  data)
{
  check_whole_period (fixture->desk, fixture->start);
}

static void
test_part_of_period (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GDateTime) from = g_date_time_add (fixture->start, 24 * HOUR);
  g_autoptr(GDateTime) to = g_date_time_add (fixture->start, 48 * HOUR);
  JsonObject *report = period_json (fixture->desk, from, to, parser);

  /* The end is excluded: the major incident opened exactly at 48 h is not in. */
  g_assert_cmpint (member_int (report, "incidents"), ==, 1);
  g_assert_cmpint (member_int (report, "by_scenario.reoccurring"), ==, 1);
  /* It never reached a check that found the device gone. */
  g_assert_true (json_node_is_null (json_object_get_member (
                   json_object_get_object_member (report, "time_to_removal"), "mean_seconds")));
}

static void
test_text (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(GDateTime) end = g_date_time_add_days (fixture->start, 7);
  g_autofree char *text = vesc_desk_get_period_report_text (fixture->desk, fixture->start, end);

  g_assert_nonnull (strstr (text, "Incidents: 3 (minor 1, reoccurring 1, major 1)"));
  g_assert_nonnull (strstr (text, "Deadlines: 1 met, 0 missed"));
  g_assert_nonnull (strstr (text, "Time to removal: 1 incident(s), mean 3 hours"));
  g_assert_nonnull (strstr (text, "Time disconnected: 1 incident(s), mean 2 hours"));
  g_assert_nonnull (strstr (text, "Reoccurring sites: SCH101\n"));
  g_assert_nonnull (strstr (text, "SCH101 Alder Brook Primary: 2 (minor 1, reoccurring 1, major 0)"));
}

/* Closed incidents known only by their closing record (as a compacted
 * store keeps them) count exactly as before. */
static void
test_compacted (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GPtrArray) records = vesc_store_load (fixture->store, NULL);
  g_autoptr(VescStore) compacted = VESC_STORE (vesc_memory_store_new ());
  g_autoptr(VescDesk) desk = NULL;
  g_autoptr(GHashTable) closed = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *record = json_node_get_object (records->pdata[i]);

      if (g_str_equal (json_object_get_string_member (record, "type"), "closed"))
        g_hash_table_add (closed, (char *) json_object_get_string_member (record, "incident"));
    }
  g_assert_cmpuint (g_hash_table_size (closed), ==, 2);
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *record = json_node_get_object (records->pdata[i]);
      const char *type = json_object_get_string_member (record, "type");
      const char *id = json_object_get_string_member (record, "incident");

      if (!g_hash_table_contains (closed, id) || g_str_equal (type, "closed"))
        g_assert_true (vesc_store_append (compacted, records->pdata[i], NULL));
    }
  g_clear_object (&fixture->desk);
  desk = new_desk (fixture, compacted);
  g_assert_cmpuint (g_list_model_get_n_items (vesc_desk_get_escalations (desk)), ==, 1);
  check_whole_period (desk, fixture->start);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/report/period/whole", test_whole_period);
  ADD ("/report/period/part", test_part_of_period);
  ADD ("/report/period/text", test_text);
  ADD ("/report/period/compacted", test_compacted);

#undef ADD

  return g_test_run ();
}

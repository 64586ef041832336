/* vesc-drill.c: replays a Suricata alert log through the escalation procedure
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each alert that counts as a security problem goes to a help desk running
 * on a manual clock; what people answer is scripted by the flags, and the
 * e-mails land in a Maildir. Standard output gets each incident's timeline
 * and report, then a summary.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <libvesc/vesc.h>

#define DECISION_DELAY (10 * G_TIME_SPAN_MINUTE)
#define MAX_REFUSALS   2
#define MAX_MOVES      100000

typedef struct {
  char            *sites, *alerts, *out, *policy, *removal, *decision, *clean, *reconnect;
  int              max_severity;
  gboolean         device_stays;
  GTimeSpan        removal_after, clean_after, reconnect_after;

  VescManualClock *clock;
  VescDesk        *desk;
  VescNotifier    *maildir;
  guint            n_records, n_counted, n_bad, n_unmatched, n_sending, n_written;
} Drill;

typedef struct {
  guint      line;
  GDateTime *time;
  char      *address, *summary;
} Alert;

typedef enum { REMOVAL, CHECK, DECISION, CLEAN, RECONNECT } Input;

/* An input a scripted person will give, set as an alarm on the clock. */
typedef struct {
  Drill          *drill;
  VescEscalation *escalation;
  Input           input;
} Answer;

/* What the scripted people know about one escalation. */
typedef struct {
  gboolean removed;
  guint    refusals;
} Script;

/* ---- the scripted answers ------------------------------------------------ */

static gboolean
give (Drill          *drill,
      VescEscalation *escalation,
      Input           input,
      GError        **error)
{
  Script *script = g_object_get_data (G_OBJECT (escalation), "script");
  VescStepKind kind = vesc_escalation_get_step_kind (escalation);
  gboolean refuse = g_strcmp0 (drill->decision, "no") == 0 && script->refusals < MAX_REFUSALS;

  switch (input)
    {
    case REMOVAL:  /* only a window listens; otherwise the next check sees it */
      script->removed = TRUE;
      return (kind != VESC_STEP_KIND_WAIT && kind != VESC_STEP_KIND_CHECK) ||
             vesc_escalation_report_removal (escalation, "Support team", error);
    case CHECK:
      return vesc_escalation_record_check (escalation, script->removed ? VESC_CHECK_RESULT_ABSENT
                                           : VESC_CHECK_RESULT_PRESENT, "ITD", error);
    case DECISION:  /* refusing for ever would loop on the final window */
      if (refuse)
        script->refusals++;
      return vesc_escalation_decide (escalation, !refuse, "Principal Manager", error);
    case CLEAN:
      return vesc_escalation_report_clean (escalation, "Support team", error);
    case RECONNECT:
    default:
      return vesc_escalation_reconnect (escalation, "ITD", error);
    }
}

static void
answer_fired (VescClock *clock,
              gpointer   user_data)
{
  Answer *answer = user_data;
  g_autoptr(GError) error = NULL;

  if (!give (answer->drill, answer->escalation, answer->input, &error))
    fprintf (stderr, "vesc-drill: %s: %s\n",
             vesc_incident_get_id (vesc_escalation_get_incident (answer->escalation)),
             error->message);
}

static void
answer_free (gpointer data)
{
  Answer *answer = data;

  g_object_unref (answer->escalation);
  g_free (answer);
}

static void
schedule (Drill          *drill,
          VescEscalation *escalation,
          GTimeSpan       delay,
          Input           input)
{
  g_autoptr(GDateTime) now = vesc_clock_get_now (VESC_CLOCK (drill->clock));
  g_autoptr(GDateTime) when = g_date_time_add (now, delay);
  Answer *answer = g_new0 (Answer, 1);

  answer->drill = drill;
  answer->escalation = g_object_ref (escalation);
  answer->input = input;
  vesc_clock_add_alarm (VESC_CLOCK (drill->clock), when, answer_fired, answer, answer_free);
}

/* ---- what the desk and the escalations say ------------------------------- */

static void
on_deadline_reached (VescEscalation *escalation,
                     VescDeadline   *deadline,
                     Drill          *drill)
{
  /* A window has ended: ITD checks the network straight away. */
  if (vesc_deadline_get_kind (deadline) == VESC_DEADLINE_KIND_WINDOW &&
      vesc_escalation_get_step_kind (escalation) == VESC_STEP_KIND_CHECK)
    schedule (drill, escalation, 0, CHECK);
}

static void
on_step_changed (VescEscalation *escalation,
                 const char     *old_step,
                 const char     *new_step,
                 Drill          *drill)
{
  /* Steps passed through are signalled too: answer the one it stopped at. */
  if (g_strcmp0 (new_step, vesc_escalation_get_step (escalation)) != 0)
    return;
  switch (vesc_escalation_get_step_kind (escalation))
    {
    case VESC_STEP_KIND_DECISION:
      schedule (drill, escalation, DECISION_DELAY, DECISION);
      break;
    case VESC_STEP_KIND_CLEAN_UP:
      schedule (drill, escalation, drill->clean_after, CLEAN);
      break;
    case VESC_STEP_KIND_RECONNECT:
      schedule (drill, escalation, drill->reconnect_after, RECONNECT);
      break;
    default:
      break;
    }
}

static void
on_sent (GObject      *notifier,
         GAsyncResult *result,
         gpointer      user_data)
{
  Drill *drill = user_data;
  g_autoptr(GError) error = NULL;

  drill->n_sending--;
  if (vesc_notifier_send_finish (VESC_NOTIFIER (notifier), result, &error))
    drill->n_written++;
  else
    fprintf (stderr, "vesc-drill: an e-mail was not written: %s\n", error->message);
}

/* The drill sends each message itself, rather than adding the notifier to
 * the desk, so that it knows when the last one is written. */
static void
on_notification_queued (VescEscalation   *escalation,
                        VescNotification *notification,
                        Drill            *drill)
{
  drill->n_sending++;
  vesc_notifier_send_async (drill->maildir, notification, NULL, on_sent, drill);
}

static void
on_escalation_opened (VescDesk       *desk,
                      VescEscalation *escalation,
                      Drill          *drill)
{
  g_object_set_data_full (G_OBJECT (escalation), "script", g_new0 (Script, 1), g_free);
  g_signal_connect (escalation, "deadline-reached", G_CALLBACK (on_deadline_reached), drill);
  g_signal_connect (escalation, "step-changed", G_CALLBACK (on_step_changed), drill);
  g_signal_connect (escalation, "notification-queued", G_CALLBACK (on_notification_queued),
                    drill);
  if (!drill->device_stays)
    schedule (drill, escalation, drill->removal_after, REMOVAL);
}

/* ---- the alert log ------------------------------------------------------- */

static JsonNode *
member (JsonNode   *node,
        const char *name,
        GType       type)
{
  JsonNode *found = NULL;

  if (node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    found = json_object_get_member (json_node_get_object (node), name);
  return found != NULL && json_node_get_value_type (found) == type ? found : NULL;
}

/* The rule for "counts as a security problem": an alert whose severity is
 * at most --max-severity. Suricata's 1 is the most serious; Emerging Threats
 * rules put trojans, exploits, privilege gain and policy violations there. */
static gboolean
counts (JsonNode *record,
        int       max_severity)
{
  JsonNode *type = member (record, "event_type", G_TYPE_STRING);
  JsonNode *severity = member (member (record, "alert", JSON_TYPE_OBJECT), "severity",
                               G_TYPE_INT64);

  return type != NULL && g_str_equal (json_node_get_string (type), "alert") &&
         severity != NULL && json_node_get_int (severity) <= max_severity;
}

static Alert *
alert_new (JsonNode *record,
           guint     line)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  JsonNode *timestamp = member (record, "timestamp", G_TYPE_STRING);
  JsonNode *address = member (record, "src_ip", G_TYPE_STRING);
  JsonNode *signature = member (member (record, "alert", JSON_TYPE_OBJECT), "signature",
                                G_TYPE_STRING);
  GDateTime *time = NULL;
  Alert *alert;

  if (timestamp != NULL)
    time = g_date_time_new_from_iso8601 (json_node_get_string (timestamp), utc);
  if (time == NULL || address == NULL)
    {
      g_clear_pointer (&time, g_date_time_unref);
      return NULL;
    }
  alert = g_new0 (Alert, 1);
  alert->line = line;
  alert->time = time;
  alert->address = json_node_dup_string (address);
  alert->summary = g_strdup (signature ? json_node_get_string (signature) : "Suricata alert");
  return alert;
}

static void
alert_free (Alert *alert)
{
  g_date_time_unref (alert->time);
  g_free (alert->address);
  g_free (alert->summary);
  g_free (alert);
}

static gboolean
bad_line (Drill      *drill,
          guint       number,
          const char *problem)
{
  fprintf (stderr, "vesc-drill: %s:%u: %s\n", drill->alerts, number, problem);
  drill->n_bad++;
  return FALSE;
}

/* Returns whether the line held a record; a counted one goes to @alerts. */
static gboolean
read_line (Drill      *drill,
           JsonParser *parser,
           const char *line,
           guint       number,
           GPtrArray  *alerts)
{
  g_autoptr(GError) error = NULL;
  JsonNode *record;
  Alert *alert;

  if (!json_parser_load_from_data (parser, line, -1, &error))
    return bad_line (drill, number, error->message);
  record = json_parser_get_root (parser);
  if (record == NULL || !JSON_NODE_HOLDS_OBJECT (record))
    return bad_line (drill, number, "not a JSON object");
  if (counts (record, drill->max_severity))
    {
      alert = alert_new (record, number);
      if (alert == NULL)
        return bad_line (drill, number, "an alert needs a src_ip and an ISO 8601 timestamp");
      g_ptr_array_add (alerts, alert);
      drill->n_counted++;
    }
  drill->n_records++;
  return TRUE;
}

/* g_ptr_array_sort() is stable: alerts of the same time keep the file's order. */
static int
by_time (gconstpointer a,
         gconstpointer b)
{
  return g_date_time_compare ((*(Alert **) a)->time, (*(Alert **) b)->time);
}

static GPtrArray *
read_alerts (Drill   *drill,
             GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_commandline_arg (drill->alerts);
  g_autoptr(GFileInputStream) input = g_file_read (file, NULL, error);
  g_autoptr(GDataInputStream) data = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GPtrArray) alerts = g_ptr_array_new_with_free_func ((GDestroyNotify) alert_free);
  GError *local_error = NULL;
  guint number = 0;
  char *line;

  if (input == NULL)
    return NULL;
  data = g_data_input_stream_new (G_INPUT_STREAM (input));
  while ((line = g_data_input_stream_read_line (data, NULL, NULL, &local_error)) != NULL)
    {
      number++;
      if (*g_strstrip (line) != '\0')
        read_line (drill, parser, line, number, alerts);
      g_free (line);
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  g_ptr_array_sort (alerts, by_time);
  return g_steal_pointer (&alerts);
}

/* ---- the run ------------------------------------------------------------- */

static gboolean
open_desk (Drill      *drill,
           GDateTime  *start,
           GError    **error)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(VescPolicy) policy = NULL;
  g_autoptr(VescMemoryStore) store = vesc_memory_store_new ();
  g_autofree char *mail = g_build_filename (drill->out, "mail", NULL);

  if (!vesc_directory_load_from_file (directory, drill->sites, error))
    return FALSE;
  policy = drill->policy ? vesc_policy_new_from_file (drill->policy, error) : vesc_policy_new ();
  if (policy == NULL)
    return FALSE;
  drill->maildir = VESC_NOTIFIER (vesc_maildir_notifier_new (mail, error));
  if (drill->maildir == NULL)
    return FALSE;
  drill->clock = vesc_manual_clock_new (start);
  drill->desk = vesc_desk_new (directory, policy, VESC_CLOCK (drill->clock), VESC_STORE (store),
                               error);
  if (drill->desk == NULL)
    return FALSE;
  g_signal_connect (drill->desk, "escalation-opened", G_CALLBACK (on_escalation_opened), drill);
  return TRUE;
}

static void
run_main_context (void)
{
  while (g_main_context_iteration (NULL, FALSE));
}

static void
replay (Drill     *drill,
        GPtrArray *alerts)
{
  guint moves = 0;

  for (guint i = 0; i < alerts->len; i++)
    {
      Alert *alert = alerts->pdata[i];
      g_autoptr(GError) error = NULL;

      vesc_manual_clock_set_time (drill->clock, alert->time);
      run_main_context ();
      if (vesc_desk_report_detection (drill->desk, alert->address, alert->summary, &error))
        continue;
      if (g_error_matches (error, VESC_ERROR, VESC_ERROR_UNKNOWN_SITE))
        drill->n_unmatched++;
      else
        fprintf (stderr, "vesc-drill: %s:%u: %s\n", drill->alerts, alert->line, error->message);
    }
  /* Then let the escalations run to their end. */
  while (moves++ < MAX_MOVES && vesc_manual_clock_advance_to_next (drill->clock))
    run_main_context ();
  if (vesc_clock_get_n_alarms (VESC_CLOCK (drill->clock)) > 0)
    fprintf (stderr, "vesc-drill: stopped after %d clock moves\n", MAX_MOVES);
  while (drill->n_sending > 0)
    g_main_context_iteration (NULL, TRUE);
}

/* ---- the output ------------------------------------------------------------ */

static void
print_escalation (VescEscalation *escalation)
{
  VescIncident *incident = vesc_escalation_get_incident (escalation);
  GListModel *timeline = vesc_incident_get_timeline (incident);
  g_autofree char *report = vesc_escalation_get_report_text (escalation);
  char *report_timeline = strstr (report, "\nTimeline:\n");

  printf ("=== %s at %s: %s ===\nTimeline (UTC):\n", vesc_incident_get_id (incident),
          vesc_site_get_name (vesc_incident_get_site (incident)),
          vesc_escalation_get_closed (escalation) ? "closed" : "still open");
  for (guint i = 0; i < g_list_model_get_n_items (timeline); i++)
    {
      g_autoptr(VescEvent) event = g_list_model_get_item (timeline, i);
      g_autoptr(GDateTime) time = vesc_event_get_time (event);
      g_autofree char *text = g_date_time_format (time, "%Y-%m-%d %H:%M:%S");

      printf ("  %s  %-4s %-17s %s\n", text, vesc_event_get_step (event),
              vesc_event_get_actor (event), vesc_event_get_detail (event));
    }
  /* The timeline was just printed: keep the report short. */
  if (report_timeline != NULL)
    report_timeline[1] = '\0';
  printf ("Report:\n%s\n", report);
}

static guint
print_unmatched (Drill *drill)
{
  const char * const *addresses = vesc_desk_get_unmatched_addresses (drill->desk);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) list = g_string_new (NULL);

  /* The desk lists every unmatched detection; show each address once. */
  for (guint i = 0; addresses != NULL && addresses[i] != NULL; i++)
    if (g_hash_table_add (seen, (char *) addresses[i]))
      g_string_append_printf (list, "%s%s", list->len > 0 ? ", " : "", addresses[i]);
  if (list->len > 0)
    printf ("Addresses of no school: %s\n\n", list->str);
  return g_hash_table_size (seen);
}

static void
print_results (Drill *drill)
{
  GListModel *escalations = vesc_desk_get_escalations (drill->desk);
  guint n = g_list_model_get_n_items (escalations), closed = 0, n_addresses;
  guint scenarios[VESC_SCENARIO_MAJOR + 1] = { 0 };
  g_autofree char *mail = g_build_filename (drill->out, "mail", "new", NULL);

  /* By the scenario each incident ended with: a minor one may be upgraded. */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VescEscalation) escalation = g_list_model_get_item (escalations, i);

      print_escalation (escalation);
      closed += vesc_escalation_get_closed (escalation);
      scenarios[vesc_incident_get_scenario (vesc_escalation_get_incident (escalation))]++;
    }
  n_addresses = print_unmatched (drill);
  printf ("Summary: %u records read, %u counted as security problems, %u not counted, "
          "%u bad lines\n", drill->n_records, drill->n_counted,
          drill->n_records - drill->n_counted, drill->n_bad);
  printf ("Unmatched: %u detections from %u addresses of no school\n", drill->n_unmatched,
          n_addresses);
  printf ("Incidents: %u opened (minor %u, reoccurring %u, major %u), %u closed\n", n,
          scenarios[VESC_SCENARIO_MINOR], scenarios[VESC_SCENARIO_REOCCURRING],
          scenarios[VESC_SCENARIO_MAJOR], closed);
  printf ("E-mails written: %u in %s\n", drill->n_written, mail);
}

/* ---- the command line ------------------------------------------------------ */

static const char description[] =
  "Scripted answers: the device is removed --removal-after opening (or never, with\n"
  "--device-stays); ITD checks when each window ends; the Principal Manager decides\n"
  "10 minutes after a decision is owed; the site is clean --clean-after the\n"
  "disconnection and reconnected --reconnect-after that. With --decision no, an\n"
  "incident is refused disconnection twice at most and then disconnected, so that a\n"
  "device that stays cannot keep the minor ladder looping for ever.\n"
  "Durations are a number and a unit: 45s, 30m, 2h, 1d.";

static gboolean
parse_duration (const char  *text,
                const char  *option,
                GTimeSpan   *span,
                GError     **error)
{
  static const char units[] = "smhd";
  static const GTimeSpan sizes[] = { G_TIME_SPAN_SECOND, G_TIME_SPAN_MINUTE, G_TIME_SPAN_HOUR,
                                     G_TIME_SPAN_DAY };
  char *end = NULL;
  guint64 count = g_ascii_strtoull (text, &end, 10);
  const char *unit = end != text && *end != '\0' ? strchr (units, *end) : NULL;

  if (unit == NULL || end[1] != '\0' || count > 1000 * 24)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s wants a duration such as 30m, 2h or 1d, not “%s”", option, text);
      return FALSE;
    }
  *span = (GTimeSpan) count * sizes[unit - units];
  return TRUE;
}

static gboolean
check_options (Drill   *drill,
               GError **error)
{
  const char *problem = NULL;

  if (drill->sites == NULL || drill->alerts == NULL || drill->out == NULL)
    problem = "--sites, --alerts and --out are required (see --help)";
  else if (drill->max_severity < 1)
    problem = "--max-severity must be 1 or more";
  else if (drill->device_stays && drill->removal != NULL)
    problem = "--removal-after and --device-stays exclude each other";
  else if (drill->decision && !g_str_equal (drill->decision, "yes") &&
           !g_str_equal (drill->decision, "no"))
    problem = "--decision is yes or no";
  if (problem != NULL)
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, problem);
  return problem == NULL &&
         parse_duration (drill->removal ? drill->removal : "2h", "--removal-after",
                         &drill->removal_after, error) &&
         parse_duration (drill->clean ? drill->clean : "4h", "--clean-after",
                         &drill->clean_after, error) &&
         parse_duration (drill->reconnect ? drill->reconnect : "1h", "--reconnect-after",
                         &drill->reconnect_after, error);
}

static gboolean
parse_options (Drill    *drill,
               int      *argc,
               char   ***argv,
               GError  **error)
{
  const GOptionEntry entries[] = {
    { "sites", 0, 0, G_OPTION_ARG_FILENAME, &drill->sites, "The site directory (JSON)", "FILE" },
    { "alerts", 0, 0, G_OPTION_ARG_FILENAME, &drill->alerts, "Suricata EVE records", "FILE" },
    { "out", 0, 0, G_OPTION_ARG_FILENAME, &drill->out, "Write e-mails to DIR/mail", "DIR" },
    { "policy", 0, 0, G_OPTION_ARG_FILENAME, &drill->policy, "A policy file (JSON)", "FILE" },
    { "max-severity", 0, 0, G_OPTION_ARG_INT, &drill->max_severity,
      "Count alerts of Suricata severity N or more serious (default 1)", "N" },
    { "removal-after", 0, 0, G_OPTION_ARG_STRING, &drill->removal,
      "The device is removed this long after opening (default 2h)", "SPAN" },
    { "device-stays", 0, 0, G_OPTION_ARG_NONE, &drill->device_stays,
      "The device is never removed", NULL },
    { "decision", 0, 0, G_OPTION_ARG_STRING, &drill->decision,
      "Whether to disconnect when asked (default yes)", "yes|no" },
    { "clean-after", 0, 0, G_OPTION_ARG_STRING, &drill->clean,
      "The site is clean this long after disconnection (default 4h)", "SPAN" },
    { "reconnect-after", 0, 0, G_OPTION_ARG_STRING, &drill->reconnect,
      "ITD reconnects this long after the clean-up (default 1h)", "SPAN" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- run an alert log as a drill");

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, description);
  return g_option_context_parse (context, argc, argv, error) && check_options (drill, error);
}

static void
drill_clear (Drill *drill)
{
  char **strings[] = { &drill->sites, &drill->alerts, &drill->out, &drill->policy,
                       &drill->removal, &drill->decision, &drill->clean, &drill->reconnect };

  g_clear_object (&drill->desk);
  g_clear_object (&drill->clock);
  g_clear_object (&drill->maildir);
  for (gsize i = 0; i < G_N_ELEMENTS (strings); i++)
    g_clear_pointer (strings[i], g_free);
}

int
main (int    argc,
      char **argv)
{
  Drill drill = { .max_severity = 1 };
  g_autoptr(GPtrArray) alerts = NULL;
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GError) error = NULL;

  setlocale (LC_ALL, "");
  if (parse_options (&drill, &argc, &argv, &error) &&
      (alerts = read_alerts (&drill, &error)) != NULL)
    {
      start = alerts->len > 0 ? g_date_time_ref (((Alert *) alerts->pdata[0])->time)
                              : g_date_time_new_now_utc ();
      if (open_desk (&drill, start, &error))
        {
          replay (&drill, alerts);
          print_results (&drill);
        }
    }
  if (error != NULL)
    fprintf (stderr, "vesc-drill: %s\n", error->message);
  drill_clear (&drill);
  return error != NULL ? 1 : 0;
}

/* vesc-drill.c: replays a Suricata alert log through the escalation procedure
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Each alert that counts as a security problem goes to a help desk running on a manual
 * clock; what people answer is scripted by the flags, and the e-mails land in a Maildir
 * (or go to sendmail or a webhook). Standard output gets each incident's report, the
 * period report over them all, then a summary.
 *
 * Everything people do is an alarm on the clock: ITD reporting each alert at its time, and
 * the scripted answers. Alarms fire in time order, those of the same time in the order they
 * were added, so the log needs no sorting.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <libvesc/vesc.h>

#define DECISION_DELAY (10 * G_TIME_SPAN_MINUTE)
#define MAX_REFUSALS   2
#define MAX_MOVES      100000

/* The options; the scripted people read them too. */
static char *sites_path, *alerts_path, *out_dir, *policy_path, *decision, *report_path;
static char *notifier_kind, *sendmail_path, *webhook_url, **sendmail_args;
static int max_severity = 1;
static gboolean device_stays;
static GTimeSpan removal_after = -1;  /* -1 until given: it excludes --device-stays */
static GTimeSpan clean_after = 4 * G_TIME_SPAN_HOUR;
static GTimeSpan reconnect_after = G_TIME_SPAN_HOUR;

/* The figures of the summary, and the start of the period report. */
static guint n_records, n_counted, n_bad, n_queued, n_failed;
static GDateTime *first_alert;

typedef enum { DETECTION, REMOVAL, CHECK, DECISION, CLEAN, RECONNECT } Input;

/* Something someone does at a given time: an alarm's data. */
typedef struct {
  Input           input;
  char           *where;       /* for error messages */
  VescDesk       *desk;        /* a detection's, with its address and summary */
  char           *address, *summary;
  VescEscalation *escalation;  /* what the other inputs answer */
} Act;

static gboolean
answer (VescEscalation  *escalation,
        Input            input,
        GError         **error)
{
  GObject *object = G_OBJECT (escalation);
  VescStepKind kind = vesc_escalation_get_step_kind (escalation);
  guint refusals = GPOINTER_TO_UINT (g_object_get_data (object, "refusals"));
  gboolean disconnect = g_strcmp0 (decision, "no") != 0 || refusals >= MAX_REFUSALS;

  switch (input)
    {
    case REMOVAL:  /* only a window listens; otherwise the next check sees it */
      g_object_set_data (object, "removed", GUINT_TO_POINTER (TRUE));
      return (kind != VESC_STEP_KIND_WAIT && kind != VESC_STEP_KIND_CHECK) ||
             vesc_escalation_report_removal (escalation, "Support team", error);
    case CHECK:
      return vesc_escalation_record_check (escalation, g_object_get_data (object, "removed")
                                           ? VESC_CHECK_RESULT_ABSENT : VESC_CHECK_RESULT_PRESENT,
                                           "ITD", error);
    case DECISION:  /* refusing for ever would loop on the final window */
      g_object_set_data (object, "refusals", GUINT_TO_POINTER (refusals + !disconnect));
      return vesc_escalation_decide (escalation, disconnect, "Principal Manager", error);
    case CLEAN:
      return vesc_escalation_report_clean (escalation, "Support team", error);
    default:
      return vesc_escalation_reconnect (escalation, "ITD", error);
    }
}

static void
act_fired (VescClock *clock,
           gpointer   user_data)
{
  Act *act = user_data;
  g_autoptr(GError) error = NULL;
  gboolean done = act->input == DETECTION
    ? vesc_desk_report_detection (act->desk, act->address, act->summary, &error) != NULL
    : answer (act->escalation, act->input, &error);

  /* An address of no school is not a problem: the summary counts them. */
  if (!done && !g_error_matches (error, VESC_ERROR, VESC_ERROR_UNKNOWN_SITE))
    fprintf (stderr, "vesc-drill: %s: %s\n", act->where, error->message);
}

static void
act_free (gpointer data)
{
  Act *act = data;

  g_clear_object (&act->escalation);
  g_free (act->where);
  g_free (act->address);
  g_free (act->summary);
  g_free (act);
}

static void
schedule (VescClock      *clock,
          VescEscalation *escalation,
          GTimeSpan       delay,
          Input           input)
{
  g_autoptr(GDateTime) now = vesc_clock_get_now (clock);
  g_autoptr(GDateTime) when = g_date_time_add (now, delay);
  Act *act = g_new0 (Act, 1);

  act->input = input;
  act->where = g_strdup (vesc_incident_get_id (vesc_escalation_get_incident (escalation)));
  act->escalation = g_object_ref (escalation);
  vesc_clock_add_alarm (clock, when, act_fired, act, act_free);
}

static void
on_step_changed (VescEscalation *escalation,
                 const char     *old_step,
                 const char     *new_step,
                 VescClock      *clock)
{
  VescStepKind kind = vesc_escalation_get_step_kind (escalation);

  /* Steps passed through are signalled too: answer the one it stopped at. */
  if (g_strcmp0 (new_step, vesc_escalation_get_step (escalation)) != 0)
    return;
  if (kind == VESC_STEP_KIND_CHECK)  /* a window has ended: ITD checks straight away */
    schedule (clock, escalation, 0, CHECK);
  else if (kind == VESC_STEP_KIND_DECISION)
    schedule (clock, escalation, DECISION_DELAY, DECISION);
  else if (kind == VESC_STEP_KIND_CLEAN_UP)
    schedule (clock, escalation, clean_after, CLEAN);
  else if (kind == VESC_STEP_KIND_RECONNECT)
    schedule (clock, escalation, reconnect_after, RECONNECT);
}

static void
on_notification_queued (VescEscalation   *escalation,
                        VescNotification *notification,
                        gpointer          user_data)
{
  n_queued++;
}

/* The desk has tried five times, a growing wait apart on the drill's clock. */
static void
on_notification_failed (VescDesk         *desk,
                        VescNotification *notification,
                        VescNotifier     *notifier,
                        const GError     *error,
                        gpointer          user_data)
{
  fprintf (stderr, "vesc-drill: %s not sent: %s\n", vesc_notification_get_key (notification),
           error->message);
  n_failed++;
}

static void
on_escalation_opened (VescDesk       *desk,
                      VescEscalation *escalation,
                      VescClock      *clock)
{
  g_signal_connect (escalation, "step-changed", G_CALLBACK (on_step_changed), clock);
  g_signal_connect (escalation, "notification-queued", G_CALLBACK (on_notification_queued), NULL);
  if (!device_stays)
    schedule (clock, escalation, removal_after, REMOVAL);
}

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

/* The rule for "counts as a security problem": an alert whose severity is at most
 * --max-severity. Suricata's 1 is the most serious; Emerging Threats rules put trojans,
 * exploits, privilege gain and policy violations there. */
static gboolean
counts (JsonNode *record)
{
  JsonNode *type = member (record, "event_type", G_TYPE_STRING);
  JsonNode *severity = member (member (record, "alert", JSON_TYPE_OBJECT), "severity",
                               G_TYPE_INT64);

  return type != NULL && g_str_equal (json_node_get_string (type), "alert") &&
         severity != NULL && json_node_get_int (severity) <= max_severity;
}

/* Sets a counted alert as an alarm at its time, if it says when and where. */
static gboolean
add_alert (VescDesk *desk,
           JsonNode *record,
           guint     line)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) time = NULL;
  JsonNode *timestamp = member (record, "timestamp", G_TYPE_STRING);
  JsonNode *address = member (record, "src_ip", G_TYPE_STRING);
  JsonNode *signature = member (member (record, "alert", JSON_TYPE_OBJECT), "signature",
                                G_TYPE_STRING);
  Act *act;

  if (timestamp != NULL)
    time = g_date_time_new_from_iso8601 (json_node_get_string (timestamp), utc);
  if (time == NULL || address == NULL)
    return FALSE;
  act = g_new0 (Act, 1);
  act->input = DETECTION;
  act->where = g_strdup_printf ("%s:%u", alerts_path, line);
  act->desk = desk;
  act->address = json_node_dup_string (address);
  act->summary = g_strdup (signature ? json_node_get_string (signature) : "Suricata alert");
  if (first_alert == NULL || g_date_time_compare (time, first_alert) < 0)
    {
      g_clear_pointer (&first_alert, g_date_time_unref);
      first_alert = g_date_time_ref (time);
    }
  vesc_clock_add_alarm (vesc_desk_get_clock (desk), time, act_fired, act, act_free);
  n_counted++;
  return TRUE;
}

static void
bad_line (guint       line,
          const char *problem)
{
  fprintf (stderr, "vesc-drill: %s:%u: %s\n", alerts_path, line, problem);
  n_bad++;
}

static void
read_alerts (VescDesk   *desk,
             const char *contents)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_auto(GStrv) lines = g_strsplit (contents, "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      JsonNode *record;

      if (*g_strstrip (lines[i]) == '\0')
        continue;
      if (!json_parser_load_from_data (parser, lines[i], -1, &error))
        bad_line (i + 1, error->message);
      else if ((record = json_parser_get_root (parser)) == NULL ||
               !JSON_NODE_HOLDS_OBJECT (record))
        bad_line (i + 1, "not a JSON object");
      else if (counts (record) && !add_alert (desk, record, i + 1))
        bad_line (i + 1, "an alert needs a src_ip and an ISO 8601 timestamp");
      else
        n_records++;
    }
}

static VescNotifier *
new_notifier (GError **error)
{
  g_autofree char *mail = g_build_filename (out_dir, "mail", NULL);
  VescWebhookNotifier *webhook;

  if (g_strcmp0 (notifier_kind, "sendmail") == 0)
    return (VescNotifier *) vesc_sendmail_notifier_new_with_args (
      sendmail_path, (const char * const *) sendmail_args);
  if (g_strcmp0 (notifier_kind, "webhook") != 0)
    return (VescNotifier *) vesc_maildir_notifier_new (mail, error);
  /* Its own retries would wait in real time: the desk's wait on the drill's clock. */
  if ((webhook = vesc_webhook_notifier_new (webhook_url, error)) != NULL)
    vesc_webhook_notifier_set_max_attempts (webhook, 1);
  return (VescNotifier *) webhook;
}

static VescDesk *
open_desk (GError **error)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  g_autoptr(VescPolicy) policy = NULL;
  g_autoptr(VescMemoryStore) store = vesc_memory_store_new ();
  g_autoptr(GDateTime) epoch = g_date_time_new_from_unix_utc (0);
  g_autoptr(VescManualClock) clock = vesc_manual_clock_new (epoch);
  g_autoptr(VescNotifier) notifier = NULL;
  VescDesk *desk;

  if (!vesc_directory_load_from_file (directory, sites_path, error))
    return NULL;
  policy = policy_path ? vesc_policy_new_from_file (policy_path, error) : vesc_policy_new ();
  if (policy == NULL || (notifier = new_notifier (error)) == NULL)
    return NULL;
  desk = vesc_desk_new (directory, policy, VESC_CLOCK (clock), VESC_STORE (store), error);
  if (desk == NULL)
    return NULL;
  vesc_desk_add_notifier (desk, notifier);
  g_signal_connect (desk, "escalation-opened", G_CALLBACK (on_escalation_opened), clock);
  g_signal_connect (desk, "notification-failed", G_CALLBACK (on_notification_failed), NULL);
  return desk;
}

/* The clock starts at the epoch: its first move is to the earliest alert. */
static void
run (VescDesk *desk)
{
  VescManualClock *clock = VESC_MANUAL_CLOCK (vesc_desk_get_clock (desk));
  guint moves = 0;

  /* Sends end before the clock moves on: a failed one is retried at a drill time. */
  while (moves++ < MAX_MOVES && vesc_manual_clock_advance_to_next (clock))
    while (g_main_context_pending (NULL) || vesc_desk_get_n_pending (desk) > 0)
      g_main_context_iteration (NULL, TRUE);
  if (vesc_clock_get_n_alarms (VESC_CLOCK (clock)) > 0)
    fprintf (stderr, "vesc-drill: stopped after %d clock moves\n", MAX_MOVES);
}

/* The desk lists every unmatched detection; show each address once. */
static guint
print_unmatched (const char * const *addresses)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; addresses[i] != NULL; i++)
    if (g_hash_table_add (seen, (char *) addresses[i]))
      g_string_append_printf (list, "%s%s", list->len > 0 ? ", " : "", addresses[i]);
  if (list->len > 0)
    printf ("Addresses of no school: %s\n\n", list->str);
  return g_hash_table_size (seen);
}

/* The Maildir notifier writes each message once, whatever the runs: count the folder. */
static guint
count_files (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* The period report covers the drill: from the first alert to just after the last move. */
static gboolean
print_period_report (VescDesk  *desk,
                     GError   **error)
{
  g_autoptr(GDateTime) now = vesc_clock_get_now (vesc_desk_get_clock (desk));
  g_autoptr(GDateTime) to = g_date_time_add_seconds (now, 1);
  GDateTime *from = first_alert ? first_alert : now;
  g_autofree char *text = vesc_desk_get_period_report_text (desk, from, to);
  g_autofree char *json = report_path ? vesc_desk_get_period_report_json (desk, from, to) : NULL;

  printf ("%s\n", text);
  return json == NULL || g_file_set_contents (report_path, json, -1, error);
}

static gboolean
print_results (VescDesk  *desk,
               GError   **error)
{
  GListModel *escalations = vesc_desk_get_escalations (desk);
  const char * const *unmatched = vesc_desk_get_unmatched_addresses (desk);
  guint n = g_list_model_get_n_items (escalations), closed = 0, n_addresses;
  guint scenarios[VESC_SCENARIO_MAJOR + 1] = { 0 };
  g_autofree char *mail = g_build_filename (out_dir, "mail", "new", NULL);
  gboolean written;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VescEscalation) escalation = g_list_model_get_item (escalations, i);
      VescIncident *incident = vesc_escalation_get_incident (escalation);
      g_autofree char *report = vesc_escalation_get_report_text (escalation);

      printf ("=== %s at %s: %s ===\n%s\n", vesc_incident_get_id (incident),
              vesc_site_get_name (vesc_incident_get_site (incident)),
              vesc_escalation_get_closed (escalation) ? "closed" : "still open", report);
      closed += vesc_escalation_get_closed (escalation);
      /* The scenario it ended with: a minor incident may have been upgraded. */
      scenarios[vesc_incident_get_scenario (incident)]++;
    }
  n_addresses = print_unmatched (unmatched);
  written = print_period_report (desk, error);
  printf ("Summary: %u records read, %u counted as security problems, %u not counted, "
          "%u bad lines\n", n_records, n_counted, n_records - n_counted, n_bad);
  printf ("Unmatched: %u detections from %u addresses of no school\n",
          g_strv_length ((char **) unmatched), n_addresses);
  printf ("Incidents: %u opened (minor %u, reoccurring %u, major %u), %u closed\n", n,
          scenarios[VESC_SCENARIO_MINOR], scenarios[VESC_SCENARIO_REOCCURRING],
          scenarios[VESC_SCENARIO_MAJOR], closed);
  if (notifier_kind == NULL || g_str_equal (notifier_kind, "maildir"))
    printf ("E-mails written: %u in %s\n", count_files (mail), mail);
  else
    printf ("E-mails sent: %u through %s, %u failed\n", n_queued - n_failed, notifier_kind,
            n_failed);
  return written;
}

static gboolean
parse_duration (const char  *option,
                const char  *text,
                gpointer     data,
                GError     **error)
{
  static const char units[] = "smhd";
  static const GTimeSpan sizes[] = { G_TIME_SPAN_SECOND, G_TIME_SPAN_MINUTE, G_TIME_SPAN_HOUR,
                                     G_TIME_SPAN_DAY };
  char *end = NULL;
  guint64 count = g_ascii_strtoull (text, &end, 10);
  const char *unit = end != text && *end != '\0' ? strchr (units, *end) : NULL;
  GTimeSpan *span = g_str_equal (option, "--clean-after") ? &clean_after
                    : g_str_equal (option, "--reconnect-after") ? &reconnect_after
                    : &removal_after;

  if (unit == NULL || end[1] != '\0' || count > 1000 * 24)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "%s wants a duration such as 30m, 2h or 1d, not “%s”", option, text);
      return FALSE;
    }
  *span = (GTimeSpan) count * sizes[unit - units];
  return TRUE;
}

static const GOptionEntry entries[] = {
  { "sites", 0, 0, G_OPTION_ARG_FILENAME, &sites_path, "The site directory (JSON)", "FILE" },
  { "alerts", 0, 0, G_OPTION_ARG_FILENAME, &alerts_path, "Suricata EVE records", "FILE" },
  { "out", 0, 0, G_OPTION_ARG_FILENAME, &out_dir, "Write e-mails to DIR/mail", "DIR" },
  { "policy", 0, 0, G_OPTION_ARG_FILENAME, &policy_path, "A policy file (JSON)", "FILE" },
  { "max-severity", 0, 0, G_OPTION_ARG_INT, &max_severity,
    "Count alerts of Suricata severity N or more serious (default 1)", "N" },
  { "removal-after", 0, 0, G_OPTION_ARG_CALLBACK, parse_duration,
    "The device is removed this long after opening (default 2h)", "SPAN" },
  { "device-stays", 0, 0, G_OPTION_ARG_NONE, &device_stays, "The device is never removed", NULL },
  { "decision", 0, 0, G_OPTION_ARG_STRING, &decision,
    "Whether to disconnect when asked (default yes)", "yes|no" },
  { "clean-after", 0, 0, G_OPTION_ARG_CALLBACK, parse_duration,
    "The site is clean this long after disconnection (default 4h)", "SPAN" },
  { "reconnect-after", 0, 0, G_OPTION_ARG_CALLBACK, parse_duration,
    "ITD reconnects this long after the clean-up (default 1h)", "SPAN" },
  { "notifier", 0, 0, G_OPTION_ARG_STRING, &notifier_kind,
    "Where e-mails go (default maildir, into DIR/mail)", "maildir|sendmail|webhook" },
  { "sendmail", 0, 0, G_OPTION_ARG_FILENAME, &sendmail_path,
    "The sendmail program (default /usr/sbin/sendmail)", "PATH" },
  { "sendmail-arg", 0, 0, G_OPTION_ARG_STRING_ARRAY, &sendmail_args,
    "An argument for sendmail, before -t -oi (repeatable)", "ARG" },
  { "webhook", 0, 0, G_OPTION_ARG_STRING, &webhook_url, "The URL to POST to", "URL" },
  { "report-json", 0, 0, G_OPTION_ARG_FILENAME, &report_path,
    "Write the period report as JSON to FILE", "FILE" },
  { NULL }
};

static const char description[] =
  "An EVE record counts as a security problem when its event_type is \"alert\" and\n"
  "its alert.severity is --max-severity or less (1 is Suricata's most serious).\n"
  "Scripted answers: the device is removed --removal-after opening (or never, with\n"
  "--device-stays); ITD checks when each window ends; the Principal Manager decides\n"
  "10 minutes after a decision is owed; the site is clean --clean-after the\n"
  "disconnection and reconnected --reconnect-after that. With --decision no, an\n"
  "incident is refused disconnection twice at most and then disconnected, so that a\n"
  "device that stays cannot keep the minor ladder looping for ever.\n"
  "The desk tries a failed send again 1, 2, 4 and 8 minutes later on the drill's\n"
  "clock, then gives up; standard error lists what was not sent.\n"
  "Durations are a number and a unit: 45s, 30m, 2h, 1d.";

static gboolean
parse_options (int      *argc,
               char   ***argv,
               GError  **error)
{
  static const char * const notifiers[] = { "maildir", "sendmail", "webhook", NULL };
  g_autoptr(GOptionContext) context = g_option_context_new ("- run an alert log as a drill");
  const char *problem = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, description);
  if (!g_option_context_parse (context, argc, argv, error))
    return FALSE;
  if (sites_path == NULL || alerts_path == NULL || out_dir == NULL)
    problem = "--sites, --alerts and --out are required (see --help)";
  else if (max_severity < 1)
    problem = "--max-severity must be 1 or more";
  else if (device_stays && removal_after >= 0)
    problem = "--removal-after and --device-stays exclude each other";
  else if (decision && !g_str_equal (decision, "yes") && !g_str_equal (decision, "no"))
    problem = "--decision is yes or no";
  else if (notifier_kind && !g_strv_contains (notifiers, notifier_kind))
    problem = "--notifier is maildir, sendmail or webhook";
  else if ((webhook_url != NULL) != (g_strcmp0 (notifier_kind, "webhook") == 0))
    problem = "--notifier webhook and --webhook URL go together";
  else if ((sendmail_path || sendmail_args) && g_strcmp0 (notifier_kind, "sendmail") != 0)
    problem = "--sendmail and --sendmail-arg go with --notifier sendmail";
  if (problem != NULL)
    g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, problem);
  if (removal_after < 0)
    removal_after = 2 * G_TIME_SPAN_HOUR;
  return problem == NULL;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(VescDesk) desk = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  setlocale (LC_ALL, "");
  /* The log is read before the desk creates the Maildir. */
  if (parse_options (&argc, &argv, &error) &&
      g_file_get_contents (alerts_path, &contents, NULL, &error) &&
      (desk = open_desk (&error)) != NULL)
    {
      read_alerts (desk, contents);
      run (desk);
      print_results (desk, &error);
    }
  if (error != NULL)
    fprintf (stderr, "vesc-drill: %s\n", error->message);
  g_free (sites_path);
  g_free (alerts_path);
  g_free (out_dir);
  g_free (policy_path);
  g_free (decision);
  g_free (report_path);
  g_free (notifier_kind);
  g_free (sendmail_path);
  g_free (webhook_url);
  g_strfreev (sendmail_args);
  g_clear_pointer (&first_alert, g_date_time_unref);
  return error != NULL ? 1 : 0;
}

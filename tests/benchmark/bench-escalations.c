/* bench-escalations.c: time and memory of N escalations driven through both windows
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * For each N, a help desk on a manual clock (memory store, default policy,
 * no notifiers) opens N minor incidents, one per site, then the clock is
 * advanced through the removal window (D1) and the final window (D2). When
 * a window passes, the deadline-reached handler records a PRESENT check,
 * so every escalation ends at the disconnect decision (M10) having rendered
 * every message of the minor ladder up to there.
 *
 * Each N runs in a child process of its own (`--one N`), so that the peak
 * memory (VmHWM) is that of one N alone and a failure (out of memory, a
 * budget exceeded) loses that N only.
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <libvesc/vesc.h>

#define ACTOR "bench"
#define MAX_SITES (65536u + 4194304u)   /* 10.0.0.0/8 as /24s, then 100.64.0.0/10 as /32s */

static const guint default_sizes[] = { 10000, 100000, 1000000 };

static char *one_size;
static gboolean no_header;
static int max_memory_mib = -1;
static int budget_seconds = 3000;

static const GOptionEntry entries[] = {
  { "one", 0, 0, G_OPTION_ARG_STRING, &one_size,
    "Run one N in this process", "N" },
  { "max-memory", 0, 0, G_OPTION_ARG_INT, &max_memory_mib,
    "Address-space limit of each run in MiB (default: 80% of MemAvailable; 0: none)", "MIB" },
  { "budget", 0, 0, G_OPTION_ARG_INT, &budget_seconds,
    "Give up building a directory that would take longer than this (default 3000; 0: never)",
    "SECONDS" },
  { "no-header", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &no_header, NULL, NULL },
  { NULL }
};

typedef struct {
  guint   windows;         /* removal and final */
  guint   warnings;
  guint   others;          /* reminders: none is due in this run */
  guint   check_failures;
  GError *first_error;
} Counters;

/* ---- /proc ----------------------------------------------------------------- */

/* A "Field:   1234 kB" line of /proc/self/status or /proc/meminfo, in KiB. */
static gint64
read_kib (const char *path,
          const char *field)
{
  g_autofree char *contents = NULL;
  g_autofree char *key = g_strconcat ("\n", field, ":", NULL);
  const char *line;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return -1;
  line = strstr (contents, key);
  return line != NULL ? g_ascii_strtoll (line + strlen (key), NULL, 10) : -1;
}

static gint64
status_kib (const char *field)
{
  return read_kib ("/proc/self/status", field);
}

/* Malloc failing cleanly beats the OOM killer picking a process, maybe
 * someone else's, when a large N does not fit. */
static void
limit_memory (void)
{
  gint64 limit_mib = max_memory_mib;
  struct rlimit limit = { 0, 0 };

  /* A run that aborts for want of memory would dump gigabytes of core. */
  setrlimit (RLIMIT_CORE, &limit);

  if (limit_mib < 0)
    limit_mib = read_kib ("/proc/meminfo", "MemAvailable") * 8 / 10 / 1024;
  if (limit_mib <= 0)
    return;
  limit.rlim_cur = limit.rlim_max = (rlim_t) limit_mib * 1024 * 1024;
  if (setrlimit (RLIMIT_AS, &limit) != 0)
    g_printerr ("Could not limit memory to %" G_GINT64_FORMAT " MiB: %s\n", limit_mib,
                g_strerror (errno));
}

/* ---- the directory ----------------------------------------------------- */

/* Each site gets a subnet of its own and a device address inside it. */
static void
site_addresses (guint   i,
                char  **cidr,
                char  **device)
{
  guint j = i - 65536;

  if (i < 65536)
    {
      *cidr = g_strdup_printf ("10.%u.%u.0/24", i >> 8, i & 255);
      *device = g_strdup_printf ("10.%u.%u.23", i >> 8, i & 255);
      return;
    }
  *device = g_strdup_printf ("100.%u.%u.%u", 64 + (j >> 16), (j >> 8) & 255, j & 255);
  *cidr = g_strdup_printf ("%s/32", *device);
}

static VescSite *
make_site (guint    i,
           GError **error)
{
  g_autofree char *id = g_strdup_printf ("S%07u", i);
  g_autofree char *name = g_strdup_printf ("School %u", i);
  g_autofree char *head_email = g_strdup_printf ("head@s%07u.schools.example.org", i);
  g_autofree char *rm_email = g_strdup_printf ("rm%u@council.example.org", i % 40);
  g_autofree char *cidr = NULL;
  g_autofree char *device = NULL;
  g_autoptr(VescSite) site = vesc_site_new (id, name, error);

  site_addresses (i, &cidr, &device);
  if (site == NULL ||
      !vesc_site_set_head_teacher (site, "Head Teacher", head_email, error) ||
      !vesc_site_set_relationship_manager (site, "Relationship Manager", rm_email, error) ||
      !vesc_site_add_subnet (site, cidr, error))
    return NULL;
  vesc_site_set_kssc_supported (site, TRUE);
  return g_steal_pointer (&site);
}

static gboolean
add_contacts (VescDirectory  *directory,
              GError        **error)
{
  static const struct { VescRole role; const char *name, *email; } contacts[] = {
    { VESC_ROLE_ITD, "ITD help desk", "helpdesk@council.example.org" },
    { VESC_ROLE_PRINCIPAL_MANAGER, "Principal Manager", "pm@council.example.org" },
    { VESC_ROLE_KSSC, "KSSC", "support@kssc.example.org" },
    { VESC_ROLE_LTSB, "LTSB secretary", "ltsb@council.example.org" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (contacts); i++)
    {
      g_autoptr(VescRecipient) contact = vesc_recipient_new (contacts[i].role, contacts[i].name,
                                                             contacts[i].email, error);

      if (contact == NULL || !vesc_directory_add_contact (directory, contact, error))
        return FALSE;
    }
  return TRUE;
}

/* Should adding a site cost time linear in the sites already there (it
 * once did), the build turns quadratic: a large N is then given up, with
 * the time it would take, rather than left to run for hours. The quadratic
 * projection was close once 10 s had passed. */
static gboolean
over_budget (guint    done,
             guint    n,
             gint64   start,
             GError **error)
{
  double elapsed = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  double projected = elapsed * ((double) n / done) * ((double) n / done);

  if (budget_seconds <= 0 || elapsed < 10 ||
      (elapsed < budget_seconds && projected < budget_seconds))
    return FALSE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
               "gave up building the directory after %u of %u sites in %.0f s "
               "(it would take about %.0f s; the budget is %d s)",
               done, n, elapsed, projected, budget_seconds);
  return TRUE;
}

static VescDirectory *
build_directory (guint    n,
                 GError **error)
{
  g_autoptr(VescDirectory) directory = vesc_directory_new ();
  gint64 start = g_get_monotonic_time ();

  if (!add_contacts (directory, error))
    return NULL;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(VescSite) site = make_site (i, error);

      if (site == NULL || !vesc_directory_add_site (directory, site, error))
        return NULL;
      if ((i + 1) % 1024 == 0 && over_budget (i + 1, n, start, error))
        return NULL;
    }
  return g_steal_pointer (&directory);
}

/* ---- the escalations ----------------------------------------------------- */

static void
deadline_reached_cb (VescEscalation *escalation,
                     VescDeadline   *deadline,
                     Counters       *counters)
{
  g_autoptr(GError) error = NULL;

  switch (vesc_deadline_get_kind (deadline))
    {
    case VESC_DEADLINE_KIND_WINDOW:
      counters->windows++;
      break;
    case VESC_DEADLINE_KIND_WARNING:
      counters->warnings++;
      return;
    case VESC_DEADLINE_KIND_REMINDER:
    default:
      counters->others++;
      return;
    }

  /* The escalation already waits at the check this window owes (M6, M9). */
  if (!vesc_escalation_record_check (escalation, VESC_CHECK_RESULT_PRESENT, ACTOR, &error))
    {
      counters->check_failures++;
      if (counters->first_error == NULL)
        counters->first_error = g_steal_pointer (&error);
    }
}

static void
escalation_opened_cb (VescDesk       *desk,
                      VescEscalation *escalation,
                      Counters       *counters)
{
  g_signal_connect (escalation, "deadline-reached", G_CALLBACK (deadline_reached_cb), counters);
}

static gboolean
open_all (VescDesk  *desk,
          guint      n,
          GError   **error)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *site_id = g_strdup_printf ("S%07u", i);
      g_autofree char *cidr = NULL;
      g_autofree char *device = NULL;
      const char *devices[2] = { NULL, NULL };

      site_addresses (i, &cidr, &device);
      devices[0] = device;
      if (vesc_desk_open_incident (desk, site_id, devices, "Malware beaconing to a known C2 host",
                                   FALSE, "ITD help desk", error) == NULL)
        return FALSE;
    }
  return TRUE;
}

/* Every escalation must have taken both checks and wait for the decision.
 * Also counts the timeline events, which most of the memory goes to. */
static gboolean
verify (VescDesk        *desk,
        guint            n,
        const Counters  *counters,
        guint64         *n_events,
        GError         **error)
{
  GListModel *escalations = vesc_desk_get_escalations (desk);
  guint at_decision = 0;

  if (counters->first_error != NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_FAILED, "%u checks failed, the first: %s",
                   counters->check_failures, counters->first_error->message);
      return FALSE;
    }
  for (guint i = 0; i < g_list_model_get_n_items (escalations); i++)
    {
      g_autoptr(VescEscalation) escalation = g_list_model_get_item (escalations, i);
      VescIncident *incident = vesc_escalation_get_incident (escalation);

      at_decision += g_strcmp0 (vesc_escalation_get_step (escalation), "M10") == 0;
      *n_events += g_list_model_get_n_items (vesc_incident_get_timeline (incident));
    }
  if (at_decision == n && counters->windows == 2 * n && counters->others == 0)
    return TRUE;
  g_set_error (error, VESC_ERROR, VESC_ERROR_FAILED,
               "%u of %u escalations reached M10; %u windows, %u warnings and %u other "
               "deadlines fired (expected %u windows and no other)",
               at_decision, n, counters->windows, counters->warnings, counters->others, 2 * n);
  return FALSE;
}

static void
print_header (void)
{
  g_print ("%9s %10s  %14s %8s %8s %8s  %9s %9s  %9s %10s %7s\n",
           "N", "directory", "per escalation", "open", "D1", "D2",
           "deadlines", "warnings", "peak", "per esc.", "events");
  /* One more column for "µs", two bytes wide in UTF-8 but shown as one. */
  g_print ("%9s %10s  %15s %9s %9s %9s  %9s %9s  %9s %10s %7s\n",
           "", "s", "µs", "µs", "µs", "µs", "fired", "of them", "MiB", "KiB", "per esc");
}

static gboolean
run_one (guint    n,
         GError **error)
{
  g_autoptr(GDateTime) start = g_date_time_new_utc (2024, 3, 4, 9, 0, 0);
  g_autoptr(VescManualClock) clock = vesc_manual_clock_new (start);
  g_autoptr(VescPolicy) policy = vesc_policy_new ();
  g_autoptr(VescMemoryStore) store = vesc_memory_store_new ();
  g_autoptr(VescDirectory) directory = NULL;
  g_autoptr(VescDesk) desk = NULL;
  Counters counters = { 0, };
  gint64 t0, t1, t2, t3, t4, rss_before, hwm_after;
  guint64 n_events = 0;

  t0 = g_get_monotonic_time ();
  directory = build_directory (n, error);
  if (directory == NULL)
    return FALSE;
  desk = vesc_desk_new (directory, policy, VESC_CLOCK (clock), VESC_STORE (store), error);
  if (desk == NULL)
    return FALSE;
  g_signal_connect (desk, "escalation-opened", G_CALLBACK (escalation_opened_cb), &counters);
  rss_before = status_kib ("VmRSS");

  t1 = g_get_monotonic_time ();
  if (!open_all (desk, n, error))
    return FALSE;
  t2 = g_get_monotonic_time ();
  vesc_manual_clock_advance (clock, vesc_policy_get_removal_window (policy));
  t3 = g_get_monotonic_time ();
  vesc_manual_clock_advance (clock, vesc_policy_get_final_window (policy));
  t4 = g_get_monotonic_time ();

  hwm_after = status_kib ("VmHWM");
  if (!verify (desk, n, &counters, &n_events, error))
    {
      g_clear_error (&counters.first_error);
      return FALSE;
    }
  g_print ("%9u %10.2f  %14.1f %8.1f %8.1f %8.1f  %9u %9u  %9.1f %10.2f %7.1f\n",
           n, (t1 - t0) / (double) G_USEC_PER_SEC, (t4 - t1) / (double) n,
           (t2 - t1) / (double) n, (t3 - t2) / (double) n, (t4 - t3) / (double) n,
           counters.windows + counters.warnings, counters.warnings,
           hwm_after / 1024.0, (hwm_after - rss_before) / (double) n, n_events / (double) n);
  return TRUE;
}

/* ---- one child per N ----------------------------------------------------- */

static gboolean
parse_size (const char  *text,
            guint       *n,
            GError     **error)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 1, MAX_SITES, &value, error))
    return FALSE;
  *n = (guint) value;
  return TRUE;
}

static char *
last_line (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text ? text : ""));
  const char *newline = strrchr (copy, '\n');

  return g_strdup (newline ? newline + 1 : copy);
}

static void
run_child (const char *self_path,
           guint       n)
{
  g_autofree char *size = g_strdup_printf ("%u", n);
  g_autofree char *memory = g_strdup_printf ("%d", max_memory_mib);
  g_autofree char *budget = g_strdup_printf ("%d", budget_seconds);
  const char *argv[] = { self_path, "--one", size, "--no-header", "--max-memory", memory,
                         "--budget", budget, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *why = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                     &status, &error) ||
      !g_spawn_check_wait_status (status, &error))
    {
      why = last_line (err);
      g_print ("%9u  failed: %s%s%s\n", n, error->message, *why ? ": " : "", why);
      return;
    }
  g_print ("%s", out);
  if (err != NULL && *err != '\0')
    g_printerr ("%s", err);
}

static char *
find_self (const char *argv0)
{
  char *path = g_file_read_link ("/proc/self/exe", NULL);

  return path != NULL ? path : g_find_program_in_path (argv0);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("[N…] - benchmark escalations");
  g_autoptr(GError) error = NULL;
  g_autofree char *self_path = NULL;
  g_autoptr(GArray) sizes = NULL;
  guint n;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  if (one_size != NULL)
    {
      limit_memory ();
      if (!parse_size (one_size, &n, &error))
        {
          g_printerr ("--one: %s\n", error->message);
          return 2;
        }
      if (!no_header)
        print_header ();
      if (!run_one (n, &error))
        {
          g_printerr ("N=%u: %s\n", n, error->message);
          return 1;
        }
      return 0;
    }

  sizes = g_array_new (FALSE, FALSE, sizeof (guint));
  if (argc == 1)
    g_array_append_vals (sizes, default_sizes, G_N_ELEMENTS (default_sizes));
  for (int i = 1; i < argc; i++)
    {
      if (!parse_size (argv[i], &n, &error))
        {
          g_printerr ("%s: %s\n", argv[i], error->message);
          return 2;
        }
      g_array_append_val (sizes, n);
    }

  self_path = find_self (argv[0]);
  print_header ();
  for (guint i = 0; i < sizes->len; i++)
    run_child (self_path, g_array_index (sizes, guint, i));
  return 0;
}

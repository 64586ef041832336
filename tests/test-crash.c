/* test-crash.c: a store keeps every acknowledged change through SIGKILL
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The program runs itself again as a child (--crash-child) that opens a desk
 * on a file store and does random valid operations, telling the parent on
 * its standard output, one line each, what every operation that returned had
 * stored. The parent kills it with SIGKILL after a random number of lines
 * (a quarter of the time, as a compaction begins) and checks what is left:
 * every acknowledged record is in the store (journal or archive); a desk
 * reopened on a copy of it has every acknowledged incident, input and fired
 * deadline, and stores the closing record of an incident its replay closed;
 * and no deadline fired twice, before the crash, after it or across it. A
 * few children in turn use the same store, so each also starts from what
 * the crash before it left.
 *
 * The child's lines (each written with one write(), so it arrives whole):
 *
 *   start                      the child is about to open the store
 *   time USEC                  the clock is about to move to USEC
 *   compact                    the child is about to compact the store
 *   ack open INC               the incident's open record
 *   ack closed INC             the incident's closed record
 *   ack input INC NAME VALUE   an input's record, VALUE "-" when it has none
 *   ack deadline INC NAME DUE  a deadline's passing, DUE in µs since 1970
 *   op N USEC                  operation N returned; the clock reads USEC
 *   done                       every operation is done; waiting for the kill
 *   error MESSAGE              something failed: the test fails
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libvesc/vesc.h>

#define N_KILLS          300  /* children killed in all */
#define KILLS_PER_STORE    5  /* children that use the same store in turn */
#define MAX_OPS           50  /* operations of one child */
#define N_SITES           10
#define MAX_ADVANCE_MIN  240  /* the clock moves by up to 4 h at a time */
#define MAX_CATCH_UP     200  /* deadlines the reopened desk may fire in a row */

#define TORN_WARNING "dropped an incomplete record"

static char *self_path;

static gint64
usec_of (GDateTime *time)
{
  return g_date_time_to_unix (time) * G_USEC_PER_SEC + g_date_time_get_microsecond (time);
}

static GDateTime *
time_of (gint64 usec)
{
  g_autoptr(GDateTime) second = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);

  return g_date_time_add (second, usec % G_USEC_PER_SEC);
}

static const char *
id_of (VescEscalation *escalation)
{
  return vesc_incident_get_id (vesc_escalation_get_incident (escalation));
}

/* The same sites in the child and the parent; built anew for each desk,
 * since a desk changes its sites' CIN state. */
static VescDirectory *
build_directory (void)
{
  VescDirectory *directory = vesc_directory_new ();
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < N_SITES; i++)
    {
      g_autofree char *id = g_strdup_printf ("SCH%u", 100 + i);
      g_autofree char *subnet = g_strdup_printf ("10.47.%u.0/24", i);
      g_autoptr(VescSite) site = vesc_site_new (id, "Ivy Bank Primary", &error);

      g_assert_no_error (error);
      g_assert_true (vesc_site_set_head_teacher (site, "Head", "head@schools.example.org",
                                                 &error));
      g_assert_true (vesc_site_set_relationship_manager (site, "Relationship Manager",
                                                         "rm@council.example.org", &error));
      vesc_site_set_kssc_supported (site, i % 2 == 0);
      g_assert_true (vesc_site_add_subnet (site, subnet, &error));
      g_assert_true (vesc_directory_add_site (directory, site, &error));
      g_assert_no_error (error);
    }
  return directory;
}

/* ---- the child ---------------------------------------------------------- */

typedef struct {
  GRand           *rand;
  VescFileStore   *store;
  VescManualClock *clock;
  VescDesk        *desk;
  GPtrArray       *acks;       /* lines of the operation under way */
  gboolean         torn_seen;
} Child;

typedef enum {
  INPUT_CHECK_PRESENT,
  INPUT_CHECK_ABSENT,
  INPUT_REMOVAL,
  INPUT_KEEP,
  INPUT_DISCONNECT,
  INPUT_CLEAN,
  INPUT_RECONNECT,
  INPUT_THREAT,
  INPUT_DEVICE,
} Input;

static void say (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format,
     ...)
{
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  va_list args;
  gsize done = 0;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  /* The parent reads lines: a line break inside one would split it. */
  g_strdelimit (text, "\n", ' ');
  line = g_strconcat (text, "\n", NULL);
  while (line[done] != '\0')
    {
      gssize n = write (STDOUT_FILENO, line + done, strlen (line + done));

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        _exit (4);  /* the parent is gone */
      done += n;
    }
}

G_GNUC_NORETURN static void
child_fail (const char   *what,
            const GError *error)
{
  say ("error %s: %s", what, error != NULL ? error->message : "(no error)");
  _exit (2);
}

/* Any warning fails the child, except the one a torn last record gives
 * when the store is opened after a crash. */
static GLogWriterOutput
child_log_writer (GLogLevelFlags   level,
                  const GLogField *fields,
                  gsize            n_fields,
                  gpointer         user_data)
{
  Child *child = user_data;
  const char *message = "(no message)";

  if ((level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING)) == 0)
    return g_log_writer_default (level, fields, n_fields, user_data);

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
      message = fields[i].value;
  if (!child->torn_seen && strstr (message, TORN_WARNING) != NULL)
    {
      child->torn_seen = TRUE;
      return G_LOG_WRITER_HANDLED;
    }
  say ("error a warning: %s", message);
  _exit (3);
}

static void
child_ack (Child      *child,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
child_ack (Child      *child,
           const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (child->acks, g_strdup_vprintf (format, args));
  va_end (args);
}

static gint64
child_now (Child *child)
{
  g_autoptr(GDateTime) now = vesc_clock_get_now (VESC_CLOCK (child->clock));

  return usec_of (now);
}

/* The operation has returned: what it stored is acknowledged. */
static void
finish_op (Child *child,
           guint  n)
{
  for (guint i = 0; i < child->acks->len; i++)
    say ("ack %s", (const char *) child->acks->pdata[i]);
  g_ptr_array_set_size (child->acks, 0);
  say ("op %u %" G_GINT64_FORMAT, n, child_now (child));
}

static void
on_deadline_reached (VescEscalation *escalation,
                     VescDeadline   *deadline,
                     gpointer        user_data)
{
  g_autoptr(GDateTime) due = vesc_deadline_get_due (deadline);

  child_ack (user_data, "deadline %s %s %" G_GINT64_FORMAT, id_of (escalation),
             vesc_deadline_get_name (deadline), usec_of (due));
}

static void
on_escalation_opened (VescDesk       *desk,
                      VescEscalation *escalation,
                      gpointer        user_data)
{
  g_signal_connect (escalation, "deadline-reached", G_CALLBACK (on_deadline_reached), user_data);
}

static void
on_escalation_closed (VescDesk       *desk,
                      VescEscalation *escalation,
                      gpointer        user_data)
{
  child_ack (user_data, "closed %s", id_of (escalation));
}

static gboolean
child_open (Child *child)
{
  g_autoptr(GPtrArray) free_sites = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *device = NULL;
  const char *devices[2] = { NULL, NULL };
  const char *site_id;
  VescEscalation *escalation;

  for (guint i = 0; i < N_SITES; i++)
    {
      char *id = g_strdup_printf ("SCH%u", 100 + i);

      if (vesc_desk_lookup_open_for_site (child->desk, id) == NULL)
        g_ptr_array_add (free_sites, id);
      else
        g_free (id);
    }
  if (free_sites->len == 0)
    return FALSE;

  site_id = free_sites->pdata[g_rand_int_range (child->rand, 0, free_sites->len)];
  device = g_strdup_printf ("10.47.%s.%d", site_id + 4, g_rand_int_range (child->rand, 2, 250));
  devices[0] = device;
  escalation = vesc_desk_open_incident (child->desk, site_id, devices, "ET TROJAN Generic",
                                        g_rand_int_range (child->rand, 0, 10) == 0, "ITD",
                                        &error);
  if (escalation == NULL)
    child_fail ("opening an incident", error);
  child_ack (child, "open %s", id_of (escalation));
  return TRUE;
}

static VescEscalation *
pick_open_escalation (Child *child)
{
  GListModel *escalations = vesc_desk_get_escalations (child->desk);
  g_autoptr(GPtrArray) open = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (escalations); i++)
    {
      VescEscalation *escalation = g_list_model_get_item (escalations, i);

      if (vesc_escalation_get_closed (escalation))
        g_object_unref (escalation);
      else
        g_ptr_array_add (open, escalation);
    }
  if (open->len == 0)
    return NULL;
  /* The desk keeps a reference for as long as this child runs. */
  return open->pdata[g_rand_int_range (child->rand, 0, open->len)];
}

/* An input owed at the escalation's step, or one taken at any step. */
static Input
choose_input (GRand        *rand,
              VescStepKind  kind)
{
  gint32 roll = g_rand_int_range (rand, 0, 100);

  if (roll < 6)
    return INPUT_DEVICE;
  if (roll < 9)
    return INPUT_THREAT;
  switch (kind)
    {
    case VESC_STEP_KIND_WAIT:
      return roll < 60 ? INPUT_REMOVAL : roll < 85 ? INPUT_CHECK_PRESENT : INPUT_CHECK_ABSENT;
    case VESC_STEP_KIND_CHECK:
      return roll < 20 ? INPUT_REMOVAL : roll < 65 ? INPUT_CHECK_PRESENT : INPUT_CHECK_ABSENT;
    case VESC_STEP_KIND_DECISION:
      return roll < 50 ? INPUT_KEEP : INPUT_DISCONNECT;
    case VESC_STEP_KIND_CLEAN_UP:
      return INPUT_CLEAN;
    case VESC_STEP_KIND_RECONNECT:
      return INPUT_RECONNECT;
    default:
      return INPUT_DEVICE;
    }
}

static gboolean
call_input (VescEscalation  *escalation,
            Input            input,
            const char      *value,
            GError         **error)
{
  switch (input)
    {
    case INPUT_CHECK_PRESENT:
      return vesc_escalation_record_check (escalation, VESC_CHECK_RESULT_PRESENT, "ITD", error);
    case INPUT_CHECK_ABSENT:
      return vesc_escalation_record_check (escalation, VESC_CHECK_RESULT_ABSENT, "ITD", error);
    case INPUT_REMOVAL:
      return vesc_escalation_report_removal (escalation, "Head Teacher", error);
    case INPUT_KEEP:
      return vesc_escalation_decide (escalation, FALSE, "Principal Manager", error);
    case INPUT_DISCONNECT:
      return vesc_escalation_decide (escalation, TRUE, "Principal Manager", error);
    case INPUT_CLEAN:
      return vesc_escalation_report_clean (escalation, "KSSC", error);
    case INPUT_RECONNECT:
      return vesc_escalation_reconnect (escalation, "ITD", error);
    case INPUT_THREAT:
      return vesc_escalation_mark_threat (escalation, value, "ITD", error);
    case INPUT_DEVICE:
      return vesc_escalation_add_device (escalation, value, "ITD", error);
    default:
      g_assert_not_reached ();
    }
}

/* The record's "input" and "value" for each input. */
static const char *
input_name (Input input)
{
  static const char * const names[] = {
    "check", "check", "removal", "decision", "decision", "clean", "reconnect", "threat",
    "device",
  };

  return names[input];
}

static void
child_input (Child          *child,
             VescEscalation *escalation)
{
  Input input = choose_input (child->rand, vesc_escalation_get_step_kind (escalation));
  g_autofree char *value = NULL;
  g_autoptr(GError) error = NULL;

  if (input == INPUT_THREAT)
    value = g_strdup_printf ("worm-%d", g_rand_int_range (child->rand, 1, 1000));
  else if (input == INPUT_DEVICE)
    value = g_strdup_printf ("pc-%02d", g_rand_int_range (child->rand, 0, 20));
  else if (input == INPUT_CHECK_PRESENT || input == INPUT_CHECK_ABSENT)
    value = g_strdup (input == INPUT_CHECK_PRESENT ? "present" : "absent");
  else if (input == INPUT_KEEP || input == INPUT_DISCONNECT)
    value = g_strdup (input == INPUT_KEEP ? "keep" : "disconnect");

  if (!call_input (escalation, input, value, &error))
    child_fail (input_name (input), error);
  child_ack (child, "input %s %s %s", id_of (escalation), input_name (input),
             value != NULL ? value : "-");
}

static void
child_advance (Child *child)
{
  GTimeSpan span = g_rand_int_range (child->rand, 1, MAX_ADVANCE_MIN + 1) * G_TIME_SPAN_MINUTE;

  /* Said first: records written while the clock moves may bear this time. */
  say ("time %" G_GINT64_FORMAT, child_now (child) + span);
  vesc_manual_clock_advance (child->clock, span);
}

/* Inputs in a batch are acknowledged once the batch has ended. */
static gboolean
child_batch (Child *child)
{
  gint32 n = g_rand_int_range (child->rand, 2, 5);
  g_autoptr(GError) error = NULL;
  VescEscalation *escalation;

  if (pick_open_escalation (child) == NULL)
    return FALSE;
  vesc_file_store_begin_batch (child->store);
  for (gint32 i = 0; i < n && (escalation = pick_open_escalation (child)) != NULL; i++)
    child_input (child, escalation);
  if (!vesc_file_store_end_batch (child->store, &error))
    child_fail ("ending a batch", error);
  return TRUE;
}

static void
child_operation (Child *child)
{
  gint32 roll = g_rand_int_range (child->rand, 0, 100);
  g_autoptr(GError) error = NULL;
  VescEscalation *escalation;

  if (roll < 15 && child_open (child))
    return;
  if (roll < 55 && (escalation = pick_open_escalation (child)) != NULL)
    {
      child_input (child, escalation);
      return;
    }
  if (roll < 58)
    {
      say ("compact");
      if (!vesc_file_store_compact (child->store, &error))
        child_fail ("compacting", error);
      return;
    }
  if (roll < 64 && child_batch (child))
    return;
  child_advance (child);
}

/* Opens the desk on the store a killed child left, listening for what it
 * stores on its own: deadlines passing and escalations closing. */
static void
child_open_desk (Child      *child,
                 const char *path)
{
  g_autoptr(VescDirectory) directory = build_directory ();
  g_autoptr(VescPolicy) policy = vesc_policy_new ();
  g_autoptr(GError) error = NULL;
  GListModel *escalations;

  if ((child->store = vesc_file_store_new (path, &error)) == NULL)
    child_fail ("opening the store", error);
  child->desk = vesc_desk_new (directory, policy, VESC_CLOCK (child->clock),
                               VESC_STORE (child->store), &error);
  if (child->desk == NULL)
    child_fail ("opening the desk", error);
  g_signal_connect (child->desk, "escalation-opened", G_CALLBACK (on_escalation_opened), child);
  g_signal_connect (child->desk, "escalation-closed", G_CALLBACK (on_escalation_closed), child);
  escalations = vesc_desk_get_escalations (child->desk);
  for (guint i = 0; i < g_list_model_get_n_items (escalations); i++)
    {
      g_autoptr(VescEscalation) escalation = g_list_model_get_item (escalations, i);
      on_escalation_opened (child->desk, escalation, child);
    }
}

/* argv: --crash-child DIR SEED START_USEC N_OPS */
static int
run_child (char **argv)
{
  Child child = { 0 };
  g_autoptr(GDateTime) start = time_of (g_ascii_strtoll (argv[4], NULL, 10));
  guint n_ops = g_ascii_strtoull (argv[5], NULL, 10);
  char byte;

  child.rand = g_rand_new_with_seed (g_ascii_strtoull (argv[3], NULL, 10));
  child.acks = g_ptr_array_new_with_free_func (g_free);
  child.clock = vesc_manual_clock_new (start);
  g_log_set_writer_func (child_log_writer, &child, NULL);
  say ("start");
  child_open_desk (&child, argv[2]);

  /* Operation 0: the deadlines that passed while nothing ran. */
  vesc_clock_fire_due (VESC_CLOCK (child.clock));
  finish_op (&child, 0);
  for (guint i = 1; i <= n_ops; i++)
    {
      child_operation (&child);
      finish_op (&child, i);
    }
  say ("done");

  /* Wait for the kill; end of input means the parent has gone. */
  while (read (STDIN_FILENO, &byte, 1) > 0)
    ;
  _exit (0);
}

/* ---- the parent: reading the child -------------------------------------- */

typedef struct {
  guint kills;
  guint ops;           /* operations acknowledged */
  guint acks;          /* records acknowledged, each checked */
  guint checked;       /* incidents checked in a reopened desk */
  guint unacked;       /* records stored that no acknowledgement covered */
  guint late;          /* deadlines the reopened desk fired at once */
  guint fired_after;   /* deadlines it fired catching up with time */
  guint torn;          /* journals left with a torn last record */
  guint in_compaction; /* kills just after the child said it would compact */
  guint tmp_left;      /* compactions interrupted before their rename */
  guint unclosed;      /* incidents closed by a replay, with no closing record stored */
  guint lost;
  guint doubled;
} Totals;

typedef struct {
  guint      n_inputs;   /* inputs other than devices */
  guint      n_devices;
  GPtrArray *deadlines;  /* "NAME DUE" of each deadline it passed */
} Acked;

typedef struct {
  char       *path;
  GHashTable *acked;      /* "TYPE INC ..." → how many were acknowledged */
  GHashTable *incidents;  /* INC → Acked */
  GHashTable *unclosed;   /* INC closed by a replay with no closing record stored */
  gint64      now;        /* the latest time the child's clock reached, or was to */
} Round;

typedef struct {
  GInputStream *stream;
  GString      *buffer;
  gboolean      eof;
} Reader;

static void
acked_free (gpointer data)
{
  Acked *acked = data;

  g_ptr_array_unref (acked->deadlines);
  g_free (acked);
}

static void
round_init (Round      *round,
            const char *path,
            gint64      start)
{
  round->path = g_strdup (path);
  round->acked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  round->incidents = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, acked_free);
  round->unclosed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  round->now = start;
}

static void
round_clear (Round *round)
{
  g_clear_pointer (&round->path, g_free);
  g_clear_pointer (&round->acked, g_hash_table_unref);
  g_clear_pointer (&round->incidents, g_hash_table_unref);
  g_clear_pointer (&round->unclosed, g_hash_table_unref);
}

static Acked *
round_incident (Round      *round,
                const char *id)
{
  Acked *acked = g_hash_table_lookup (round->incidents, id);

  if (acked == NULL)
    {
      acked = g_new0 (Acked, 1);
      acked->deadlines = g_ptr_array_new_with_free_func (g_free);
      g_hash_table_insert (round->incidents, g_strdup (id), acked);
    }
  return acked;
}

static void
take_ack (Round      *round,
          const char *key)
{
  g_auto(GStrv) words = g_strsplit (key, " ", 0);
  guint n_words = g_strv_length (words);
  Acked *acked;

  g_assert_cmpuint (n_words, >=, 2);
  acked = round_incident (round, words[1]);
  if (g_str_equal (words[0], "input") && n_words == 4)
    {
      if (g_str_equal (words[2], "device"))
        acked->n_devices++;
      else
        acked->n_inputs++;
    }
  else if (g_str_equal (words[0], "deadline") && n_words == 4)
    g_ptr_array_add (acked->deadlines, g_strdup_printf ("%s %s", words[2], words[3]));
  else if (!g_str_equal (words[0], "open") && !g_str_equal (words[0], "closed"))
    g_error ("The child acknowledged something unknown: %s", key);

  g_hash_table_insert (round->acked, g_strdup (key),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (round->acked,
                                                                                key)) + 1));
}

static void
take_line (Round      *round,
           const char *line,
           Totals     *totals)
{
  const char *rest;
  char *end = NULL;

  if (g_str_has_prefix (line, "ack "))
    {
      take_ack (round, line + strlen ("ack "));
      totals->acks++;
    }
  else if (g_str_has_prefix (line, "time "))
    round->now = MAX (round->now, g_ascii_strtoll (line + strlen ("time "), NULL, 10));
  else if (g_str_has_prefix (line, "op "))
    {
      if (g_ascii_strtoull (line + strlen ("op "), &end, 10) > 0)
        totals->ops++;
      rest = end;
      round->now = MAX (round->now, g_ascii_strtoll (rest, NULL, 10));
    }
  else if (!g_str_equal (line, "done") && !g_str_equal (line, "compact"))
    g_test_fail_printf ("The child said: %s", line);
}

static char *
reader_next_line (Reader *reader)
{
  g_autoptr(GError) error = NULL;
  char chunk[4096];

  for (;;)
    {
      char *newline = memchr (reader->buffer->str, '\n', reader->buffer->len);
      gssize n;

      if (newline != NULL)
        {
          gsize length = newline - reader->buffer->str;
          char *line = g_strndup (reader->buffer->str, length);

          g_string_erase (reader->buffer, 0, length + 1);
          return line;
        }
      if (reader->eof)
        {
          /* Each line is one write() of less than PIPE_BUF: it came whole or not at all. */
          g_assert_cmpuint (reader->buffer->len, ==, 0);
          return NULL;
        }
      n = g_input_stream_read (reader->stream, chunk, sizeof chunk, NULL, &error);
      g_assert_no_error (error);
      if (n == 0)
        reader->eof = TRUE;
      g_string_append_len (reader->buffer, chunk, n);
    }
}

static gboolean
on_timeout (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the child run on for @ms milliseconds: a main loop waits, not sleep(). */
static void
wait_ms (guint ms)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) source = g_timeout_source_new (ms);
  gboolean fired = FALSE;

  g_source_set_callback (source, on_timeout, &fired, NULL);
  g_source_attach (source, context);
  while (!fired)
    g_main_context_iteration (context, TRUE);
}

static GSubprocess *
spawn_child (Round *round)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *seed = g_strdup_printf ("%u", g_test_rand_int ());
  g_autofree char *start = g_strdup_printf ("%" G_GINT64_FORMAT, round->now);
  g_autofree char *n_ops = g_strdup_printf ("%u", MAX_OPS);
  GSubprocess *child;

  /* Its standard input stays open and silent: the child waits on it when done. */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  child = g_subprocess_launcher_spawn (launcher, &error, self_path, "--crash-child", round->path,
                                       seed, start, n_ops, NULL);
  g_assert_no_error (error);
  return child;
}

/* Reads @kill_after lines after "start", and then, if @at_compaction, up to
 * the child's saying it is about to compact. Returns whether it just said so. */
static gboolean
read_until_kill (Reader   *reader,
                 Round    *round,
                 guint     kill_after,
                 gboolean  at_compaction,
                 Totals   *totals)
{
  gboolean done = FALSE, compacting = FALSE;
  char *line = reader_next_line (reader);

  g_assert_cmpstr (line, ==, "start");
  g_free (line);
  for (guint i = 0; (i < kill_after || (at_compaction && !compacting)) && !done &&
                    (line = reader_next_line (reader)) != NULL; i++)
    {
      take_line (round, line, totals);
      done = g_str_equal (line, "done");
      compacting = g_str_equal (line, "compact");
      g_free (line);
    }
  return compacting;
}

/* Runs one child on the round's store and kills it once it has said
 * @kill_after lines after "start" (0: as soon as it starts), and then, if
 * @at_compaction, that it is about to compact, and a few milliseconds more
 * (the time the compaction's syncs take); or once it is done. Some lines
 * come before what they announce (a clock move, a compaction), so some
 * kills land in the middle of them. */
static void
run_and_kill (Round    *round,
              guint     kill_after,
              gboolean  at_compaction,
              Totals   *totals)
{
  g_autoptr(GSubprocess) child = spawn_child (round);
  g_autoptr(GError) error = NULL;
  Reader reader = { g_subprocess_get_stdout_pipe (child), g_string_new (NULL), FALSE };
  char *line;

  if (read_until_kill (&reader, round, kill_after, at_compaction, totals))
    {
      wait_ms (g_test_rand_int_range (0, 10));
      totals->in_compaction++;
    }
  g_subprocess_force_exit (child);
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);

  /* What it wrote before it died was acknowledged too. */
  while ((line = reader_next_line (&reader)) != NULL)
    {
      take_line (round, line, totals);
      g_free (line);
    }
  g_string_free (reader.buffer, TRUE);
  if (!g_subprocess_get_if_signaled (child))
    g_test_fail_printf ("The child exited by itself, with status %d",
                        g_subprocess_get_exit_status (child));
  else
    g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
  totals->kills++;
}

/* ---- the parent: reading the store's files ------------------------------ */

/* What a record is in the child's acknowledgements. */
static char *
record_key (JsonObject *record)
{
  const char *type = json_object_get_string_member_with_default (record, "type", "?");
  const char *id = json_object_get_string_member_with_default (record, "incident", "?");

  if (g_str_equal (type, "input"))
    return g_strdup_printf ("input %s %s %s", id,
                            json_object_get_string_member_with_default (record, "input", "?"),
                            json_object_get_string_member_with_default (record, "value", "-"));
  if (g_str_equal (type, "deadline"))
    return g_strdup_printf ("deadline %s %s %" G_GINT64_FORMAT, id,
                            json_object_get_string_member_with_default (record, "name", "?"),
                            json_object_get_int_member_with_default (record, "due", -1));
  return g_strdup_printf ("%s %s", type, id);
}

/* Adds the records of a journal or archive to @by_seq, each sequence
 * number once: compaction copies records to the archive before it takes
 * them out of the journal, and may copy them twice if it is interrupted.
 * Returns whether the file ends with an incomplete line. */
static gboolean
read_records (const char *path,
              GHashTable *by_seq)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  guint n_lines;

  if (!g_file_get_contents (path, &contents, NULL, &error))
    {
      g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      return FALSE;
    }
  lines = g_strsplit (contents, "\n", -1);
  n_lines = g_strv_length (lines);
  for (guint i = 0; i + 1 < n_lines; i++)
    {
      JsonObject *envelope;
      gint64 seq;
      char *key;
      const char *known;

      if (!json_parser_load_from_data (parser, lines[i], -1, &error))
        g_error ("%s:%u is not JSON: %s", path, i + 1, error->message);
      envelope = json_node_get_object (json_parser_get_root (parser));
      seq = json_object_get_int_member (envelope, "seq");
      key = record_key (json_object_get_object_member (envelope, "record"));
      known = g_hash_table_lookup (by_seq, &seq);
      if (known != NULL)
        {
          /* A sequence number stands for one record only. */
          g_assert_cmpstr (known, ==, key);
          g_free (key);
          continue;
        }
      g_hash_table_insert (by_seq, g_memdup2 (&seq, sizeof seq), key);
    }
  return n_lines > 0 && lines[n_lines - 1][0] != '\0';
}

/* Counts each record of the store (journal and archive) by its key. */
static GHashTable *
stored_records (const char *dir,
                gboolean   *torn)
{
  g_autoptr(GHashTable) by_seq = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                                        g_free);
  g_autofree char *journal = g_build_filename (dir, "journal.jsonl", NULL);
  g_autofree char *archive = g_build_filename (dir, "archive.jsonl", NULL);
  GHashTable *counts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer value;
  gboolean journal_torn;

  journal_torn = read_records (journal, by_seq);
  /* An interrupted compaction may leave a torn archive: the journal still
   * has every record of it. */
  read_records (archive, by_seq);
  if (torn != NULL)
    *torn = journal_torn;

  g_hash_table_iter_init (&iter, by_seq);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_hash_table_insert (counts, g_strdup (value),
                         GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts,
                                                                                  value)) + 1));
  return counts;
}

static guint
count_of (GHashTable *counts,
          const char *key)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (counts, key));
}

/* An incident is opened and closed once; a deadline passes once. */
static void
check_once (GHashTable *stored,
            const char *when,
            Totals     *totals)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, stored);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (GPOINTER_TO_UINT (value) > 1 && g_regex_match_simple ("^(open|closed|deadline) ", key, 0, 0))
      {
        g_test_message ("%s: \"%s\" is stored %u times", when, (char *) key,
                        GPOINTER_TO_UINT (value));
        totals->doubled += GPOINTER_TO_UINT (value) - 1;
      }
}

static void
check_records (Round      *round,
               GHashTable *stored,
               Totals     *totals)
{
  GHashTableIter iter;
  gpointer key, value;
  guint n_stored = 0, n_acked = 0;

  g_hash_table_iter_init (&iter, round->acked);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      guint acked = GPOINTER_TO_UINT (value), found = count_of (stored, key);

      n_acked += acked;
      if (found >= acked)
        continue;
      g_test_message ("Lost after a kill: \"%s\", acknowledged %u times, stored %u", (char *) key,
                      acked, found);
      totals->lost += acked - found;
    }
  g_hash_table_iter_init (&iter, stored);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (g_regex_match_simple ("^(open|closed|input|deadline) ", key, 0, 0))
      n_stored += GPOINTER_TO_UINT (value);
  /* The operation under way when the child died may have stored more. */
  if (n_stored > n_acked)
    totals->unacked += n_stored - n_acked;
  check_once (stored, "After a kill", totals);
}

/* ---- the parent: reopening ---------------------------------------------- */

static void
copy_store (const char *from,
            const char *to)
{
  static const char * const names[] = { "journal.jsonl", "archive.jsonl" };
  static const char * const stale[] = { "journal.jsonl", "archive.jsonl", "journal.jsonl.tmp",
                                        "lock" };
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir_with_parents (to, 0700), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (stale); i++)
    {
      g_autofree char *path = g_build_filename (to, stale[i], NULL);
      g_unlink (path);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *source = g_build_filename (from, names[i], NULL);
      g_autofree char *target = g_build_filename (to, names[i], NULL);
      g_autofree char *contents = NULL;
      gsize length;

      if (!g_file_get_contents (source, &contents, &length, NULL))
        continue;
      g_file_set_contents_full (target, contents, length, G_FILE_SET_CONTENTS_NONE, 0600,
                                &error);
      g_assert_no_error (error);
    }
}

static guint
count_events (VescEscalation *escalation,
              VescEventKind   kind)
{
  GListModel *timeline = vesc_incident_get_timeline (vesc_escalation_get_incident (escalation));
  guint n = 0;

  for (guint i = 0; i < g_list_model_get_n_items (timeline); i++)
    {
      g_autoptr(VescEvent) event = g_list_model_get_item (timeline, i);
      n += vesc_event_get_kind (event) == kind;
    }
  return n;
}

static gboolean
has_fired (VescEscalation *escalation,
           const char     *name_due)
{
  GListModel *deadlines = vesc_escalation_get_deadlines (escalation);

  for (guint i = 0; i < g_list_model_get_n_items (deadlines); i++)
    {
      g_autoptr(VescDeadline) deadline = g_list_model_get_item (deadlines, i);
      g_autoptr(GDateTime) due = vesc_deadline_get_due (deadline);
      g_autofree char *text = g_strdup_printf ("%s %" G_GINT64_FORMAT,
                                               vesc_deadline_get_name (deadline), usec_of (due));

      if (g_str_equal (text, name_due) && vesc_deadline_get_fired (deadline))
        return TRUE;
    }
  return FALSE;
}

/* The reopened desk has every acknowledged incident, with at least the
 * acknowledged inputs on its timeline and the acknowledged deadlines fired;
 * a closed one may have been compacted to its closing record. */
static void
check_incident (VescDesk   *desk,
                const char *id,
                Acked      *acked,
                gboolean    closed,
                GPtrArray  *closed_by_replay,
                Totals     *totals)
{
  VescEscalation *escalation = vesc_desk_lookup_escalation (desk, id);
  guint lost = 0;

  totals->checked++;
  if (escalation == NULL)
    {
      if (!closed)
        {
          g_test_message ("Lost after a kill: the reopened desk has no incident %s", id);
          totals->lost++;
        }
      return;
    }
  if (closed && !vesc_escalation_get_closed (escalation))
    {
      g_test_message ("After a kill: %s is closed in the store but open in the reopened desk", id);
      totals->lost++;
    }
  /* Killed between the input that closed it and its closing record: the
   * replayed input closes it again, and the closing record must follow. */
  if (!closed && vesc_escalation_get_closed (escalation))
    g_ptr_array_add (closed_by_replay, g_strdup (id));
  lost += acked->n_inputs - MIN (acked->n_inputs, count_events (escalation,
                                                                VESC_EVENT_KIND_INPUT));
  lost += acked->n_devices - MIN (acked->n_devices, count_events (escalation,
                                                                  VESC_EVENT_KIND_DEVICE));
  for (guint i = 0; i < acked->deadlines->len; i++)
    lost += !has_fired (escalation, acked->deadlines->pdata[i]);
  if (lost > 0)
    g_test_message ("Lost after a kill: %u acknowledged inputs or deadlines of %s", lost, id);
  totals->lost += lost;
}

typedef struct {
  GHashTable *stored;
  GHashTable *fired;
  Totals     *totals;
} Firing;

static void
on_check_deadline (VescEscalation *escalation,
                   VescDeadline   *deadline,
                   gpointer        user_data)
{
  Firing *firing = user_data;
  g_autoptr(GDateTime) due = vesc_deadline_get_due (deadline);
  char *key = g_strdup_printf ("deadline %s %s %" G_GINT64_FORMAT, id_of (escalation),
                               vesc_deadline_get_name (deadline), usec_of (due));

  if (count_of (firing->stored, key) > 0)
    {
      g_test_message ("After a kill: \"%s\" fired again in the reopened desk", key);
      firing->totals->doubled++;
    }
  if (!g_hash_table_add (firing->fired, key))
    {
      g_test_message ("After a kill: \"%s\" fired twice in the reopened desk", key);
      firing->totals->doubled++;
    }
}

/* Lets the reopened desk catch up with time and beyond: nothing that fired
 * before the crash fires again. */
static void
fire_everything (VescDesk        *desk,
                 VescFileStore   *store,
                 VescManualClock *clock,
                 GHashTable      *stored,
                 Totals          *totals)
{
  g_autoptr(GHashTable) fired = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Firing firing = { stored, fired, totals };
  GListModel *escalations = vesc_desk_get_escalations (desk);
  g_autoptr(GError) error = NULL;
  guint n_late;

  for (guint i = 0; i < g_list_model_get_n_items (escalations); i++)
    {
      g_autoptr(VescEscalation) escalation = g_list_model_get_item (escalations, i);
      g_signal_connect (escalation, "deadline-reached", G_CALLBACK (on_check_deadline), &firing);
    }
  /* This copy need not be durable: one sync at the end instead of one a record. */
  vesc_file_store_begin_batch (store);
  vesc_clock_fire_due (VESC_CLOCK (clock));
  n_late = g_hash_table_size (fired);
  for (guint i = 0; i < MAX_CATCH_UP && vesc_manual_clock_advance_to_next (clock); i++)
    ;
  g_assert_cmpuint (vesc_clock_get_n_alarms (VESC_CLOCK (clock)), ==, 0);
  g_assert_true (vesc_file_store_end_batch (store, &error));
  g_assert_no_error (error);
  totals->late += n_late;
  totals->fired_after += g_hash_table_size (fired) - n_late;
}

/* An incident the replay closed again must get its closing record from
 * the reopened desk, or compaction never archives it and no one hears that
 * it closed. */
static void
check_closing_records (Round      *round,
                       GPtrArray  *closed_by_replay,
                       GHashTable *after,
                       Totals     *totals)
{
  for (guint i = 0; i < closed_by_replay->len; i++)
    {
      const char *id = closed_by_replay->pdata[i];
      g_autofree char *closed_key = g_strdup_printf ("closed %s", id);

      if (count_of (after, closed_key) > 0 || !g_hash_table_add (round->unclosed, g_strdup (id)))
        continue;
      g_test_message ("After a kill: %s was closed by the replay of its records, and the "
                      "reopened desk never stored its \"closed\" record", id);
      totals->unclosed++;
    }
}

static VescDesk *
reopen_desk (VescFileStore   *store,
             VescManualClock *clock,
             gboolean         torn)
{
  g_autoptr(VescDirectory) directory = build_directory ();
  g_autoptr(VescPolicy) policy = vesc_policy_new ();
  g_autoptr(GError) error = NULL;
  VescDesk *desk;

  /* A torn last record is the one damage a crash may leave: dropped, with a warning. */
  if (torn)
    g_test_expect_message ("Vesc", G_LOG_LEVEL_WARNING, "*" TORN_WARNING "*");
  desk = vesc_desk_new (directory, policy, VESC_CLOCK (clock), VESC_STORE (store), &error);
  g_assert_no_error (error);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (vesc_file_store_get_n_dropped (store), ==, torn ? 1 : 0);
  return desk;
}

/* Reopens a copy of the store, as the process would after the crash, and
 * lets time run on: the copy keeps the next child's store as the crash left it. */
static void
check_reopened (Round      *round,
                const char *check_dir,
                gboolean    torn,
                GHashTable *stored,
                Totals     *totals)
{
  g_autoptr(GDateTime) now = time_of (round->now);
  g_autoptr(VescManualClock) clock = vesc_manual_clock_new (now);
  g_autoptr(VescFileStore) store = NULL;
  g_autoptr(VescDesk) desk = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(GPtrArray) closed_by_replay = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  GHashTableIter iter;
  gpointer id, acked;

  copy_store (round->path, check_dir);
  store = vesc_file_store_new (check_dir, &error);
  g_assert_no_error (error);
  desk = reopen_desk (store, clock, torn);

  g_hash_table_iter_init (&iter, round->incidents);
  while (g_hash_table_iter_next (&iter, &id, &acked))
    {
      g_autofree char *closed_key = g_strdup_printf ("closed %s", (char *) id);
      check_incident (desk, id, acked, count_of (stored, closed_key) > 0, closed_by_replay,
                      totals);
    }

  fire_everything (desk, store, clock, stored, totals);
  g_clear_object (&desk);
  g_clear_object (&store);
  after = stored_records (check_dir, NULL);
  check_once (after, "After a kill and a restart", totals);
  check_closing_records (round, closed_by_replay, after, totals);
}

static void
print_totals (const Totals *totals,
              GTimeSpan     took)
{
  g_test_message ("%u kills in %.1f s: %u operations and %u records acknowledged, all checked "
                  "(%u incidents in reopened desks); %u records stored beyond the "
                  "acknowledgements; %u torn last records; %u kills as a compaction began, "
                  "%u before its rename; after reopening %u deadlines fired late at once "
                  "and %u later; lost %u, doubled %u; incidents closed by a replay that "
                  "never stored their closing record %u",
                  totals->kills, took / (double) G_USEC_PER_SEC, totals->ops, totals->acks,
                  totals->checked, totals->unacked, totals->torn, totals->in_compaction,
                  totals->tmp_left, totals->late, totals->fired_after, totals->lost,
                  totals->doubled, totals->unclosed);
}

static void
test_kill_and_reopen (void)
{
  g_autofree char *base = g_build_filename (g_get_user_data_dir (), "crash", NULL);
  g_autofree char *check_dir = g_build_filename (base, "reopened", NULL);
  g_autoptr(GDateTime) start = g_date_time_new_utc (2026, 1, 12, 8, 0, 0);
  Totals totals = { 0 };
  Round round = { NULL };
  gint64 began = g_get_monotonic_time ();

  for (guint kill = 0; kill < N_KILLS; kill++)
    {
      g_autoptr(GHashTable) stored = NULL;
      g_autofree char *tmp = NULL;
      gboolean torn = FALSE;

      if (kill % KILLS_PER_STORE == 0)
        {
          g_autofree char *path = g_strdup_printf ("%s/store-%u", base, kill / KILLS_PER_STORE);

          round_clear (&round);
          round_init (&round, path, usec_of (start));
        }
      /* A child says about three lines an operation; past its last one it waits. */
      run_and_kill (&round, g_test_rand_int_range (0, 3 * MAX_OPS),
                    g_test_rand_int_range (0, 4) == 0, &totals);

      stored = stored_records (round.path, &torn);
      totals.torn += torn;
      tmp = g_build_filename (round.path, "journal.jsonl.tmp", NULL);
      totals.tmp_left += g_file_test (tmp, G_FILE_TEST_EXISTS);
      check_records (&round, stored, &totals);
      check_reopened (&round, check_dir, torn, stored, &totals);
    }
  round_clear (&round);

  print_totals (&totals, g_get_monotonic_time () - began);
  g_assert_cmpuint (totals.kills, ==, N_KILLS);
  g_assert_cmpuint (totals.acks, >, N_KILLS);
  g_assert_cmpuint (totals.lost, ==, 0);
  g_assert_cmpuint (totals.doubled, ==, 0);
  /* Such an incident is never compacted, and no one is told it closed. */
  g_assert_cmpuint (totals.unclosed, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  if (argc == 6 && g_str_equal (argv[1], "--crash-child"))
    return run_child (argv);

  self_path = g_canonicalize_filename (argv[0], NULL);
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/crash/kill-and-reopen", test_kill_and_reopen);

  return g_test_run ();
}

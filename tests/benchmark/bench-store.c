/* bench-store.c: open time of a large file store, durable appends per second
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Builds a store holding --closed incidents (each --records records, the
 * last a "closed" one with a report) and --open incidents (--records each),
 * interleaved as a desk would write them, in batches; compacts it; then
 * times opening and loading it, warm cache, best of three. Then times
 * --single appends each made durable on its own, and --batched appends made
 * durable in batches of --batch-size.
 *
 * The stores are made in a new directory under $TMPDIR (or --dir) and
 * removed afterwards; fsync costs what that file system makes it cost.
 */
#include <locale.h>
#include <stdio.h>

#include <glib/gstdio.h>

#include <libvesc/vesc.h>

static int n_closed = 100000;
static int n_open = 10000;
static int n_records = 8;
static int n_single = 2000;
static int n_batched = 100000;
static int batch_size = 1000;
static char *parent_dir;

static const GOptionEntry entries[] = {
  { "closed", 0, 0, G_OPTION_ARG_INT, &n_closed, "Closed incidents (default 100000)", "N" },
  { "open", 0, 0, G_OPTION_ARG_INT, &n_open, "Open incidents (default 10000)", "N" },
  { "records", 0, 0, G_OPTION_ARG_INT, &n_records, "Records per incident (default 8)", "N" },
  { "single", 0, 0, G_OPTION_ARG_INT, &n_single, "Appends synced one by one (default 2000)", "N" },
  { "batched", 0, 0, G_OPTION_ARG_INT, &n_batched, "Appends made in batches (default 100000)",
    "N" },
  { "batch-size", 0, 0, G_OPTION_ARG_INT, &batch_size, "Appends per batch (default 1000)", "N" },
  { "dir", 0, 0, G_OPTION_ARG_FILENAME, &parent_dir, "Where to make the stores (default $TMPDIR)",
    "DIR" },
  { NULL }
};

static JsonNode *
make_record (const char *type,
             guint       incident,
             guint       step)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *id = g_strdup_printf ("inc-%07u", incident);
  g_autofree char *summary = g_strdup_printf ("10.%u.%u.%u seen by the IDS", incident >> 16 & 255,
                                              incident >> 8 & 255, incident & 255);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "incident");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "at");
  json_builder_add_int_value (builder, 1700000000000000 + incident * 60 * G_USEC_PER_SEC + step);
  json_builder_set_member_name (builder, "actor");
  json_builder_add_string_value (builder, "itd-help-desk");
  json_builder_set_member_name (builder, step == 0 ? "summary" : "step");
  if (step == 0)
    json_builder_add_string_value (builder, summary);
  else
    json_builder_add_int_value (builder, step);
  if (g_str_equal (type, "closed"))
    {
      json_builder_set_member_name (builder, "report");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "outcome");
      json_builder_add_string_value (builder, "device-removed");
      json_builder_set_member_name (builder, "summary");
      json_builder_add_string_value (builder, summary);
      json_builder_set_member_name (builder, "deadlines");
      json_builder_begin_array (builder);
      json_builder_add_string_value (builder, "D1 met");
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
append_or_die (VescFileStore *store,
               JsonNode      *record)
{
  g_autoptr(JsonNode) owned = record;
  g_autoptr(GError) error = NULL;

  if (!vesc_store_append (VESC_STORE (store), owned, &error))
    g_error ("append: %s", error->message);
}

static void
end_batch_or_die (VescFileStore *store)
{
  g_autoptr(GError) error = NULL;

  if (!vesc_file_store_end_batch (store, &error))
    g_error ("end_batch: %s", error->message);
}

static void
append_incident (VescFileStore *store,
                 guint          incident,
                 gboolean       closed)
{
  for (int step = 0; step < n_records; step++)
    {
      const char *type = step == 0 ? "open" : "step";

      if (closed && step == n_records - 1)
        type = "closed";
      append_or_die (store, make_record (type, incident, step));
    }
}

static VescFileStore *
open_or_die (const char *path)
{
  g_autoptr(GError) error = NULL;
  VescFileStore *store = vesc_file_store_new (path, &error);

  if (store == NULL)
    g_error ("open: %s", error->message);
  return store;
}

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

static double
mib (const char *dir,
     const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  GStatBuf st;

  return g_stat (path, &st) == 0 ? st.st_size / (1024.0 * 1024.0) : 0;
}

/* Every open incident gets its records among the closed ones, as a desk
 * interleaves them. */
static void
build_store (const char *path)
{
  g_autoptr(VescFileStore) store = open_or_die (path);
  g_autoptr(GError) error = NULL;
  int every = n_open > 0 ? MAX (1, n_closed / n_open) : G_MAXINT;
  int opened = 0;
  gint64 start = g_get_monotonic_time ();

  vesc_file_store_begin_batch (store);
  for (int i = 0; i < n_closed || opened < n_open; i++)
    {
      if (i < n_closed)
        append_incident (store, i, TRUE);
      if (opened < n_open && (i % every == 0 || i >= n_closed))
        append_incident (store, n_closed + opened++, FALSE);
      if (i % batch_size == batch_size - 1)
        {
          end_batch_or_die (store);
          vesc_file_store_begin_batch (store);
        }
    }
  end_batch_or_die (store);
  printf ("  written: %d records in %.2f s (synced every %d incidents), journal %.1f MiB\n",
          (n_closed + n_open) * n_records, seconds_since (start), batch_size,
          mib (path, "journal.jsonl"));

  start = g_get_monotonic_time ();
  if (!vesc_file_store_compact (store, &error))
    g_error ("compact: %s", error->message);
  printf ("  compacted in %.2f s: journal %.1f MiB, archive %.1f MiB\n",
          seconds_since (start), mib (path, "journal.jsonl"), mib (path, "archive.jsonl"));
}

static void
time_open (const char *path)
{
  double best = G_MAXDOUBLE;
  guint n = 0;

  for (int run = 0; run < 3; run++)
    {
      g_autoptr(VescFileStore) store = NULL;
      g_autoptr(GPtrArray) records = NULL;
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();

      store = open_or_die (path);
      records = vesc_store_load (VESC_STORE (store), &error);
      if (records == NULL)
        g_error ("load: %s", error->message);
      best = MIN (best, seconds_since (start));
      n = records->len;
    }
  printf ("  open + load: %u records in %.3f s (best of 3, warm cache)\n", n, best);
}

static void
time_appends (const char *path,
              int         n,
              int         per_batch)
{
  g_autoptr(VescFileStore) store = open_or_die (path);
  gint64 start = g_get_monotonic_time ();
  double seconds;

  for (int i = 0; i < n; i++)
    {
      if (per_batch > 1 && i % per_batch == 0)
        vesc_file_store_begin_batch (store);
      append_or_die (store, make_record ("step", i / 8, i % 8));
      if (per_batch > 1 && (i % per_batch == per_batch - 1 || i == n - 1))
        end_batch_or_die (store);
    }
  seconds = seconds_since (start);
  if (per_batch > 1)
    printf ("  %d appends in batches of %d: %.0f appends/s (%.2f s)\n",
            n, per_batch, n / seconds, seconds);
  else
    printf ("  %d appends, each synced: %.0f appends/s (%.2f s)\n", n, n / seconds, seconds);
}

static void
remove_store (const char *path)
{
  static const char *names[] = { "journal.jsonl", "archive.jsonl", "lock" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *file = g_build_filename (path, names[i], NULL);

      g_unlink (file);
    }
  g_rmdir (path);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new ("- time the file store");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *big = NULL;
  g_autofree char *single = NULL;
  g_autofree char *batched = NULL;

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) ||
      n_records < 1 || batch_size < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message
                                         : "--records and --batch-size must be above 0");
      return 2;
    }
  if (parent_dir != NULL)
    g_setenv ("TMPDIR", parent_dir, TRUE);
  dir = g_dir_make_tmp ("bench-store-XXXXXX", &error);
  if (dir == NULL)
    g_error ("%s", error->message);
  big = g_build_filename (dir, "big", NULL);
  single = g_build_filename (dir, "single", NULL);
  batched = g_build_filename (dir, "batched", NULL);

  printf ("store in %s: %d closed + %d open incidents, %d records each\n",
          dir, n_closed, n_open, n_records);
  build_store (big);
  time_open (big);
  printf ("durable appends\n");
  time_appends (single, n_single, 1);
  time_appends (batched, n_batched, batch_size);

  remove_store (big);
  remove_store (single);
  remove_store (batched);
  g_rmdir (dir);
  return 0;
}

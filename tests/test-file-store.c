/* test-file-store.c: the durable store: round trips, locking, damage, compaction
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "vesc.h"
#include "vesc-file-store-private.h"

#include "signal-logger.h"

typedef struct {
  char *dir;
  char *journal;
  char *archive;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  /* Inside the test's own isolated directories, which GLib removes after it;
   * not created yet, so that opening makes it. */
  fixture->dir = g_build_filename (g_get_user_cache_dir (), "store", NULL);
  fixture->journal = g_build_filename (fixture->dir, "journal.jsonl", NULL);
  fixture->archive = g_build_filename (fixture->dir, "archive.jsonl", NULL);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_free (fixture->dir);
  g_free (fixture->journal);
  g_free (fixture->archive);
}

static VescFileStore *
open_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  VescFileStore *store = vesc_file_store_new (fixture->dir, &error);

  g_assert_no_error (error);
  g_assert_true (VESC_IS_FILE_STORE (store));
  return store;
}

static JsonNode *
record_new (const char *type,
            const char *incident,
            gint64      at,
            const char *extra_json)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  text = g_strdup_printf ("{\"type\":\"%s\",\"incident\":\"%s\",\"at\":%" G_GINT64_FORMAT "%s%s}",
                          type, incident, at, extra_json ? "," : "", extra_json ? extra_json : "");
  node = json_from_string (text, &error);
  g_assert_no_error (error);
  return node;
}

static void
append (VescFileStore *store,
        JsonNode      *record)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (vesc_store_append (VESC_STORE (store), record, &error));
  g_assert_no_error (error);
}

static void
append_take (VescFileStore *store,
             JsonNode      *record)
{
  append (store, record);
  json_node_unref (record);
}

static GPtrArray *
load (VescFileStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *records = vesc_store_load (VESC_STORE (store), &error);

  g_assert_no_error (error);
  g_assert_nonnull (records);
  return records;
}

static void
assert_records (GPtrArray *got,
                GPtrArray *expected,
                guint      n_expected)
{
  g_assert_cmpuint (got->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      if (!json_node_equal (got->pdata[i], expected->pdata[i]))
        {
          g_autofree char *a = json_to_string (got->pdata[i], FALSE);
          g_autofree char *b = json_to_string (expected->pdata[i], FALSE);

          g_error ("record %u: got %s, expected %s", i, a, b);
        }
    }
}

static char *
read_file (const char *path,
           gsize      *length)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, length, &error));
  g_assert_no_error (error);
  return contents;
}

/* Plainly, not as g_file_set_contents() would, so the mode and fsync are
 * the store's business. */
static void
write_file (const char *path,
            const char *data,
            gssize      length)
{
  int fd = open (path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  if (length < 0)
    length = strlen (data);
  g_assert_cmpint (fd, >=, 0);
  g_assert_cmpint (write (fd, data, length), ==, length);
  close (fd);
}

static guint
count_lines (const char *data,
             gsize       length)
{
  guint n = 0;

  for (gsize i = 0; i < length; i++)
    n += data[i] == '\n';
  return n;
}

/* Thirty records of every JSON kind, over four open incidents and, at the
 * end, one closed one (few enough lines that load() does not compact). */
static GPtrArray *
varied_records (void)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  static const char *extras[] = {
    NULL,
    "\"site\":\"alder-brook\",\"summary\":\"Conficker on 10.1.2.3\"",
    "\"input\":\"check\",\"value\":\"present\",\"actor\":\"Siân O’Neill\"",
    "\"name\":\"D1\",\"due\":1700010800000000,\"late\":false",
    "\"text\":\"line one\\nline two\\t\\\"quoted\\\" \\\\ \\u0001 ✓ 𝄞\"",
    "\"devices\":[\"10.1.2.3\",\"10.1.2.4\"],\"count\":2,\"ratio\":0.25",
    "\"nested\":{\"a\":[1,[2,[3,{\"b\":null}]]],\"c\":true},\"empty\":{}",
    "\"negative\":-42,\"big\":9007199254740993,\"small\":1.5e-300",
    /* Doubles json-glib's own generator would write unreadably ("7e+103.0"). */
    "\"doubles\":[7e+103,1e22,100.0,-0.0,5e-324,0.1]",
  };

  for (guint i = 0; i < 27; i++)
    {
      g_autofree char *incident = g_strdup_printf ("inc-%u", i % 4 + 1);

      g_ptr_array_add (records, record_new (i < 4 ? "open" : "event", incident,
                                            1700000000000000 + i * G_USEC_PER_SEC,
                                            extras[i % G_N_ELEMENTS (extras)]));
    }
  g_ptr_array_add (records, record_new ("open", "inc-5", 1700000100000000, NULL));
  g_ptr_array_add (records, record_new ("event", "inc-5", 1700000200000000, extras[4]));
  g_ptr_array_add (records, record_new ("closed", "inc-5", 1700000300000000,
                                        "\"report\":{\"outcome\":\"device-removed\","
                                        "\"deadlines\":[{\"name\":\"D1\",\"met\":true}]}"));
  return records;
}

static void
append_all (VescFileStore *store,
            GPtrArray     *records)
{
  for (guint i = 0; i < records->len; i++)
    append (store, records->pdata[i]);
}

/* ---- opening, round trips ----------------------------------------------- */

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(VescFileStore) store = open_store (fixture);
  g_autoptr(GPtrArray) records = varied_records ();
  g_autoptr(GPtrArray) empty = NULL;
  g_autoptr(GPtrArray) loaded = NULL;

  g_assert_cmpstr (vesc_file_store_get_path (store), ==, fixture->dir);
  empty = load (store);
  g_assert_cmpuint (empty->len, ==, 0);

  append_all (store, records);
  loaded = load (store);
  assert_records (loaded, records, records->len);
  g_assert_cmpuint (vesc_file_store_get_n_dropped (store), ==, 0);
}

static void
test_reopen (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(VescFileStore) store = open_store (fixture);
  g_autoptr(GPtrArray) records = varied_records ();
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  append_all (store, records);
  g_clear_object (&store);

  store = open_store (fixture);
  loaded = load (store);
  assert_records (loaded, records, records->len);
  g_clear_object (&store);

  /* Appending before loading goes on with the journal's sequence numbers. */
  store = open_store (fixture);
  g_ptr_array_add (records, record_new ("event", "inc-1", 1700000400000000, NULL));
  append (store, records->pdata[records->len - 1]);
  g_clear_object (&store);

  text = read_file (fixture->journal, NULL);
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, records->len + 1);
  g_assert_true (g_str_has_prefix (lines[records->len - 1], "{\"v\":1,\"seq\":31,\"record\":"));
  store = open_store (fixture);
  again = load (store);
  assert_records (again, records, records->len);
}

static void
assert_mode (const char *path,
             guint       mode)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpuint (st.st_mode & 0777, ==, mode);
}

static void
test_modes (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(VescFileStore) store = NULL;
  g_autoptr(GPtrArray) records = varied_records ();
  g_autoptr(GError) error = NULL;
  g_autofree char *lock = g_build_filename (fixture->dir, "lock", NULL);
  mode_t old_umask = umask (0);

  /* With no umask to help, the modes must be the store's own. */
  store = open_store (fixture);
  append_all (store, records);
  g_assert_true (vesc_file_store_compact (store, &error));
  g_assert_no_error (error);
  umask (old_umask);

  assert_mode (fixture->dir, 0700);
  assert_mode (fixture->journal, 0600);
  assert_mode (fixture->archive, 0600);
  assert_mode (lock, 0600);
}

static void
test_default_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VescFileStore) store = vesc_file_store_new (NULL, &error);
  g_autofree char *expected = g_build_filename (g_get_user_data_dir (), "libvesc", "store", NULL);
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (vesc_file_store_get_path (store), ==, expected);
  g_object_get (store, "path", &path, NULL);
  g_assert_cmpstr (path, ==, expected);
  g_assert_true (g_file_test (expected, G_FILE_TEST_IS_DIR));
  assert_mode (expected, 0700);
}

static void
test_not_a_directory (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(VescFileStore) store = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_assert_cmpint (g_mkdir_with_parents (g_get_user_cache_dir (), 0700), ==, 0);
  write_file (fixture->dir, "not a directory", -1);

  store = vesc_file_store_new (fixture->dir, &error);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
  g_assert_null (store);
  g_assert_nonnull (strstr (error->message, fixture->dir));
  contents = read_file (fixture->dir, &length);
  g_assert_cmpstr (contents, ==, "not a directory");
}

/* ---- locking ------------------------------------------------------------ */

static void
test_lock (Fixture       *fixture,
           gconstpointer  data)
{
  g_autoptr(VescFileStore) store = open_store (fixture);
  g_autoptr(VescFileStore) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *lock = g_build_filename (fixture->dir, "lock", NULL);
  g_autofree char *holder = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *pid = g_strdup_printf ("(process %d)", (int) getpid ());
  g_autoptr(GPtrArray) loaded = NULL;

  append_take (store, record_new ("open", "inc-1", 1, NULL));
  before = read_file (fixture->journal, NULL);
  holder = read_file (lock, NULL);
  g_assert_cmpint (atoi (holder), ==, getpid ());

  second = vesc_file_store_new (fixture->dir, &error);
  g_assert_error (error, VESC_ERROR, VESC_ERROR_LOCKED);
  g_assert_null (second);
  g_assert_nonnull (strstr (error->message, fixture->dir));
  g_assert_nonnull (strstr (error->message, pid));
  after = read_file (fixture->journal, NULL);
  g_assert_cmpstr (after, ==, before);
  g_clear_error (&error);

  g_clear_object (&store);
  second = open_store (fixture);
  loaded = load (second);
  g_assert_cmpuint (loaded->len, ==, 1);
}

static void
test_lock_other_process (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(VescFileStore) store = NULL;
  g_autofree char *pid = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(VescFileStore) second = NULL;
      const char *path = g_getenv ("VESC_TEST_STORE");

      second = vesc_file_store_new (path, &error);
      g_assert_error (error, VESC_ERROR, VESC_ERROR_LOCKED);
      g_assert_null (second);
      g_printerr ("%s", error->message);
      return;
    }

  store = open_store (fixture);
  g_setenv ("VESC_TEST_STORE", fixture->dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  pid = g_strdup_printf ("*is in use by another program (process %d)*", (int) getpid ());
  g_test_trap_assert_stderr (pid);
}

/* ---- appends refused, writes failing ------------------------------------ */

static void
test_append_invalid (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(VescFileStore) store = open_store (fixture);
  g_autoptr(JsonNode) array = json_from_string ("[1,2]", NULL);
  g_autoptr(JsonNode) infinite = record_new ("event", "inc-1", 1, "\"x\":0");
  g_autoptr(JsonNode) not_utf8 = record_new ("event", "inc-1", 1, NULL);
  g_autoptr(JsonNode) deep = record_new ("event", "inc-1", 1, NULL);
  g_autoptr(JsonNode) deepest = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  JsonNode *refused[4];
  JsonNode *inner = deep;

  append_take (store, record_new ("open", "inc-1", 1, NULL));
  before = read_file (fixture->journal, NULL);
  json_object_set_double_member (json_node_get_object (infinite), "x", INFINITY);
  json_object_set_string_member (json_node_get_object (not_utf8), "x", "caf\xe9");
  /* The record is the second level; a line may have VESC_FILE_STORE_MAX_DEPTH. */
  for (guint depth = 3; depth <= VESC_FILE_STORE_MAX_DEPTH; depth++)
    {
      JsonNode *child = json_node_new (JSON_NODE_ARRAY);

      json_node_take_array (child, json_array_new ());
      if (JSON_NODE_HOLDS_OBJECT (inner))
        json_object_set_member (json_node_get_object (inner), "x", child);
      else
        json_array_add_element (json_node_get_array (inner), child);
      inner = child;
    }
  /* As deep as a line may be: accepted. */
  append (store, deep);
  g_free (before);
  before = read_file (fixture->journal, NULL);
  deepest = json_node_new (JSON_NODE_ARRAY);
  json_node_take_array (deepest, json_array_new ());
  json_array_add_element (json_node_get_array (inner), g_steal_pointer (&deepest));

  refused[0] = array;
  refused[1] = infinite;
  refused[2] = not_utf8;
  refused[3] = deep;
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (vesc_store_append (VESC_STORE (store), refused[i], &error));
      g_assert_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT);
      after = read_file (fixture->journal, NULL);
      g_assert_cmpstr (after, ==, before);
      g_clear_pointer (&after, g_free);
    }

  g_clear_object (&store);
  store = open_store (fixture);
  loaded = load (store);
  g_assert_cmpuint (loaded->len, ==, 2);
}

/* RLIMIT_FSIZE makes write() stop short at a chosen size, as a full disk does. */
static void
limit_file_size (rlim_t size)
{
  struct rlimit limit;

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  limit.rlim_cur = size;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
}

static void
test_write_failure (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(VescFileStore) store = open_store (fixture);
  g_autoptr(JsonNode) big = record_new ("event", "inc-1", 2, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *padding = g_strnfill (4000, 'x');
  gsize length;

  if (g_test_subprocess ())
    {
      append_take (store, record_new ("open", "inc-1", 1, NULL));
      before = read_file (fixture->journal, &length);
      json_object_set_string_member (json_node_get_object (big), "padding", padding);

      /* SIGXFSZ would kill the process; ignored, the write returns EFBIG. */
      signal (SIGXFSZ, SIG_IGN);
      limit_file_size (length + 100);
      g_assert_false (vesc_store_append (VESC_STORE (store), big, &error));
      g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
      g_assert_nonnull (strstr (error->message, "journal.jsonl"));
      g_clear_error (&error);
      after = read_file (fixture->journal, NULL);
      g_assert_cmpstr (after, ==, before);

      /* In a batch the failure is reported by end_batch(). */
      vesc_file_store_begin_batch (store);
      for (guint i = 0; i < 40 && error == NULL; i++)
        vesc_store_append (VESC_STORE (store), big, &error);
      g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
      g_clear_error (&error);
      g_assert_false (vesc_file_store_end_batch (store, &error));
      g_assert_error (error, VESC_ERROR, VESC_ERROR_IO);
      g_clear_error (&error);
      g_free (after);
      after = read_file (fixture->journal, NULL);
      g_assert_cmpstr (after, ==, before);

      limit_file_size (RLIM_INFINITY);
      append_take (store, record_new ("event", "inc-1", 3, NULL));
      loaded = load (store);
      g_assert_cmpuint (loaded->len, ==, 2);
      return;
    }
  /* In a child, so that the limit and the ignored signal stay there. */
  g_clear_object (&store);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

/* ---- damage ------------------------------------------------------------- */

static void
expect_torn_warning (void)
{
  g_test_expect_message ("Vesc", G_LOG_LEVEL_WARNING, "*journal.jsonl: dropped an incomplete "
                         "record*left by an interrupted write");
}

static void
test_torn_last (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(VescFileStore) store = open_store (fixture);
  g_autoptr(GPtrArray) records = varied_records ();
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(SignalLogger) logger = signal_logger_new ();
  g_autofree char *whole = NULL;
  g_autofree char *torn = NULL;
  g_autofree char *after = NULL;
  g_autofree char *message = NULL;
  gsize length;

  append_all (store, records);
  g_clear_object (&store);
  whole = read_file (fixture->journal, &length);
  torn = g_strconcat (whole, "{\"v\":1,\"seq\":31,\"record\":{\"type\":\"ev", NULL);
  write_file (fixture->journal, torn, -1);

  store = open_store (fixture);
  signal_logger_connect (logger, store, "notify::n-dropped");
  message = g_strdup_printf ("*journal.jsonl: dropped an incomplete record of 36 bytes"
                             " at byte %" G_GSIZE_FORMAT ",*", length);
  g_test_expect_message ("Vesc", G_LOG_LEVEL_WARNING, message);
  loaded = load (store);
  g_test_assert_expected_messages ();
  assert_records (loaded, records, records->len);
  g_assert_cmpuint (vesc_file_store_get_n_dropped (store), ==, 1);
  g_assert_true (signal_logger_pop (logger, store, "notify::n-dropped", NULL, NULL));
  signal_logger_assert_empty (logger);
  after = read_file (fixture->journal, NULL);
  g_assert_cmpstr (after, ==, whole);

  /* The next record starts on a clean line. */
  g_ptr_array_add (records, record_new ("event", "inc-1", 5, NULL));
  append (store, records->pdata[records->len - 1]);
  g_clear_object (&store);
  store = open_store (fixture);
  again = load (store);
  assert_records (again, records, records->len);
  g_assert_cmpuint (vesc_file_store_get_n_dropped (store), ==, 0);
}

/* Also checks, for every seventh cut and every whole line, that the next
 * append starts on a clean line (each append costs an fsync). */
static void
check_prefix (Fixture    *fixture,
              GPtrArray  *records,
              const char *data,
              gsize       length)
{
  g_autoptr(VescFileStore) store = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(JsonNode) extra = record_new ("event", "inc-9", 9, NULL);
  g_autofree char *after = NULL;
  guint n_whole = count_lines (data, length);
  gsize whole_length = length;
  gsize after_length;

  while (whole_length > 0 && data[whole_length - 1] != '\n')
    whole_length--;
  write_file (fixture->journal, data, length);
  store = open_store (fixture);
  if (whole_length < length)
    expect_torn_warning ();
  loaded = load (store);
  g_test_assert_expected_messages ();
  assert_records (loaded, records, n_whole);
  g_assert_cmpuint (vesc_file_store_get_n_dropped (store), ==, whole_length < length);

  after = read_file (fixture->journal, &after_length);
  g_assert_cmpuint (after_length, ==, whole_length);
  g_assert_cmpmem (after, after_length, data, whole_length);

  if (length % 7 != 0 && whole_length != length)
    return;
  append (store, extra);
  again = load (store);
  g_assert_cmpuint (again->len, ==, n_whole + 1);
  g_assert_true (json_node_equal (again->pdata[n_whole], extra));
}

static void
test_every_prefix (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(VescFileStore) store = open_store (fixture);
  g_autoptr(GPtrArray) records = varied_records ();
  g_autofree char *journal = NULL;
  gsize length;

  append_all (store, records);
  g_clear_object (&store);
  journal = read_file (fixture->journal, &length);
  g_assert_cmpuint (count_lines (journal, length), ==, records->len);
  g_test_message ("%" G_GSIZE_FORMAT " prefixes", length + 1);

  for (gsize cut = 0; cut <= length; cut++)
    check_prefix (fixture, records, journal, cut);
  g_assert_false (g_file_test (fixture->archive, G_FILE_TEST_EXISTS));
}

/* Writes @contents as the journal, then checks that load(), compact() and
 * append() all fail with VESC_ERROR_PARSE whose message has @expected, and
 * that nothing in the directory changed. */
static void
assert_damage (Fixture    *fixture,
               const char *contents,
               gssize      length,
               const char *expected)
{
  g_autoptr(VescFileStore) store = NULL;
  g_autoptr(JsonNode) record = record_new ("event", "inc-1", 1, NULL);
  g_autofree char *tmp = g_strconcat (fixture->journal, ".tmp", NULL);
  g_autofree char *pattern = g_strdup_printf ("*%s*", expected);
  gsize after_length;

  if (length < 0)
    length = strlen (contents);
  store = open_store (fixture);
  write_file (fixture->journal, contents, length);

  for (guint attempt = 0; attempt < 3; attempt++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) loaded = NULL;
      g_autofree char *after = NULL;
      gboolean ok = FALSE;

      if (attempt == 0)
        ok = (loaded = vesc_store_load (VESC_STORE (store), &error)) != NULL;
      else if (attempt == 1)
        ok = vesc_file_store_compact (store, &error);
      else
        ok = vesc_store_append (VESC_STORE (store), record, &error);
      g_assert_false (ok);
      g_assert_error (error, VESC_ERROR, VESC_ERROR_PARSE);
      if (!g_pattern_match_simple (pattern, error->message))
        g_error ("“%s” does not match “%s”", error->message, pattern);
      g_assert_nonnull (strstr (error->message, fixture->journal));

      after = read_file (fixture->journal, &after_length);
      g_assert_cmpmem (after, after_length, contents, length);
      g_assert_false (g_file_test (fixture->archive, G_FILE_TEST_EXISTS));
      g_assert_false (g_file_test (tmp, G_FILE_TEST_EXISTS));
    }
  g_assert_cmpuint (vesc_file_store_get_n_dropped (store), ==, 0);
}

static char *
journal_text (GPtrArray *records)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < records->len; i++)
    {
      g_autofree char *line = NULL;
      gsize length;

      line = vesc_file_store_format_line (records->pdata[i], i + 1, &length, NULL);
      g_string_append_len (text, line, length);
    }
  return g_string_free (text, FALSE);
}

static void
test_damage_middle (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) records = varied_records ();
  g_autofree char *text = journal_text (records);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *broken = NULL;
  g_autofree char *torn_too = NULL;
  char *brace;

  /* Line 17 loses a closing brace. */
  brace = strrchr (lines[16], '}');
  memmove (brace, brace + 1, strlen (brace));
  broken = g_strjoinv ("\n", lines);
  assert_damage (fixture, broken, -1, "journal.jsonl:17: invalid JSON at column");

  /* Even with a torn last line, which alone would be cut off. */
  torn_too = g_strconcat (broken, "{\"v\":1,\"se", NULL);
  assert_damage (fixture, torn_too, -1, "journal.jsonl:17: invalid JSON");
}

static void
test_damage_lines (Fixture       *fixture,
                   gconstpointer  data)
{
  static const struct { const char *journal; const char *expected; } cases[] = {
    { "{\"v\":1,\"seq\":1,\"record\":{}}\n\n", "journal.jsonl:2: not a journal record at column 1" },
    { "{\"v\":1,\"seq\":1,\"record\":{}}\n{\"v\":1,\"seq\":2,\"record\":{}} {}\n",
      "journal.jsonl:2: text after the record at column 28" },
    { "{\"v\":1,\"seq\":1,\"record\":{\"a\":\"\x01\"}}\n", "journal.jsonl:1: a control character" },
    { "{\"v\":1,\"seq\":1,\"record\":{\"a\":\"\xff\"}}\n", "journal.jsonl:1: the line is not UTF-8" },
    { "{\"v\":1,\"seq\":1}\n", "journal.jsonl:1: the record is missing" },
    { "{\"v\":1,\"seq\":1,\"record\":[1]}\n", "journal.jsonl:1: the record is missing or is not" },
    { "{\"v\":1,\"seq\":0,\"record\":{}}\n", "journal.jsonl:1: the sequence number" },
    { "{\"v\":1,\"seq\":\"1\",\"record\":{}}\n", "journal.jsonl:1: the sequence number" },
    { "{\"v\":1,\"seq\":1,\"record\":{},\"x\":2}\n", "journal.jsonl:1: the envelope has members" },
    { "{\"v\":1,\"seq\":1,\"record\":{}}\n{\"v\":1,\"seq\":2,\"record\":{\"a\":1e}}\n",
      "journal.jsonl:2: invalid JSON" },
    { "{\"v\":1,\"seq\":1,\"record\":{}}\nnot json\n{\"v\":1,\"seq\":3,\"record\":{}}\n",
      "journal.jsonl:2: not a journal record" },
    { "{\"v\":1,\"seq\":1,\"record\":{}}\n{\"v\":1,\"seq\":2,\"record\":{}}\ngarbage",
      "journal.jsonl:3: the last line is incomplete and is not a journal record" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_damage (fixture, cases[i].journal, -1, cases[i].expected);
}

static void
test_damage_deep (Fixture       *fixture,
                  gconstpointer  data)
{
  GString *line = g_string_new ("{\"v\":1,\"seq\":1,\"record\":{\"a\":");

  /* json-glib parses recursively: this would overflow the stack. */
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (line, '[');
  for (guint i = 0; i < 200000; i++)
    g_string_append_c (line, ']');
  g_string_append (line, "}}\n");
  assert_damage (fixture, line->str, line->len, "journal.jsonl:1: nesting too deep at column 92");
  g_string_free (line, TRUE);
}

static void
test_unknown_version (Fixture       *fixture,
                      gconstpointer  data)
{
  assert_damage (fixture,
                 "{\"v\":1,\"seq\":1,\"record\":{\"type\":\"open\"}}\n"
                 "{\"v\":2,\"seq\":2,\"record\":{\"type\":\"open\"},\"signature\":\"abc\"}\n",
                 -1, "journal.jsonl:2: record version 2 is unknown");
  assert_damage (fixture, "{\"v\":\"1\",\"seq\":1,\"record\":{}}\n",
                 -1, "journal.jsonl:1: record version \"1\" is unknown");
}

static void
test_not_a_journal (Fixture       *fixture,
                    gconstpointer  data)
{
  static const char elf[] = "\x7f" "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x03\0>\0";

  assert_damage (fixture, "# notes\nnothing to see\n", -1, "journal.jsonl:1: not a journal record");
  assert_damage (fixture, "{\"sites\":[]}\n", -1, "journal.jsonl:1: not a journal record");
  assert_damage (fixture, "[{\"v\":1,\"seq\":1,\"record\":{}}]\n", -1,
                 "journal.jsonl:1: not a journal record");
  /* No newline at all, yet not the start of a record: not cut off. */
  assert_damage (fixture, elf, sizeof elf - 1, "journal.jsonl:1: the last line is incomplete");
}

static void
test_damage_seq (Fixture       *fixture,
                 gconstpointer  data)
{
  assert_damage (fixture,
                 "{\"v\":1,\"seq\":1,\"record\":{}}\n"
                 "{\"v\":1,\"seq\":2,\"record\":{}}\n"
                 "{\"v\":1,\"seq\":2,\"record\":{}}\n",
                 -1, "journal.jsonl:3: sequence number 2 does not follow 2");
  assert_damage (fixture,
                 "{\"v\":1,\"seq\":5,\"record\":{}}\n"
                 "{\"v\":1,\"seq\":3,\"record\":{}}\n",
                 -1, "journal.jsonl:2: sequence number 3 does not follow 5");
}

/* ---- compaction --------------------------------------------------------- */

/* Four incidents: a and d stay open, b and c close; their records are
 * interleaved as a desk would write them. */
static GPtrArray *
incident_records (void)
{
  static const char *script[][2] = {
    { "open", "a" }, { "open", "b" }, { "step", "a" }, { "open", "c" }, { "step", "b" },
    { "notify", "c" }, { "step", "b" }, { "closed", "c" }, { "open", "d" }, { "step", "a" },
    { "closed", "b" }, { "step", "d" }, { "notify", "b" }, { "step", "a" },
  };
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  for (guint i = 0; i < G_N_ELEMENTS (script); i++)
    g_ptr_array_add (records, record_new (script[i][0], script[i][1], i,
                                          g_str_equal (script[i][0], "closed") ?
                                          "\"report\":{\"outcome\":\"device-removed\"}" : NULL));
  return records;
}

/* What load() returns after compaction: every record of an open incident,
 * only the "closed" records of the others. */
static GPtrArray *
compacted (GPtrArray *records)
{
  GPtrArray *kept = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GHashTable) closed = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *object = json_node_get_object (records->pdata[i]);

      if (g_str_equal (json_object_get_string_member (object, "type"), "closed"))
        g_hash_table_add (closed, (char *) json_object_get_string_member (object, "incident"));
    }
  for (guint i = 0; i < records->len; i++)
    {
      JsonObject *object = json_node_get_object (records->pdata[i]);

      if (g_str_equal (json_object_get_string_member (object, "type"), "closed") ||
          !g_hash_table_contains (closed, json_object_get_string_member (object, "incident")))
        g_ptr_array_add (kept, json_node_ref (records->pdata[i]));
    }
  return kept;
}

/* Every line of both files, as "seq record" text. */
static GPtrArray *
file_entries (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  GPtrArray *entries = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return entries;
  text = read_file (path, NULL);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) record = NULL;
      g_autofree char *shown = NULL;
      gint64 seq;

      record = vesc_file_store_parse_line (parser, lines[i], strlen (lines[i]), &seq, &error);
      g_assert_no_error (error);
      shown = json_to_string (record, FALSE);
      g_ptr_array_add (entries, g_strdup_printf ("%" G_GINT64_FORMAT " %s", seq, shown));
    }
  return entries;
}

static void
assert_nothing_lost (Fixture   *fixture,
                     GPtrArray *records)
{
  g_autoptr(GPtrArray) journal = file_entries (fixture->journal);
  g_autoptr(GPtrArray) archive = file_entries (fixture->archive);
  g_autoptr(GHashTable) in_journal = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) everywhere = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < journal->len; i++)
    {
      g_assert_false (g_hash_table_contains (in_journal, journal->pdata[i]));
      g_hash_table_add (in_journal, journal->pdata[i]);
      g_hash_table_add (everywhere, journal->pdata[i]);
    }
  for (guint i = 0; i < archive->len; i++)
    g_hash_table_add (everywhere, archive->pdata[i]);
  for (guint i = 0; i < records->len; i++)
    {
      g_autofree char *shown = json_to_string (records->pdata[i], FALSE);
      g_autofree char *entry = g_strdup_printf ("%u %s", i + 1, shown);

      if (!g_hash_table_contains (everywhere, entry))
        g_error ("lost: %s", entry);
    }
  g_assert_cmpuint (g_hash_table_size (everywhere), ==, records->len);
}

static void
test_compact (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(VescFileStore) store = open_store (fixture);
  g_autoptr(GPtrArray) records = incident_records ();
  g_autoptr(GPtrArray) expected = compacted (records);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) archive = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *archived = NULL;
  g_autofree char *again = NULL;

  append_all (store, records);
  g_assert_true (vesc_file_store_compact (store, &error));
  g_assert_no_error (error);
  assert_nothing_lost (fixture, records);
  archive = file_entries (fixture->archive);
  g_assert_cmpuint (archive->len, ==, records->len - expected->len);
  g_assert_true (g_str_has_prefix (archive->pdata[0], "2 {\"type\":\"open\",\"incident\":\"b\""));
  loaded = load (store);
  assert_records (loaded, expected, expected->len);

  /* Nothing left to move: the archive stays as it was. */
  archived = read_file (fixture->archive, NULL);
  g_assert_true (vesc_file_store_compact (store, &error));
  again = read_file (fixture->archive, NULL);
  g_assert_cmpstr (again, ==, archived);

  /* Appends go to the new journal, on with the sequence. */
  g_ptr_array_add (records, record_new ("step", "d", 99, NULL));
  g_ptr_array_add (expected, json_node_ref (records->pdata[records->len - 1]));
  append (store, records->pdata[records->len - 1]);
  g_clear_object (&store);
  store = open_store (fixture);
  g_clear_pointer (&loaded, g_ptr_array_unref);
  loaded = load (store);
  assert_records (loaded, expected, expected->len);
  assert_nothing_lost (fixture, records);
}

/* A compaction killed while it wrote the archive left part of a line there;
 * the next compaction cuts it off before it appends (the records are still
 * in the journal), so every line of the archive stays whole. */
static void
test_compact_torn_archive (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(VescFileStore) store = open_store (fixture);
  g_autoptr(GPtrArray) records = incident_records ();
  g_autoptr(GPtrArray) expected = compacted (records);
  g_autoptr(GPtrArray) archive = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;

  append_all (store, records);
  g_assert_true (g_file_set_contents (fixture->archive, "{\"v\":1,\"seq\":2,\"rec", -1, &error));
  g_assert_true (vesc_file_store_compact (store, &error));
  g_assert_no_error (error);
  contents = read_file (fixture->archive, NULL);
  g_assert_true (g_str_has_prefix (contents, "{\"v\":1,\"seq\":2,\"record\":"));
  archive = file_entries (fixture->archive);
  g_assert_cmpuint (archive->len, ==, records->len - expected->len);
  assert_nothing_lost (fixture, records);
}

static void
test_compact_auto (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(VescFileStore) store = open_store (fixture);
  g_autoptr(GPtrArray) records = incident_records ();
  g_autoptr(GPtrArray) expected = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  guint i;

  /* Half the lines or fewer could go: load() leaves the journal alone. */
  for (i = 0; i < 6; i++)
    append_take (store, record_new ("step", "a", 100 + i, NULL));
  append_all (store, records);
  for (i = 0; i < 6; i++)
    g_ptr_array_insert (records, i, record_new ("step", "a", 100 + i, NULL));
  loaded = load (store);
  assert_records (loaded, records, records->len);
  g_assert_false (g_file_test (fixture->archive, G_FILE_TEST_EXISTS));

  /* One more closed incident makes it more than half. */
  g_ptr_array_add (records, record_new ("closed", "a", 200, NULL));
  append (store, records->pdata[records->len - 1]);
  g_clear_object (&store);
  store = open_store (fixture);
  expected = compacted (records);
  g_clear_pointer (&loaded, g_ptr_array_unref);
  loaded = load (store);
  assert_records (loaded, expected, expected->len);
  g_assert_true (g_file_test (fixture->archive, G_FILE_TEST_EXISTS));
  assert_nothing_lost (fixture, records);
  g_assert_no_error (error);
}

static void
append_incidents (VescFileStore *store,
                  const char    *prefix,
                  guint          n,
                  gboolean       close)
{
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *id = g_strdup_printf ("%s-%u", prefix, i);

      append_take (store, record_new ("open", id, i, NULL));
      if (close)
        append_take (store, record_new ("closed", id, i, NULL));
    }
}

static void
test_compact_auto_many (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(VescFileStore) store = open_store (fixture);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;
  const guint n = VESC_FILE_STORE_AUTO_COMPACT_INCIDENTS;

  /* Far fewer than half the lines, but enough closed incidents. */
  vesc_file_store_begin_batch (store);
  append_incidents (store, "open", 4 * n, FALSE);
  append_incidents (store, "closed", n - 1, TRUE);
  g_assert_true (vesc_file_store_end_batch (store, &error));
  loaded = load (store);
  g_assert_cmpuint (loaded->len, ==, 4 * n + 2 * (n - 1));
  g_assert_false (g_file_test (fixture->archive, G_FILE_TEST_EXISTS));

  append_incidents (store, "last", 1, TRUE);
  g_clear_pointer (&loaded, g_ptr_array_unref);
  loaded = load (store);
  g_assert_cmpuint (loaded->len, ==, 4 * n + n);
  g_assert_true (g_file_test (fixture->archive, G_FILE_TEST_EXISTS));
}

/* ---- batches ------------------------------------------------------------ */

static void
test_batch (Fixture       *fixture,
            gconstpointer  data)
{
  g_autoptr(VescFileStore) store = open_store (fixture);
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_autoptr(GPtrArray) inside = NULL;
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GError) error = NULL;

  /* Enough to be written in several chunks before the end. */
  for (guint i = 0; i < 3000; i++)
    g_ptr_array_add (records, record_new ("step", i % 2 ? "a" : "b", i, "\"note\":\"batched\""));

  vesc_file_store_begin_batch (store);
  for (guint i = 0; i < 1000; i++)
    append (store, records->pdata[i]);
  vesc_file_store_begin_batch (store);
  for (guint i = 1000; i < 2000; i++)
    append (store, records->pdata[i]);
  g_assert_true (vesc_file_store_end_batch (store, &error));
  g_assert_no_error (error);
  /* Loading inside a batch sees the records buffered so far. */
  inside = load (store);
  assert_records (inside, records, 2000);
  for (guint i = 2000; i < 3000; i++)
    append (store, records->pdata[i]);
  g_assert_true (vesc_file_store_end_batch (store, &error));
  g_assert_no_error (error);

  g_clear_object (&store);
  store = open_store (fixture);
  loaded = load (store);
  assert_records (loaded, records, records->len);
}

static void
test_batch_unfinished (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(VescFileStore) store = open_store (fixture);
  g_autoptr(GPtrArray) loaded = NULL;

  /* Dropping the store with a batch open still writes and syncs it. */
  vesc_file_store_begin_batch (store);
  append_incidents (store, "inc", 10, FALSE);
  g_clear_object (&store);

  store = open_store (fixture);
  loaded = load (store);
  g_assert_cmpuint (loaded->len, ==, 10);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/file-store/round-trip", test_round_trip);
  ADD ("/file-store/reopen", test_reopen);
  ADD ("/file-store/modes", test_modes);
  g_test_add_func ("/file-store/default-path", test_default_path);
  ADD ("/file-store/not-a-directory", test_not_a_directory);
  ADD ("/file-store/lock/same-process", test_lock);
  ADD ("/file-store/lock/other-process", test_lock_other_process);
  ADD ("/file-store/append/invalid", test_append_invalid);
  ADD ("/file-store/append/write-failure", test_write_failure);
  ADD ("/file-store/damage/torn-last", test_torn_last);
  ADD ("/file-store/damage/every-prefix", test_every_prefix);
  ADD ("/file-store/damage/middle", test_damage_middle);
  ADD ("/file-store/damage/lines", test_damage_lines);
  ADD ("/file-store/damage/deep", test_damage_deep);
  ADD ("/file-store/damage/unknown-version", test_unknown_version);
  ADD ("/file-store/damage/not-a-journal", test_not_a_journal);
  ADD ("/file-store/damage/seq", test_damage_seq);
  ADD ("/file-store/compact/explicit", test_compact);
  ADD ("/file-store/compact/torn-archive", test_compact_torn_archive);
  ADD ("/file-store/compact/auto-half", test_compact_auto);
  ADD ("/file-store/compact/auto-many", test_compact_auto_many);
  ADD ("/file-store/batch/nested", test_batch);
  ADD ("/file-store/batch/unfinished", test_batch_unfinished);

#undef ADD

  return g_test_run ();
}

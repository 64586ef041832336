/* fuzz-journal.c: libFuzzer entry point for the journal's line parser and load()
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "vesc.h"
#include "vesc-file-store-private.h"

int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

static char *scratch;
static char *journal_path;
static char *archive_path;

static void
remove_scratch (void)
{
  g_autofree char *lock = g_build_filename (scratch, "lock", NULL);

  g_unlink (journal_path);
  g_unlink (archive_path);
  g_unlink (lock);
  g_rmdir (scratch);
}

/* abort(), which libFuzzer catches and saves the input for; GLib's fatal
 * errors raise SIGTRAP, which it does not. */
static void fail (const char *format,
                  ...) G_GNUC_PRINTF (1, 2) G_GNUC_NORETURN;

static void
fail (const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
  abort ();
}

/* Torn records are expected and their warnings dropped; a critical or an
 * error is a bug. */
static void
log_handler (const char     *domain,
             GLogLevelFlags  level,
             const char     *message,
             gpointer        data)
{
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL))
    fail ("%s: %s", domain != NULL ? domain : "", message);
}

/* One store directory for the whole run; TMPDIR=/dev/shm keeps its fsyncs cheap. */
static void
set_up (void)
{
  g_autoptr(GError) error = NULL;

  if (scratch != NULL)
    return;
  scratch = g_dir_make_tmp ("vesc-fuzz-XXXXXX", &error);
  if (scratch == NULL)
    fail ("%s", error->message);
  journal_path = g_build_filename (scratch, "journal.jsonl", NULL);
  archive_path = g_build_filename (scratch, "archive.jsonl", NULL);
  atexit (remove_scratch);
  g_log_set_default_handler (log_handler, NULL);
}

/* Whatever the parser accepts, the formatter must write back so that the
 * parser reads the same record, or refuse it. */
static void
check_line (const uint8_t *data,
            size_t         size)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonNode) record = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autofree char *line = NULL;
  gint64 seq = 0, seq_again = 0;
  gsize length;

  record = vesc_file_store_parse_line (parser, (const char *) data, size, &seq, NULL);
  if (record == NULL)
    return;
  line = vesc_file_store_format_line (record, seq, &length, NULL);
  if (line == NULL)
    return;
  if (length == 0 || line[length - 1] != '\n')
    fail ("a formatted line does not end in a newline");
  again = vesc_file_store_parse_line (parser, line, length - 1, &seq_again, NULL);
  if (again == NULL || seq_again != seq || !json_node_equal (record, again))
    fail ("a record does not read back as written: %s", line);
}

static char *
read_all (const char *path,
          gsize      *length)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, length, NULL))
    fail ("cannot read %s", path);
  return contents;
}

static void
write_journal (const uint8_t *data,
               size_t         size)
{
  int fd = open (journal_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

  if (fd < 0 || write (fd, data, size) != (gssize) size)
    fail ("cannot write %s", journal_path);
  close (fd);
  g_unlink (archive_path);
}

/* A failed load leaves the bytes alone; a good one cut at most the last,
 * incomplete line off, unless it compacted. */
static void
check_untouched (const uint8_t *data,
                 size_t         size,
                 gboolean       loaded)
{
  g_autofree char *after = NULL;
  gsize length;
  size_t whole = size;

  if (loaded && g_file_test (archive_path, G_FILE_TEST_EXISTS))
    return;
  if (!loaded && g_file_test (archive_path, G_FILE_TEST_EXISTS))
    fail ("a failed load wrote the archive");
  while (loaded && whole > 0 && data[whole - 1] != '\n')
    whole--;
  after = read_all (journal_path, &length);
  if (length != whole || memcmp (after, data, whole) != 0)
    fail ("the journal changed wrongly: %" G_GSIZE_FORMAT " bytes, expected %zu",
             length, whole);
}

/* After a good load, the store must take an append, read it back last and
 * compact without error. */
static void
check_store_goes_on (VescFileStore *store)
{
  g_autoptr(JsonNode) record = json_from_string ("{\"type\":\"fuzz\",\"incident\":\"fuzz\"}", NULL);
  g_autoptr(GPtrArray) loaded = NULL;
  g_autoptr(GPtrArray) compacted = NULL;
  g_autoptr(GError) error = NULL;

  if (!vesc_store_append (VESC_STORE (store), record, &error))
    fail ("append after a good load failed: %s", error->message);
  loaded = vesc_store_load (VESC_STORE (store), &error);
  if (loaded == NULL)
    fail ("load after an append failed: %s", error->message);
  if (loaded->len == 0 || !json_node_equal (loaded->pdata[loaded->len - 1], record))
    fail ("the appended record is not the last one loaded");
  if (!vesc_file_store_compact (store, &error))
    fail ("compaction after a good load failed: %s", error->message);
  compacted = vesc_store_load (VESC_STORE (store), &error);
  if (compacted == NULL || compacted->len > loaded->len)
    fail ("load after compaction failed or grew");
}

static void
check_load (const uint8_t *data,
            size_t         size)
{
  g_autoptr(VescFileStore) store = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  write_journal (data, size);
  store = vesc_file_store_new (scratch, &error);
  if (store == NULL)
    fail ("cannot open the store: %s", error->message);
  records = vesc_store_load (VESC_STORE (store), &error);
  if (records == NULL && !g_error_matches (error, VESC_ERROR, VESC_ERROR_PARSE))
    fail ("load failed with something other than a parse error: %s", error->message);
  check_untouched (data, size, records != NULL);
  if (records != NULL)
    check_store_goes_on (store);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  set_up ();
  check_line (data, size);
  check_load (data, size);
  return 0;
}

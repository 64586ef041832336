/* vesc-file-store.c: the durable store, a directory of JSON files
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "vesc-file-store.h"
#include "vesc-file-store-private.h"

/**
 * VescFileStore:
 *
 * The default [iface@Vesc.Store]: a directory that only its owner can enter
 * (it is made with mode 0700; every file in it has mode 0600). Open one with
 * [ctor@Vesc.FileStore.new], or as a [iface@Gio.Initable].
 *
 * - `journal.jsonl` holds one record per line, in compact JSON, wrapped in an
 *   envelope `{"v":1,"seq":N,"record":{…}}` whose sequence number grows from
 *   line to line.
 * - `archive.jsonl` receives, in the same envelopes, the records compaction
 *   took out of the journal. It is only ever appended to, and never read.
 * - `lock` is locked with flock() for as long as the store is open and holds
 *   the id of the process that has it. A second [class@Vesc.FileStore] on the
 *   same directory, in this process or another, fails with
 *   %VESC_ERROR_LOCKED and touches nothing.
 *
 * ## Durability
 *
 * [method@Vesc.Store.append] writes the line with one write() and calls
 * fdatasync() before it returns %TRUE, so a record it accepted survives a
 * crash of the program or of the machine. A write that fails is cut back off
 * the journal: no partial line is left behind. Between
 * [method@Vesc.FileStore.begin_batch] and [method@Vesc.FileStore.end_batch]
 * appends are buffered and synced once, at the end: inside a batch, a record
 * whose append returned %TRUE is durable only once end_batch() has returned
 * %TRUE.
 *
 * ## Damage
 *
 * Opening the store does not read the journal; [method@Vesc.Store.load]
 * does. A crash in the middle of a write can only leave an incomplete last
 * line, one with no newline at its end. That line is dropped with a warning
 * naming the file and the byte where it starts, cut off the file so that
 * later appends start on a clean line, and counted in
 * [property@Vesc.FileStore:n-dropped]. Anything else (a line that is not
 * JSON, an envelope of an unknown version or without its record, sequence
 * numbers out of order, a file that is not a journal) is not what a crash
 * leaves: load() fails with %VESC_ERROR_PARSE naming the file and the line,
 * and leaves every file exactly as it was, for a person to look at.
 *
 * ## Compaction
 *
 * Once an incident has a `closed` record, its other records are no longer
 * needed to rebuild the desk. [method@Vesc.FileStore.compact], which load()
 * also runs when much of the journal could go, moves them to the archive and
 * keeps in the journal the records of open incidents and the `closed` records,
 * with their sequence numbers. After it, load() returns only the `closed`
 * record of a closed incident.
 *
 * Compaction never loses a record: the records are first appended to the
 * archive and synced; the new journal is then written in full to
 * `journal.jsonl.tmp`, synced, and renamed over `journal.jsonl`, which
 * replaces it in one step. A crash before the rename leaves the old journal
 * whole (and, at worst, the same records twice in the archive); a crash after
 * it leaves the new one.
 */

/* Appends inside a batch are written in chunks of about this size. */
#define BATCH_CHUNK (64 * 1024)

/* How every line starts: what an interrupted write can leave of one. */
#define ENVELOPE_START "{\"v\":" G_STRINGIFY (VESC_FILE_STORE_VERSION) ",\"seq\":"

struct _VescFileStore
{
  GObject   parent_instance;

  char     *path;
  char     *journal_path;
  char     *archive_path;
  int       lock_fd;
  int       journal_fd;

  /* Known once the journal has been read; kept up to date by appends. */
  gboolean  known;
  goffset   journal_size;
  gint64    last_seq;

  guint     batch_depth;
  GString  *pending;      /* lines of the open batch not written yet */
  gboolean  unsynced;     /* lines of the open batch written, not synced */
  GError   *batch_error;  /* the first failure inside the open batch */
  gboolean  broken;       /* a sync failed: what reached the disk is unknown */

  guint     n_dropped;
};

enum {
  PROP_0,
  PROP_PATH,
  PROP_N_DROPPED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void vesc_file_store_store_init    (VescStoreInterface *iface);
static void vesc_file_store_initable_init (GInitableIface     *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (VescFileStore, vesc_file_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (VESC_TYPE_STORE,
                                                      vesc_file_store_store_init)
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      vesc_file_store_initable_init))

static gboolean set_io_error (GError     **error,
                              int          saved_errno,
                              const char  *format,
                              ...) G_GNUC_PRINTF (3, 4);

static gboolean
set_io_error (GError     **error,
              int          saved_errno,
              const char  *format,
              ...)
{
  g_autofree char *what = NULL;
  va_list args;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, VESC_ERROR, VESC_ERROR_IO, "%s: %s", what, g_strerror (saved_errno));
  return FALSE;
}

/* ---- the line format ---------------------------------------------------- */

static gboolean
set_shape_error (GError     **error,
                 const char  *problem,
                 gsize        column)
{
  g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE, _("%s at column %" G_GSIZE_FORMAT),
               problem, column);
  return FALSE;
}

/* What json-glib would accept but a journal line never holds: raw control
 * characters, a second value after the first, and nesting deep enough to
 * overflow json-glib's recursive parser. */
static gboolean
check_line_shape (const char  *line,
                  gsize        length,
                  GError     **error)
{
  gboolean in_string = FALSE, escaped = FALSE;
  guint depth = 0;

  if (length > VESC_FILE_STORE_MAX_LINE)
    return set_shape_error (error, _("the line is too long"), VESC_FILE_STORE_MAX_LINE + 1);
  if (!g_utf8_validate_len (line, length, NULL))
    return set_shape_error (error, _("the line is not UTF-8 text"), 1);
  if (length == 0 || line[0] != '{')
    return set_shape_error (error, _("not a journal record"), 1);

  for (gsize i = 0; i < length; i++)
    {
      guchar c = line[i];

      if (c < 0x20)
        return set_shape_error (error, _("a control character"), i + 1);
      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if ((c == '{' || c == '[') && ++depth > VESC_FILE_STORE_MAX_DEPTH)
        return set_shape_error (error, _("nesting too deep"), i + 1);
      else if ((c == '}' || c == ']') && (depth == 0 || (--depth == 0 && i + 1 < length)))
        return set_shape_error (error, _("text after the record"), i + 2);
    }
  return TRUE;
}

/* json-glib says "<data>:1:COLUMN: Parse error: WHAT" about text in memory;
 * the line number is the caller's to give. */
static void
set_json_error (GError       **error,
                const GError  *json_error)
{
  const char *message = json_error->message;
  guint64 column = 0;
  char *end = NULL;

  if (g_str_has_prefix (message, "<data>:1:"))
    {
      column = g_ascii_strtoull (message + strlen ("<data>:1:"), &end, 10);
      if (end != NULL && g_str_has_prefix (end, ": "))
        message = end + 2;
      if (g_str_has_prefix (message, "Parse error: "))
        message += strlen ("Parse error: ");
    }
  if (column > 0)
    g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                 _("invalid JSON at column %" G_GUINT64_FORMAT ": %s"), column, message);
  else
    g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE, _("invalid JSON: %s"), message);
}

static gboolean
holds_int (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_INT64;
}

static JsonNode *
take_record (JsonNode  *root,
             gint64    *seq,
             GError   **error)
{
  JsonObject *envelope = json_node_get_object (root);
  JsonNode *version = json_object_get_member (envelope, "v");
  JsonNode *number = json_object_get_member (envelope, "seq");
  JsonNode *record = json_object_get_member (envelope, "record");
  g_autofree char *shown = NULL;

  if (version == NULL)
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_PARSE,
                           _("not a journal record (it has no version)"));
      return NULL;
    }
  if (!holds_int (version) || json_node_get_int (version) != VESC_FILE_STORE_VERSION)
    {
      shown = json_to_string (version, FALSE);
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                   _("record version %s is unknown; this version of libvesc reads version %d"),
                   shown, VESC_FILE_STORE_VERSION);
      return NULL;
    }
  if (!holds_int (number) || json_node_get_int (number) < 1)
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_PARSE,
                           _("the sequence number is missing or not a positive whole number"));
      return NULL;
    }
  if (record == NULL || !JSON_NODE_HOLDS_OBJECT (record))
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_PARSE,
                           _("the record is missing or is not a JSON object"));
      return NULL;
    }
  if (json_object_get_size (envelope) != 3)
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_PARSE,
                           _("the envelope has members other than “v”, “seq” and “record”"));
      return NULL;
    }
  *seq = json_node_get_int (number);
  /* The record outlives its envelope: it must not point back to it. */
  record = json_node_ref (record);
  json_node_set_parent (record, NULL);
  return record;
}

JsonNode *
vesc_file_store_parse_line (JsonParser  *parser,
                            const char  *line,
                            gsize        length,
                            gint64      *seq,
                            GError     **error)
{
  g_autoptr(GError) json_error = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (JSON_IS_PARSER (parser), NULL);
  g_return_val_if_fail (line != NULL || length == 0, NULL);
  g_return_val_if_fail (seq != NULL, NULL);

  if (!check_line_shape (line, length, error))
    return NULL;
  if (!json_parser_load_from_data (parser, line, length, &json_error))
    {
      set_json_error (error, json_error);
      return NULL;
    }
  root = json_parser_steal_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_PARSE, _("not a journal record"));
      return NULL;
    }
  return take_record (root, seq, error);
}

/* Records are written by this serializer rather than json-glib's generator,
 * which writes some doubles (7e+103 as "7e+103.0") in a form no JSON parser
 * reads back: a record append() accepted would make the journal unreadable.
 * It refuses what cannot be read back as the same record. */
static gboolean write_node (GString   *out,
                            JsonNode  *node,
                            guint      depth,
                            GError   **error);

static gboolean
write_string (GString     *out,
              const char  *text,
              GError     **error)
{
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                           _("A record cannot hold text that is not UTF-8"));
      return FALSE;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      if (*p == '\n')
        g_string_append (out, "\\n");
      else if ((guchar) *p < 0x20)
        g_string_append_printf (out, "\\u%04x", (guint) *p);
      else
        g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return TRUE;
}

static gboolean
write_value (GString   *out,
             JsonNode  *node,
             GError   **error)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  GType type = json_node_get_value_type (node);

  if (type == G_TYPE_STRING)
    return write_string (out, json_node_get_string (node), error);
  if (type == G_TYPE_INT64)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
  else if (type == G_TYPE_BOOLEAN)
    g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
  else if (type == G_TYPE_DOUBLE && isfinite (json_node_get_double (node)))
    {
      /* Shortest exact form; a point keeps it a double when read back. */
      g_string_append (out, g_ascii_dtostr (number, sizeof number, json_node_get_double (node)));
      if (strpbrk (number, ".eE") == NULL)
        g_string_append (out, ".0");
    }
  else
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                           _("A record cannot hold an infinite or undefined number"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_object (GString     *out,
              JsonObject  *object,
              guint        depth,
              GError     **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  gboolean first = TRUE;

  g_string_append_c (out, '{');
  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      if (!first)
        g_string_append_c (out, ',');
      first = FALSE;
      if (!write_string (out, name, error))
        return FALSE;
      g_string_append_c (out, ':');
      if (!write_node (out, member, depth + 1, error))
        return FALSE;
    }
  g_string_append_c (out, '}');
  return TRUE;
}

static gboolean
write_array (GString    *out,
             JsonArray  *array,
             guint       depth,
             GError    **error)
{
  g_string_append_c (out, '[');
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      if (!write_node (out, json_array_get_element (array, i), depth + 1, error))
        return FALSE;
    }
  g_string_append_c (out, ']');
  return TRUE;
}

static gboolean
write_node (GString   *out,
            JsonNode  *node,
            guint      depth,
            GError   **error)
{
  if ((JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node)) &&
      depth > VESC_FILE_STORE_MAX_DEPTH)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("A record cannot be nested more than %d levels deep"),
                   VESC_FILE_STORE_MAX_DEPTH - 1);
      return FALSE;
    }
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      return write_object (out, json_node_get_object (node), depth, error);
    case JSON_NODE_ARRAY:
      return write_array (out, json_node_get_array (node), depth, error);
    case JSON_NODE_VALUE:
      return write_value (out, node, error);
    case JSON_NODE_NULL:
    default:
      g_string_append (out, "null");
      return TRUE;
    }
}

char *
vesc_file_store_format_line (JsonNode  *record,
                             gint64     seq,
                             gsize     *length,
                             GError   **error)
{
  g_autoptr(GString) line = NULL;

  g_return_val_if_fail (seq > 0, NULL);
  g_return_val_if_fail (length != NULL, NULL);

  if (record == NULL || !JSON_NODE_HOLDS_OBJECT (record))
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                           _("A record must be a JSON object"));
      return NULL;
    }
  line = g_string_sized_new (256);
  g_string_append_printf (line, ENVELOPE_START "%" G_GINT64_FORMAT ",\"record\":", seq);
  /* The envelope is the first level. */
  if (!write_node (line, record, 2, error))
    return NULL;
  g_string_append (line, "}\n");
  if (line->len - 1 > VESC_FILE_STORE_MAX_LINE)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("The record is too large to store (%" G_GSIZE_FORMAT " bytes; "
                     "the most is %d)"), line->len - 1, VESC_FILE_STORE_MAX_LINE);
      return NULL;
    }
  *length = line->len;
  return g_string_free (g_steal_pointer (&line), FALSE);
}

/* ---- reading the journal ------------------------------------------------ */

typedef struct {
  gsize       offset;     /* where the line starts in the file */
  gsize       length;     /* without its '\n' */
  const char *incident;   /* in the journal's string chunk; NULL if none */
  gboolean    closed;     /* a "closed" record */
  gboolean    archive;    /* compaction moves it to the archive */
} JournalLine;

typedef struct {
  char       *data;
  gsize       size;
  gsize       end;        /* after the last whole line */
  gint64      last_seq;
  GArray     *lines;      /* JournalLine */
  GStringChunk *incidents;
  gboolean    keep_records;
  GPtrArray  *records;    /* JsonNode, one per line, if keep_records */
} Journal;

static void
journal_clear (Journal *journal)
{
  g_clear_pointer (&journal->data, g_free);
  g_clear_pointer (&journal->lines, g_array_unref);
  g_clear_pointer (&journal->incidents, g_string_chunk_free);
  g_clear_pointer (&journal->records, g_ptr_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Journal, journal_clear)

static const char *
get_string_member (JsonNode   *record,
                   const char *name)
{
  JsonNode *member = json_object_get_member (json_node_get_object (record), name);

  if (member == NULL || !JSON_NODE_HOLDS_VALUE (member) ||
      json_node_get_value_type (member) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (member);
}

static gboolean
journal_add_line (Journal     *journal,
                  JsonParser  *parser,
                  JournalLine *line,
                  const char  *path,
                  guint        lineno,
                  GError     **error)
{
  g_autoptr(GError) line_error = NULL;
  JsonNode *record;
  gint64 seq = 0;

  record = vesc_file_store_parse_line (parser, journal->data + line->offset, line->length,
                                       &seq, &line_error);
  if (record == NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE, "%s:%u: %s",
                   path, lineno, line_error->message);
      return FALSE;
    }
  if (seq <= journal->last_seq)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                   _("%s:%u: sequence number %" G_GINT64_FORMAT " does not follow %"
                     G_GINT64_FORMAT "; the lines are out of order"),
                   path, lineno, seq, journal->last_seq);
      json_node_unref (record);
      return FALSE;
    }
  journal->last_seq = seq;
  line->incident = get_string_member (record, "incident");
  if (line->incident != NULL)
    line->incident = g_string_chunk_insert_const (journal->incidents, line->incident);
  line->closed = g_strcmp0 (get_string_member (record, "type"), "closed") == 0;
  g_array_append_vals (journal->lines, line, 1);
  /* Compaction needs only the lines: a large journal's records would take
   * several times its size in memory. */
  if (journal->keep_records)
    g_ptr_array_add (journal->records, record);
  else
    json_node_unref (record);
  return TRUE;
}

/* An interrupted append leaves the start of an envelope; some file systems
 * leave zeros where the data of an extended file never arrived. */
static gboolean
is_torn_record (const char *tail,
                gsize       length)
{
  if (memcmp (tail, ENVELOPE_START, MIN (length, strlen (ENVELOPE_START))) == 0)
    return TRUE;
  for (gsize i = 0; i < length; i++)
    if (tail[i] != '\0')
      return FALSE;
  return TRUE;
}

static gboolean
journal_parse (Journal     *journal,
               const char  *path,
               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint lineno = 1;

  journal->lines = g_array_new (FALSE, FALSE, sizeof (JournalLine));
  journal->incidents = g_string_chunk_new (4096);
  if (journal->keep_records)
    journal->records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  for (;; lineno++)
    {
      const char *start = journal->data + journal->end;
      const char *newline = memchr (start, '\n', journal->size - journal->end);
      JournalLine line = { journal->end, 0, NULL, FALSE, FALSE };

      if (newline == NULL)
        break;
      line.length = newline - start;
      if (!journal_add_line (journal, parser, &line, path, lineno, error))
        return FALSE;
      journal->end += line.length + 1;
    }
  if (!is_torn_record (journal->data + journal->end, journal->size - journal->end))
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                   _("%s:%u: the last line is incomplete and is not a journal record"),
                   path, lineno);
      return FALSE;
    }
  return TRUE;
}

static gboolean
journal_read (Journal     *journal,
              const char  *path,
              GError     **error)
{
  g_autoptr(GError) file_error = NULL;

  if (!g_file_get_contents (path, &journal->data, &journal->size, &file_error))
    {
      if (!g_error_matches (file_error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_set_error_literal (error, VESC_ERROR, VESC_ERROR_IO, file_error->message);
          return FALSE;
        }
      journal->data = g_strdup ("");
      journal->size = 0;
    }
  return journal_parse (journal, path, error);
}

/* ---- writing ------------------------------------------------------------ */

static int
write_all (int         fd,
           const char *data,
           gsize       length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno;
      if (n == 0)
        return ENOSPC;
      data += n;
      length -= n;
    }
  return 0;
}

static gboolean
sync_directory (const char  *path,
                GError     **error)
{
  int fd = open (path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int saved_errno;

  if (fd < 0)
    return set_io_error (error, errno, _("Could not open the directory %s"), path);
  if (fsync (fd) != 0)
    {
      saved_errno = errno;
      close (fd);
      return set_io_error (error, saved_errno, _("Could not sync the directory %s"), path);
    }
  close (fd);
  return TRUE;
}

static gboolean
open_journal (VescFileStore  *self,
              GError        **error)
{
  int fd = open (self->journal_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    return set_io_error (error, errno, _("Could not open %s"), self->journal_path);
  if (self->journal_fd >= 0)
    close (self->journal_fd);
  self->journal_fd = fd;
  return TRUE;
}

/* Writes whole lines at the end of the journal. A failed write is cut back
 * off, so that the journal never holds a partial line the next append would
 * run into. */
static gboolean
write_lines (VescFileStore  *self,
             const char     *lines,
             gsize           length,
             GError        **error)
{
  int saved_errno = write_all (self->journal_fd, lines, length);

  if (saved_errno != 0)
    {
      if (ftruncate (self->journal_fd, self->journal_size) != 0)
        self->broken = TRUE;
      return set_io_error (error, saved_errno, _("Could not write to %s"), self->journal_path);
    }
  self->journal_size += length;
  return TRUE;
}

/* After a failed fdatasync() the kernel may have dropped the unwritten pages
 * and forgotten the failure: nothing more is appended until the store is
 * reopened and the journal read again. */
static gboolean
sync_journal (VescFileStore  *self,
              goffset         synced_size,
              GError        **error)
{
  int saved_errno;

  if (fdatasync (self->journal_fd) == 0)
    return TRUE;
  saved_errno = errno;
  self->broken = TRUE;
  if (ftruncate (self->journal_fd, synced_size) == 0)
    self->journal_size = synced_size;
  return set_io_error (error, saved_errno, _("Could not sync %s"), self->journal_path);
}

/* Inside a batch, a failure is kept for end_batch() to report: appends that
 * returned TRUE before it are among the records lost. */
static gboolean
flush_pending (VescFileStore  *self,
               GError        **error)
{
  g_autoptr(GError) write_error = NULL;
  gboolean ok;

  if (self->pending->len == 0)
    return TRUE;
  ok = write_lines (self, self->pending->str, self->pending->len, &write_error);
  g_string_truncate (self->pending, 0);
  if (ok)
    {
      self->unsynced = TRUE;
      return TRUE;
    }
  if (self->batch_depth > 0 && self->batch_error == NULL)
    self->batch_error = g_error_copy (write_error);
  g_propagate_error (error, g_steal_pointer (&write_error));
  return FALSE;
}

static gboolean
check_writable (VescFileStore  *self,
                GError        **error)
{
  if (self->broken)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_IO,
                   _("An earlier write to %s failed; reopen the store to go on"),
                   self->journal_path);
      return FALSE;
    }
  if (self->batch_error != NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_IO,
                   _("An earlier write of this batch failed: %s"), self->batch_error->message);
      return FALSE;
    }
  return TRUE;
}

/* ---- the journal as the store knows it ---------------------------------- */

static void
drop_torn_record (VescFileStore *self,
                  Journal       *journal)
{
  g_warning ("%s: dropped an incomplete record of %" G_GSIZE_FORMAT " bytes at byte %"
             G_GSIZE_FORMAT ", left by an interrupted write",
             self->journal_path, journal->size - journal->end, journal->end);
  self->n_dropped++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DROPPED]);
}

/* Reads and checks the whole journal. Only when all of it is sound is the
 * incomplete last line, if any, cut off: damage elsewhere leaves the file
 * untouched. */
static gboolean
read_journal (VescFileStore  *self,
              Journal        *journal,
              GError        **error)
{
  if (!check_writable (self, error) || !flush_pending (self, error))
    return FALSE;
  if (!journal_read (journal, self->journal_path, error))
    return FALSE;
  /* Not synced: should the cut be lost in a crash, the next load cuts again;
   * the next append's sync makes it durable with the line that follows it. */
  if (journal->end < journal->size)
    {
      if (ftruncate (self->journal_fd, journal->end) != 0)
        return set_io_error (error, errno, _("Could not cut an incomplete record off %s"),
                             self->journal_path);
      drop_torn_record (self, journal);
    }
  self->known = TRUE;
  self->journal_size = journal->end;
  self->last_seq = journal->last_seq;
  return TRUE;
}

static guint
mark_compactable (Journal *journal,
                  guint   *n_incidents)
{
  g_autoptr(GHashTable) closed = g_hash_table_new (g_str_hash, g_str_equal);
  guint n_lines = 0;

  *n_incidents = 0;
  for (guint i = 0; i < journal->lines->len; i++)
    {
      JournalLine *line = &g_array_index (journal->lines, JournalLine, i);

      if (line->closed && line->incident != NULL)
        g_hash_table_insert (closed, (char *) line->incident, GINT_TO_POINTER (FALSE));
    }
  for (guint i = 0; i < journal->lines->len; i++)
    {
      JournalLine *line = &g_array_index (journal->lines, JournalLine, i);
      gpointer seen;

      if (line->closed || line->incident == NULL ||
          !g_hash_table_lookup_extended (closed, line->incident, NULL, &seen))
        continue;
      line->archive = TRUE;
      n_lines++;
      if (!GPOINTER_TO_INT (seen))
        {
          g_hash_table_insert (closed, (char *) line->incident, GINT_TO_POINTER (TRUE));
          (*n_incidents)++;
        }
    }
  return n_lines;
}

static void
split_lines (Journal *journal,
             GString *archive,
             GString *kept)
{
  for (guint i = 0; i < journal->lines->len; i++)
    {
      JournalLine *line = &g_array_index (journal->lines, JournalLine, i);
      GString *to = line->archive ? archive : kept;

      g_string_append_len (to, journal->data + line->offset, line->length + 1);
    }
}

/* A compaction killed while it wrote leaves part of a line at the end of
 * the archive; those records are still in the journal and come again now,
 * so the part is cut off rather than left in the middle of the file.
 * Returns the archive's size without it, or -1 with errno set. */
static off_t
cut_torn_tail (int   fd,
               off_t size)
{
  char block[4096];
  off_t end = size;

  while (end > 0)
    {
      off_t start = MAX (end - (off_t) sizeof block, 0);
      ssize_t got = pread (fd, block, end - start, start);

      if (got != end - start)
        return -1;
      for (ssize_t i = got; i > 0; i--)
        if (block[i - 1] == '\n')
          {
            off_t whole = start + i;
            return whole == size || ftruncate (fd, whole) == 0 ? whole : -1;
          }
      end = start;
    }
  return ftruncate (fd, 0) == 0 ? 0 : -1;
}

static gboolean
append_to_archive (VescFileStore  *self,
                   GString        *lines,
                   GError        **error)
{
  int fd = open (self->archive_path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  int saved_errno;
  struct stat st;

  if (fd < 0)
    return set_io_error (error, errno, _("Could not open %s"), self->archive_path);
  if (fstat (fd, &st) != 0 || (st.st_size = cut_torn_tail (fd, st.st_size)) < 0)
    {
      saved_errno = errno;
      close (fd);
      return set_io_error (error, saved_errno, _("Could not read %s"), self->archive_path);
    }
  saved_errno = write_all (fd, lines->str, lines->len);
  if (saved_errno == 0 && fdatasync (fd) != 0)
    saved_errno = errno;
  /* Never read, but kept tidy for people who do. */
  if (saved_errno != 0 && ftruncate (fd, st.st_size) != 0)
    g_debug ("Could not cut a failed write off %s", self->archive_path);
  close (fd);
  if (saved_errno != 0)
    return set_io_error (error, saved_errno, _("Could not write to %s"), self->archive_path);
  /* The archive must exist on disk before the journal stops holding its records. */
  return sync_directory (self->path, error);
}

static gboolean
replace_journal (VescFileStore  *self,
                 GString        *lines,
                 GError        **error)
{
  g_autofree char *tmp_path = g_strconcat (self->journal_path, ".tmp", NULL);
  int fd = open (tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int saved_errno;

  if (fd < 0)
    return set_io_error (error, errno, _("Could not create %s"), tmp_path);
  saved_errno = write_all (fd, lines->str, lines->len);
  if (saved_errno == 0 && fsync (fd) != 0)
    saved_errno = errno;
  close (fd);
  if (saved_errno == 0 && rename (tmp_path, self->journal_path) != 0)
    saved_errno = errno;
  if (saved_errno != 0)
    {
      g_unlink (tmp_path);
      return set_io_error (error, saved_errno, _("Could not replace %s"), self->journal_path);
    }
  /* The old journal's file is gone: appends must go to the new one. */
  if (!open_journal (self, error))
    {
      self->broken = TRUE;
      return FALSE;
    }
  self->journal_size = lines->len;
  self->unsynced = FALSE;
  return sync_directory (self->path, error);
}

static gboolean
compact_journal (VescFileStore  *self,
                 Journal        *journal,
                 GError        **error)
{
  g_autoptr(GString) archive = g_string_new (NULL);
  g_autoptr(GString) kept = g_string_new (NULL);

  split_lines (journal, archive, kept);
  if (archive->len == 0)
    return TRUE;
  g_debug ("Compacting %s: %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " bytes to the archive",
           self->journal_path, archive->len, archive->len + kept->len);
  return append_to_archive (self, archive, error) && replace_journal (self, kept, error);
}

static GPtrArray *
kept_records (Journal *journal)
{
  GPtrArray *records = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);

  for (guint i = 0; i < journal->lines->len; i++)
    if (!g_array_index (journal->lines, JournalLine, i).archive)
      g_ptr_array_add (records, json_node_ref (journal->records->pdata[i]));
  return records;
}

/* ---- VescStore ---------------------------------------------------------- */

static gboolean
vesc_file_store_append (VescStore  *store,
                        JsonNode   *record,
                        GError    **error)
{
  VescFileStore *self = VESC_FILE_STORE (store);
  g_autofree char *line = NULL;
  goffset synced_size;
  gsize length;
  g_auto(Journal) journal = { 0 };

  g_return_val_if_fail (self->journal_path != NULL, FALSE);

  /* The sequence number goes on from the journal's last line. */
  if (!self->known && !read_journal (self, &journal, error))
    return FALSE;
  if (!check_writable (self, error))
    return FALSE;
  line = vesc_file_store_format_line (record, self->last_seq + 1, &length, error);
  if (line == NULL)
    return FALSE;
  self->last_seq++;

  if (self->batch_depth > 0)
    {
      g_string_append_len (self->pending, line, length);
      return self->pending->len < BATCH_CHUNK || flush_pending (self, error);
    }
  synced_size = self->journal_size;
  return write_lines (self, line, length, error) && sync_journal (self, synced_size, error);
}

static GPtrArray *
vesc_file_store_load (VescStore  *store,
                      GError    **error)
{
  VescFileStore *self = VESC_FILE_STORE (store);
  g_autoptr(GError) compact_error = NULL;
  g_auto(Journal) journal = { 0 };
  guint n_incidents, n_archived;

  g_return_val_if_fail (self->journal_path != NULL, NULL);

  journal.keep_records = TRUE;
  if (!read_journal (self, &journal, error))
    return NULL;
  n_archived = mark_compactable (&journal, &n_incidents);
  if (n_incidents >= VESC_FILE_STORE_AUTO_COMPACT_INCIDENTS ||
      n_archived * 2 > journal.lines->len)
    {
      if (compact_journal (self, &journal, &compact_error))
        return kept_records (&journal);
      /* Everything was read: a journal that could not be compacted is still whole. */
      g_warning ("Could not compact the store: %s", compact_error->message);
    }
  return g_steal_pointer (&journal.records);
}

static void
vesc_file_store_store_init (VescStoreInterface *iface)
{
  iface->append = vesc_file_store_append;
  iface->load = vesc_file_store_load;
}

/* ---- opening ------------------------------------------------------------ */

static gboolean
make_directory (const char  *path,
                GError     **error)
{
  g_autofree char *parent = NULL;
  GStatBuf st;

  if (g_stat (path, &st) == 0)
    {
      if (S_ISDIR (st.st_mode))
        return TRUE;
      g_set_error (error, VESC_ERROR, VESC_ERROR_IO,
                   _("The store’s path %s is not a directory"), path);
      return FALSE;
    }
  if (errno != ENOENT)
    return set_io_error (error, errno, _("Could not use the directory %s"), path);
  if (g_mkdir_with_parents (path, 0700) != 0)
    return set_io_error (error, errno, _("Could not create the directory %s"), path);
  /* Make the new directory's own entry durable too. */
  parent = g_path_get_dirname (path);
  return sync_directory (parent, error);
}

static int
read_holder (int fd)
{
  char text[32] = { 0 };
  gssize n = pread (fd, text, sizeof text - 1, 0);

  if (n <= 0)
    return 0;
  return (int) g_ascii_strtoll (text, NULL, 10);
}

static gboolean
take_lock (VescFileStore  *self,
           GError        **error)
{
  g_autofree char *lock_path = g_build_filename (self->path, "lock", NULL);
  g_autofree char *pid = NULL;
  int fd = open (lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  int saved_errno;

  if (fd < 0)
    return set_io_error (error, errno, _("Could not open %s"), lock_path);
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      saved_errno = errno;
      if (saved_errno == EWOULDBLOCK)
        g_set_error (error, VESC_ERROR, VESC_ERROR_LOCKED,
                     _("The store at %s is in use by another program (process %d)"),
                     self->path, read_holder (fd));
      else
        set_io_error (error, saved_errno, _("Could not lock %s"), lock_path);
      close (fd);
      return FALSE;
    }
  self->lock_fd = fd;
  /* Only to tell people who holds the store: the lock itself is the flock. */
  pid = g_strdup_printf ("%d\n", (int) getpid ());
  if (ftruncate (fd, 0) != 0 || pwrite (fd, pid, strlen (pid), 0) < 0)
    g_debug ("Could not write the process id to %s", lock_path);
  return TRUE;
}

static gboolean
vesc_file_store_initable_init_impl (GInitable     *initable,
                                    GCancellable  *cancellable,
                                    GError       **error)
{
  VescFileStore *self = VESC_FILE_STORE (initable);
  gboolean new_journal;

  if (self->path == NULL)
    self->path = g_build_filename (g_get_user_data_dir (), "libvesc", "store", NULL);
  self->journal_path = g_build_filename (self->path, "journal.jsonl", NULL);
  self->archive_path = g_build_filename (self->path, "archive.jsonl", NULL);

  if (!make_directory (self->path, error) || !take_lock (self, error))
    return FALSE;
  new_journal = g_access (self->journal_path, F_OK) != 0;
  if (!open_journal (self, error))
    return FALSE;
  /* A new journal's name must be on disk before records are. */
  return !new_journal || sync_directory (self->path, error);
}

static void
vesc_file_store_initable_init (GInitableIface *iface)
{
  iface->init = vesc_file_store_initable_init_impl;
}

/* ---- GObject ------------------------------------------------------------ */

static void
vesc_file_store_finalize (GObject *object)
{
  VescFileStore *self = VESC_FILE_STORE (object);
  g_autoptr(GError) error = NULL;

  if (self->journal_fd >= 0 && (self->pending->len > 0 || self->unsynced))
    {
      /* A batch left open: make what it wrote as durable as end_batch() would. */
      if (!flush_pending (self, &error) || !sync_journal (self, self->journal_size, &error))
        g_warning ("Records of an unfinished batch may be lost: %s", error->message);
    }
  if (self->journal_fd >= 0)
    close (self->journal_fd);
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_string_free (self->pending, TRUE);
  g_clear_error (&self->batch_error);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->journal_path, g_free);
  g_clear_pointer (&self->archive_path, g_free);

  G_OBJECT_CLASS (vesc_file_store_parent_class)->finalize (object);
}

static void
vesc_file_store_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  VescFileStore *self = VESC_FILE_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_N_DROPPED:
      g_value_set_uint (value, self->n_dropped);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_file_store_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  VescFileStore *self = VESC_FILE_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_file_store_class_init (VescFileStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vesc_file_store_finalize;
  object_class->get_property = vesc_file_store_get_property;
  object_class->set_property = vesc_file_store_set_property;

  /**
   * VescFileStore:path:
   *
   * The directory of the store. Given as %NULL, it is `libvesc/store` in the
   * user's data directory (see g_get_user_data_dir()).
   */
  properties[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * VescFileStore:n-dropped:
   *
   * How many incomplete last records, left by an interrupted write, loading
   * has dropped since the store was opened.
   */
  properties[PROP_N_DROPPED] =
    g_param_spec_uint ("n-dropped", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vesc_file_store_init (VescFileStore *self)
{
  self->lock_fd = -1;
  self->journal_fd = -1;
  self->pending = g_string_new (NULL);
}

/* ---- public API --------------------------------------------------------- */

/**
 * vesc_file_store_new:
 * @path: (nullable) (type filename): the store's directory, or %NULL for
 *   `libvesc/store` in the user's data directory
 * @error: return location for a #GError
 *
 * Opens the store in @path, creating the directory (mode 0700) if it is
 * missing, and locks it for this store's life. The journal is read by
 * [method@Vesc.Store.load], not here.
 *
 * Fails with %VESC_ERROR_LOCKED, changing nothing, if another store has the
 * directory open, in this process or another; and with %VESC_ERROR_IO if the
 * directory cannot be made or used.
 *
 * Returns: (transfer full): the store, or %NULL on error
 */
VescFileStore *
vesc_file_store_new (const char  *path,
                     GError     **error)
{
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (VESC_TYPE_FILE_STORE, NULL, error, "path", path, NULL);
}

/**
 * vesc_file_store_get_path:
 * @self: a #VescFileStore
 *
 * Gets the directory that holds the store's files.
 *
 * Returns: (type filename): the store's directory
 */
const char *
vesc_file_store_get_path (VescFileStore *self)
{
  g_return_val_if_fail (VESC_IS_FILE_STORE (self), NULL);

  return self->path;
}

/**
 * vesc_file_store_begin_batch:
 * @self: a #VescFileStore
 *
 * Starts a batch: until the matching [method@Vesc.FileStore.end_batch],
 * appends are buffered and written in large chunks, and synced once at the
 * end. This is many times faster for many records, at a price: a record
 * whose append returned %TRUE inside the batch is not durable until
 * end_batch() has returned %TRUE.
 *
 * Batches nest: only the outermost end_batch() syncs.
 */
void
vesc_file_store_begin_batch (VescFileStore *self)
{
  g_return_if_fail (VESC_IS_FILE_STORE (self));

  self->batch_depth++;
}

/**
 * vesc_file_store_end_batch:
 * @self: a #VescFileStore
 * @error: return location for a #GError
 *
 * Ends a batch started with [method@Vesc.FileStore.begin_batch]. The
 * outermost one writes what is still buffered and syncs the journal.
 *
 * Returns: %TRUE if every record appended in the batch is durable, %FALSE
 *   with %VESC_ERROR_IO if a write or the sync failed (records of the batch
 *   may then be missing from the journal)
 */
gboolean
vesc_file_store_end_batch (VescFileStore  *self,
                           GError        **error)
{
  g_autoptr(GError) batch_error = NULL;

  g_return_val_if_fail (VESC_IS_FILE_STORE (self), FALSE);
  g_return_val_if_fail (self->batch_depth > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (--self->batch_depth > 0)
    return TRUE;
  batch_error = g_steal_pointer (&self->batch_error);
  if (batch_error != NULL)
    {
      /* Keep what did reach the journal: each line of it is whole. */
      g_string_truncate (self->pending, 0);
      if (self->unsynced && fdatasync (self->journal_fd) != 0)
        self->broken = TRUE;
      self->unsynced = FALSE;
      g_propagate_error (error, g_steal_pointer (&batch_error));
      return FALSE;
    }
  if (!flush_pending (self, error))
    return FALSE;
  if (!self->unsynced)
    return TRUE;
  self->unsynced = FALSE;
  return sync_journal (self, self->journal_size, error);
}

/**
 * vesc_file_store_compact:
 * @self: a #VescFileStore
 * @error: return location for a #GError
 *
 * Moves the records of closed incidents, except their `closed` record, from
 * the journal to the archive. [method@Vesc.Store.load] does this by itself
 * when much of the journal could go; a program that runs for months without
 * loading can call this now and then.
 *
 * Like load(), it reads the whole journal first, drops an incomplete last
 * record and fails with %VESC_ERROR_PARSE, changing nothing, on any other
 * damage.
 *
 * Returns: %TRUE if the journal was compacted or had nothing to compact
 */
gboolean
vesc_file_store_compact (VescFileStore  *self,
                         GError        **error)
{
  g_auto(Journal) journal = { 0 };
  guint n_incidents;

  g_return_val_if_fail (VESC_IS_FILE_STORE (self), FALSE);
  g_return_val_if_fail (self->journal_path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!read_journal (self, &journal, error))
    return FALSE;
  mark_compactable (&journal, &n_incidents);
  return compact_journal (self, &journal, error);
}

/**
 * vesc_file_store_get_n_dropped:
 * @self: a #VescFileStore
 *
 * Gets how many torn last records (the trace of a crash while writing)
 * loading has dropped.
 *
 * Returns: how many incomplete last records loading has dropped since the
 *   store was opened
 */
guint
vesc_file_store_get_n_dropped (VescFileStore *self)
{
  g_return_val_if_fail (VESC_IS_FILE_STORE (self), 0);

  return self->n_dropped;
}

/* vesc-file-store-private.h: the journal line format, for tests and fuzzing
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include "vesc-file-store.h"

G_BEGIN_DECLS

/* The version written in every envelope and the only one load() accepts. */
#define VESC_FILE_STORE_VERSION 1

/* A line longer than this is damage, not a record: it bounds the memory one
 * line can take. append() refuses records that would not fit. */
#define VESC_FILE_STORE_MAX_LINE (16 * 1024 * 1024)

/* Arrays and objects nested deeper than this (the envelope counts as one
 * level) are refused on load and on append: json-glib parses recursively
 * and a line of a million '[' would overflow the stack. */
#define VESC_FILE_STORE_MAX_DEPTH 64

/* load() compacts by itself when this many closed incidents still have
 * records other than their "closed" one in the journal, or when such records
 * are more than half of the lines. */
#define VESC_FILE_STORE_AUTO_COMPACT_INCIDENTS 1000

/* Parses one journal line (without its '\n') into its record and sequence
 * number. Errors are VESC_ERROR_PARSE with a message that reads well after
 * a "file:line: " prefix. @parser is reused between lines for speed. */
JsonNode *vesc_file_store_parse_line  (JsonParser  *parser,
                                       const char  *line,
                                       gsize        length,
                                       gint64      *seq,
                                       GError     **error);

/* Formats @record as the journal line (ending in '\n') that
 * vesc_file_store_parse_line() reads back as an equal record. Refuses, with
 * VESC_ERROR_INVALID_INPUT, what would not read back: a record that is not an
 * object, a non-finite number, text that is not UTF-8, too deep nesting, a
 * line longer than VESC_FILE_STORE_MAX_LINE. */
char     *vesc_file_store_format_line (JsonNode    *record,
                                       gint64       seq,
                                       gsize       *length,
                                       GError     **error);

G_END_DECLS

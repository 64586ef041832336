/* vesc-template.c: the message templates
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "vesc-template-private.h"
#include "vesc-resources.h"
#include "vesc-types.h"
#include "vesc-util-private.h"

/* The built-in templates, compiled in from libvesc/templates/ by
 * vesc.gresource.xml; the generated vesc-resources.c registers them when
 * the library loads. */
#define RESOURCE_PREFIX "/org/libvesc/templates/"

/* A template is a short letter; anything bigger is a wrong file. */
#define MAX_TEMPLATE_SIZE (64 * 1024)

#define SUBJECT_FIELD "Subject:"

/* Ids end up in a file name, so they may not climb out of the override
 * directory. */
static gboolean
check_template_id (const char  *template_id,
                   GError     **error)
{
  gboolean ok = *template_id != '\0' && *template_id != '.';

  for (const char *p = template_id; ok && *p != '\0'; p++)
    ok = g_ascii_isalnum (*p) || *p == '-' || *p == '_' || *p == '.';

  if (!ok)
    g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                 _("“%s” is not a valid template id; use letters, digits, “-”, “_” "
                   "and “.”"), template_id);
  return ok;
}

static char *
read_override (const char  *file,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;
  char *contents = NULL;

  if (g_stat (file, &st) == 0 && st.st_size > MAX_TEMPLATE_SIZE)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                   _("The template “%s” is larger than %d bytes"), file, MAX_TEMPLATE_SIZE);
      return NULL;
    }

  if (!g_file_get_contents (file, &contents, NULL, &local_error))
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_IO,
                   _("Could not read the template “%s”: %s"), file, local_error->message);
      return NULL;
    }

  return contents;
}

static char *
read_builtin (const char  *template_id,
              const char  *resource,
              GError     **error)
{
  /* Asking the library's own resource (not the global table) also keeps
   * the linker from dropping it from a static build. */
  g_autoptr(GBytes) bytes = g_resource_lookup_data (vesc_get_resource (), resource,
                                                    G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  gsize size;
  const char *data;

  if (bytes == NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_NOT_FOUND,
                   _("There is no template “%s”"), template_id);
      return NULL;
    }

  data = g_bytes_get_data (bytes, &size);
  return g_strndup (data, size);
}

/* Returns the template's text with LF line ends, and in @source the file
 * or resource it came from, for error messages. */
static char *
load_template (const char  *override_dir,
               const char  *template_id,
               char       **source,
               GError     **error)
{
  g_autofree char *file_name = g_strconcat (template_id, ".txt", NULL);
  g_autofree char *origin = NULL;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (override_dir != NULL)
    origin = g_build_filename (override_dir, file_name, NULL);

  if (origin != NULL && g_file_test (origin, G_FILE_TEST_EXISTS))
    {
      text = read_override (origin, error);
    }
  else
    {
      g_free (origin);
      origin = g_strconcat ("resource://" RESOURCE_PREFIX, file_name, NULL);
      text = read_builtin (template_id, origin + strlen ("resource://"), error);
    }

  if (text == NULL)
    return NULL;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                   _("The template “%s” is not valid UTF-8 text"), origin);
      return NULL;
    }

  /* Councils edit their templates on any system; CRLF files work too. */
  lines = g_strsplit (text, "\r\n", -1);
  *source = g_steal_pointer (&origin);
  return g_strjoinv ("\n", lines);
}

/* Replaces each {{name}} in @text by its value from @vars. @line is the
 * line @text starts on in the template, so errors point at the line. */
static char *
substitute (const char  *text,
            guint        line,
            GHashTable  *vars,
            const char  *source,
            GError     **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = text;
  const char *open;

  while ((open = strstr (p, "{{")) != NULL)
    {
      const char *close = strstr (open + 2, "}}");
      const char *newline = strchr (open + 2, '\n');
      g_autofree char *name = NULL;
      const char *value;

      for (const char *q = p; q < open; q++)
        line += *q == '\n';
      g_string_append_len (out, p, open - p);

      if (close == NULL || (newline != NULL && newline < close))
        {
          g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                       _("%s:%u: “{{” is not closed by “}}” on the same line"),
                       source, line);
          return NULL;
        }

      name = g_strstrip (g_strndup (open + 2, close - open - 2));
      value = vars != NULL ? g_hash_table_lookup (vars, name) : NULL;
      if (value == NULL)
        {
          g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                       _("%s:%u: unknown variable “%s”"), source, line, name);
          return NULL;
        }

      g_string_append (out, value);
      p = close + 2;
    }

  g_string_append (out, p);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Splits "Subject: ...\n\nbody" into its two parts, unsubstituted. */
static gboolean
split_template (char        *text,
                const char  *source,
                char       **subject,
                char       **body,
                GError     **error)
{
  char *newline;

  /* Some editors start UTF-8 files with a byte order mark. */
  if (g_str_has_prefix (text, "\xef\xbb\xbf"))
    text += 3;

  if (!g_str_has_prefix (text, SUBJECT_FIELD))
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                   _("%s:1: a template starts with a “Subject:” line"), source);
      return FALSE;
    }

  newline = strchr (text, '\n');
  if (newline != NULL && newline[1] != '\n' && newline[1] != '\0')
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                   _("%s:2: the line after the subject must be empty"), source);
      return FALSE;
    }

  if (newline != NULL)
    *newline = '\0';
  *subject = g_strstrip (text + strlen (SUBJECT_FIELD));
  *body = newline != NULL && newline[1] != '\0' ? newline + 2 : (char *) "";

  if (**subject == '\0')
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                   _("%s:1: the subject is empty"), source);
      return FALSE;
    }

  return TRUE;
}

gboolean
vesc_template_render (const char  *override_dir,
                      const char  *template_id,
                      GHashTable  *vars,
                      char       **subject,
                      char       **body,
                      GError     **error)
{
  g_autofree char *source = NULL;
  g_autofree char *text = NULL;
  g_autofree char *new_subject = NULL;
  g_autofree char *new_body = NULL;
  char *raw_subject;
  char *raw_body;

  g_return_val_if_fail (template_id != NULL, FALSE);
  g_return_val_if_fail (subject != NULL && body != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_template_id (template_id, error))
    return FALSE;

  text = load_template (override_dir, template_id, &source, error);
  if (text == NULL || !split_template (text, source, &raw_subject, &raw_body, error))
    return FALSE;

  new_subject = substitute (raw_subject, 1, vars, source, error);
  if (new_subject == NULL)
    return FALSE;
  new_body = substitute (raw_body, 3, vars, source, error);
  if (new_body == NULL)
    return FALSE;

  /* A value with a line break would only fail later, at sending time;
   * refusing it here names the template. */
  if (!vesc_validate_header_value (new_subject, _("The subject"), error))
    {
      g_prefix_error (error, "%s: ", source);
      return FALSE;
    }

  *subject = g_steal_pointer (&new_subject);
  *body = g_steal_pointer (&new_body);
  return TRUE;
}

/* signal-logger.c: record signal emissions so tests can assert on them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "signal-logger.h"

#include <string.h>

typedef struct
{
  SignalLogger *logger;
  GWeakRef      obj;
  gulong        handler_id;
} Connection;

typedef struct
{
  gpointer  obj;           /* compared only, never dereferenced: it may be gone */
  char     *obj_type_name;
  char     *signal_name;   /* with the detail, "notify::state" */
  GValue   *args;
  guint     n_args;
} Emission;

struct _SignalLogger
{
  GQueue     emissions;    /* Emission*, oldest first */
  GPtrArray *connections;  /* Connection* */
};

void
signal_logger_args_free (GValue *args,
                         guint   n_args)
{
  for (guint i = 0; i < n_args; i++)
    g_value_unset (&args[i]);
  g_free (args);
}

static void
emission_free (Emission *emission)
{
  g_free (emission->obj_type_name);
  g_free (emission->signal_name);
  signal_logger_args_free (emission->args, emission->n_args);
  g_free (emission);
}

static void
connection_free (Connection *connection)
{
  g_autoptr(GObject) obj = g_weak_ref_get (&connection->obj);

  /* The handler went away with the object if the object is gone. */
  if (obj != NULL)
    g_signal_handler_disconnect (obj, connection->handler_id);
  g_weak_ref_clear (&connection->obj);
  g_free (connection);
}

SignalLogger *
signal_logger_new (void)
{
  SignalLogger *self = g_new0 (SignalLogger, 1);

  g_queue_init (&self->emissions);
  self->connections = g_ptr_array_new_with_free_func ((GDestroyNotify) connection_free);
  return self;
}

void
signal_logger_free (SignalLogger *self)
{
  if (self == NULL)
    return;

  g_ptr_array_unref (self->connections);
  g_queue_clear_full (&self->emissions, (GDestroyNotify) emission_free);
  g_free (self);
}

static char *
detailed_name (GSignalInvocationHint *hint)
{
  const char *name = g_signal_name (hint->signal_id);

  if (hint->detail == 0)
    return g_strdup (name);
  return g_strconcat (name, "::", g_quark_to_string (hint->detail), NULL);
}

/* A marshaller that accepts any signature: it copies the arguments instead of
 * calling a C function, so one closure type serves every signal. */
static void
logger_marshal (GClosure     *closure,
                GValue       *return_value,
                guint         n_param_values,
                const GValue *param_values,
                gpointer      invocation_hint,
                gpointer      marshal_data)
{
  Connection *connection = closure->data;
  Emission *emission = g_new0 (Emission, 1);

  emission->obj = g_value_get_object (&param_values[0]);
  emission->obj_type_name = g_strdup (G_OBJECT_TYPE_NAME (emission->obj));
  emission->signal_name = detailed_name (invocation_hint);
  emission->n_args = n_param_values - 1;
  emission->args = g_new0 (GValue, MAX (emission->n_args, 1));

  for (guint i = 0; i < emission->n_args; i++)
    {
      g_value_init (&emission->args[i], G_VALUE_TYPE (&param_values[i + 1]));
      g_value_copy (&param_values[i + 1], &emission->args[i]);
    }

  g_queue_push_tail (&connection->logger->emissions, emission);
}

gulong
signal_logger_connect (SignalLogger *self,
                       gpointer      obj,
                       const char   *detailed_signal)
{
  Connection *connection;
  GClosure *closure;

  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (G_IS_OBJECT (obj), 0);
  g_return_val_if_fail (detailed_signal != NULL, 0);

  connection = g_new0 (Connection, 1);
  connection->logger = self;
  g_weak_ref_init (&connection->obj, obj);

  closure = g_closure_new_simple (sizeof (GClosure), connection);
  g_closure_set_marshal (closure, logger_marshal);
  connection->handler_id = g_signal_connect_closure (obj, detailed_signal, closure, FALSE);
  g_assert_cmpuint (connection->handler_id, !=, 0);

  g_ptr_array_add (self->connections, connection);
  return connection->handler_id;
}

/* "notify" matches "notify::state"; "notify::state" matches only itself. */
static gboolean
name_matches (const char *wanted,
              const char *recorded)
{
  gsize len;

  if (wanted == NULL || g_str_equal (wanted, recorded))
    return TRUE;
  if (strstr (wanted, "::") != NULL)
    return FALSE;

  len = strlen (wanted);
  return strncmp (recorded, wanted, len) == 0 && strncmp (recorded + len, "::", 2) == 0;
}

guint
signal_logger_count (SignalLogger *self,
                     const char   *detailed_signal)
{
  guint n = 0;

  g_return_val_if_fail (self != NULL, 0);

  for (GList *l = self->emissions.head; l != NULL; l = l->next)
    {
      Emission *emission = l->data;

      if (name_matches (detailed_signal, emission->signal_name))
        n++;
    }
  return n;
}

/**
 * signal_logger_pop:
 * @self: a logger
 * @obj: (nullable): the object that emitted, or %NULL for any
 * @signal_name: (nullable): the signal, with or without detail, or %NULL for any
 * @out_args: (out) (optional): the arguments; free with signal_logger_args_free()
 * @out_n: (out) (optional): the number of arguments
 *
 * Removes the oldest recorded emission that matches.
 *
 * Returns: %TRUE if one matched
 */
gboolean
signal_logger_pop (SignalLogger *self,
                   gpointer      obj,
                   const char   *signal_name,
                   GValue      **out_args,
                   guint        *out_n)
{
  g_return_val_if_fail (self != NULL, FALSE);

  for (GList *l = self->emissions.head; l != NULL; l = l->next)
    {
      Emission *emission = l->data;

      if ((obj != NULL && emission->obj != obj) ||
          !name_matches (signal_name, emission->signal_name))
        continue;

      g_queue_delete_link (&self->emissions, l);
      if (out_n != NULL)
        *out_n = emission->n_args;
      if (out_args != NULL)
        {
          *out_args = g_steal_pointer (&emission->args);
          emission->n_args = 0;
        }
      emission_free (emission);
      return TRUE;
    }

  if (out_args != NULL)
    *out_args = NULL;
  if (out_n != NULL)
    *out_n = 0;
  return FALSE;
}

/**
 * signal_logger_format:
 * @self: a logger
 *
 * Returns: (transfer full): one line per recorded emission, for messages
 */
char *
signal_logger_format (SignalLogger *self)
{
  GString *out = g_string_new (NULL);

  for (GList *l = self->emissions.head; l != NULL; l = l->next)
    {
      Emission *emission = l->data;

      g_string_append_printf (out, "  %s %p ::%s (", emission->obj_type_name,
                              emission->obj, emission->signal_name);
      for (guint i = 0; i < emission->n_args; i++)
        {
          g_autofree char *contents = g_strdup_value_contents (&emission->args[i]);

          g_string_append_printf (out, "%s%s", i > 0 ? ", " : "", contents);
        }
      g_string_append (out, ")\n");
    }
  return g_string_free (out, FALSE);
}

void
signal_logger_assert_empty_full (SignalLogger *self,
                                 const char   *file,
                                 int           line,
                                 const char   *func)
{
  g_autofree char *list = NULL;
  g_autofree char *message = NULL;

  if (g_queue_is_empty (&self->emissions))
    return;

  list = signal_logger_format (self);
  message = g_strdup_printf ("Expected no more signal emissions, but saw %u:\n%s",
                             g_queue_get_length (&self->emissions), list);
  g_assertion_message (G_LOG_DOMAIN, file, line, func, message);
}

/* vesc-replay.c: rebuilding the desk's state from the store's records
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * State is derived from the journal: each record is applied again, at the
 * time it was written, through the same code that handled it first. The
 * desk neither journals nor announces anything while it replays, and
 * deadlines come back with their original absolute times: one that passed
 * while nothing ran fires, late, when the clock next looks.
 */
#include "vesc-desk-private.h"

#include <glib/gi18n-lib.h>

#include "vesc-enum-types.h"
#include "vesc-escalation-private.h"
#include "vesc-outbox-private.h"

static gboolean
missing (const char  *member,
         GError     **error)
{
  g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
               _("the member “%s” is missing or has the wrong type"), member);
  return FALSE;
}

static const char *
get_string (JsonObject  *record,
            const char  *member,
            GError     **error)
{
  JsonNode *node = json_object_get_member (record, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_STRING)
    {
      missing (member, error);
      return NULL;
    }
  return json_node_get_string (node);
}

static gboolean
get_int (JsonObject  *record,
         const char  *member,
         gint64      *value,
         GError     **error)
{
  JsonNode *node = json_object_get_member (record, member);

  if (node == NULL || json_node_get_value_type (node) != G_TYPE_INT64)
    return missing (member, error);
  *value = json_node_get_int (node);
  return TRUE;
}

static gboolean
read_windows (JsonObject   *record,
              VescWindows  *windows,
              GError      **error)
{
  JsonNode *node = json_object_get_member (record, "windows");
  JsonObject *object;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return missing ("windows", error);
  object = json_node_get_object (node);
  return get_int (object, "removal", &windows->removal, error) &&
         get_int (object, "final", &windows->final, error) &&
         get_int (object, "warning_lead", &windows->warning_lead, error) &&
         get_int (object, "reminder_delay", &windows->reminder_delay, error);
}

static gboolean
read_scenario (JsonObject    *record,
               VescScenario  *scenario,
               GError       **error)
{
  const char *nick = get_string (record, "scenario", error);
  GEnumClass *klass;
  GEnumValue *value;

  if (nick == NULL)
    return FALSE;
  klass = g_type_class_ref (VESC_TYPE_SCENARIO);
  value = g_enum_get_value_by_nick (klass, nick);
  if (value != NULL)
    *scenario = value->value;
  g_type_class_unref (klass);
  return value != NULL || missing ("scenario", error);
}

static GPtrArray *
read_devices (JsonObject  *record,
              GError     **error)
{
  JsonNode *node = json_object_get_member (record, "devices");
  g_autoptr(GPtrArray) devices = g_ptr_array_new ();
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    {
      missing ("devices", error);
      return NULL;
    }
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *element = json_array_get_element (array, i);

      if (json_node_get_value_type (element) != G_TYPE_STRING)
        {
          missing ("devices", error);
          return NULL;
        }
      g_ptr_array_add (devices, (char *) json_node_get_string (element));
    }
  return g_steal_pointer (&devices);
}

static gboolean
apply_open (VescDesk    *self,
            JsonObject  *record,
            const char  *id,
            GError     **error)
{
  VescOpening opening = { .id = id };
  g_autoptr(GPtrArray) devices = NULL;
  const char *site_id = get_string (record, "site", error);

  if (site_id == NULL)
    return FALSE;
  opening.site = vesc_directory_lookup_site (vesc_desk_get_directory (self), site_id);
  if (opening.site == NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_UNKNOWN_SITE,
                   _("incident %s is at site “%s”, which the directory no longer has"), id,
                   site_id);
      return FALSE;
    }
  if ((devices = read_devices (record, error)) == NULL ||
      (opening.summary = get_string (record, "summary", error)) == NULL ||
      (opening.actor = get_string (record, "actor", error)) == NULL ||
      (opening.reason = get_string (record, "reason", error)) == NULL ||
      !read_scenario (record, &opening.scenario, error) ||
      !read_windows (record, &opening.windows, error))
    return FALSE;
  opening.devices = devices;
  opening.threat = json_object_get_boolean_member_with_default (record, "threat", FALSE);
  vesc_desk_start_opening (self, &opening);
  return TRUE;
}

static gboolean
apply_input (VescEscalation  *escalation,
             JsonObject      *record,
             GError         **error)
{
  const char *input = get_string (record, "input", error);
  const char *actor = get_string (record, "actor", error);
  const char *value = json_object_get_string_member_with_default (record, "value", "");

  if (input == NULL || actor == NULL)
    return FALSE;
  if (g_str_equal (input, "check"))
    return vesc_escalation_record_check (escalation, g_str_equal (value, "absent")
                                         ? VESC_CHECK_RESULT_ABSENT : VESC_CHECK_RESULT_PRESENT,
                                         actor, error);
  if (g_str_equal (input, "removal"))
    return vesc_escalation_report_removal (escalation, actor, error);
  if (g_str_equal (input, "decision"))
    return vesc_escalation_decide (escalation, g_str_equal (value, "disconnect"), actor, error);
  if (g_str_equal (input, "clean"))
    return vesc_escalation_report_clean (escalation, actor, error);
  if (g_str_equal (input, "reconnect"))
    return vesc_escalation_reconnect (escalation, actor, error);
  if (g_str_equal (input, "threat"))
    return vesc_escalation_mark_threat (escalation, value, actor, error);
  if (g_str_equal (input, "device"))
    return vesc_escalation_add_device (escalation, value, actor, error);

  g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE, _("unknown input “%s”"), input);
  return FALSE;
}

/* A closed incident whose other records were compacted away is known by
 * the report its closing record carries. */
static gboolean
apply_closed (VescDesk    *self,
              JsonObject  *record,
              GError     **error)
{
  JsonNode *report = json_object_get_member (record, "report");
  VescSummary *summary;

  if (report == NULL || !JSON_NODE_HOLDS_OBJECT (report))
    return missing ("report", error);
  summary = vesc_summary_new_from_report (json_node_get_object (report), error);
  if (summary == NULL)
    return FALSE;
  vesc_desk_remember_closed (self, summary);
  return TRUE;
}

static gboolean
apply_to_escalation (VescDesk    *self,
                     const char  *type,
                     const char  *id,
                     JsonObject  *record,
                     GHashTable  *closed,
                     GError     **error)
{
  VescEscalation *escalation = vesc_desk_lookup_escalation (self, id);

  if (g_str_equal (type, "closed"))
    g_hash_table_add (closed, g_strdup (id));
  if (g_str_equal (type, "closed") && escalation == NULL)
    return apply_closed (self, record, error);
  if (g_str_equal (type, "closed"))
    return TRUE;  /* already closed by replaying its records */
  if (g_str_equal (type, "queued") || g_str_equal (type, "delivered") ||
      g_str_equal (type, "undeliverable"))
    return vesc_outbox_replay (vesc_desk_get_outbox (self), record, type, error);
  if (escalation == NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE, _("no incident %s was opened"), id);
      return FALSE;
    }
  if (g_str_equal (type, "input"))
    return apply_input (escalation, record, error);
  if (g_str_equal (type, "deadline"))
    {
      const char *name = get_string (record, "name", error);
      return name != NULL && vesc_escalation_replay_deadline (escalation, name, error);
    }
  g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE, _("unknown record type “%s”"), type);
  return FALSE;
}

static gboolean
apply (VescDesk    *self,
       JsonNode    *node,
       GHashTable  *closed,
       GError     **error)
{
  JsonObject *record;
  const char *type, *id;
  gint64 at;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return missing ("record", error);
  record = json_node_get_object (node);
  if ((type = get_string (record, "type", error)) == NULL ||
      (id = get_string (record, "incident", error)) == NULL ||
      !get_int (record, "at", &at, error))
    return FALSE;

  vesc_desk_set_replay_time (self, at);
  if (g_str_equal (type, "open"))
    return apply_open (self, record, id, error);
  return apply_to_escalation (self, type, id, record, closed, error);
}

/* A crash between the input that closed an incident and its closing record:
 * the replay closed it again, so the record is written now. */
static void
finish_closings (VescDesk   *self,
                 GHashTable *closed)
{
  GListModel *escalations = vesc_desk_get_escalations (self);

  for (guint i = 0; i < g_list_model_get_n_items (escalations); i++)
    {
      g_autoptr(VescEscalation) escalation = g_list_model_get_item (escalations, i);
      const char *id = vesc_incident_get_id (vesc_escalation_get_incident (escalation));

      if (vesc_escalation_get_closed (escalation) && !g_hash_table_contains (closed, id))
        vesc_desk_escalation_closed (self, escalation);
    }
}

gboolean
vesc_desk_replay (VescDesk   *self,
                  GPtrArray  *records,
                  GError    **error)
{
  g_autoptr(GHashTable) closed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean ok = TRUE;

  for (guint i = 0; ok && i < records->len; i++)
    if (!apply (self, records->pdata[i], closed, error))
      {
        g_prefix_error (error, _("Cannot rebuild the state from record %u of the store: "),
                        i + 1);
        ok = FALSE;
      }
  vesc_desk_set_replay_time (self, -1);
  if (!ok)
    return FALSE;
  vesc_outbox_replay_done (vesc_desk_get_outbox (self));
  finish_closings (self, closed);
  return TRUE;
}

/* vesc-report.c: the report for the LTSB, per incident
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The JSON schema ("libvesc-incident-report/1"):
 *   incident, summary, site {id, name}, scenario, scenario_reason, threat,
 *   devices [..], opened_at, closed_at (null while open), outcome,
 *   decision {disconnect, by, at} or null,
 *   disconnected_at, reconnected_at, disconnected_seconds,
 *   time_to_removal_seconds (opening to the check that found the device gone),
 *   deadlines [{name, kind, due, fired, fired_at, late, outcome}],
 *   timeline [{time, kind, step, actor, detail}].
 * Times are ISO 8601 in UTC; what has not happened is null.
 */
#include "vesc-escalation-private.h"

#include <glib/gi18n-lib.h>

#include "vesc-clock-private.h"
#include "vesc-deadline-private.h"
#include "vesc-desk-private.h"
#include "vesc-enum-types.h"
#include "vesc-event-private.h"
#include "vesc-incident-private.h"
#include "vesc-util-private.h"

static const char *
nick (GType type,
      int   value)
{
  GEnumClass *klass = g_type_class_ref (type);
  const char *result = g_enum_get_value (klass, value)->value_nick;

  g_type_class_unref (klass);
  return result;
}

static void
add_time (JsonBuilder *builder,
          const char  *member,
          gint64       usec)
{
  g_autoptr(GDateTime) time = NULL;
  g_autofree char *text = NULL;

  json_builder_set_member_name (builder, member);
  if (usec < 0)
    {
      json_builder_add_null_value (builder);
      return;
    }
  time = vesc_date_time_new_from_usec (usec);
  text = g_date_time_format_iso8601 (time);
  json_builder_add_string_value (builder, text);
}

static void
add_seconds (JsonBuilder *builder,
             const char  *member,
             gint64       from_usec,
             gint64       to_usec)
{
  json_builder_set_member_name (builder, member);
  if (from_usec < 0 || to_usec < 0)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, (to_usec - from_usec) / G_USEC_PER_SEC);
}

static void
add_string (JsonBuilder *builder,
            const char  *member,
            const char  *value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_string_value (builder, value);
}

static void
add_deadlines (JsonBuilder    *builder,
               VescEscalation *self)
{
  GListModel *deadlines = vesc_escalation_get_deadlines (self);

  json_builder_set_member_name (builder, "deadlines");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (deadlines); i++)
    {
      g_autoptr(VescDeadline) deadline = g_list_model_get_item (deadlines, i);

      json_builder_begin_object (builder);
      add_string (builder, "name", vesc_deadline_get_name (deadline));
      add_string (builder, "kind", nick (VESC_TYPE_DEADLINE_KIND,
                                         vesc_deadline_get_kind (deadline)));
      add_time (builder, "due", vesc_deadline_due_usec (deadline));
      json_builder_set_member_name (builder, "fired");
      json_builder_add_boolean_value (builder, vesc_deadline_get_fired (deadline));
      add_time (builder, "fired_at", vesc_deadline_fired_usec (deadline));
      json_builder_set_member_name (builder, "late");
      json_builder_add_boolean_value (builder, vesc_deadline_get_late (deadline));
      add_string (builder, "outcome", nick (VESC_TYPE_DEADLINE_OUTCOME,
                                            vesc_deadline_get_outcome (deadline)));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_timeline (JsonBuilder  *builder,
              VescIncident *incident)
{
  GListModel *timeline = vesc_incident_get_timeline (incident);

  json_builder_set_member_name (builder, "timeline");
  json_builder_begin_array (builder);
  for (guint i = 0; i < g_list_model_get_n_items (timeline); i++)
    {
      g_autoptr(VescEvent) event = g_list_model_get_item (timeline, i);

      json_builder_begin_object (builder);
      add_time (builder, "time", vesc_event_time_usec (event));
      add_string (builder, "kind", nick (VESC_TYPE_EVENT_KIND, vesc_event_get_kind (event)));
      add_string (builder, "step", vesc_event_get_step (event));
      add_string (builder, "actor", vesc_event_get_actor (event));
      add_string (builder, "detail", vesc_event_get_detail (event));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_decision (JsonBuilder               *builder,
              const VescEscalationFacts *facts)
{
  json_builder_set_member_name (builder, "decision");
  if (facts->decision_usec < 0)
    {
      json_builder_add_null_value (builder);
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "disconnect");
  json_builder_add_boolean_value (builder, facts->decision);
  add_string (builder, "by", facts->decision_by);
  add_time (builder, "at", facts->decision_usec);
  json_builder_end_object (builder);
}

static void
add_facts (JsonBuilder    *builder,
           VescEscalation *self)
{
  VescIncident *incident = vesc_escalation_get_incident (self);
  const VescEscalationFacts *facts = vesc_escalation_get_facts (self);

  add_decision (builder, facts);
  add_time (builder, "disconnected_at", facts->disconnected_usec);
  add_time (builder, "reconnected_at", facts->reconnected_usec);
  add_seconds (builder, "disconnected_seconds", facts->disconnected_usec,
               facts->reconnected_usec);
  add_seconds (builder, "time_to_removal_seconds", vesc_incident_opened_usec (incident),
               facts->removed_usec);
}

static void
add_incident (JsonBuilder  *builder,
              VescIncident *incident)
{
  VescSite *site = vesc_incident_get_site (incident);
  const char * const *devices = vesc_incident_get_devices (incident);

  add_string (builder, "schema", "libvesc-incident-report/1");
  add_string (builder, "incident", vesc_incident_get_id (incident));
  add_string (builder, "summary", vesc_incident_get_summary (incident));
  json_builder_set_member_name (builder, "site");
  json_builder_begin_object (builder);
  add_string (builder, "id", vesc_site_get_id (site));
  add_string (builder, "name", vesc_site_get_name (site));
  json_builder_end_object (builder);
  add_string (builder, "scenario", nick (VESC_TYPE_SCENARIO,
                                         vesc_incident_get_scenario (incident)));
  add_string (builder, "scenario_reason", vesc_incident_get_scenario_reason (incident));
  json_builder_set_member_name (builder, "threat");
  json_builder_add_boolean_value (builder, vesc_incident_get_threat (incident));
  json_builder_set_member_name (builder, "devices");
  json_builder_begin_array (builder);
  for (guint i = 0; devices[i] != NULL; i++)
    json_builder_add_string_value (builder, devices[i]);
  json_builder_end_array (builder);
  add_time (builder, "opened_at", vesc_incident_opened_usec (incident));
  add_time (builder, "closed_at", vesc_incident_closed_usec (incident));
  add_string (builder, "outcome", nick (VESC_TYPE_OUTCOME, vesc_incident_get_outcome (incident)));
}

char *
vesc_report_build_json (VescEscalation *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  add_incident (builder, vesc_escalation_get_incident (self));
  add_facts (builder, self);
  add_deadlines (builder, self);
  add_timeline (builder, vesc_escalation_get_incident (self));
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

static char *
utc_text (gint64 usec)
{
  g_autoptr(GDateTime) time = NULL;

  if (usec < 0)
    return g_strdup ("-");
  time = vesc_date_time_new_from_usec (usec);
  return g_date_time_format (time, "%Y-%m-%d %H:%M:%S UTC");
}

static void
append_deadlines (GString        *out,
                  VescEscalation *self)
{
  GListModel *deadlines = vesc_escalation_get_deadlines (self);

  for (guint i = 0; i < g_list_model_get_n_items (deadlines); i++)
    {
      g_autoptr(VescDeadline) deadline = g_list_model_get_item (deadlines, i);
      g_autofree char *due = utc_text (vesc_deadline_due_usec (deadline));

      if (vesc_deadline_get_kind (deadline) != VESC_DEADLINE_KIND_WINDOW)
        continue;
      g_string_append_printf (out, _("  Deadline %-8s due %s: %s%s\n"),
                              vesc_deadline_get_name (deadline), due,
                              nick (VESC_TYPE_DEADLINE_OUTCOME,
                                    vesc_deadline_get_outcome (deadline)),
                              vesc_deadline_get_late (deadline) ? _(" (signalled late)") : "");
    }
}

static void
append_timeline (GString      *out,
                 VescIncident *incident)
{
  GListModel *timeline = vesc_incident_get_timeline (incident);

  for (guint i = 0; i < g_list_model_get_n_items (timeline); i++)
    {
      g_autoptr(VescEvent) event = g_list_model_get_item (timeline, i);
      g_autofree char *time = utc_text (vesc_event_time_usec (event));

      g_string_append_printf (out, "  %s  %-4s %-8s %s\n", time, vesc_event_get_step (event),
                              vesc_event_get_actor (event), vesc_event_get_detail (event));
    }
}

static void
append_facts (GString        *out,
              VescEscalation *self)
{
  const VescEscalationFacts *facts = vesc_escalation_get_facts (self);
  g_autofree char *decided = utc_text (facts->decision_usec);
  g_autofree char *cut_for = NULL;

  if (facts->decision_usec >= 0)
    g_string_append_printf (out, _("Decision:  %s, by %s at %s\n"),
                            facts->decision ? _("disconnect") : _("do not disconnect"),
                            facts->decision_by, decided);
  if (facts->disconnected_usec >= 0 && facts->reconnected_usec >= 0)
    {
      cut_for = vesc_format_duration (facts->reconnected_usec - facts->disconnected_usec);
      g_string_append_printf (out, _("Site disconnected for %s\n"), cut_for);
    }
}

char *
vesc_report_build_text (VescEscalation *self)
{
  VescIncident *incident = vesc_escalation_get_incident (self);
  VescSite *site = vesc_incident_get_site (incident);
  g_autofree char *devices = g_strjoinv (", ", (char **) vesc_incident_get_devices (incident));
  g_autofree char *opened = utc_text (vesc_incident_opened_usec (incident));
  g_autofree char *closed = utc_text (vesc_incident_closed_usec (incident));
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, _("Incident %s at %s (%s)\n"), vesc_incident_get_id (incident),
                          vesc_site_get_name (site), vesc_site_get_id (site));
  g_string_append_printf (out, _("Scenario:  %s (%s)\n"),
                          nick (VESC_TYPE_SCENARIO, vesc_incident_get_scenario (incident)),
                          vesc_incident_get_scenario_reason (incident));
  g_string_append_printf (out, _("Problem:   %s\n"), vesc_incident_get_summary (incident));
  g_string_append_printf (out, _("Devices:   %s\n"), devices);
  g_string_append_printf (out, _("Opened:    %s\nClosed:    %s\n"), opened, closed);
  g_string_append_printf (out, _("Outcome:   %s\n"),
                          nick (VESC_TYPE_OUTCOME, vesc_incident_get_outcome (incident)));
  append_facts (out, self);
  append_deadlines (out, self);
  g_string_append (out, _("Timeline:\n"));
  append_timeline (out, incident);
  return g_string_free (out, FALSE);
}

/* vesc-period-report.c: the report for the LTSB over a period
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The JSON schema ("libvesc-period-report/1"):
 *   from, to (ISO 8601, UTC; incidents opened in [from, to) count),
 *   incidents, by_scenario {minor, reoccurring, major},
 *   outcomes {open, device-removed, reconnected},
 *   deadlines {met, missed, cancelled, pending}  (removal and final windows),
 *   time_to_removal, time_to_reconnection: {count, mean_seconds,
 *     median_seconds, max_seconds} (null figures when count is 0),
 *   sites [{id, name, incidents, minor, reoccurring, major}] by id,
 *   reoccurring_sites [ids of sites with a reoccurring incident or more
 *     than one incident in the period],
 *   list [{incident, site, scenario, opened_at, closed_at, outcome}].
 */
#include "vesc-report-private.h"

#include <glib/gi18n-lib.h>

#include "vesc-clock-private.h"
#include "vesc-enum-types.h"
#include "vesc-util-private.h"

/* ---- one incident, from its report -------------------------------------- */

static int
enum_from_nick (GType       type,
                const char *nick)
{
  GEnumClass *klass = g_type_class_ref (type);
  GEnumValue *value = nick ? g_enum_get_value_by_nick (klass, nick) : NULL;
  int result = value ? value->value : -1;

  g_type_class_unref (klass);
  return result;
}

static const char *
enum_nick (GType type,
           int   value)
{
  GEnumClass *klass = g_type_class_ref (type);
  const char *nick = g_enum_get_value (klass, value)->value_nick;

  g_type_class_unref (klass);
  return nick;
}

static gint64
time_member (JsonObject *object,
             const char *member)
{
  const char *text = json_object_get_string_member_with_default (object, member, NULL);
  g_autoptr(GDateTime) time = text ? g_date_time_new_from_iso8601 (text, NULL) : NULL;

  return time ? vesc_date_time_to_usec (time) : -1;
}

static gint64
int_member (JsonObject *object,
            const char *member)
{
  JsonNode *node = json_object_get_member (object, member);

  return node && json_node_get_value_type (node) == G_TYPE_INT64 ? json_node_get_int (node) : -1;
}

static void
count_deadlines (VescSummary *summary,
                 JsonObject  *report)
{
  JsonArray *deadlines = json_object_get_array_member (report, "deadlines");

  for (guint i = 0; deadlines != NULL && i < json_array_get_length (deadlines); i++)
    {
      JsonObject *deadline = json_array_get_object_element (deadlines, i);
      const char *kind = json_object_get_string_member_with_default (deadline, "kind", "");
      const char *outcome = json_object_get_string_member_with_default (deadline, "outcome", "");

      if (!g_str_equal (kind, "window"))
        continue;
      if (g_str_equal (outcome, "met"))
        summary->met++;
      else if (g_str_equal (outcome, "missed"))
        summary->missed++;
      else if (g_str_equal (outcome, "cancelled"))
        summary->cancelled++;
      else
        summary->pending++;
    }
}

VescSummary *
vesc_summary_new_from_report (JsonObject  *report,
                              GError     **error)
{
  g_autoptr(VescSummary) summary = g_new0 (VescSummary, 1);
  JsonObject *site = json_object_get_object_member (report, "site");
  int scenario = enum_from_nick (VESC_TYPE_SCENARIO, json_object_get_string_member_with_default (
                                   report, "scenario", NULL));
  int outcome = enum_from_nick (VESC_TYPE_OUTCOME, json_object_get_string_member_with_default (
                                  report, "outcome", NULL));

  summary->id = g_strdup (json_object_get_string_member_with_default (report, "incident", NULL));
  summary->opened_usec = time_member (report, "opened_at");
  if (site == NULL || summary->id == NULL || scenario < 0 || outcome < 0 ||
      summary->opened_usec < 0)
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_PARSE,
                           _("an incident's report lacks its id, site, scenario, outcome or "
                             "opening time"));
      return NULL;
    }
  summary->site_id = g_strdup (json_object_get_string_member_with_default (site, "id", ""));
  summary->site_name = g_strdup (json_object_get_string_member_with_default (site, "name", ""));
  summary->scenario = scenario;
  summary->outcome = outcome;
  summary->closed_usec = time_member (report, "closed_at");
  summary->removal_seconds = int_member (report, "time_to_removal_seconds");
  summary->disconnected_seconds = int_member (report, "disconnected_seconds");
  count_deadlines (summary, report);
  return g_steal_pointer (&summary);
}

void
vesc_summary_free (VescSummary *summary)
{
  g_free (summary->id);
  g_free (summary->site_id);
  g_free (summary->site_name);
  g_free (summary);
}

/* ---- the figures -------------------------------------------------------- */

typedef struct {
  char  *id;
  char  *name;
  guint  by_scenario[3];
} SiteCount;

typedef struct {
  GPtrArray  *incidents;     /* VescSummary *, opened in the period, by opening */
  GHashTable *sites;         /* id -> SiteCount */
  guint       by_scenario[3];
  guint       outcomes[3];
  guint       met, missed, cancelled, pending;
  GArray     *removal;       /* gint64 seconds */
  GArray     *reconnection;  /* gint64 seconds */
} Figures;

static void
site_count_free (SiteCount *count)
{
  g_free (count->id);
  g_free (count->name);
  g_free (count);
}

static int
by_opening (gconstpointer a,
            gconstpointer b)
{
  const VescSummary *x = *(VescSummary **) a, *y = *(VescSummary **) b;

  return (x->opened_usec > y->opened_usec) - (x->opened_usec < y->opened_usec);
}

static void
add_to_site (Figures     *figures,
             VescSummary *summary)
{
  SiteCount *count = g_hash_table_lookup (figures->sites, summary->site_id);

  if (count == NULL)
    {
      count = g_new0 (SiteCount, 1);
      count->id = g_strdup (summary->site_id);
      count->name = g_strdup (summary->site_name);
      g_hash_table_insert (figures->sites, count->id, count);
    }
  count->by_scenario[summary->scenario]++;
}

static void
add_summary (Figures     *figures,
             VescSummary *summary)
{
  g_ptr_array_add (figures->incidents, summary);
  figures->by_scenario[summary->scenario]++;
  figures->outcomes[summary->outcome]++;
  figures->met += summary->met;
  figures->missed += summary->missed;
  figures->cancelled += summary->cancelled;
  figures->pending += summary->pending;
  if (summary->removal_seconds >= 0)
    g_array_append_val (figures->removal, summary->removal_seconds);
  if (summary->disconnected_seconds >= 0)
    g_array_append_val (figures->reconnection, summary->disconnected_seconds);
  add_to_site (figures, summary);
}

static void
figures_init (Figures   *figures,
              GPtrArray *summaries,
              gint64     from_usec,
              gint64     to_usec)
{
  memset (figures, 0, sizeof *figures);
  figures->incidents = g_ptr_array_new ();
  figures->sites = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                          (GDestroyNotify) site_count_free);
  figures->removal = g_array_new (FALSE, FALSE, sizeof (gint64));
  figures->reconnection = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < summaries->len; i++)
    {
      VescSummary *summary = summaries->pdata[i];

      if (summary->opened_usec >= from_usec && summary->opened_usec < to_usec)
        add_summary (figures, summary);
    }
  g_ptr_array_sort (figures->incidents, by_opening);
}

static void
figures_clear (Figures *figures)
{
  g_ptr_array_unref (figures->incidents);
  g_hash_table_unref (figures->sites);
  g_array_unref (figures->removal);
  g_array_unref (figures->reconnection);
}

static gboolean
site_reoccurs (SiteCount *count)
{
  guint total = count->by_scenario[0] + count->by_scenario[1] + count->by_scenario[2];

  return count->by_scenario[VESC_SCENARIO_REOCCURRING] > 0 || total > 1;
}

static int
by_site_id (gconstpointer a,
            gconstpointer b)
{
  return g_strcmp0 ((*(SiteCount **) a)->id, (*(SiteCount **) b)->id);
}

static GPtrArray *
sorted_sites (Figures *figures)
{
  GPtrArray *sites = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer count;

  g_hash_table_iter_init (&iter, figures->sites);
  while (g_hash_table_iter_next (&iter, NULL, &count))
    g_ptr_array_add (sites, count);
  g_ptr_array_sort (sites, by_site_id);
  return sites;
}

static int
by_value (gconstpointer a,
          gconstpointer b)
{
  gint64 x = *(gint64 *) a, y = *(gint64 *) b;

  return (x > y) - (x < y);
}

/* mean, median and max of @values, in seconds */
static void
spread (GArray *values,
        gint64 *mean,
        gint64 *median,
        gint64 *max)
{
  gint64 total = 0;

  g_array_sort (values, by_value);
  for (guint i = 0; i < values->len; i++)
    total += g_array_index (values, gint64, i);
  *mean = total / values->len;
  *median = g_array_index (values, gint64, values->len / 2);
  *max = g_array_index (values, gint64, values->len - 1);
}

/* ---- JSON --------------------------------------------------------------- */

static void
add_time (JsonBuilder *builder,
          const char  *member,
          gint64       usec)
{
  g_autoptr(GDateTime) time = usec >= 0 ? vesc_date_time_new_from_usec (usec) : NULL;
  g_autofree char *text = time ? g_date_time_format_iso8601 (time) : NULL;

  json_builder_set_member_name (builder, member);
  if (text != NULL)
    json_builder_add_string_value (builder, text);
  else
    json_builder_add_null_value (builder);
}

static void
add_uint (JsonBuilder *builder,
          const char  *member,
          guint        value)
{
  json_builder_set_member_name (builder, member);
  json_builder_add_int_value (builder, value);
}

static void
add_counts (JsonBuilder *builder,
            const char  *member,
            GType        type,
            const guint *counts)
{
  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  for (int i = 0; i < 3; i++)
    add_uint (builder, enum_nick (type, i), counts[i]);
  json_builder_end_object (builder);
}

static void
add_spread (JsonBuilder *builder,
            const char  *member,
            GArray      *values)
{
  const char *names[] = { "mean_seconds", "median_seconds", "max_seconds" };
  gint64 figures[3] = { 0, 0, 0 };

  if (values->len > 0)
    spread (values, &figures[0], &figures[1], &figures[2]);
  json_builder_set_member_name (builder, member);
  json_builder_begin_object (builder);
  add_uint (builder, "count", values->len);
  for (int i = 0; i < 3; i++)
    {
      json_builder_set_member_name (builder, names[i]);
      if (values->len > 0)
        json_builder_add_int_value (builder, figures[i]);
      else
        json_builder_add_null_value (builder);
    }
  json_builder_end_object (builder);
}

static void
add_deadlines (JsonBuilder *builder,
               Figures     *figures)
{
  json_builder_set_member_name (builder, "deadlines");
  json_builder_begin_object (builder);
  add_uint (builder, "met", figures->met);
  add_uint (builder, "missed", figures->missed);
  add_uint (builder, "cancelled", figures->cancelled);
  add_uint (builder, "pending", figures->pending);
  json_builder_end_object (builder);
}

static void
add_sites (JsonBuilder *builder,
           Figures     *figures)
{
  g_autoptr(GPtrArray) sites = sorted_sites (figures);

  json_builder_set_member_name (builder, "sites");
  json_builder_begin_array (builder);
  for (guint i = 0; i < sites->len; i++)
    {
      SiteCount *count = sites->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "id");
      json_builder_add_string_value (builder, count->id);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, count->name);
      add_uint (builder, "incidents",
                count->by_scenario[0] + count->by_scenario[1] + count->by_scenario[2]);
      for (int s = 0; s < 3; s++)
        add_uint (builder, enum_nick (VESC_TYPE_SCENARIO, s), count->by_scenario[s]);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "reoccurring_sites");
  json_builder_begin_array (builder);
  for (guint i = 0; i < sites->len; i++)
    if (site_reoccurs (sites->pdata[i]))
      json_builder_add_string_value (builder, ((SiteCount *) sites->pdata[i])->id);
  json_builder_end_array (builder);
}

static void
add_list (JsonBuilder *builder,
          Figures     *figures)
{
  json_builder_set_member_name (builder, "list");
  json_builder_begin_array (builder);
  for (guint i = 0; i < figures->incidents->len; i++)
    {
      VescSummary *summary = figures->incidents->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "incident");
      json_builder_add_string_value (builder, summary->id);
      json_builder_set_member_name (builder, "site");
      json_builder_add_string_value (builder, summary->site_id);
      json_builder_set_member_name (builder, "scenario");
      json_builder_add_string_value (builder, enum_nick (VESC_TYPE_SCENARIO, summary->scenario));
      add_time (builder, "opened_at", summary->opened_usec);
      add_time (builder, "closed_at", summary->closed_usec);
      json_builder_set_member_name (builder, "outcome");
      json_builder_add_string_value (builder, enum_nick (VESC_TYPE_OUTCOME, summary->outcome));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

char *
vesc_period_report_build_json (GPtrArray *summaries,
                               gint64     from_usec,
                               gint64     to_usec)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  Figures figures;

  figures_init (&figures, summaries, from_usec, to_usec);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "schema");
  json_builder_add_string_value (builder, "libvesc-period-report/1");
  add_time (builder, "from", from_usec);
  add_time (builder, "to", to_usec);
  add_uint (builder, "incidents", figures.incidents->len);
  add_counts (builder, "by_scenario", VESC_TYPE_SCENARIO, figures.by_scenario);
  add_counts (builder, "outcomes", VESC_TYPE_OUTCOME, figures.outcomes);
  add_deadlines (builder, &figures);
  add_spread (builder, "time_to_removal", figures.removal);
  add_spread (builder, "time_to_reconnection", figures.reconnection);
  add_sites (builder, &figures);
  add_list (builder, &figures);
  json_builder_end_object (builder);
  figures_clear (&figures);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  return json_generator_to_data (generator, NULL);
}

/* ---- text --------------------------------------------------------------- */

static void
append_spread (GString    *out,
               const char *label,
               GArray     *values)
{
  g_autofree char *mean = NULL, *median = NULL, *max = NULL;
  gint64 m, d, x;

  if (values->len == 0)
    {
      g_string_append_printf (out, _("%s: none\n"), label);
      return;
    }
  spread (values, &m, &d, &x);
  mean = vesc_format_duration (m * G_USEC_PER_SEC);
  median = vesc_format_duration (d * G_USEC_PER_SEC);
  max = vesc_format_duration (x * G_USEC_PER_SEC);
  g_string_append_printf (out, _("%s: %u incident(s), mean %s, median %s, longest %s\n"), label,
                          values->len, mean, median, max);
}

static void
append_sites (GString *out,
              Figures *figures)
{
  g_autoptr(GPtrArray) sites = sorted_sites (figures);

  g_string_append (out, _("Reoccurring sites:"));
  for (guint i = 0; i < sites->len; i++)
    if (site_reoccurs (sites->pdata[i]))
      g_string_append_printf (out, " %s", ((SiteCount *) sites->pdata[i])->id);
  g_string_append (out, _("\nIncidents per site:\n"));
  for (guint i = 0; i < sites->len; i++)
    {
      SiteCount *count = sites->pdata[i];

      g_string_append_printf (out, _("  %s %s: %u (minor %u, reoccurring %u, major %u)\n"),
                              count->id, count->name,
                              count->by_scenario[0] + count->by_scenario[1] +
                              count->by_scenario[2],
                              count->by_scenario[0], count->by_scenario[1], count->by_scenario[2]);
    }
}

char *
vesc_period_report_build_text (GPtrArray *summaries,
                               gint64     from_usec,
                               gint64     to_usec)
{
  GString *out = g_string_new (NULL);
  g_autoptr(GDateTime) from = vesc_date_time_new_from_usec (from_usec);
  g_autoptr(GDateTime) to = vesc_date_time_new_from_usec (to_usec);
  g_autofree char *from_text = g_date_time_format (from, "%Y-%m-%d %H:%M UTC");
  g_autofree char *to_text = g_date_time_format (to, "%Y-%m-%d %H:%M UTC");
  Figures figures;

  figures_init (&figures, summaries, from_usec, to_usec);
  g_string_append_printf (out, _("Report for the LTSB, %s to %s\n"), from_text, to_text);
  g_string_append_printf (out, _("Incidents: %u (minor %u, reoccurring %u, major %u)\n"),
                          figures.incidents->len, figures.by_scenario[0],
                          figures.by_scenario[1], figures.by_scenario[2]);
  g_string_append_printf (out, _("Outcomes: %u open, %u device removed, %u reconnected\n"),
                          figures.outcomes[0], figures.outcomes[1], figures.outcomes[2]);
  g_string_append_printf (out, _("Deadlines: %u met, %u missed, %u withdrawn, %u pending\n"),
                          figures.met, figures.missed, figures.cancelled, figures.pending);
  append_spread (out, _("Time to removal"), figures.removal);
  append_spread (out, _("Time disconnected"), figures.reconnection);
  append_sites (out, &figures);
  figures_clear (&figures);
  return g_string_free (out, FALSE);
}

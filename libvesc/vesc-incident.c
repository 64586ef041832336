/* vesc-incident.c: the facts of one security problem
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vesc-incident-private.h"

#include "vesc-clock-private.h"
#include "vesc-enum-types.h"

/**
 * VescIncident:
 *
 * The facts of one security problem at one site: which site, which devices,
 * what was seen, the scenario it was classified as and why, and the
 * timeline of everything that happened since it was opened.
 *
 * Incidents are opened by a [class@Vesc.Desk] and changed only by the
 * [class@Vesc.Escalation] that runs the procedure for them, so every change
 * is on the timeline.
 */

struct _VescIncident
{
  GObject       parent_instance;

  char         *id;
  VescSite     *site;
  char         *summary;
  VescScenario  scenario;
  char         *scenario_reason;
  gboolean      threat;
  gint64        opened_usec;
  gint64        closed_usec;
  GPtrArray    *devices;     /* NULL-terminated, for get_devices() */
  GListStore   *timeline;
  VescOutcome   outcome;
};

G_DEFINE_FINAL_TYPE (VescIncident, vesc_incident, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_SITE,
  PROP_SUMMARY,
  PROP_SCENARIO,
  PROP_SCENARIO_REASON,
  PROP_THREAT,
  PROP_OPENED_AT,
  PROP_CLOSED_AT,
  PROP_DEVICES,
  PROP_N_DEVICES,
  PROP_TIMELINE,
  PROP_OUTCOME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vesc_incident_finalize (GObject *object)
{
  VescIncident *self = VESC_INCIDENT (object);

  g_free (self->id);
  g_clear_object (&self->site);
  g_free (self->summary);
  g_free (self->scenario_reason);
  g_ptr_array_unref (self->devices);
  g_clear_object (&self->timeline);

  G_OBJECT_CLASS (vesc_incident_parent_class)->finalize (object);
}

static void
vesc_incident_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  VescIncident *self = VESC_INCIDENT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_string (value, self->id);
      break;
    case PROP_SITE:
      g_value_set_object (value, self->site);
      break;
    case PROP_SUMMARY:
      g_value_set_string (value, self->summary);
      break;
    case PROP_SCENARIO:
      g_value_set_enum (value, self->scenario);
      break;
    case PROP_SCENARIO_REASON:
      g_value_set_string (value, self->scenario_reason);
      break;
    case PROP_THREAT:
      g_value_set_boolean (value, self->threat);
      break;
    case PROP_OPENED_AT:
      g_value_take_boxed (value, vesc_incident_get_opened_at (self));
      break;
    case PROP_CLOSED_AT:
      g_value_take_boxed (value, vesc_incident_get_closed_at (self));
      break;
    case PROP_DEVICES:
      g_value_set_boxed (value, self->devices->pdata);
      break;
    case PROP_N_DEVICES:
      g_value_set_uint (value, vesc_incident_get_n_devices (self));
      break;
    case PROP_TIMELINE:
      g_value_set_object (value, self->timeline);
      break;
    case PROP_OUTCOME:
      g_value_set_enum (value, self->outcome);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_incident_class_init (VescIncidentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = vesc_incident_finalize;
  object_class->get_property = vesc_incident_get_property;

  /**
   * VescIncident:id:
   *
   * The incident's identifier, unique at its desk.
   */
  properties[PROP_ID] = g_param_spec_string ("id", NULL, NULL, NULL, flags);
  /**
   * VescIncident:site:
   *
   * The site (school) where the problem is.
   */
  properties[PROP_SITE] = g_param_spec_object ("site", NULL, NULL, VESC_TYPE_SITE, flags);
  /**
   * VescIncident:summary:
   *
   * What was seen, in a line.
   */
  properties[PROP_SUMMARY] = g_param_spec_string ("summary", NULL, NULL, NULL, flags);
  /**
   * VescIncident:scenario:
   *
   * The scenario the incident is handled as; it may change while the
   * escalation runs (an upgrade), and the timeline says why.
   */
  properties[PROP_SCENARIO] = g_param_spec_enum ("scenario", NULL, NULL, VESC_TYPE_SCENARIO,
                                                 VESC_SCENARIO_MINOR, flags);
  /**
   * VescIncident:scenario-reason:
   *
   * Why the incident has its scenario, in a sentence.
   */
  properties[PROP_SCENARIO_REASON] = g_param_spec_string ("scenario-reason", NULL, NULL, NULL,
                                                          flags);
  /**
   * VescIncident:threat:
   *
   * Whether a person marked the incident as a threat to the whole network.
   */
  properties[PROP_THREAT] = g_param_spec_boolean ("threat", NULL, NULL, FALSE, flags);
  /**
   * VescIncident:opened-at:
   *
   * When the incident was opened (UTC).
   */
  properties[PROP_OPENED_AT] = g_param_spec_boxed ("opened-at", NULL, NULL, G_TYPE_DATE_TIME,
                                                   flags);
  /**
   * VescIncident:closed-at:
   *
   * When the escalation ended, or %NULL while it runs.
   */
  properties[PROP_CLOSED_AT] = g_param_spec_boxed ("closed-at", NULL, NULL, G_TYPE_DATE_TIME,
                                                   flags);
  /**
   * VescIncident:devices:
   *
   * The devices involved (addresses or host names), each once.
   */
  properties[PROP_DEVICES] = g_param_spec_boxed ("devices", NULL, NULL, G_TYPE_STRV, flags);
  /**
   * VescIncident:n-devices:
   *
   * How many devices are involved.
   */
  properties[PROP_N_DEVICES] = g_param_spec_uint ("n-devices", NULL, NULL, 0, G_MAXUINT, 0,
                                                  flags);
  /**
   * VescIncident:timeline:
   *
   * The timeline: a [iface@Gio.ListModel] of [class@Vesc.Event], oldest
   * first.
   */
  properties[PROP_TIMELINE] = g_param_spec_object ("timeline", NULL, NULL, G_TYPE_LIST_MODEL,
                                                   flags);
  /**
   * VescIncident:outcome:
   *
   * How the incident ended, or %VESC_OUTCOME_OPEN.
   */
  properties[PROP_OUTCOME] = g_param_spec_enum ("outcome", NULL, NULL, VESC_TYPE_OUTCOME,
                                                VESC_OUTCOME_OPEN, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vesc_incident_init (VescIncident *self)
{
  self->devices = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  self->timeline = g_list_store_new (VESC_TYPE_EVENT);
  self->closed_usec = -1;
}

VescIncident *
vesc_incident_new (const char *id,
                   VescSite   *site,
                   const char *summary,
                   gint64      opened_usec)
{
  VescIncident *self = g_object_new (VESC_TYPE_INCIDENT, NULL);

  self->id = g_strdup (id);
  self->site = g_object_ref (site);
  self->summary = g_strdup (summary);
  self->opened_usec = opened_usec;

  return self;
}

gint64
vesc_incident_opened_usec (VescIncident *self)
{
  return self->opened_usec;
}

gint64
vesc_incident_closed_usec (VescIncident *self)
{
  return self->closed_usec;
}

void
vesc_incident_set_scenario (VescIncident *self,
                            VescScenario  scenario,
                            const char   *reason)
{
  if (self->scenario != scenario)
    {
      self->scenario = scenario;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCENARIO]);
    }
  if (g_strcmp0 (self->scenario_reason, reason) != 0)
    {
      g_free (self->scenario_reason);
      self->scenario_reason = g_strdup (reason);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SCENARIO_REASON]);
    }
}

void
vesc_incident_set_threat (VescIncident *self,
                          gboolean      threat)
{
  threat = !!threat;
  if (self->threat == threat)
    return;

  self->threat = threat;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THREAT]);
}

gboolean
vesc_incident_has_device (VescIncident *self,
                          const char   *device)
{
  return g_ptr_array_find_with_equal_func (self->devices, device, g_str_equal, NULL);
}

/* Returns whether the device was new to the incident. */
gboolean
vesc_incident_add_device (VescIncident *self,
                          const char   *device)
{
  if (vesc_incident_has_device (self, device))
    return FALSE;

  g_ptr_array_add (self->devices, g_strdup (device));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DEVICES]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_DEVICES]);
  return TRUE;
}

void
vesc_incident_append_event (VescIncident *self,
                            VescEvent    *event)
{
  g_list_store_append (self->timeline, event);
}

void
vesc_incident_close (VescIncident *self,
                     gint64        closed_usec,
                     VescOutcome   outcome)
{
  self->closed_usec = closed_usec;
  self->outcome = outcome;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOSED_AT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTCOME]);
}

/**
 * vesc_incident_get_id:
 * @self: a #VescIncident
 *
 * Gets the incident's identifier, unique at its desk.
 *
 * Returns: the incident's identifier
 */
const char *
vesc_incident_get_id (VescIncident *self)
{
  g_return_val_if_fail (VESC_IS_INCIDENT (self), NULL);

  return self->id;
}

/**
 * vesc_incident_get_site:
 * @self: a #VescIncident
 *
 * Gets the site where the problem is.
 *
 * Returns: (transfer none): the site where the problem is
 */
VescSite *
vesc_incident_get_site (VescIncident *self)
{
  g_return_val_if_fail (VESC_IS_INCIDENT (self), NULL);

  return self->site;
}

/**
 * vesc_incident_get_summary:
 * @self: a #VescIncident
 *
 * Gets what was seen, in a line.
 *
 * Returns: what was seen, in a line
 */
const char *
vesc_incident_get_summary (VescIncident *self)
{
  g_return_val_if_fail (VESC_IS_INCIDENT (self), NULL);

  return self->summary;
}

/**
 * vesc_incident_get_scenario:
 * @self: a #VescIncident
 *
 * Gets the scenario the incident is handled as; it may change while the
 * escalation runs (an upgrade to major).
 *
 * Returns: the scenario the incident is handled as
 */
VescScenario
vesc_incident_get_scenario (VescIncident *self)
{
  g_return_val_if_fail (VESC_IS_INCIDENT (self), VESC_SCENARIO_MINOR);

  return self->scenario;
}

/**
 * vesc_incident_get_scenario_reason:
 * @self: a #VescIncident
 *
 * Gets why the incident has its scenario, in a sentence.
 *
 * Returns: why the incident has its scenario
 */
const char *
vesc_incident_get_scenario_reason (VescIncident *self)
{
  g_return_val_if_fail (VESC_IS_INCIDENT (self), NULL);

  return self->scenario_reason;
}

/**
 * vesc_incident_get_threat:
 * @self: a #VescIncident
 *
 * Gets whether a person marked the incident as a threat to the whole network.
 *
 * Returns: whether the incident was marked as a threat to the whole network
 */
gboolean
vesc_incident_get_threat (VescIncident *self)
{
  g_return_val_if_fail (VESC_IS_INCIDENT (self), FALSE);

  return self->threat;
}

/**
 * vesc_incident_get_opened_at:
 * @self: a #VescIncident
 *
 * Gets the time the incident was opened.
 *
 * Returns: (transfer full): when the incident was opened, in UTC
 */
GDateTime *
vesc_incident_get_opened_at (VescIncident *self)
{
  g_return_val_if_fail (VESC_IS_INCIDENT (self), NULL);

  return vesc_date_time_new_from_usec (self->opened_usec);
}

/**
 * vesc_incident_get_closed_at:
 * @self: a #VescIncident
 *
 * Gets the time the escalation ended.
 *
 * Returns: (transfer full) (nullable): when the escalation ended, or %NULL
 */
GDateTime *
vesc_incident_get_closed_at (VescIncident *self)
{
  g_return_val_if_fail (VESC_IS_INCIDENT (self), NULL);

  if (self->closed_usec < 0)
    return NULL;
  return vesc_date_time_new_from_usec (self->closed_usec);
}

/**
 * vesc_incident_get_devices:
 * @self: a #VescIncident
 *
 * Gets the devices involved (addresses or host names), each once, in the order
 * they were added.
 *
 * Returns: (transfer none) (array zero-terminated=1): the devices involved
 */
const char * const *
vesc_incident_get_devices (VescIncident *self)
{
  g_return_val_if_fail (VESC_IS_INCIDENT (self), NULL);

  return (const char * const *) self->devices->pdata;
}

/**
 * vesc_incident_get_n_devices:
 * @self: a #VescIncident
 *
 * Gets the number of devices involved.
 *
 * Returns: how many devices are involved
 */
guint
vesc_incident_get_n_devices (VescIncident *self)
{
  g_return_val_if_fail (VESC_IS_INCIDENT (self), 0);

  return self->devices->len;
}

/**
 * vesc_incident_get_timeline:
 * @self: a #VescIncident
 *
 * Gets the timeline of everything that happened since the incident was opened.
 *
 * The list is the library's own: read it and watch it, never change it.
 *
 * Returns: (transfer none): a list model of [class@Vesc.Event], oldest first
 */
GListModel *
vesc_incident_get_timeline (VescIncident *self)
{
  g_return_val_if_fail (VESC_IS_INCIDENT (self), NULL);

  return G_LIST_MODEL (self->timeline);
}

/**
 * vesc_incident_get_outcome:
 * @self: a #VescIncident
 *
 * Gets how the incident ended.
 *
 * Returns: how the incident ended, or %VESC_OUTCOME_OPEN
 */
VescOutcome
vesc_incident_get_outcome (VescIncident *self)
{
  g_return_val_if_fail (VESC_IS_INCIDENT (self), VESC_OUTCOME_OPEN);

  return self->outcome;
}

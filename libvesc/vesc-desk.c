/* vesc-desk.c: the help desk that runs every escalation
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vesc-desk-private.h"

#include <glib/gi18n-lib.h>

#include "vesc-clock-private.h"
#include "vesc-enum-types.h"
#include "vesc-file-store.h"
#include "vesc-system-clock.h"
#include "vesc-escalation-private.h"
#include "vesc-incident-private.h"
#include "vesc-outbox-private.h"
#include "vesc-site-private.h"
#include "vesc-util-private.h"

/**
 * VescDesk:
 *
 * The help desk: it ties the site directory, the policy, the clock, the
 * store and the notifiers together, opens incidents (from a person or from
 * a detection) and runs an [class@Vesc.Escalation] for each.
 *
 * A new incident is classified by the policy: marked as a threat, or with
 * as many devices as the machine threshold, it is major; a site with
 * another incident opened within the recurrence window (the window's edge
 * included) makes it reoccurring; otherwise it is minor. A site has at most
 * one open incident: a detection at a site with an open incident adds its
 * device to it.
 *
 * Every change is appended to the store before it takes effect.
 */

struct _VescDesk
{
  GObject        parent_instance;

  VescDirectory *directory;
  VescPolicy    *policy;
  VescClock     *clock;
  VescStore     *store;
  GTimeZone     *zone;

  VescOutbox    *outbox;
  GListStore    *escalations;
  GHashTable    *by_id;         /* incident id -> VescEscalation (owned by the list) */
  GHashTable    *open_by_site;  /* site id -> VescEscalation */
  GHashTable    *history;       /* site id -> GArray of opening times (gint64) */
  GPtrArray     *unmatched;     /* NULL-terminated addresses of no school */
  guint          serial;
  gint64         replay_usec;   /* the record being replayed, or -1 */
  GPtrArray     *compacted;     /* VescSummary of incidents known by their closing only */
};

G_DEFINE_FINAL_TYPE (VescDesk, vesc_desk, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DIRECTORY,
  PROP_POLICY,
  PROP_CLOCK,
  PROP_STORE,
  PROP_ESCALATIONS,
  PROP_N_PENDING,
  N_PROPS
};

enum {
  ESCALATION_OPENED,
  ESCALATION_CLOSED,
  UNMATCHED_DETECTION,
  NOTIFICATION_FAILED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- what escalations ask of the desk ----------------------------------- */

gboolean
vesc_desk_journal (VescDesk  *self,
                   JsonNode  *record,
                   GError   **error)
{
  g_autoptr(JsonNode) owned = record;

  if (vesc_desk_is_replaying (self))
    return TRUE;
  return vesc_store_append (self->store, owned, error);
}

void
vesc_desk_dispatch (VescDesk         *self,
                    VescNotification *notification)
{
  vesc_outbox_queue (self->outbox, notification);
}

VescOutbox *
vesc_desk_get_outbox (VescDesk *self)
{
  return self->outbox;
}

void
vesc_desk_notify_pending (VescDesk *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_PENDING]);
}

void
vesc_desk_emit_notification_failed (VescDesk         *self,
                                    VescNotification *notification,
                                    VescNotifier     *notifier,
                                    const GError     *error)
{
  g_signal_emit (self, signals[NOTIFICATION_FAILED], 0, notification, notifier, error);
}

/* The closing record carries the report, so the store can compact the
 * incident's other records away and still answer for it. */
static void
journal_closed (VescDesk       *self,
                VescEscalation *escalation)
{
  VescIncident *incident = vesc_escalation_get_incident (escalation);
  g_autofree char *report = vesc_escalation_get_report_json (escalation);
  JsonObject *record = json_object_new ();
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (record, "type", "closed");
  json_object_set_string_member (record, "incident", vesc_incident_get_id (incident));
  json_object_set_int_member (record, "at", vesc_desk_now_usec (self));
  json_object_set_string_member (record, "site", vesc_site_get_id (vesc_incident_get_site (incident)));
  json_object_set_int_member (record, "opened", vesc_incident_opened_usec (incident));
  json_object_set_member (record, "report", json_from_string (report, NULL));
  if (!vesc_desk_journal (self, json_node_init_object (json_node_alloc (), record), &error))
    g_warning ("Could not record that %s closed: %s", vesc_incident_get_id (incident),
               error->message);
  json_object_unref (record);
}

void
vesc_desk_escalation_closed (VescDesk       *self,
                             VescEscalation *escalation)
{
  VescSite *site = vesc_incident_get_site (vesc_escalation_get_incident (escalation));

  if (g_hash_table_lookup (self->open_by_site, vesc_site_get_id (site)) == escalation)
    g_hash_table_remove (self->open_by_site, vesc_site_get_id (site));
  if (vesc_desk_is_replaying (self))
    return;
  journal_closed (self, escalation);
  g_signal_emit (self, signals[ESCALATION_CLOSED], 0, escalation);
}

gint64
vesc_desk_now_usec (VescDesk *self)
{
  if (self->replay_usec >= 0)
    return self->replay_usec;
  return vesc_clock_now_usec (self->clock);
}

gboolean
vesc_desk_is_replaying (VescDesk *self)
{
  return self->replay_usec >= 0;
}

GTimeZone *
vesc_desk_get_time_zone (VescDesk *self)
{
  return self->zone;
}

char *
vesc_desk_format_local_time (VescDesk *self,
                             gint64    usec)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (usec < 0)
    return g_strdup ("");
  utc = vesc_date_time_new_from_usec (usec);
  local = g_date_time_to_timezone (utc, self->zone);
  /* TRANSLATORS: a date and time in e-mails, see g_date_time_format() */
  return g_date_time_format (local, _("%A %-d %B %Y, %H:%M %Z"));
}

/* ---- classification ----------------------------------------------------- */

static guint
recent_incidents (VescDesk   *self,
                  const char *site_id,
                  gint64      now)
{
  GArray *opened = g_hash_table_lookup (self->history, site_id);
  gint64 since = now - vesc_policy_get_recurrence_window (self->policy);
  guint count = 0;

  for (guint i = 0; opened != NULL && i < opened->len; i++)
    if (g_array_index (opened, gint64, i) >= since)
      count++;
  return count;
}

static VescScenario
classify (VescDesk    *self,
          const char  *site_id,
          guint        n_devices,
          gboolean     threat,
          char       **reason)
{
  guint threshold = vesc_policy_get_machine_threshold (self->policy);
  guint wanted = vesc_policy_get_recurrence_count (self->policy);
  guint recent = recent_incidents (self, site_id, vesc_clock_now_usec (self->clock));
  g_autofree char *window = vesc_format_duration (vesc_policy_get_recurrence_window (self->policy));

  if (threat)
    {
      *reason = g_strdup (_("it was marked as a threat to the whole network"));
      return VESC_SCENARIO_MAJOR;
    }
  if (n_devices >= threshold && vesc_policy_get_major_at_threshold (self->policy))
    {
      *reason = g_strdup_printf (_("%u machines are affected (the threshold is %u)"),
                                 n_devices, threshold);
      return VESC_SCENARIO_MAJOR;
    }
  if (wanted > 0 && recent >= wanted)
    {
      *reason = g_strdup_printf (_("the site had %u other incident(s) opened in the last %s"),
                                 recent, window);
      return VESC_SCENARIO_REOCCURRING;
    }
  *reason = g_strdup_printf (_("fewer than %u machines are affected and the site had no other "
                               "incident in the last %s"), threshold, window);
  return VESC_SCENARIO_MINOR;
}

/* ---- opening incidents -------------------------------------------------- */

static gboolean
validate_text (const char  *value,
               const char  *what,
               GError     **error)
{
  if (value == NULL || *value == '\0')
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT, _("%s is empty"), what);
      return FALSE;
    }
  return vesc_validate_header_value (value, what, error);
}

static GPtrArray *
unique_devices (const char * const  *devices,
                GError             **error)
{
  g_autoptr(GPtrArray) unique = g_ptr_array_new ();

  for (guint i = 0; devices != NULL && devices[i] != NULL; i++)
    {
      if (!validate_text (devices[i], _("A device's address or name"), error))
        return NULL;
      if (!g_ptr_array_find_with_equal_func (unique, devices[i], g_str_equal, NULL))
        g_ptr_array_add (unique, (char *) devices[i]);
    }
  if (unique->len == 0)
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                           _("An incident needs at least one device"));
      return NULL;
    }
  return g_steal_pointer (&unique);
}

static void
add_windows (JsonObject        *record,
             const VescWindows *windows)
{
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "removal", windows->removal);
  json_object_set_int_member (object, "final", windows->final);
  json_object_set_int_member (object, "warning_lead", windows->warning_lead);
  json_object_set_int_member (object, "reminder_delay", windows->reminder_delay);
  json_object_set_object_member (record, "windows", object);
}

static gboolean
journal_open (VescDesk           *self,
              const VescOpening  *opening,
              GError            **error)
{
  JsonObject *record = json_object_new ();
  JsonArray *list = json_array_new ();
  GEnumClass *scenarios = g_type_class_ref (VESC_TYPE_SCENARIO);
  JsonNode *node;

  for (guint i = 0; i < opening->devices->len; i++)
    json_array_add_string_element (list, opening->devices->pdata[i]);
  json_object_set_string_member (record, "type", "open");
  json_object_set_string_member (record, "incident", opening->id);
  json_object_set_int_member (record, "at", vesc_desk_now_usec (self));
  json_object_set_string_member (record, "site", vesc_site_get_id (opening->site));
  json_object_set_array_member (record, "devices", list);
  json_object_set_string_member (record, "summary", opening->summary);
  json_object_set_boolean_member (record, "threat", opening->threat);
  json_object_set_string_member (record, "actor", opening->actor);
  json_object_set_string_member (record, "scenario",
                                 g_enum_get_value (scenarios, opening->scenario)->value_nick);
  json_object_set_string_member (record, "reason", opening->reason);
  add_windows (record, &opening->windows);
  g_type_class_unref (scenarios);
  node = json_node_init_object (json_node_alloc (), record);
  json_object_unref (record);
  return vesc_desk_journal (self, node, error);
}

static char *
next_incident_id (VescDesk *self)
{
  g_autoptr(GDateTime) now = vesc_clock_get_now (self->clock);
  g_autofree char *day = g_date_time_format (now, "%Y%m%d");

  return g_strdup_printf ("INC-%s-%04u", day, self->serial + 1);
}

static void
remember_opening (VescDesk   *self,
                  const char *site_id,
                  gint64      when)
{
  GArray *opened = g_hash_table_lookup (self->history, site_id);

  if (opened == NULL)
    {
      opened = g_array_new (FALSE, FALSE, sizeof (gint64));
      g_hash_table_insert (self->history, g_strdup (site_id), opened);
    }
  g_array_append_val (opened, when);
}

void
vesc_desk_remember_closed (VescDesk    *self,
                           VescSummary *summary)
{
  remember_opening (self, summary->site_id, summary->opened_usec);
  g_ptr_array_add (self->compacted, summary);
  self->serial++;
}

void
vesc_desk_set_replay_time (VescDesk *self,
                           gint64    usec)
{
  self->replay_usec = usec;
}

VescEscalation *
vesc_desk_start_opening (VescDesk          *self,
                         const VescOpening *opening)
{
  g_autoptr(VescIncident) incident = NULL;
  g_autoptr(VescEscalation) escalation = NULL;
  const char *site_id = vesc_site_get_id (opening->site);
  gint64 now = vesc_desk_now_usec (self);

  incident = vesc_incident_new (opening->id, opening->site, opening->summary, now);
  vesc_incident_set_scenario (incident, opening->scenario, opening->reason);
  vesc_incident_set_threat (incident, opening->threat);
  for (guint i = 0; i < opening->devices->len; i++)
    vesc_incident_add_device (incident, opening->devices->pdata[i]);
  remember_opening (self, site_id, now);

  escalation = vesc_escalation_new (self, incident, &opening->windows);
  self->serial++;
  g_list_store_append (self->escalations, escalation);
  g_hash_table_insert (self->by_id, g_strdup (opening->id), escalation);
  g_hash_table_insert (self->open_by_site, g_strdup (site_id), escalation);
  if (!vesc_desk_is_replaying (self))
    g_signal_emit (self, signals[ESCALATION_OPENED], 0, escalation);
  vesc_escalation_start (escalation, opening->actor);
  return escalation;
}

static void
policy_windows (VescPolicy  *policy,
                VescWindows *windows)
{
  windows->removal = vesc_policy_get_removal_window (policy);
  windows->final = vesc_policy_get_final_window (policy);
  windows->warning_lead = vesc_policy_get_warning_lead (policy);
  windows->reminder_delay = vesc_policy_get_reminder_delay (policy);
}

/**
 * vesc_desk_open_incident:
 * @self: a #VescDesk
 * @site_id: the id of the site where the problem is
 * @devices: (array zero-terminated=1): the devices involved (addresses or
 *   host names); each is counted once
 * @summary: what was seen, in a line
 * @threat: whether the problem is an immediate threat to the whole network
 * @actor: who opens the incident
 * @error: return location for a #GError
 *
 * Opens an incident, classifies it by the policy and starts its escalation,
 * which runs at once up to the first step that waits (for a window, or for
 * a decision on the reoccurring and major track).
 *
 * Fails with %VESC_ERROR_UNKNOWN_SITE for a site the directory does not
 * have, %VESC_ERROR_DUPLICATE when the site already has an open incident
 * (add the device to it instead), and %VESC_ERROR_INVALID_INPUT for an
 * empty or malformed value. Nothing is stored when it fails.
 *
 * Returns: (transfer none): the escalation of the new incident
 */
VescEscalation *
vesc_desk_open_incident (VescDesk            *self,
                         const char          *site_id,
                         const char * const  *devices,
                         const char          *summary,
                         gboolean             threat,
                         const char          *actor,
                         GError             **error)
{
  g_autoptr(GPtrArray) unique = NULL;
  g_autofree char *id = NULL;
  g_autofree char *reason = NULL;
  VescOpening opening;
  VescSite *site;
  VescEscalation *open;

  g_return_val_if_fail (VESC_IS_DESK (self), NULL);
  g_return_val_if_fail (site_id != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  site = vesc_directory_lookup_site (self->directory, site_id);
  if (site == NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_UNKNOWN_SITE,
                   _("No site in the directory has the id “%s”"), site_id);
      return NULL;
    }
  open = g_hash_table_lookup (self->open_by_site, site_id);
  if (open != NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_DUPLICATE,
                   _("Site %s already has an open incident, %s: add the device to it"), site_id,
                   vesc_incident_get_id (vesc_escalation_get_incident (open)));
      return NULL;
    }
  if (!validate_text (summary, _("The summary"), error) ||
      !validate_text (actor, _("The actor"), error) ||
      (unique = unique_devices (devices, error)) == NULL)
    return NULL;

  id = next_incident_id (self);
  opening = (VescOpening) {
    .id = id, .site = site, .devices = unique, .summary = summary, .threat = threat,
    .actor = actor,
  };
  opening.scenario = classify (self, site_id, unique->len, threat, &reason);
  opening.reason = reason;
  policy_windows (self->policy, &opening.windows);
  if (!journal_open (self, &opening, error))
    return NULL;
  return vesc_desk_start_opening (self, &opening);
}

static VescSite *
site_of_detection (VescDesk    *self,
                   const char  *address,
                   const char  *summary,
                   GError     **error)
{
  GError *local_error = NULL;
  VescSite *site;

  /* Some products report the machine's name, not its address. */
  if (g_hostname_is_ip_address (address))
    site = vesc_directory_lookup_address (self->directory, address, &local_error);
  else
    site = vesc_directory_lookup_host (self->directory, address, &local_error);

  if (site != NULL)
    return site;
  if (g_error_matches (local_error, VESC_ERROR, VESC_ERROR_UNKNOWN_SITE))
    {
      g_ptr_array_add (self->unmatched, g_strdup (address));
      g_signal_emit (self, signals[UNMATCHED_DETECTION], 0, address, summary);
    }
  g_propagate_error (error, local_error);
  return NULL;
}

/**
 * vesc_desk_report_detection:
 * @self: a #VescDesk
 * @address: the address of the device that was seen (IPv4 or IPv6), or its
 *   host name
 * @summary: what was seen, in a line
 * @error: return location for a #GError
 *
 * Takes a detection from an IDS or antivirus product: an address is
 * mapped to a site by the directory's subnets (the most specific wins), a
 * host name by the sites' host names (see
 * [method@Vesc.Directory.lookup_host]); if
 * the site has an open incident the device is added to it (a known device
 * is not counted twice), otherwise a new incident is opened.
 *
 * An address or name that belongs to no school fails with
 * %VESC_ERROR_UNKNOWN_SITE, and is kept: it is emitted with
 * [signal@Vesc.Desk::unmatched-detection] and listed by
 * [method@Vesc.Desk.get_unmatched_addresses]. A malformed address fails
 * with %VESC_ERROR_INVALID_INPUT.
 *
 * Returns: (transfer none): the escalation the detection went to
 */
VescEscalation *
vesc_desk_report_detection (VescDesk    *self,
                            const char  *address,
                            const char  *summary,
                            GError     **error)
{
  VescSite *site;
  VescEscalation *open;
  g_autofree char *device = NULL;
  const char *devices[] = { NULL, NULL };

  g_return_val_if_fail (VESC_IS_DESK (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  site = site_of_detection (self, address, summary, error);
  if (site == NULL)
    return NULL;
  /* One machine named in two cases is one device. */
  device = g_hostname_is_ip_address (address) ? g_strdup (address)
                                              : vesc_normalize_host_name (address, FALSE, NULL);
  devices[0] = device;
  open = g_hash_table_lookup (self->open_by_site, vesc_site_get_id (site));
  if (open == NULL)
    return vesc_desk_open_incident (self, vesc_site_get_id (site), devices, summary, FALSE,
                                    _("ITD (detection)"), error);
  if (!vesc_escalation_add_device (open, device, _("ITD (detection)"), error))
    return NULL;
  return open;
}

/* ---- notifiers ---------------------------------------------------------- */

/**
 * vesc_desk_add_notifier:
 * @self: a #VescDesk
 * @notifier: a notifier
 *
 * Adds a notifier under the name of its type (see
 * [method@Vesc.Desk.add_named_notifier]): every message the escalations
 * send from now on is handed to it, and so is every message a previous run
 * left undelivered to a notifier of that name. Adding the same notifier
 * twice has no effect.
 */
void
vesc_desk_add_notifier (VescDesk     *self,
                        VescNotifier *notifier)
{
  g_return_if_fail (VESC_IS_DESK (self));
  g_return_if_fail (VESC_IS_NOTIFIER (notifier));

  vesc_desk_add_named_notifier (self, notifier, G_OBJECT_TYPE_NAME (notifier));
}

/**
 * vesc_desk_add_named_notifier:
 * @self: a #VescDesk
 * @notifier: a notifier
 * @name: the notifier's name, the same from one run to the next
 *
 * Adds a notifier under a name. The store records, by name, which
 * notifiers each message went through, so that a restarted desk sends what
 * is still owed when a notifier of the same name is added again; give two
 * notifiers of one type different names.
 *
 * A failed send is tried again with a growing wait (one minute, doubling up
 * to an hour); after five attempts the incident's timeline gets a warning
 * and [signal@Vesc.Desk::notification-failed] is emitted. A failing
 * notifier never holds up the escalation or the other notifiers.
 *
 * Returns: %FALSE if the notifier was already added or the name is taken
 */
gboolean
vesc_desk_add_named_notifier (VescDesk     *self,
                              VescNotifier *notifier,
                              const char   *name)
{
  g_return_val_if_fail (VESC_IS_DESK (self), FALSE);
  g_return_val_if_fail (VESC_IS_NOTIFIER (notifier), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return vesc_outbox_add_channel (self->outbox, notifier, name);
}

/**
 * vesc_desk_remove_notifier:
 * @self: a #VescDesk
 * @notifier: a notifier added with [method@Vesc.Desk.add_notifier]
 *
 * Stops handing messages to @notifier. What it still owes stays recorded
 * and goes out if a notifier of the same name is added again.
 */
void
vesc_desk_remove_notifier (VescDesk     *self,
                           VescNotifier *notifier)
{
  g_return_if_fail (VESC_IS_DESK (self));

  vesc_outbox_remove_channel (self->outbox, notifier);
}

/* ---- life cycle --------------------------------------------------------- */

static gboolean
restore (VescDesk  *self,
         GError   **error)
{
  g_autoptr(GPtrArray) records = vesc_store_load (self->store, error);

  return records != NULL && vesc_desk_replay (self, records, error);
}

/**
 * vesc_desk_new:
 * @directory: the sites and council contacts
 * @policy: the procedure's numbers and texts
 * @clock: where "now" and the deadlines come from
 * @store: (nullable): where every change is recorded, or %NULL for a
 *   [class@Vesc.MemoryStore]
 * @error: return location for a #GError
 *
 * Creates a help desk. Fails with %VESC_ERROR_INVALID_POLICY when the policy
 * does not validate (see [method@Vesc.Policy.validate]).
 *
 * Returns: (transfer full): a new desk, or %NULL
 */
VescDesk *
vesc_desk_new (VescDirectory  *directory,
               VescPolicy     *policy,
               VescClock      *clock,
               VescStore      *store,
               GError        **error)
{
  g_autoptr(VescStore) memory = NULL;
  VescDesk *self;

  g_return_val_if_fail (VESC_IS_DIRECTORY (directory), NULL);
  g_return_val_if_fail (VESC_IS_POLICY (policy), NULL);
  g_return_val_if_fail (VESC_IS_CLOCK (clock), NULL);
  g_return_val_if_fail (store == NULL || VESC_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!vesc_policy_validate (policy, error))
    return NULL;
  if (store == NULL)
    store = memory = VESC_STORE (vesc_memory_store_new ());

  self = g_object_new (VESC_TYPE_DESK, NULL);
  self->directory = g_object_ref (directory);
  self->policy = g_object_ref (policy);
  self->clock = g_object_ref (clock);
  self->store = g_object_ref (store);
  self->zone = g_time_zone_new_identifier (vesc_policy_get_time_zone (policy));
  self->outbox = vesc_outbox_new (self);
  if (!restore (self, error))
    {
      g_object_unref (self);
      return NULL;
    }
  return self;
}

/**
 * vesc_desk_open:
 * @directory: the sites and council contacts
 * @policy: the procedure's numbers and texts
 * @store_path: (type filename) (nullable): the folder of the durable store,
 *   or %NULL for `libvesc/store` in the user's data directory
 * @error: return location for a #GError
 *
 * Opens the help desk a deployment runs: on the wall clock
 * ([class@Vesc.SystemClock]) and the durable store ([class@Vesc.FileStore]),
 * with every incident the store holds back as it was. Deadlines that passed
 * while nothing ran fire, late, once the main context runs.
 *
 * Fails with %VESC_ERROR_LOCKED when another program has the store open,
 * and with the errors of [ctor@Vesc.FileStore.new] and
 * [ctor@Vesc.Desk.new].
 *
 * Returns: (transfer full): the desk, or %NULL
 */
VescDesk *
vesc_desk_open (VescDirectory  *directory,
                VescPolicy     *policy,
                const char     *store_path,
                GError        **error)
{
  g_autoptr(VescFileStore) store = NULL;
  g_autoptr(VescSystemClock) clock = NULL;

  g_return_val_if_fail (VESC_IS_DIRECTORY (directory), NULL);
  g_return_val_if_fail (VESC_IS_POLICY (policy), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  store = vesc_file_store_new (store_path, error);
  if (store == NULL)
    return NULL;
  clock = vesc_system_clock_new ();
  return vesc_desk_new (directory, policy, VESC_CLOCK (clock), VESC_STORE (store), error);
}

static void
vesc_desk_dispose (GObject *object)
{
  VescDesk *self = VESC_DESK (object);
  GListModel *model = G_LIST_MODEL (self->escalations);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(VescEscalation) escalation = g_list_model_get_item (model, i);
      vesc_escalation_detach (escalation);
    }
  g_list_store_remove_all (self->escalations);
  g_hash_table_remove_all (self->by_id);
  g_hash_table_remove_all (self->open_by_site);
  g_clear_pointer (&self->outbox, vesc_outbox_free);
  g_clear_object (&self->store);
  g_clear_object (&self->clock);
  g_clear_object (&self->policy);
  g_clear_object (&self->directory);

  G_OBJECT_CLASS (vesc_desk_parent_class)->dispose (object);
}

static void
vesc_desk_finalize (GObject *object)
{
  VescDesk *self = VESC_DESK (object);

  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_object_unref (self->escalations);
  g_hash_table_unref (self->by_id);
  g_hash_table_unref (self->open_by_site);
  g_hash_table_unref (self->history);
  g_ptr_array_unref (self->unmatched);
  g_ptr_array_unref (self->compacted);

  G_OBJECT_CLASS (vesc_desk_parent_class)->finalize (object);
}

static void
vesc_desk_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  VescDesk *self = VESC_DESK (object);

  switch (prop_id)
    {
    case PROP_DIRECTORY:
      g_value_set_object (value, self->directory);
      break;
    case PROP_POLICY:
      g_value_set_object (value, self->policy);
      break;
    case PROP_CLOCK:
      g_value_set_object (value, self->clock);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_ESCALATIONS:
      g_value_set_object (value, self->escalations);
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, vesc_desk_get_n_pending (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
install_signals (GObjectClass *klass)
{
  GType type = G_TYPE_FROM_CLASS (klass);

  /**
   * VescDesk::escalation-opened:
   * @self: the desk
   * @escalation: the escalation of the new incident
   *
   * Emitted when an incident is opened, before its escalation starts, so a
   * handler can connect to the escalation's signals and see every step.
   */
  signals[ESCALATION_OPENED] =
    g_signal_new ("escalation-opened", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, VESC_TYPE_ESCALATION);
  /**
   * VescDesk::escalation-closed:
   * @self: the desk
   * @escalation: the escalation that ended
   *
   * Emitted when an escalation ends.
   */
  signals[ESCALATION_CLOSED] =
    g_signal_new ("escalation-closed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, VESC_TYPE_ESCALATION);
  /**
   * VescDesk::unmatched-detection:
   * @self: the desk
   * @address: the address no school's subnet contains
   * @summary: (nullable): what was seen
   *
   * Emitted for a detection whose address belongs to no school.
   */
  signals[UNMATCHED_DETECTION] =
    g_signal_new ("unmatched-detection", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * VescDesk::notification-failed:
   * @self: the desk
   * @notification: the message that was not sent
   * @notifier: the notifier that failed
   * @error: what went wrong
   *
   * Emitted when a notifier could not send a message after every attempt
   * (the incident's timeline also says so). The escalation goes on
   * regardless.
   */
  signals[NOTIFICATION_FAILED] =
    g_signal_new ("notification-failed", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, VESC_TYPE_NOTIFICATION, VESC_TYPE_NOTIFIER, G_TYPE_ERROR);
}

static void
vesc_desk_class_init (VescDeskClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = vesc_desk_dispose;
  object_class->finalize = vesc_desk_finalize;
  object_class->get_property = vesc_desk_get_property;

  /**
   * VescDesk:directory:
   *
   * The sites and council contacts.
   */
  properties[PROP_DIRECTORY] = g_param_spec_object ("directory", NULL, NULL,
                                                    VESC_TYPE_DIRECTORY, flags);
  /**
   * VescDesk:policy:
   *
   * The procedure's numbers and texts.
   */
  properties[PROP_POLICY] = g_param_spec_object ("policy", NULL, NULL, VESC_TYPE_POLICY, flags);
  /**
   * VescDesk:clock:
   *
   * Where "now" and the deadlines come from.
   */
  properties[PROP_CLOCK] = g_param_spec_object ("clock", NULL, NULL, VESC_TYPE_CLOCK, flags);
  /**
   * VescDesk:store:
   *
   * Where every change is recorded.
   */
  properties[PROP_STORE] = g_param_spec_object ("store", NULL, NULL, VESC_TYPE_STORE, flags);
  /**
   * VescDesk:escalations:
   *
   * Every escalation, open and closed, a [iface@Gio.ListModel] of
   * [class@Vesc.Escalation] in the order they were opened.
   */
  properties[PROP_ESCALATIONS] = g_param_spec_object ("escalations", NULL, NULL,
                                                      G_TYPE_LIST_MODEL, flags);

  /**
   * VescDesk:n-pending:
   *
   * How many sends are handed to notifiers and not yet finished. A
   * program that is about to exit iterates the main context until it is 0.
   */
  properties[PROP_N_PENDING] = g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0,
                                                  flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
  install_signals (object_class);
}

static void
vesc_desk_init (VescDesk *self)
{
  self->escalations = g_list_store_new (VESC_TYPE_ESCALATION);
  self->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->open_by_site = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->history = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_array_unref);
  self->unmatched = g_ptr_array_new_null_terminated (4, g_free, TRUE);
  self->replay_usec = -1;
  self->compacted = g_ptr_array_new_with_free_func ((GDestroyNotify) vesc_summary_free);
}

/* ---- getters ------------------------------------------------------------ */

/**
 * vesc_desk_get_directory:
 * @self: a #VescDesk
 *
 * Gets the site directory the desk was made with.
 *
 * Returns: (transfer none): the sites and council contacts
 */
VescDirectory *
vesc_desk_get_directory (VescDesk *self)
{
  g_return_val_if_fail (VESC_IS_DESK (self), NULL);

  return self->directory;
}

/**
 * vesc_desk_get_policy:
 * @self: a #VescDesk
 *
 * Gets the policy the desk was made with.
 *
 * Returns: (transfer none): the policy
 */
VescPolicy *
vesc_desk_get_policy (VescDesk *self)
{
  g_return_val_if_fail (VESC_IS_DESK (self), NULL);

  return self->policy;
}

/**
 * vesc_desk_get_clock:
 * @self: a #VescDesk
 *
 * Gets the clock the desk's deadlines run on.
 *
 * Returns: (transfer none): the clock
 */
VescClock *
vesc_desk_get_clock (VescDesk *self)
{
  g_return_val_if_fail (VESC_IS_DESK (self), NULL);

  return self->clock;
}

/**
 * vesc_desk_get_store:
 * @self: a #VescDesk
 *
 * Gets the store every change is recorded in.
 *
 * Returns: (transfer none): the store
 */
VescStore *
vesc_desk_get_store (VescDesk *self)
{
  g_return_val_if_fail (VESC_IS_DESK (self), NULL);

  return self->store;
}

/**
 * vesc_desk_get_escalations:
 * @self: a #VescDesk
 *
 * Gets every escalation the desk runs or ran, as a list model that
 * grows as incidents are opened.
 *
 * The list is the library's own: read it and watch it, never change it.
 *
 * Returns: (transfer none): a list model of every [class@Vesc.Escalation],
 *   open and closed, in the order they were opened
 */
GListModel *
vesc_desk_get_escalations (VescDesk *self)
{
  g_return_val_if_fail (VESC_IS_DESK (self), NULL);

  return G_LIST_MODEL (self->escalations);
}

/**
 * vesc_desk_lookup_escalation:
 * @self: a #VescDesk
 * @incident_id: an incident's id
 *
 * Finds an incident's escalation by the incident's id.
 *
 * Returns: (transfer none) (nullable): the escalation of that incident
 */
VescEscalation *
vesc_desk_lookup_escalation (VescDesk   *self,
                             const char *incident_id)
{
  g_return_val_if_fail (VESC_IS_DESK (self), NULL);
  g_return_val_if_fail (incident_id != NULL, NULL);

  return g_hash_table_lookup (self->by_id, incident_id);
}

/**
 * vesc_desk_lookup_open_for_site:
 * @self: a #VescDesk
 * @site_id: a site's id
 *
 * Finds the open escalation at a site, if it has one.
 *
 * Returns: (transfer none) (nullable): the open escalation at that site
 */
VescEscalation *
vesc_desk_lookup_open_for_site (VescDesk   *self,
                                const char *site_id)
{
  g_return_val_if_fail (VESC_IS_DESK (self), NULL);
  g_return_val_if_fail (site_id != NULL, NULL);

  return g_hash_table_lookup (self->open_by_site, site_id);
}

/* Every incident the desk knows, as the period report counts it. */
static GPtrArray *
collect_summaries (VescDesk *self)
{
  GPtrArray *summaries = g_ptr_array_new_with_free_func ((GDestroyNotify) vesc_summary_free);
  GListModel *model = G_LIST_MODEL (self->escalations);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(VescEscalation) escalation = g_list_model_get_item (model, i);
      g_autofree char *report = vesc_escalation_get_report_json (escalation);
      g_autoptr(JsonNode) node = json_from_string (report, NULL);

      g_ptr_array_add (summaries, vesc_summary_new_from_report (json_node_get_object (node),
                                                                NULL));
    }
  return summaries;
}

static char *
period_report (VescDesk  *self,
               GDateTime *from,
               GDateTime *to,
               gboolean   json)
{
  g_autoptr(GPtrArray) live = collect_summaries (self);
  g_autoptr(GPtrArray) all = g_ptr_array_new ();
  gint64 from_usec = vesc_date_time_to_usec (from);
  gint64 to_usec = vesc_date_time_to_usec (to);

  g_ptr_array_extend (all, self->compacted, NULL, NULL);
  g_ptr_array_extend (all, live, NULL, NULL);
  return json ? vesc_period_report_build_json (all, from_usec, to_usec)
              : vesc_period_report_build_text (all, from_usec, to_usec);
}

/**
 * vesc_desk_get_period_report_json:
 * @self: a #VescDesk
 * @from: the start of the period (included)
 * @to: the end of the period (excluded)
 *
 * Builds the report for the LTSB over the incidents opened in the period,
 * open and closed: incidents per site and per scenario, the reoccurring
 * sites, times to removal and to reconnection, deadlines met and missed,
 * and the list of incidents. The JSON schema
 * ("libvesc-period-report/1") is described in the overview.
 *
 * Returns: (transfer full): the report as a JSON text
 */
char *
vesc_desk_get_period_report_json (VescDesk  *self,
                                  GDateTime *from,
                                  GDateTime *to)
{
  g_return_val_if_fail (VESC_IS_DESK (self), NULL);
  g_return_val_if_fail (from != NULL && to != NULL, NULL);

  return period_report (self, from, to, TRUE);
}

/**
 * vesc_desk_get_period_report_text:
 * @self: a #VescDesk
 * @from: the start of the period (included)
 * @to: the end of the period (excluded)
 *
 * Builds the same report as [method@Vesc.Desk.get_period_report_json], as
 * text for a person to read.
 *
 * Returns: (transfer full): the report
 */
char *
vesc_desk_get_period_report_text (VescDesk  *self,
                                  GDateTime *from,
                                  GDateTime *to)
{
  g_return_val_if_fail (VESC_IS_DESK (self), NULL);
  g_return_val_if_fail (from != NULL && to != NULL, NULL);

  return period_report (self, from, to, FALSE);
}

/**
 * vesc_desk_get_n_pending:
 * @self: a #VescDesk
 *
 * Gets the number of sends handed to notifiers and not yet finished (see
 * [property@Vesc.Desk:n-pending]).
 *
 * Returns: how many sends are handed to notifiers and not yet finished
 */
guint
vesc_desk_get_n_pending (VescDesk *self)
{
  g_return_val_if_fail (VESC_IS_DESK (self), 0);

  return self->outbox ? vesc_outbox_get_n_sending (self->outbox) : 0;
}

/**
 * vesc_desk_get_unmatched_addresses:
 * @self: a #VescDesk
 *
 * Gets the addresses of the detections that no school's subnet
 * contains, each as often as it came.
 *
 * Returns: (transfer none) (array zero-terminated=1): the addresses of
 *   detections that belonged to no school, in the order they came
 */
const char * const *
vesc_desk_get_unmatched_addresses (VescDesk *self)
{
  g_return_val_if_fail (VESC_IS_DESK (self), NULL);

  return (const char * const *) self->unmatched->pdata;
}

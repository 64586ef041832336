/* vesc-escalation.c: the procedure running for one incident
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vesc-escalation-private.h"

#include <glib/gi18n-lib.h>

#include "vesc-clock-private.h"
#include "vesc-deadline-private.h"
#include "vesc-desk-private.h"
#include "vesc-enum-types.h"
#include "vesc-event-private.h"
#include "vesc-incident-private.h"
#include "vesc-site-private.h"
#include "vesc-template-private.h"
#include "vesc-track-private.h"
#include "vesc-util-private.h"

/**
 * VescEscalation:
 *
 * The procedure running for one [class@Vesc.Incident].
 *
 * An escalation walks the steps of its track (minor, or reoccurring and
 * major) and stops where the procedure waits: for a window to pass (the
 * removal window D1, the final window D2), or for a person to give an input
 * (a check result, the decision to disconnect, the clean-up, the
 * reconnection). Each input is a method; an input that is not owed at the
 * current step fails with %VESC_ERROR_WRONG_STEP and changes nothing.
 *
 * Every step, input, notification and deadline goes on the incident's
 * timeline. When a deadline passes, [signal@Vesc.Escalation::deadline-reached]
 * is emitted once, detailed by the deadline's name, after the escalation has
 * moved to the step that follows it, so a handler may give the input that
 * is now owed.
 *
 * Escalations are created by a [class@Vesc.Desk].
 */

struct _VescEscalation
{
  GObject              parent_instance;

  VescDesk            *desk;      /* weak: the desk owns its escalations */
  VescIncident        *incident;
  const VescTrackStep *step;
  gboolean             closed;
  GListStore          *deadlines;
  GHashTable          *visits;    /* step code -> times entered */
  char                *email_1_key;
  VescWindows          windows;
  VescEscalationFacts  facts;

  GQueue               pending;   /* Emission, emitted in order */
  gboolean             emitting;
};

G_DEFINE_FINAL_TYPE (VescEscalation, vesc_escalation, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_INCIDENT,
  PROP_STEP,
  PROP_STEP_KIND,
  PROP_CLOSED,
  PROP_DEADLINES,
  N_PROPS
};

enum {
  DEADLINE_REACHED,
  STEP_CHANGED,
  NOTIFICATION_QUEUED,
  RECIPIENT_MISSING,
  CLOSED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* Signals are queued while the state changes and emitted once it is
 * consistent, so a handler that gives the next input sees the step that
 * owes it; inputs given from a handler queue behind the current ones. */
typedef struct {
  guint     signal;
  GObject  *object;
  char     *text1;
  char     *text2;
  int       number;
} Emission;

static void
emission_free (Emission *emission)
{
  g_clear_object (&emission->object);
  g_free (emission->text1);
  g_free (emission->text2);
  g_free (emission);
}

static void
queue_emission (VescEscalation *self,
                guint           signal,
                gpointer        object,
                const char     *text1,
                const char     *text2,
                int             number)
{
  Emission *emission = g_new0 (Emission, 1);

  emission->signal = signal;
  emission->object = object ? g_object_ref (object) : NULL;
  emission->text1 = g_strdup (text1);
  emission->text2 = g_strdup (text2);
  emission->number = number;
  g_queue_push_tail (&self->pending, emission);
}

/* While the desk replays its journal, what happened then is rebuilt, not
 * announced again: only the desk's own bookkeeping runs. */
static void
replay_one (VescEscalation *self,
            Emission       *emission)
{
  if (emission->signal == CLOSED)
    vesc_desk_escalation_closed (self->desk, self);
  else if (emission->signal == NOTIFICATION_QUEUED)
    vesc_desk_dispatch (self->desk, VESC_NOTIFICATION (emission->object));
}

static void
emit_one (VescEscalation *self,
          Emission       *emission)
{
  if (self->desk != NULL && vesc_desk_is_replaying (self->desk))
    {
      replay_one (self, emission);
      return;
    }

  switch (emission->signal)
    {
    case DEADLINE_REACHED:
      g_signal_emit (self, signals[DEADLINE_REACHED], g_quark_from_string (emission->text1),
                     emission->object);
      break;
    case STEP_CHANGED:
      g_signal_emit (self, signals[STEP_CHANGED], 0, emission->text1, emission->text2);
      break;
    case NOTIFICATION_QUEUED:
      g_signal_emit (self, signals[NOTIFICATION_QUEUED], 0, emission->object);
      if (self->desk != NULL)
        vesc_desk_dispatch (self->desk, VESC_NOTIFICATION (emission->object));
      break;
    case RECIPIENT_MISSING:
      g_signal_emit (self, signals[RECIPIENT_MISSING], 0, emission->number, emission->text1);
      break;
    case CLOSED:
      g_signal_emit (self, signals[CLOSED], 0);
      if (self->desk != NULL)
        vesc_desk_escalation_closed (self->desk, self);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
flush_emissions (VescEscalation *self)
{
  Emission *emission;

  if (self->emitting)
    return;

  g_object_ref (self);
  self->emitting = TRUE;
  while ((emission = g_queue_pop_head (&self->pending)) != NULL)
    {
      emit_one (self, emission);
      emission_free (emission);
    }
  self->emitting = FALSE;
  g_object_unref (self);
}

static gint64
now_usec (VescEscalation *self)
{
  return vesc_desk_now_usec (self->desk);
}

static VescPolicy *
policy (VescEscalation *self)
{
  return vesc_desk_get_policy (self->desk);
}

static void
add_event (VescEscalation *self,
           VescEventKind   kind,
           const char     *actor,
           const char     *detail)
{
  g_autoptr(VescEvent) event = vesc_event_new (now_usec (self), kind, self->step->code,
                                               actor, detail);

  vesc_incident_append_event (self->incident, event);
}

/* ---- the journal ------------------------------------------------------ */

static JsonObject *
record_new (VescEscalation *self,
            const char     *type)
{
  JsonObject *record = json_object_new ();

  json_object_set_string_member (record, "type", type);
  json_object_set_string_member (record, "incident", vesc_incident_get_id (self->incident));
  json_object_set_int_member (record, "at", now_usec (self));
  return record;
}

static gboolean
journal (VescEscalation  *self,
         JsonObject      *record,
         GError         **error)
{
  JsonNode *node = json_node_init_object (json_node_alloc (), record);

  json_object_unref (record);
  return vesc_desk_journal (self->desk, node, error);
}

static gboolean
journal_input (VescEscalation  *self,
               const char      *input,
               const char      *value,
               const char      *actor,
               GError         **error)
{
  JsonObject *record = record_new (self, "input");

  json_object_set_string_member (record, "input", input);
  if (value != NULL)
    json_object_set_string_member (record, "value", value);
  json_object_set_string_member (record, "actor", actor);
  return journal (self, record, error);
}

/* ---- the texts ---------------------------------------------------------- */

static const char *
scenario_text (VescScenario scenario)
{
  switch (scenario)
    {
    case VESC_SCENARIO_MINOR:
      return _("minor");
    case VESC_SCENARIO_REOCCURRING:
      return _("reoccurring");
    case VESC_SCENARIO_MAJOR:
      return _("major");
    default:
      g_assert_not_reached ();
    }
}

static const char *
first_contact_name (VescEscalation *self,
                    VescRole        role)
{
  GListModel *contacts = vesc_directory_get_contacts (vesc_desk_get_directory (self->desk), role);
  g_autoptr(VescRecipient) first = NULL;

  if (contacts == NULL || g_list_model_get_n_items (contacts) == 0)
    return "";
  first = g_list_model_get_item (contacts, 0);
  return vesc_recipient_get_name (first);
}

static const char *
first_contact_email (VescEscalation *self,
                     VescRole        role)
{
  GListModel *contacts = vesc_directory_get_contacts (vesc_desk_get_directory (self->desk), role);
  g_autoptr(VescRecipient) first = NULL;

  if (contacts == NULL || g_list_model_get_n_items (contacts) == 0)
    return "";
  first = g_list_model_get_item (contacts, 0);
  return vesc_recipient_get_email (first);
}

static GTimeSpan
window_of (VescEscalation *self,
           const char     *name)
{
  return g_str_equal (name, "removal") ? self->windows.removal : self->windows.final;
}

/* E-mail 1 announces D1 before M5 arms it: a window not yet set is
 * described as it will be, from now. */
static char *
deadline_due_text (VescEscalation *self,
                   const char     *name)
{
  VescDeadline *deadline = vesc_escalation_lookup_deadline (self, name);
  gint64 due = deadline ? vesc_deadline_due_usec (deadline)
                        : now_usec (self) + window_of (self, name);

  return vesc_desk_format_local_time (self->desk, due);
}

static void
set_var (GHashTable *vars,
         const char *name,
         char       *value)
{
  g_hash_table_insert (vars, (char *) name, value ? value : g_strdup (""));
}

static const char *
outcome_text (VescEscalation *self)
{
  switch (vesc_incident_get_outcome (self->incident))
    {
    case VESC_OUTCOME_DEVICE_REMOVED:
      return _("the device was taken off the network; the site's link was never cut");
    case VESC_OUTCOME_RECONNECTED:
      return _("the site was disconnected, cleaned up and reconnected");
    case VESC_OUTCOME_OPEN:
    default:
      return _("still open");
    }
}

static void
add_people_vars (VescEscalation *self,
                 GHashTable     *vars)
{
  VescSite *site = vesc_incident_get_site (self->incident);

  set_var (vars, "site_id", g_strdup (vesc_site_get_id (site)));
  set_var (vars, "site_name", g_strdup (vesc_site_get_name (site)));
  set_var (vars, "head_teacher_name", g_strdup (vesc_site_get_head_teacher_name (site)));
  set_var (vars, "relationship_manager_name",
           g_strdup (vesc_site_get_relationship_manager_name (site)));
  set_var (vars, "itd_name", g_strdup (first_contact_name (self, VESC_ROLE_ITD)));
  set_var (vars, "itd_email", g_strdup (first_contact_email (self, VESC_ROLE_ITD)));
  set_var (vars, "ltsb_name", g_strdup (first_contact_name (self, VESC_ROLE_LTSB)));
  set_var (vars, "kssc_name", g_strdup (first_contact_name (self, VESC_ROLE_KSSC)));
}

static void
add_time_vars (VescEscalation *self,
               GHashTable     *vars)
{
  const VescEscalationFacts *facts = &self->facts;
  gint64 disconnected_for = -1;

  set_var (vars, "removal_window",
           vesc_format_duration (self->windows.removal));
  set_var (vars, "final_window",
           vesc_format_duration (self->windows.final));
  set_var (vars, "opened_at", vesc_desk_format_local_time (
             self->desk, vesc_incident_opened_usec (self->incident)));
  set_var (vars, "removal_deadline", deadline_due_text (self, "removal"));
  set_var (vars, "final_deadline", deadline_due_text (self, "final"));
  set_var (vars, "email_1_sent_at", vesc_desk_format_local_time (self->desk,
                                                                 facts->email_1_usec));
  set_var (vars, "previous_email_sent_at",
           vesc_desk_format_local_time (self->desk, facts->last_head_email_usec));
  set_var (vars, "decision_at", vesc_desk_format_local_time (self->desk, facts->decision_usec));
  if (facts->disconnected_usec >= 0)
    disconnected_for = (facts->reconnected_usec >= 0 ? facts->reconnected_usec : now_usec (self))
                       - facts->disconnected_usec;
  set_var (vars, "disconnected_for",
           disconnected_for >= 0 ? vesc_format_duration (disconnected_for) : NULL);
}

static GHashTable *
build_vars (VescEscalation *self,
            const char     *check_result)
{
  GHashTable *vars = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  VescIncident *incident = self->incident;
  const VescEscalationFacts *facts = &self->facts;

  set_var (vars, "incident_id", g_strdup (vesc_incident_get_id (incident)));
  set_var (vars, "devices", g_strjoinv (", ", (char **) vesc_incident_get_devices (incident)));
  set_var (vars, "n_devices", g_strdup_printf ("%u", vesc_incident_get_n_devices (incident)));
  set_var (vars, "summary", g_strdup (vesc_incident_get_summary (incident)));
  set_var (vars, "scenario", g_strdup (scenario_text (vesc_incident_get_scenario (incident))));
  set_var (vars, "scenario_reason", g_strdup (vesc_incident_get_scenario_reason (incident)));
  set_var (vars, "step", g_strdup (self->step->code));
  set_var (vars, "check_result", g_strdup (check_result));
  set_var (vars, "decision", facts->decision_usec < 0 ? NULL :
           g_strdup (facts->decision ? _("disconnect the site from CIN")
                                     : _("do not disconnect the site")));
  set_var (vars, "decision_by", g_strdup (facts->decision_by));
  set_var (vars, "outcome", g_strdup (outcome_text (self)));
  set_var (vars, "report", NULL);
  add_people_vars (self, vars);
  add_time_vars (self, vars);
  return vars;
}

/* ---- notifications ------------------------------------------------------ */

static void
recipient_missing (VescEscalation *self,
                   VescRole        role,
                   const char     *template_id)
{
  g_autofree char *detail = NULL;
  GEnumClass *roles = g_type_class_ref (VESC_TYPE_ROLE);

  detail = g_strdup_printf (_("Nobody to send “%s” to in the role “%s”: the directory has no "
                              "e-mail address for it"), template_id,
                            g_enum_get_value (roles, role)->value_nick);
  g_type_class_unref (roles);
  add_event (self, VESC_EVENT_KIND_WARNING, "libvesc", detail);
  queue_emission (self, RECIPIENT_MISSING, NULL, template_id, NULL, role);
}

static void
add_site_person (VescNotification *notification,
                 VescRole          role,
                 const char       *name,
                 const char       *email,
                 gboolean         *found)
{
  g_autoptr(VescRecipient) recipient = NULL;

  if (email == NULL || *email == '\0')
    return;
  recipient = vesc_recipient_new (role, name ? name : "", email, NULL);
  if (recipient == NULL)
    return;
  vesc_notification_add_recipient (notification, recipient);
  *found = TRUE;
}

static gboolean
add_role (VescEscalation   *self,
          VescNotification *notification,
          VescRole          role)
{
  VescSite *site = vesc_incident_get_site (self->incident);
  GListModel *contacts;
  gboolean found = FALSE;

  if (role == VESC_ROLE_HEAD_TEACHER)
    add_site_person (notification, role, vesc_site_get_head_teacher_name (site),
                     vesc_site_get_head_teacher_email (site), &found);
  else if (role == VESC_ROLE_RELATIONSHIP_MANAGER)
    add_site_person (notification, role, vesc_site_get_relationship_manager_name (site),
                     vesc_site_get_relationship_manager_email (site), &found);
  else
    {
      contacts = vesc_directory_get_contacts (vesc_desk_get_directory (self->desk), role);
      for (guint i = 0; contacts != NULL && i < g_list_model_get_n_items (contacts); i++)
        {
          g_autoptr(VescRecipient) contact = g_list_model_get_item (contacts, i);

          vesc_notification_add_recipient (notification, contact);
          found = TRUE;
        }
    }
  return found;
}

static char *
next_key (VescEscalation *self,
          const char     *template_id)
{
  guint visits = GPOINTER_TO_UINT (g_hash_table_lookup (self->visits, self->step->code));

  if (visits <= 1)
    return g_strdup_printf ("%s/%s/%s", vesc_incident_get_id (self->incident),
                            self->step->code, template_id);
  return g_strdup_printf ("%s/%s#%u/%s", vesc_incident_get_id (self->incident),
                          self->step->code, visits, template_id);
}

static VescNotification *
render_notification (VescEscalation *self,
                     const char     *check_result,
                     const char     *report)
{
  const char *template_id = self->step->template_id;
  g_autoptr(GHashTable) vars = build_vars (self, check_result);
  g_autofree char *subject = NULL;
  g_autofree char *body = NULL;
  g_autofree char *key = NULL;
  g_autoptr(GDateTime) now = vesc_date_time_new_from_usec (now_usec (self));
  g_autoptr(GError) error = NULL;

  if (report != NULL)
    set_var (vars, "report", g_strdup (report));
  if (!vesc_template_render (vesc_policy_get_template_dir (policy (self)), template_id, vars,
                             &subject, &body, &error))
    {
      add_event (self, VESC_EVENT_KIND_WARNING, "libvesc", error->message);
      return NULL;
    }
  key = next_key (self, template_id);
  return vesc_notification_new (key, vesc_incident_get_id (self->incident), self->step->code,
                                template_id, subject, body, now);
}

static void
address_notification (VescEscalation   *self,
                      VescNotification *notification)
{
  GListModel *itd = vesc_directory_get_contacts (vesc_desk_get_directory (self->desk),
                                                 VESC_ROLE_ITD);

  for (guint role = 0; role <= VESC_ROLE_LTSB; role++)
    if ((self->step->recipients & VESC_ROLE_BIT (role)) != 0 &&
        !add_role (self, notification, role))
      recipient_missing (self, role, self->step->template_id);

  if (itd != NULL && g_list_model_get_n_items (itd) > 0)
    {
      g_autoptr(VescRecipient) sender = g_list_model_get_item (itd, 0);
      vesc_notification_set_sender (notification, sender);
    }
  if ((self->step->flags & VESC_STEP_FLAG_REPLY) != 0 && self->email_1_key != NULL)
    vesc_notification_set_reply_to_key (notification, self->email_1_key);
}

static void
note_head_email (VescEscalation   *self,
                 VescNotification *notification)
{
  if ((self->step->recipients & VESC_ROLE_BIT (VESC_ROLE_HEAD_TEACHER)) == 0)
    return;

  if (self->email_1_key == NULL && g_str_equal (self->step->template_id, "email-1"))
    {
      self->email_1_key = g_strdup (vesc_notification_get_key (notification));
      self->facts.email_1_usec = now_usec (self);
    }
  self->facts.last_head_email_usec = now_usec (self);
}

static void
send_step_message (VescEscalation *self,
                   const char     *check_result,
                   const char     *report)
{
  g_autoptr(VescNotification) notification = NULL;
  g_autofree char *detail = NULL;
  g_autoptr(GString) to = g_string_new (NULL);
  GListModel *recipients;

  if (self->step->template_id == NULL)
    return;
  notification = render_notification (self, check_result, report);
  if (notification == NULL)
    return;
  address_notification (self, notification);
  recipients = vesc_notification_get_recipients (notification);
  if (g_list_model_get_n_items (recipients) == 0)
    return;

  for (guint i = 0; i < g_list_model_get_n_items (recipients); i++)
    {
      g_autoptr(VescRecipient) recipient = g_list_model_get_item (recipients, i);
      g_string_append_printf (to, "%s%s", i ? ", " : "", vesc_recipient_get_email (recipient));
    }
  detail = g_strdup_printf (_("“%s” sent to %s"), vesc_notification_get_subject (notification),
                            to->str);
  add_event (self, VESC_EVENT_KIND_NOTIFICATION, "libvesc", detail);
  note_head_email (self, notification);
  queue_emission (self, NOTIFICATION_QUEUED, notification, NULL, NULL, 0);
}

/* ---- deadlines ---------------------------------------------------------- */

static void deadline_fired (VescClock *clock, gpointer user_data);

typedef struct {
  VescEscalation *self;  /* weak: the alarm is removed before the escalation goes */
  VescDeadline   *deadline;
} AlarmData;

static void
alarm_data_free (gpointer data)
{
  AlarmData *alarm = data;

  g_object_unref (alarm->deadline);
  g_free (alarm);
}

static VescDeadline *
arm_deadline (VescEscalation   *self,
              const char       *name,
              VescDeadlineKind  kind,
              gint64            due_usec)
{
  g_autoptr(VescDeadline) deadline = vesc_deadline_new (name, kind, due_usec);
  g_autofree char *due_text = vesc_desk_format_local_time (self->desk, due_usec);
  g_autofree char *detail = NULL;
  AlarmData *alarm = g_new0 (AlarmData, 1);

  alarm->self = self;
  alarm->deadline = g_object_ref (deadline);
  vesc_deadline_set_alarm_id (deadline, vesc_clock_add_alarm_usec (
                                vesc_desk_get_clock (self->desk), due_usec, deadline_fired,
                                alarm, alarm_data_free));
  g_list_store_append (self->deadlines, deadline);

  detail = g_strdup_printf (_("Deadline “%s” set for %s"), name, due_text);
  add_event (self, VESC_EVENT_KIND_DEADLINE_ARMED, "libvesc", detail);
  return deadline;
}

static void
arm_window (VescEscalation *self,
            const char     *name)
{
  GTimeSpan window = window_of (self, name);
  GTimeSpan lead = self->windows.warning_lead;
  gint64 due = now_usec (self) + window;
  g_autofree char *warning = g_strdup_printf ("%s-warning", name);

  if (lead > 0 && lead < window)
    arm_deadline (self, warning, VESC_DEADLINE_KIND_WARNING, due - lead);
  arm_deadline (self, name, VESC_DEADLINE_KIND_WINDOW, due);
}

static void
arm_reminder (VescEscalation *self,
              const char     *name)
{
  GTimeSpan delay = self->windows.reminder_delay;

  if (delay > 0)
    arm_deadline (self, name, VESC_DEADLINE_KIND_REMINDER, now_usec (self) + delay);
}

static void
cancel_deadline (VescEscalation *self,
                 VescDeadline   *deadline,
                 gboolean        record)
{
  g_autofree char *detail = NULL;

  if (!vesc_deadline_is_pending (deadline))
    return;

  vesc_clock_remove_alarm (vesc_desk_get_clock (self->desk),
                           vesc_deadline_get_alarm_id (deadline));
  vesc_deadline_set_alarm_id (deadline, 0);
  vesc_deadline_set_outcome (deadline, VESC_DEADLINE_OUTCOME_CANCELLED);
  if (!record)
    return;
  detail = g_strdup_printf (_("Deadline “%s” withdrawn"), vesc_deadline_get_name (deadline));
  add_event (self, VESC_EVENT_KIND_DEADLINE_CANCELLED, "libvesc", detail);
}

/* Withdraws pending deadlines of @kind, or of every kind when @kind < 0. */
static void
cancel_pending (VescEscalation *self,
                int             kind,
                gboolean        record)
{
  GListModel *model = G_LIST_MODEL (self->deadlines);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(VescDeadline) deadline = g_list_model_get_item (model, i);

      if (kind < 0 || vesc_deadline_get_kind (deadline) == (VescDeadlineKind) kind)
        cancel_deadline (self, deadline, record);
    }
}

/* The window that ended last, whose outcome a check now decides. */
static VescDeadline *
last_window (VescEscalation *self)
{
  GListModel *model = G_LIST_MODEL (self->deadlines);

  for (guint i = g_list_model_get_n_items (model); i > 0; i--)
    {
      g_autoptr(VescDeadline) deadline = g_list_model_get_item (model, i - 1);

      if (vesc_deadline_get_kind (deadline) == VESC_DEADLINE_KIND_WINDOW)
        return deadline;
    }
  return NULL;
}

/* ---- walking the track -------------------------------------------------- */

static void close_escalation (VescEscalation *self);

static void
set_step (VescEscalation      *self,
          const VescTrackStep *step)
{
  const char *old = self->step ? self->step->code : NULL;
  guint visits = GPOINTER_TO_UINT (g_hash_table_lookup (self->visits, step->code));

  g_hash_table_insert (self->visits, (char *) step->code, GUINT_TO_POINTER (visits + 1));
  queue_emission (self, STEP_CHANGED, NULL, old, step->code, 0);
  self->step = step;
  add_event (self, VESC_EVENT_KIND_STEP, "libvesc", g_dgettext (GETTEXT_PACKAGE, step->title));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STEP_KIND]);
}

static void
disconnect_site (VescEscalation *self)
{
  VescSite *site = vesc_incident_get_site (self->incident);

  self->facts.disconnected_usec = now_usec (self);
  vesc_site_set_cin_state (site, VESC_CIN_STATE_DISCONNECTED);
  add_event (self, VESC_EVENT_KIND_STEP, "ITD", _("The site's CIN link is disconnected"));
}

static void
skip_kssc (VescEscalation *self)
{
  add_event (self, VESC_EVENT_KIND_STEP, "libvesc",
             _("KSSC does not support this site: nothing sent"));
}

/* Runs the entry action of the current step; returns whether the track
 * goes straight on to the next step. */
static gboolean
run_step (VescEscalation *self)
{
  const VescTrackStep *step = self->step;
  VescSite *site = vesc_incident_get_site (self->incident);

  switch (step->kind)
    {
    case VESC_STEP_KIND_OPEN:
      return TRUE;
    case VESC_STEP_KIND_NOTIFY:
      if ((step->flags & VESC_STEP_FLAG_IF_KSSC) && !vesc_site_get_kssc_supported (site))
        skip_kssc (self);
      else
        send_step_message (self, NULL, NULL);
      return TRUE;
    case VESC_STEP_KIND_WAIT:
      arm_window (self, step->deadline);
      send_step_message (self, NULL, NULL);
      return FALSE;
    case VESC_STEP_KIND_CHECK:
      arm_reminder (self, "check-reminder");
      return FALSE;
    case VESC_STEP_KIND_DECISION:
      arm_reminder (self, "decision-reminder");
      return FALSE;
    case VESC_STEP_KIND_DISCONNECT:
      send_step_message (self, NULL, NULL);
      disconnect_site (self);
      return TRUE;
    case VESC_STEP_KIND_CLEAN_UP:
    case VESC_STEP_KIND_RECONNECT:
      return FALSE;
    case VESC_STEP_KIND_REPORT:
      close_escalation (self);
      return FALSE;
    case VESC_STEP_KIND_CLOSED:
    default:
      g_assert_not_reached ();
    }
}

static void
enter_step (VescEscalation *self,
            const char     *code)
{
  const VescTrackStep *step = vesc_track_lookup (code);

  g_assert (step != NULL);
  for (;;)
    {
      set_step (self, step);
      if (!run_step (self) || step->next == NULL)
        return;
      step = vesc_track_lookup (step->next);
      g_assert (step != NULL);
    }
}

static void
close_escalation (VescEscalation *self)
{
  g_autofree char *report = NULL;
  VescOutcome outcome = self->facts.disconnected_usec >= 0 ? VESC_OUTCOME_RECONNECTED
                                                           : VESC_OUTCOME_DEVICE_REMOVED;

  cancel_pending (self, -1, TRUE);
  vesc_incident_close (self->incident, now_usec (self), outcome);
  self->closed = TRUE;
  add_event (self, VESC_EVENT_KIND_CLOSED, "libvesc", outcome_text (self));
  report = vesc_report_build_text (self);
  send_step_message (self, NULL, report);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CLOSED]);
  queue_emission (self, CLOSED, NULL, NULL, NULL, 0);
}

/* Everything a deadline's passing changes; shared by the clock and the
 * replay of the journal. */
static void
pass_deadline (VescEscalation *self,
               VescDeadline   *deadline)
{
  const char *name = vesc_deadline_get_name (deadline);
  g_autofree char *detail = NULL;

  vesc_deadline_mark_fired (deadline, now_usec (self));
  detail = vesc_deadline_get_late (deadline)
           ? g_strdup_printf (_("Deadline “%s” passed (signalled late)"), name)
           : g_strdup_printf (_("Deadline “%s” passed"), name);
  add_event (self, VESC_EVENT_KIND_DEADLINE_REACHED, "libvesc", detail);

  if (vesc_deadline_get_kind (deadline) == VESC_DEADLINE_KIND_WINDOW)
    enter_step (self, self->step->next);

  queue_emission (self, DEADLINE_REACHED, deadline, name, NULL, 0);
  flush_emissions (self);
}

static void
deadline_fired (VescClock *clock,
                gpointer   user_data)
{
  AlarmData *alarm = user_data;
  VescEscalation *self = alarm->self;
  VescDeadline *deadline = alarm->deadline;
  JsonObject *record = record_new (self, "deadline");
  g_autoptr(GError) error = NULL;

  json_object_set_string_member (record, "name", vesc_deadline_get_name (deadline));
  json_object_set_int_member (record, "due", vesc_deadline_due_usec (deadline));
  if (!journal (self, record, &error))
    g_warning ("Could not record that deadline “%s” of %s passed: %s",
               vesc_deadline_get_name (deadline), vesc_incident_get_id (self->incident),
               error->message);
  pass_deadline (self, deadline);
}

gboolean
vesc_escalation_replay_deadline (VescEscalation  *self,
                                 const char      *name,
                                 GError         **error)
{
  VescDeadline *deadline = vesc_escalation_lookup_deadline (self, name);

  if (deadline == NULL || !vesc_deadline_is_pending (deadline))
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_PARSE,
                   _("Incident %s has no pending deadline “%s” to pass"),
                   vesc_incident_get_id (self->incident), name);
      return FALSE;
    }
  vesc_clock_remove_alarm (vesc_desk_get_clock (self->desk), vesc_deadline_get_alarm_id (deadline));
  vesc_deadline_set_alarm_id (deadline, 0);
  pass_deadline (self, deadline);
  return TRUE;
}

/* ---- inputs ------------------------------------------------------------- */

static gboolean
check_open (VescEscalation  *self,
            GError         **error)
{
  /* No desk: it was disposed, or the escalation was never made by one. */
  if (self->desk == NULL)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_CLOSED,
                   _("Incident %s has no desk running it; it takes no more input"),
                   self->incident ? vesc_incident_get_id (self->incident) : "(none)");
      return FALSE;
    }
  if (!self->closed)
    return TRUE;

  g_set_error (error, VESC_ERROR, VESC_ERROR_CLOSED,
               _("Incident %s is closed and takes no more input"),
               vesc_incident_get_id (self->incident));
  return FALSE;
}

static gboolean
check_actor (const char  *actor,
             GError     **error)
{
  if (actor == NULL || *actor == '\0')
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                           _("Say who gave the input: the actor is empty"));
      return FALSE;
    }
  return vesc_validate_header_value (actor, _("The actor"), error);
}

static gboolean
wrong_step (VescEscalation  *self,
            const char      *input,
            GError         **error)
{
  g_set_error (error, VESC_ERROR, VESC_ERROR_WRONG_STEP,
               _("Incident %s is at step %s (%s): %s is not owed now"),
               vesc_incident_get_id (self->incident), self->step->code,
               g_dgettext (GETTEXT_PACKAGE, self->step->title), input);
  return FALSE;
}

#define KIND(kind) (1u << (kind))

/* The start of every input: the escalation is open, the actor valid, the
 * input owed at this step (one of @kinds; 0 means at any step), and it is
 * journaled before it takes effect. */
static gboolean
begin_input (VescEscalation  *self,
             guint            kinds,
             const char      *what,
             const char      *actor,
             const char      *input,
             const char      *value,
             GError         **error)
{
  if (!check_open (self, error) || !check_actor (actor, error))
    return FALSE;
  if (kinds != 0 && (kinds & KIND (self->step->kind)) == 0)
    return wrong_step (self, what, error);
  return journal_input (self, input, value, actor, error);
}

static void
finish_check (VescEscalation  *self,
              VescCheckResult  result,
              const char      *actor)
{
  VescDeadline *window = last_window (self);
  const char *result_text = result == VESC_CHECK_RESULT_PRESENT
                            ? _("the device is still on the network")
                            : _("the device is no longer on the network");
  g_autofree char *detail = g_strdup_printf (_("ITD check: %s"), result_text);

  add_event (self, VESC_EVENT_KIND_INPUT, actor, detail);
  cancel_pending (self, VESC_DEADLINE_KIND_REMINDER, FALSE);
  if (window != NULL && vesc_deadline_get_outcome (window) == VESC_DEADLINE_OUTCOME_PENDING)
    vesc_deadline_set_outcome (window, result == VESC_CHECK_RESULT_ABSENT
                                       ? VESC_DEADLINE_OUTCOME_MET
                                       : VESC_DEADLINE_OUTCOME_MISSED);
  send_step_message (self, result_text, NULL);
  if (result == VESC_CHECK_RESULT_ABSENT)
    self->facts.removed_usec = now_usec (self);
  enter_step (self, result == VESC_CHECK_RESULT_PRESENT ? self->step->next : self->step->other);
}

/* A check while a window still runs: recorded; a confirmed removal ends the
 * ladder only where the policy says so. */
static void
early_check (VescEscalation  *self,
             VescCheckResult  result,
             const char      *actor)
{
  VescDeadline *window = last_window (self);
  gboolean ends = result == VESC_CHECK_RESULT_ABSENT &&
                  vesc_policy_get_early_check_ends_ladder (policy (self));

  add_event (self, VESC_EVENT_KIND_INPUT, actor,
             result == VESC_CHECK_RESULT_PRESENT
             ? _("Early ITD check: the device is still on the network")
             : ends ? _("Early ITD check: the device is gone; the ladder ends")
                    : _("Early ITD check: the device is gone; the check at the deadline confirms it"));
  if (!ends)
    return;

  cancel_pending (self, -1, TRUE);
  if (window != NULL)
    vesc_deadline_set_outcome (window, VESC_DEADLINE_OUTCOME_MET);
  self->facts.removed_usec = now_usec (self);
  enter_step (self, "X1");
}

/**
 * vesc_escalation_record_check:
 * @self: a #VescEscalation
 * @result: what ITD found
 * @actor: who checked (a person, or the name of a probe)
 * @error: return location for a #GError
 *
 * Records ITD's check of whether the device is still on the network.
 *
 * The check is owed once a window has passed (steps M6 and M9): a device
 * still present moves the ladder on, a device gone ends it (the Principal
 * Manager is informed and the report is produced). A check may also be
 * recorded while a window runs; it then ends the ladder at once only if
 * [property@Vesc.Policy:early-check-ends-ladder] is set.
 *
 * Returns: %TRUE if the check was recorded
 */
gboolean
vesc_escalation_record_check (VescEscalation   *self,
                              VescCheckResult   result,
                              const char       *actor,
                              GError          **error)
{
  g_return_val_if_fail (VESC_IS_ESCALATION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_input (self, KIND (VESC_STEP_KIND_CHECK) | KIND (VESC_STEP_KIND_WAIT), _("a check"),
                    actor, "check", result == VESC_CHECK_RESULT_PRESENT ? "present" : "absent",
                    error))
    return FALSE;

  if (self->step->kind == VESC_STEP_KIND_CHECK)
    finish_check (self, result, actor);
  else
    early_check (self, result, actor);
  flush_emissions (self);
  return TRUE;
}

/**
 * vesc_escalation_report_removal:
 * @self: a #VescEscalation
 * @actor: who reports it (the school, the support team)
 * @error: return location for a #GError
 *
 * Records that someone says the device has been taken off the network.
 * It goes on the timeline; ITD's check (see
 * [method@Vesc.Escalation.record_check]) is what confirms it.
 *
 * Returns: %TRUE if the report was recorded
 */
gboolean
vesc_escalation_report_removal (VescEscalation  *self,
                                const char      *actor,
                                GError         **error)
{


  g_return_val_if_fail (VESC_IS_ESCALATION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_input (self, KIND (VESC_STEP_KIND_WAIT) | KIND (VESC_STEP_KIND_CHECK),
                    _("a report of removal"), actor, "removal", NULL, error))
    return FALSE;

  add_event (self, VESC_EVENT_KIND_INPUT, actor,
             _("Reported that the device was taken off the network; ITD's check confirms it"));
  flush_emissions (self);
  return TRUE;
}

/**
 * vesc_escalation_decide:
 * @self: a #VescEscalation
 * @disconnect: %TRUE to shut the site's CIN link
 * @actor: who made the decision
 * @error: return location for a #GError
 *
 * Records the decision whether to disconnect the site (steps M10 and R2),
 * with who made it and when.
 *
 * Deciding to disconnect sends the disconnection e-mail and marks the
 * site's link as disconnected. Deciding not to: on the reoccurring and
 * major track the incident continues on the minor ladder from M3 (e-mail 1
 * and the removal window); on the minor track the school gets another final
 * window (e-mail 2 again).
 *
 * Returns: %TRUE if the decision was recorded
 */
gboolean
vesc_escalation_decide (VescEscalation  *self,
                        gboolean         disconnect,
                        const char      *actor,
                        GError         **error)
{
  g_autofree char *detail = NULL;

  g_return_val_if_fail (VESC_IS_ESCALATION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_input (self, KIND (VESC_STEP_KIND_DECISION), _("a decision"), actor, "decision",
                    disconnect ? "disconnect" : "keep", error))
    return FALSE;

  self->facts.decision = !!disconnect;
  self->facts.decision_usec = now_usec (self);
  g_free (self->facts.decision_by);
  self->facts.decision_by = g_strdup (actor);
  detail = g_strdup (disconnect ? _("Decision: disconnect the site from CIN")
                                : _("Decision: do not disconnect the site"));
  add_event (self, VESC_EVENT_KIND_INPUT, actor, detail);
  cancel_pending (self, VESC_DEADLINE_KIND_REMINDER, FALSE);
  enter_step (self, disconnect ? self->step->next : self->step->other);
  flush_emissions (self);
  return TRUE;
}

/**
 * vesc_escalation_report_clean:
 * @self: a #VescEscalation
 * @actor: who reports it (usually the support team)
 * @error: return location for a #GError
 *
 * Records that the support team has cleaned up the disconnected site
 * (steps M12 and R7); the reconnection is then owed.
 *
 * Returns: %TRUE if the report was recorded
 */
gboolean
vesc_escalation_report_clean (VescEscalation  *self,
                              const char      *actor,
                              GError         **error)
{


  g_return_val_if_fail (VESC_IS_ESCALATION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_input (self, KIND (VESC_STEP_KIND_CLEAN_UP), _("a report that the site is clean"),
                    actor, "clean", NULL, error))
    return FALSE;

  self->facts.clean_usec = now_usec (self);
  add_event (self, VESC_EVENT_KIND_INPUT, actor, _("The site has been cleaned up"));
  enter_step (self, self->step->next);
  flush_emissions (self);
  return TRUE;
}

/**
 * vesc_escalation_reconnect:
 * @self: a #VescEscalation
 * @actor: who reconnected the site (usually ITD)
 * @error: return location for a #GError
 *
 * Records that ITD has reconnected the clean site to CIN (steps M13 and
 * R8). The Principal Manager is informed, the report is produced and the
 * escalation closes.
 *
 * Returns: %TRUE if the reconnection was recorded
 */
gboolean
vesc_escalation_reconnect (VescEscalation  *self,
                           const char      *actor,
                           GError         **error)
{
  VescSite *site;


  g_return_val_if_fail (VESC_IS_ESCALATION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!begin_input (self, KIND (VESC_STEP_KIND_RECONNECT), _("a reconnection"), actor,
                    "reconnect", NULL, error))
    return FALSE;

  site = vesc_incident_get_site (self->incident);
  self->facts.reconnected_usec = now_usec (self);
  vesc_site_set_cin_state (site, VESC_CIN_STATE_CONNECTED);
  add_event (self, VESC_EVENT_KIND_INPUT, actor, _("The site's CIN link is reconnected"));
  enter_step (self, self->step->next);
  flush_emissions (self);
  return TRUE;
}

static void
upgrade (VescEscalation *self,
         const char     *reason,
         const char     *actor)
{
  g_autofree char *detail = NULL;

  if (vesc_incident_get_scenario (self->incident) != VESC_SCENARIO_MINOR)
    return;

  vesc_incident_set_scenario (self->incident, VESC_SCENARIO_MAJOR, reason);
  if (!vesc_track_can_upgrade_from (self->step))
    {
      detail = g_strdup_printf (_("Upgraded to major (%s); the disconnect decision is already "
                                  "in hand"), reason);
      add_event (self, VESC_EVENT_KIND_UPGRADE, actor, detail);
      return;
    }
  detail = g_strdup_printf (_("Upgraded to major (%s): the ladder jumps to the disconnect "
                              "decision"), reason);
  add_event (self, VESC_EVENT_KIND_UPGRADE, actor, detail);
  cancel_pending (self, -1, TRUE);
  enter_step (self, vesc_track_upgrade_target ()->code);
}

/**
 * vesc_escalation_mark_threat:
 * @self: a #VescEscalation
 * @reason: why it threatens the whole network
 * @actor: who marks it
 * @error: return location for a #GError
 *
 * Marks the incident as an immediate threat to every other network user.
 * A running minor incident is upgraded to major at once: its windows are
 * withdrawn and it jumps to the disconnect decision; the timeline says why.
 *
 * Returns: %TRUE if the mark was recorded
 */
gboolean
vesc_escalation_mark_threat (VescEscalation  *self,
                             const char      *reason,
                             const char      *actor,
                             GError         **error)
{
  g_autofree char *why = NULL;

  g_return_val_if_fail (VESC_IS_ESCALATION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (reason == NULL || *reason == '\0')
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                           _("Say why the incident threatens the network: the reason is empty"));
      return FALSE;
    }
  if (!begin_input (self, 0, _("a threat mark"), actor, "threat", reason, error))
    return FALSE;

  why = g_strdup_printf (_("marked as a threat to the network: %s"), reason);
  vesc_incident_set_threat (self->incident, TRUE);
  add_event (self, VESC_EVENT_KIND_INPUT, actor, why);
  upgrade (self, why, actor);
  flush_emissions (self);
  return TRUE;
}

static gboolean
validate_device (const char  *device,
                 GError     **error)
{
  if (*device == '\0')
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                           _("A device needs an address or a host name: it is empty"));
      return FALSE;
    }
  return vesc_validate_header_value (device, _("The device"), error);
}

static void
check_threshold (VescEscalation *self,
                 const char     *actor)
{
  VescPolicy *p = policy (self);
  guint n = vesc_incident_get_n_devices (self->incident);
  guint threshold = vesc_policy_get_machine_threshold (p);
  g_autofree char *why = NULL;

  if (!vesc_policy_get_major_at_threshold (p) || n < threshold)
    return;

  why = g_strdup_printf (_("%u machines reached the threshold of %u"), n, threshold);
  upgrade (self, why, actor);
}

/**
 * vesc_escalation_add_device:
 * @self: a #VescEscalation
 * @device: the device's address or host name
 * @actor: who found it (a person, or the detection's source)
 * @error: return location for a #GError
 *
 * Adds a device to the incident. A device already known is not counted
 * again; its new sighting goes on the timeline. When the number of devices
 * reaches the policy's machine threshold, a running minor incident is
 * upgraded to major (see [property@Vesc.Policy:major-at-threshold]).
 *
 * Returns: %TRUE if the device was recorded
 */
gboolean
vesc_escalation_add_device (VescEscalation  *self,
                            const char      *device,
                            const char      *actor,
                            GError         **error)
{
  g_autofree char *detail = NULL;
  gboolean known;

  g_return_val_if_fail (VESC_IS_ESCALATION (self), FALSE);
  g_return_val_if_fail (device != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!validate_device (device, error) ||
      !begin_input (self, 0, _("a device"), actor, "device", device, error))
    return FALSE;

  known = !vesc_incident_add_device (self->incident, device);
  detail = g_strdup_printf (known ? _("Device %s seen again") : _("Device %s added"), device);
  add_event (self, VESC_EVENT_KIND_DEVICE, actor, detail);
  if (!known)
    check_threshold (self, actor);
  flush_emissions (self);
  return TRUE;
}

/* ---- life cycle --------------------------------------------------------- */

VescEscalation *
vesc_escalation_new (VescDesk          *desk,
                     VescIncident      *incident,
                     const VescWindows *windows)
{
  VescEscalation *self = g_object_new (VESC_TYPE_ESCALATION, NULL);

  self->desk = desk;
  self->incident = g_object_ref (incident);
  self->windows = *windows;
  return self;
}

void
vesc_escalation_start (VescEscalation *self,
                       const char     *actor)
{
  const VescTrackStep *first = vesc_track_first (vesc_incident_get_scenario (self->incident));
  const char * const *devices = vesc_incident_get_devices (self->incident);
  g_autofree char *opened = NULL;

  set_step (self, first);
  opened = g_strdup_printf (_("Opened: %s; %s scenario, because %s"),
                            vesc_incident_get_summary (self->incident),
                            scenario_text (vesc_incident_get_scenario (self->incident)),
                            vesc_incident_get_scenario_reason (self->incident));
  add_event (self, VESC_EVENT_KIND_INPUT, actor, opened);
  for (guint i = 0; devices[i] != NULL; i++)
    {
      g_autofree char *detail = g_strdup_printf (_("Device %s added"), devices[i]);
      add_event (self, VESC_EVENT_KIND_DEVICE, actor, detail);
    }
  if (run_step (self) && first->next != NULL)
    enter_step (self, first->next);
  flush_emissions (self);
}

void
vesc_escalation_add_warning (VescEscalation *self,
                             const char     *detail)
{
  add_event (self, VESC_EVENT_KIND_WARNING, "libvesc", detail);
}

void
vesc_escalation_detach (VescEscalation *self)
{
  if (self->desk != NULL)
    cancel_pending (self, -1, FALSE);
  self->desk = NULL;
}

const VescEscalationFacts *
vesc_escalation_get_facts (VescEscalation *self)
{
  return &self->facts;
}

static void
vesc_escalation_dispose (GObject *object)
{
  VescEscalation *self = VESC_ESCALATION (object);

  vesc_escalation_detach (self);
  g_queue_clear_full (&self->pending, (GDestroyNotify) emission_free);

  G_OBJECT_CLASS (vesc_escalation_parent_class)->dispose (object);
}

static void
vesc_escalation_finalize (GObject *object)
{
  VescEscalation *self = VESC_ESCALATION (object);

  g_clear_object (&self->incident);
  g_clear_object (&self->deadlines);
  g_hash_table_unref (self->visits);
  g_free (self->email_1_key);
  g_free (self->facts.decision_by);

  G_OBJECT_CLASS (vesc_escalation_parent_class)->finalize (object);
}

static void
vesc_escalation_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  VescEscalation *self = VESC_ESCALATION (object);

  switch (prop_id)
    {
    case PROP_INCIDENT:
      g_value_set_object (value, self->incident);
      break;
    case PROP_STEP:
      g_value_set_string (value, vesc_escalation_get_step (self));
      break;
    case PROP_STEP_KIND:
      g_value_set_enum (value, vesc_escalation_get_step_kind (self));
      break;
    case PROP_CLOSED:
      g_value_set_boolean (value, self->closed);
      break;
    case PROP_DEADLINES:
      g_value_set_object (value, self->deadlines);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_escalation_class_init (VescEscalationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = vesc_escalation_dispose;
  object_class->finalize = vesc_escalation_finalize;
  object_class->get_property = vesc_escalation_get_property;

  /**
   * VescEscalation:incident:
   *
   * The incident the procedure runs for.
   */
  properties[PROP_INCIDENT] = g_param_spec_object ("incident", NULL, NULL, VESC_TYPE_INCIDENT,
                                                   flags);
  /**
   * VescEscalation:step:
   *
   * The code of the current step ("M5", "R2"), as in the procedure.
   */
  properties[PROP_STEP] = g_param_spec_string ("step", NULL, NULL, NULL, flags);
  /**
   * VescEscalation:step-kind:
   *
   * What the current step is waiting for, or %VESC_STEP_KIND_CLOSED.
   */
  properties[PROP_STEP_KIND] = g_param_spec_enum ("step-kind", NULL, NULL, VESC_TYPE_STEP_KIND,
                                                  VESC_STEP_KIND_OPEN, flags);
  /**
   * VescEscalation:closed:
   *
   * Whether the escalation has ended.
   */
  properties[PROP_CLOSED] = g_param_spec_boolean ("closed", NULL, NULL, FALSE, flags);
  /**
   * VescEscalation:deadlines:
   *
   * Every deadline set so far, a [iface@Gio.ListModel] of
   * [class@Vesc.Deadline] in the order they were set.
   */
  properties[PROP_DEADLINES] = g_param_spec_object ("deadlines", NULL, NULL, G_TYPE_LIST_MODEL,
                                                    flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * VescEscalation::deadline-reached:
   * @self: the escalation
   * @deadline: the deadline that passed
   *
   * Emitted once when a deadline passes, with the deadline's name as the
   * detail ("removal", "final", "removal-warning", "final-warning",
   * "check-reminder", "decision-reminder"). When a window ends the
   * escalation has already moved to the step that follows it, so a handler
   * can record the check that is now owed.
   */
  signals[DEADLINE_REACHED] =
    g_signal_new ("deadline-reached", G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, VESC_TYPE_DEADLINE);
  /**
   * VescEscalation::step-changed:
   * @self: the escalation
   * @old_step: (nullable): the step it left, or %NULL at the start
   * @new_step: the step it entered
   *
   * Emitted for each step the escalation enters, in order.
   */
  signals[STEP_CHANGED] =
    g_signal_new ("step-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * VescEscalation::notification-queued:
   * @self: the escalation
   * @notification: the message
   *
   * Emitted for each message the procedure sends, before the desk hands it
   * to its notifiers.
   */
  signals[NOTIFICATION_QUEUED] =
    g_signal_new ("notification-queued", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, VESC_TYPE_NOTIFICATION);
  /**
   * VescEscalation::recipient-missing:
   * @self: the escalation
   * @role: the role nobody could be found for
   * @template_id: the message that could not reach them
   *
   * Emitted when a message has nobody to go to in one of its roles (the
   * directory has no e-mail address for it). The ladder still runs; the
   * timeline has a warning.
   */
  signals[RECIPIENT_MISSING] =
    g_signal_new ("recipient-missing", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, VESC_TYPE_ROLE, G_TYPE_STRING);
  /**
   * VescEscalation::finished:
   * @self: the escalation
   *
   * Emitted once when the escalation ends, after the report was produced;
   * [property@Vesc.Escalation:closed] is then %TRUE.
   */
  signals[CLOSED] =
    g_signal_new ("finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
vesc_escalation_init (VescEscalation *self)
{
  self->deadlines = g_list_store_new (VESC_TYPE_DEADLINE);
  self->visits = g_hash_table_new (g_str_hash, g_str_equal);
  g_queue_init (&self->pending);
  self->facts.email_1_usec = -1;
  self->facts.last_head_email_usec = -1;
  self->facts.removed_usec = -1;
  self->facts.decision_usec = -1;
  self->facts.disconnected_usec = -1;
  self->facts.clean_usec = -1;
  self->facts.reconnected_usec = -1;
}

/* ---- getters ------------------------------------------------------------ */

/**
 * vesc_escalation_get_incident:
 * @self: a #VescEscalation
 *
 * Gets the incident the procedure runs for.
 *
 * Returns: (transfer none): the incident the procedure runs for
 */
VescIncident *
vesc_escalation_get_incident (VescEscalation *self)
{
  g_return_val_if_fail (VESC_IS_ESCALATION (self), NULL);

  return self->incident;
}

/**
 * vesc_escalation_get_step:
 * @self: a #VescEscalation
 *
 * Gets the code of the step the escalation is at, as the procedure
 * numbers them.
 *
 * Returns: (nullable): the code of the current step ("M5", "R2"), or %NULL
 *   before the escalation started
 */
const char *
vesc_escalation_get_step (VescEscalation *self)
{
  g_return_val_if_fail (VESC_IS_ESCALATION (self), NULL);

  return self->step ? self->step->code : NULL;
}

/**
 * vesc_escalation_get_step_kind:
 * @self: a #VescEscalation
 *
 * Gets what the current step does or waits for.
 *
 * Returns: what the current step is, or %VESC_STEP_KIND_CLOSED once the
 *   escalation has ended
 */
VescStepKind
vesc_escalation_get_step_kind (VescEscalation *self)
{
  g_return_val_if_fail (VESC_IS_ESCALATION (self), VESC_STEP_KIND_CLOSED);

  if (self->closed)
    return VESC_STEP_KIND_CLOSED;
  return self->step ? self->step->kind : VESC_STEP_KIND_OPEN;
}

/**
 * vesc_escalation_get_closed:
 * @self: a #VescEscalation
 *
 * Gets whether the escalation has ended.
 *
 * Returns: whether the escalation has ended
 */
gboolean
vesc_escalation_get_closed (VescEscalation *self)
{
  g_return_val_if_fail (VESC_IS_ESCALATION (self), FALSE);

  return self->closed;
}

/**
 * vesc_escalation_get_deadlines:
 * @self: a #VescEscalation
 *
 * Gets every deadline set so far, in the order they were set.
 *
 * The list is the library's own: read it and watch it, never change it.
 *
 * Returns: (transfer none): a list model of every [class@Vesc.Deadline] set
 *   so far
 */
GListModel *
vesc_escalation_get_deadlines (VescEscalation *self)
{
  g_return_val_if_fail (VESC_IS_ESCALATION (self), NULL);

  return G_LIST_MODEL (self->deadlines);
}

/**
 * vesc_escalation_lookup_deadline:
 * @self: a #VescEscalation
 * @name: a deadline name such as "removal" or "final"
 *
 * Finds the deadline of that name set last (a minor ladder may set a second
 * final window after a decision not to disconnect).
 *
 * Returns: (transfer none) (nullable): the deadline, or %NULL
 */
VescDeadline *
vesc_escalation_lookup_deadline (VescEscalation *self,
                                 const char     *name)
{
  GListModel *model;

  g_return_val_if_fail (VESC_IS_ESCALATION (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  model = G_LIST_MODEL (self->deadlines);
  for (guint i = g_list_model_get_n_items (model); i > 0; i--)
    {
      g_autoptr(VescDeadline) deadline = g_list_model_get_item (model, i - 1);

      if (g_str_equal (vesc_deadline_get_name (deadline), name))
        return deadline;
    }
  return NULL;
}

/**
 * vesc_escalation_get_report_json:
 * @self: a #VescEscalation
 *
 * Builds the report for the LTSB as JSON: the site, the scenario and why,
 * the devices, every step with its time and actor, each deadline and
 * whether it was met, the decision and who made it, how long the site was
 * disconnected and the outcome.
 *
 * Returns: (transfer full): the report as a JSON text
 */
char *
vesc_escalation_get_report_json (VescEscalation *self)
{
  g_return_val_if_fail (VESC_IS_ESCALATION (self), NULL);
  g_return_val_if_fail (self->incident != NULL, NULL);

  return vesc_report_build_json (self);
}

/**
 * vesc_escalation_get_report_text:
 * @self: a #VescEscalation
 *
 * Builds the report for the LTSB as text for a person to read.
 *
 * Returns: (transfer full): the report
 */
char *
vesc_escalation_get_report_text (VescEscalation *self)
{
  g_return_val_if_fail (VESC_IS_ESCALATION (self), NULL);
  g_return_val_if_fail (self->incident != NULL, NULL);

  return vesc_report_build_text (self);
}

/* vesc-policy.c: the procedure's numbers and texts
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "vesc-policy.h"
#include "vesc-site-private.h"
#include "vesc-util-private.h"

/**
 * VescPolicy:
 *
 * The numbers and choices the procedure leaves to the council: how long a
 * school has to remove a device, how many machines make an incident major,
 * what makes a site "reoccurring", the time zone of the texts and where to
 * find templates that replace the built-in ones.
 *
 * A new policy holds the procedure's own values. A council that runs the
 * procedure differently changes the policy, not the code, usually with a
 * policy file read by [ctor@Vesc.Policy.new_from_file].
 *
 * ## The policy file
 *
 * A JSON object whose members are the properties below, spelt with
 * underscores. Every member is optional; a missing one keeps its default.
 *
 * ```json
 * {
 *   "removal_window": "3h",
 *   "final_window": "30m",
 *   "warning_lead": "15m",
 *   "reminder_delay": "30m",
 *   "machine_threshold": 3,
 *   "major_at_threshold": true,
 *   "recurrence_window": "90d",
 *   "recurrence_count": 1,
 *   "early_check_ends_ladder": false,
 *   "time_zone": "Europe/London",
 *   "template_dir": "templates"
 * }
 * ```
 *
 * | member | default | meaning |
 * |---|---|---|
 * | `removal_window` | 3 hours | time given to take the device off the network (D1) |
 * | `final_window` | 30 minutes | the last chance given with e-mail 2 (D2) |
 * | `warning_lead` | 15 minutes | warn this long before a window ends; 0: no warnings |
 * | `reminder_delay` | 30 minutes | remind when a check or decision is this late; 0: never |
 * | `machine_threshold` | 3 | from this many machines at a site, not minor |
 * | `major_at_threshold` | true | reaching the threshold makes an incident major |
 * | `recurrence_window` | 90 days | how far back earlier incidents at the site count |
 * | `recurrence_count` | 1 | earlier incidents that make a new one reoccurring; 0: never |
 * | `early_check_ends_ladder` | false | a check confirming an early removal ends the ladder |
 * | `time_zone` | `Europe/London` | the zone of times written in texts |
 * | `template_dir` | none | templates replacing the built-in ones, relative to the file |
 *
 * ## When an incident is reoccurring
 *
 * A new incident at a site is reoccurring when at least `recurrence_count`
 * other incidents were opened at the same site within `recurrence_window`
 * before it, the window's edge included. With the defaults (1 and 90 days),
 * an incident opened exactly 90 days after the last one at the site is
 * reoccurring, and one opened 90 days and one second after it is minor.
 * Earlier incidents count whatever their scenario and outcome. The desk
 * reads them from its store, so the rule gives the same answer after a
 * restart. A threat, or as many devices as
 * `machine_threshold` with `major_at_threshold`, makes an incident major
 * before this rule is asked; a `recurrence_count` of 0 turns the rule off.
 *
 * A duration is a number of seconds or a text made of numbers with the units
 * `d`, `h`, `m` and `s`, largest first: `"3h"`, `"30m"`, `"90d"`, `"45s"`,
 * `"1h30m"`. The windows must be at least a second, and a warning must come
 * before the window it warns of ends.
 *
 * An unknown member, a value of the wrong JSON type or a syntax error is
 * %VESC_ERROR_PARSE; a value out of range is %VESC_ERROR_INVALID_POLICY. The
 * message names the member. Files over 1 MiB are refused with
 * %VESC_ERROR_INVALID_INPUT.
 */
struct _VescPolicy
{
  GObject parent_instance;

  GTimeSpan removal_window;
  GTimeSpan final_window;
  GTimeSpan warning_lead;
  GTimeSpan reminder_delay;
  GTimeSpan recurrence_window;
  guint machine_threshold;
  guint recurrence_count;
  gboolean major_at_threshold;
  gboolean early_check_ends_ladder;
  char *time_zone;
  char *template_dir;
};

enum {
  PROP_0,
  PROP_REMOVAL_WINDOW,
  PROP_FINAL_WINDOW,
  PROP_WARNING_LEAD,
  PROP_REMINDER_DELAY,
  PROP_MACHINE_THRESHOLD,
  PROP_MAJOR_AT_THRESHOLD,
  PROP_RECURRENCE_WINDOW,
  PROP_RECURRENCE_COUNT,
  PROP_EARLY_CHECK_ENDS_LADDER,
  PROP_TIME_ZONE,
  PROP_TEMPLATE_DIR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Where each property lives, so get and set need no switch of their own. */
static const gsize property_offsets[N_PROPS] = {
  [PROP_REMOVAL_WINDOW] = G_STRUCT_OFFSET (VescPolicy, removal_window),
  [PROP_FINAL_WINDOW] = G_STRUCT_OFFSET (VescPolicy, final_window),
  [PROP_WARNING_LEAD] = G_STRUCT_OFFSET (VescPolicy, warning_lead),
  [PROP_REMINDER_DELAY] = G_STRUCT_OFFSET (VescPolicy, reminder_delay),
  [PROP_MACHINE_THRESHOLD] = G_STRUCT_OFFSET (VescPolicy, machine_threshold),
  [PROP_MAJOR_AT_THRESHOLD] = G_STRUCT_OFFSET (VescPolicy, major_at_threshold),
  [PROP_RECURRENCE_WINDOW] = G_STRUCT_OFFSET (VescPolicy, recurrence_window),
  [PROP_RECURRENCE_COUNT] = G_STRUCT_OFFSET (VescPolicy, recurrence_count),
  [PROP_EARLY_CHECK_ENDS_LADDER] = G_STRUCT_OFFSET (VescPolicy, early_check_ends_ladder),
  [PROP_TIME_ZONE] = G_STRUCT_OFFSET (VescPolicy, time_zone),
  [PROP_TEMPLATE_DIR] = G_STRUCT_OFFSET (VescPolicy, template_dir),
};

#define DEFAULT_TIME_ZONE "Europe/London"
#define MAX_FILE_SIZE (1024 * 1024)
/* Ten years: longer is a mistake, and it keeps every value within 2^53 so
 * JavaScript holds it exactly. */
#define MAX_SPAN (3660 * G_TIME_SPAN_DAY)

G_DEFINE_FINAL_TYPE (VescPolicy, vesc_policy, G_TYPE_OBJECT)

static void
vesc_policy_finalize (GObject *object)
{
  VescPolicy *self = VESC_POLICY (object);

  g_clear_pointer (&self->time_zone, g_free);
  g_clear_pointer (&self->template_dir, g_free);

  G_OBJECT_CLASS (vesc_policy_parent_class)->finalize (object);
}

static void
vesc_policy_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  gpointer field;

  if (prop_id == 0 || prop_id >= N_PROPS)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  field = G_STRUCT_MEMBER_P (object, property_offsets[prop_id]);
  switch (G_PARAM_SPEC_VALUE_TYPE (pspec))
    {
    case G_TYPE_INT64:
      g_value_set_int64 (value, *(gint64 *) field);
      break;
    case G_TYPE_UINT:
      g_value_set_uint (value, *(guint *) field);
      break;
    case G_TYPE_BOOLEAN:
      g_value_set_boolean (value, *(gboolean *) field);
      break;
    case G_TYPE_STRING:
      g_value_set_string (value, *(char **) field);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
set_field (gpointer      field,
           const GValue *value)
{
  switch (G_VALUE_TYPE (value))
    {
    case G_TYPE_INT64:
      if (*(gint64 *) field == g_value_get_int64 (value))
        return FALSE;
      *(gint64 *) field = g_value_get_int64 (value);
      return TRUE;
    case G_TYPE_UINT:
      if (*(guint *) field == g_value_get_uint (value))
        return FALSE;
      *(guint *) field = g_value_get_uint (value);
      return TRUE;
    case G_TYPE_BOOLEAN:
      if (*(gboolean *) field == g_value_get_boolean (value))
        return FALSE;
      *(gboolean *) field = g_value_get_boolean (value);
      return TRUE;
    case G_TYPE_STRING:
      if (g_strcmp0 (*(char **) field, g_value_get_string (value)) == 0)
        return FALSE;
      g_free (*(char **) field);
      *(char **) field = g_value_dup_string (value);
      return TRUE;
    default:
      g_assert_not_reached ();
    }
}

static void
vesc_policy_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  g_auto(GValue) copy = G_VALUE_INIT;

  if (prop_id == 0 || prop_id >= N_PROPS)
    {
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      return;
    }

  /* A NULL time zone means the default one. */
  g_value_init (&copy, G_VALUE_TYPE (value));
  g_value_copy (value, &copy);
  if (prop_id == PROP_TIME_ZONE && g_value_get_string (value) == NULL)
    g_value_set_static_string (&copy, DEFAULT_TIME_ZONE);

  if (set_field (G_STRUCT_MEMBER_P (object, property_offsets[prop_id]), &copy))
    g_object_notify_by_pspec (object, pspec);
}

static GParamSpec *
span_property (const char *name,
               GTimeSpan   minimum,
               GTimeSpan   default_value)
{
  return g_param_spec_int64 (name, NULL, NULL, minimum, MAX_SPAN, default_value,
                             G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                             G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static GParamSpec *
uint_property (const char *name,
               guint       minimum,
               guint       default_value)
{
  return g_param_spec_uint (name, NULL, NULL, minimum, G_MAXUINT, default_value,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                            G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static GParamSpec *
boolean_property (const char *name,
                  gboolean    default_value)
{
  return g_param_spec_boolean (name, NULL, NULL, default_value,
                               G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                               G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static GParamSpec *
string_property (const char *name,
                 const char *default_value)
{
  return g_param_spec_string (name, NULL, NULL, default_value,
                              G_PARAM_READWRITE | G_PARAM_CONSTRUCT |
                              G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
}

static void
vesc_policy_class_init (VescPolicyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = vesc_policy_finalize;
  object_class->get_property = vesc_policy_get_property;
  object_class->set_property = vesc_policy_set_property;

  /**
   * VescPolicy:removal-window:
   *
   * How long the support team has to take the device off the network after
   * e-mail 1 (deadline D1), in microseconds. At least one second.
   */
  properties[PROP_REMOVAL_WINDOW] =
    span_property ("removal-window", G_TIME_SPAN_SECOND, 3 * G_TIME_SPAN_HOUR);

  /**
   * VescPolicy:final-window:
   *
   * The last chance given with e-mail 2 (deadline D2), in microseconds. At
   * least one second.
   */
  properties[PROP_FINAL_WINDOW] =
    span_property ("final-window", G_TIME_SPAN_SECOND, 30 * G_TIME_SPAN_MINUTE);

  /**
   * VescPolicy:warning-lead:
   *
   * How long before a window ends a warning goes out, in microseconds; 0
   * for no warnings. It must be shorter than both windows.
   */
  properties[PROP_WARNING_LEAD] =
    span_property ("warning-lead", 0, 15 * G_TIME_SPAN_MINUTE);

  /**
   * VescPolicy:reminder-delay:
   *
   * How late a check or decision owed by a person may be before a reminder
   * goes out, in microseconds; 0 for no reminders.
   */
  properties[PROP_REMINDER_DELAY] =
    span_property ("reminder-delay", 0, 30 * G_TIME_SPAN_MINUTE);

  /**
   * VescPolicy:machine-threshold:
   *
   * The number of machines at one site from which an incident is no longer
   * minor (the procedure's minor scenario is "fewer than 3").
   */
  properties[PROP_MACHINE_THRESHOLD] = uint_property ("machine-threshold", 1, 3);

  /**
   * VescPolicy:major-at-threshold:
   *
   * Whether reaching [property@Vesc.Policy:machine-threshold] makes an
   * incident major even when nobody has marked it a network-wide threat.
   */
  properties[PROP_MAJOR_AT_THRESHOLD] = boolean_property ("major-at-threshold", TRUE);

  /**
   * VescPolicy:recurrence-window:
   *
   * How far back, in microseconds, earlier incidents at a site count
   * towards [property@Vesc.Policy:recurrence-count]. An incident opened
   * exactly this long ago still counts.
   */
  properties[PROP_RECURRENCE_WINDOW] =
    span_property ("recurrence-window", G_TIME_SPAN_SECOND, 90 * G_TIME_SPAN_DAY);

  /**
   * VescPolicy:recurrence-count:
   *
   * How many earlier incidents at the same site, opened within
   * [property@Vesc.Policy:recurrence-window], make a new incident
   * reoccurring; 0 turns the rule off.
   */
  properties[PROP_RECURRENCE_COUNT] = uint_property ("recurrence-count", 0, 1);

  /**
   * VescPolicy:early-check-ends-ladder:
   *
   * Whether an ITD check that confirms a removal reported before the
   * deadline ends the ladder at once, rather than at the deadline.
   */
  properties[PROP_EARLY_CHECK_ENDS_LADDER] =
    boolean_property ("early-check-ends-ladder", FALSE);

  /**
   * VescPolicy:time-zone:
   *
   * The time zone identifier, such as `Europe/London`, of the times written
   * in texts for people. Setting %NULL restores `Europe/London`.
   */
  properties[PROP_TIME_ZONE] = string_property ("time-zone", DEFAULT_TIME_ZONE);

  /**
   * VescPolicy:template-dir:
   *
   * A folder of message templates that replace the built-in ones, or %NULL
   * to use only the built-in ones.
   */
  properties[PROP_TEMPLATE_DIR] = string_property ("template-dir", NULL);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vesc_policy_init (VescPolicy *self)
{
}

/**
 * vesc_policy_new:
 *
 * Creates a policy with the procedure's own values (see [class@Vesc.Policy]).
 *
 * Returns: (transfer full): a new policy
 */
VescPolicy *
vesc_policy_new (void)
{
  return g_object_new (VESC_TYPE_POLICY, NULL);
}

/* The member names of the file: the property names with underscores. */
static char *
member_name (GParamSpec *pspec)
{
  return g_strdelimit (g_strdup (g_param_spec_get_name (pspec)), "-", '_');
}

static gboolean
set_error_valist (GError     **error,
                  VescError    code,
                  const char  *format,
                  va_list      args) G_GNUC_PRINTF (3, 0);

static gboolean
set_error_valist (GError     **error,
                  VescError    code,
                  const char  *format,
                  va_list      args)
{
  g_autofree char *message = g_strdup_vprintf (format, args);

  g_set_error_literal (error, VESC_ERROR, code, message);
  return FALSE;
}

/* A value out of range or unknown. */
static gboolean
invalid (GError     **error,
         const char  *format,
         ...) G_GNUC_PRINTF (2, 3);

static gboolean
invalid (GError     **error,
         const char  *format,
         ...)
{
  va_list args;

  va_start (args, format);
  set_error_valist (error, VESC_ERROR_INVALID_POLICY, format, args);
  va_end (args);
  return FALSE;
}

/* A document of the wrong shape: an unknown member, a wrong JSON type. */
static gboolean
parse_error (GError     **error,
             const char  *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
parse_error (GError     **error,
             const char  *format,
             ...)
{
  va_list args;

  va_start (args, format);
  set_error_valist (error, VESC_ERROR_PARSE, format, args);
  va_end (args);
  return FALSE;
}

static gboolean
check_shorter (const char  *lead_name,
               GTimeSpan    lead,
               const char  *window_name,
               GTimeSpan    window,
               GError     **error)
{
  g_autofree char *lead_text = NULL;
  g_autofree char *window_text = NULL;

  if (lead < window)
    return TRUE;

  lead_text = vesc_format_duration (lead);
  window_text = vesc_format_duration (window);
  return invalid (error, _("%s (%s) must be shorter than %s (%s)"),
                  lead_name, lead_text, window_name, window_text);
}

static gboolean
check_positive (const char  *name,
                GTimeSpan    span,
                GError     **error)
{
  if (span > 0)
    return TRUE;

  return invalid (error, _("%s must be longer than 0, not %" G_GINT64_FORMAT " µs"),
                  name, span);
}

static gboolean
check_time_zone (const char  *identifier,
                 GError     **error)
{
  g_autoptr(GTimeZone) zone = NULL;

  /* An empty identifier would give UTC without saying so. */
  if (identifier != NULL && *identifier != '\0')
    zone = g_time_zone_new_identifier (identifier);
  if (zone != NULL)
    return TRUE;

  return invalid (error, _("time_zone “%s” is not a known time zone, such as Europe/London"),
                  identifier != NULL ? identifier : "");
}

/**
 * vesc_policy_validate:
 * @self: a policy
 * @error: return location for a #GError
 *
 * Checks that the values make sense together: every window is longer than
 * 0, a warning comes before the window it warns of ends, and the time zone
 * is known on this system.
 *
 * Returns: %TRUE if the policy can be used; %FALSE with @error set to
 *   %VESC_ERROR_INVALID_POLICY, naming the value, otherwise
 */
gboolean
vesc_policy_validate (VescPolicy  *self,
                      GError     **error)
{
  g_return_val_if_fail (VESC_IS_POLICY (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_positive ("removal_window", self->removal_window, error) ||
      !check_positive ("final_window", self->final_window, error) ||
      !check_positive ("recurrence_window", self->recurrence_window, error))
    return FALSE;

  if (self->warning_lead > 0 &&
      (!check_shorter ("warning_lead", self->warning_lead,
                       "removal_window", self->removal_window, error) ||
       !check_shorter ("warning_lead", self->warning_lead,
                       "final_window", self->final_window, error)))
    return FALSE;

  if (self->machine_threshold == 0)
    return invalid (error, _("machine_threshold must be at least 1"));

  return check_time_zone (self->time_zone, error);
}

/* Reading the file */

/* "3h", "30m", "1h30m": numbers with units, largest unit first and each at
 * most once, so that "1m30h" is refused rather than guessed at. Too large a
 * value saturates just past the maximum, for the range check to report. */
static gboolean
parse_duration (const char *text,
                GTimeSpan  *span)
{
  static const struct { char unit; GTimeSpan size; } units[] = {
    { 'd', G_TIME_SPAN_DAY },
    { 'h', G_TIME_SPAN_HOUR },
    { 'm', G_TIME_SPAN_MINUTE },
    { 's', G_TIME_SPAN_SECOND },
  };
  const char *p = text;
  guint next = 0;
  GTimeSpan total = 0;

  if (*p == '\0')
    return FALSE;

  while (*p != '\0')
    {
      const char *digits = p;
      guint64 number = 0;

      for (; g_ascii_isdigit (*p); p++)
        number = MIN (number * 10 + (guint64) (*p - '0'), (guint64) MAX_SPAN + 1);

      while (next < G_N_ELEMENTS (units) && units[next].unit != *p)
        next++;
      if (p == digits || next == G_N_ELEMENTS (units))
        return FALSE;

      number = MIN (number, (guint64) (MAX_SPAN / units[next].size) + 1);
      total += (GTimeSpan) number * units[next].size;
      next++;
      p++;
    }

  *span = total;
  return TRUE;
}

static gboolean
read_span (JsonNode     *node,
           const char   *name,
           GValue       *value,
           GError      **error)
{
  GType type = json_node_get_value_type (node);
  GTimeSpan span;

  if (JSON_NODE_HOLDS_VALUE (node) && type == G_TYPE_INT64)
    {
      gint64 limit = MAX_SPAN / G_TIME_SPAN_SECOND + 1;

      span = CLAMP (json_node_get_int (node), -limit, limit) * G_TIME_SPAN_SECOND;
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && type == G_TYPE_STRING)
    {
      if (!parse_duration (json_node_get_string (node), &span))
        return invalid (error,
                        _("%s: “%s” is not a duration; write a number of seconds or a text "
                          "such as “3h”, “30m” or “1h30m”"),
                        name, json_node_get_string (node));
    }
  else
    {
      return parse_error (error,
                          _("%s must be a whole number of seconds or a text such as “3h”"),
                          name);
    }

  g_value_set_int64 (value, span);
  return TRUE;
}

static gboolean
read_uint (JsonNode        *node,
           GParamSpecUInt  *pspec,
           const char      *name,
           GValue          *value,
           GError         **error)
{
  gint64 number = json_node_get_int (node);

  if (number < pspec->minimum)
    return invalid (error, _("%s must be at least %u, not %" G_GINT64_FORMAT),
                    name, pspec->minimum, number);
  if (number > pspec->maximum)
    return invalid (error, _("%s must be at most %u, not %" G_GINT64_FORMAT),
                    name, pspec->maximum, number);

  g_value_set_uint (value, (guint) number);
  return TRUE;
}

static gboolean
read_value (JsonNode     *node,
            GParamSpec   *pspec,
            const char   *name,
            GValue       *value,
            GError      **error)
{
  GType type = G_PARAM_SPEC_VALUE_TYPE (pspec);
  GType json_type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_NONE;

  g_value_init (value, type);

  if (type == G_TYPE_INT64)
    return read_span (node, name, value, error);

  if (type == G_TYPE_UINT && json_type == G_TYPE_INT64)
    return read_uint (node, G_PARAM_SPEC_UINT (pspec), name, value, error);

  if (type == G_TYPE_BOOLEAN && json_type == G_TYPE_BOOLEAN)
    {
      g_value_set_boolean (value, json_node_get_boolean (node));
      return TRUE;
    }

  /* template_dir, the one member without a default, may be null. */
  if (type == G_TYPE_STRING &&
      (json_type == G_TYPE_STRING ||
       (JSON_NODE_HOLDS_NULL (node) && G_PARAM_SPEC_STRING (pspec)->default_value == NULL)))
    {
      g_value_set_string (value, json_node_get_string (node));
      return TRUE;
    }

  if (type == G_TYPE_UINT)
    return parse_error (error, _("%s must be a whole number"), name);
  if (type == G_TYPE_BOOLEAN)
    return parse_error (error, _("%s must be true or false"), name);
  return parse_error (error, _("%s must be a string"), name);
}

/* @node is the value as the file gives it, for the message. */
static gboolean
check_span_range (GParamSpec    *pspec,
                  const char    *name,
                  JsonNode      *node,
                  const GValue  *value,
                  GError       **error)
{
  GParamSpecInt64 *ispec = G_PARAM_SPEC_INT64 (pspec);
  GTimeSpan span = g_value_get_int64 (value);
  g_autofree char *limit = NULL;
  g_autofree char *given = NULL;

  if (span >= ispec->minimum && span <= ispec->maximum)
    return TRUE;

  given = json_to_string (node, FALSE);
  if (span < ispec->minimum && ispec->minimum == 0)
    return invalid (error, _("%s must be 0 or more, not %s"), name, given);

  limit = vesc_format_duration (span < ispec->minimum ? ispec->minimum : ispec->maximum);
  if (span < ispec->minimum)
    return invalid (error, _("%s must be at least %s, not %s"), name, limit, given);
  return invalid (error, _("%s must be at most %s, not %s"), name, limit, given);
}

/* Holds the members of the file until all are known to be good. */
typedef struct {
  GPtrArray *names;   /* owned strings: property names */
  GArray *values;     /* GValue */
} Members;

static void
members_clear (Members *members)
{
  g_clear_pointer (&members->names, g_ptr_array_unref);
  g_clear_pointer (&members->values, g_array_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Members, members_clear)

static gboolean
read_member (Members     *members,
             GObjectClass *klass,
             const char  *name,
             JsonNode    *node,
             GError     **error)
{
  GParamSpec *pspec = g_object_class_find_property (klass, name);
  g_auto(GValue) value = G_VALUE_INIT;
  g_autofree char *canonical = NULL;

  /* find_property also takes dashes; the file spells members one way. */
  if (pspec != NULL)
    canonical = member_name (pspec);
  if (pspec == NULL || g_strcmp0 (canonical, name) != 0)
    return parse_error (error, _("unknown field “%s”"), name);

  if (!read_value (node, pspec, name, &value, error))
    return FALSE;
  if (G_VALUE_TYPE (&value) == G_TYPE_INT64 &&
      !check_span_range (pspec, name, node, &value, error))
    return FALSE;

  g_ptr_array_add (members->names, g_strdup (g_param_spec_get_name (pspec)));
  g_array_append_val (members->values, value);
  /* The array now owns the contents. */
  value = (GValue) G_VALUE_INIT;
  return TRUE;
}

static gboolean
read_members (Members     *members,
              JsonNode    *root,
              GError     **error)
{
  g_autoptr(GTypeClass) klass = g_type_class_ref (VESC_TYPE_POLICY);
  g_autoptr(GList) names = NULL;
  JsonObject *object;
  GList *l;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_PARSE,
                           _("A policy must be a JSON object"));
      return FALSE;
    }

  object = json_node_get_object (root);
  names = json_object_get_members (object);
  for (l = names; l != NULL; l = l->next)
    if (!read_member (members, G_OBJECT_CLASS (klass), l->data,
                      json_object_get_member (object, l->data), error))
      return FALSE;

  return TRUE;
}

/* A relative template folder is read from where the policy file is. */
static void
resolve_template_dir (Members    *members,
                      const char *base_dir)
{
  guint i;

  for (i = 0; base_dir != NULL && i < members->names->len; i++)
    {
      GValue *value = &g_array_index (members->values, GValue, i);
      const char *dir;

      if (g_strcmp0 (members->names->pdata[i], "template-dir") != 0)
        continue;

      dir = g_value_get_string (value);
      if (dir != NULL && !g_path_is_absolute (dir))
        g_value_take_string (value, g_build_filename (base_dir, dir, NULL));
    }
}

static VescPolicy *
policy_from_bytes (GBytes      *bytes,
                   const char  *base_dir,
                   GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) json_error = NULL;
  g_autoptr(VescPolicy) policy = NULL;
  g_auto(Members) members = { NULL, NULL };
  gsize size;
  const char *data = g_bytes_get_data (bytes, &size);

  if (size > MAX_FILE_SIZE)
    {
      g_set_error (error, VESC_ERROR, VESC_ERROR_INVALID_INPUT,
                   _("The policy is %" G_GSIZE_FORMAT " bytes; the limit is 1 MiB"), size);
      return NULL;
    }

  if (!json_parser_load_from_data (parser, data, size, &json_error))
    {
      g_set_error_literal (error, VESC_ERROR, VESC_ERROR_PARSE, json_error->message);
      return NULL;
    }

  members.names = g_ptr_array_new_with_free_func (g_free);
  members.values = g_array_new (FALSE, TRUE, sizeof (GValue));
  g_array_set_clear_func (members.values, (GDestroyNotify) g_value_unset);
  if (!read_members (&members, json_parser_get_root (parser), error))
    return NULL;

  resolve_template_dir (&members, base_dir);
  policy = VESC_POLICY (g_object_new_with_properties (VESC_TYPE_POLICY, members.names->len,
                                                      (const char **) members.names->pdata,
                                                      (const GValue *) members.values->data));
  if (!vesc_policy_validate (policy, error))
    return NULL;

  return g_steal_pointer (&policy);
}

/**
 * vesc_policy_new_from_data:
 * @data: a policy in JSON (see [class@Vesc.Policy])
 * @length: the length of @data in bytes, or -1 if it is nul-terminated
 * @error: return location for a #GError
 *
 * Creates a policy from a JSON document. Members it does not give keep
 * their defaults. A relative `template_dir` is kept as it is.
 *
 * Returns: (transfer full): a new, valid policy, or %NULL with @error set
 */
VescPolicy *
vesc_policy_new_from_data (const char  *data,
                           gssize       length,
                           GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = g_bytes_new_static (data, length < 0 ? strlen (data) : (gsize) length);
  return policy_from_bytes (bytes, NULL, error);
}

/**
 * vesc_policy_new_from_file:
 * @path: (type filename): the path of a policy file (see [class@Vesc.Policy])
 * @error: return location for a #GError
 *
 * Creates a policy from a JSON file. Members it does not give keep their
 * defaults; a relative `template_dir` is taken from the file's folder. Error
 * messages start with the file name.
 *
 * Returns: (transfer full): a new, valid policy, or %NULL with @error set
 */
VescPolicy *
vesc_policy_new_from_file (const char  *path,
                           GError     **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(VescPolicy) policy = NULL;
  g_autofree char *base_dir = NULL;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  bytes = vesc_read_file_limited (path, MAX_FILE_SIZE, error);
  if (bytes == NULL)
    return NULL;

  base_dir = g_path_get_dirname (path);
  policy = policy_from_bytes (bytes, base_dir, error);
  if (policy == NULL)
    {
      vesc_prefix_file_error (error, path);
      return NULL;
    }

  return g_steal_pointer (&policy);
}

/**
 * vesc_policy_get_removal_window:
 * @self: a policy
 *
 * Gets how long the support team has to remove a device (D1).
 *
 * Returns: the window in microseconds
 */
GTimeSpan
vesc_policy_get_removal_window (VescPolicy *self)
{
  g_return_val_if_fail (VESC_IS_POLICY (self), 0);

  return self->removal_window;
}

/**
 * vesc_policy_get_final_window:
 * @self: a policy
 *
 * Gets the last chance given with e-mail 2 (D2).
 *
 * Returns: the window in microseconds
 */
GTimeSpan
vesc_policy_get_final_window (VescPolicy *self)
{
  g_return_val_if_fail (VESC_IS_POLICY (self), 0);

  return self->final_window;
}

/**
 * vesc_policy_get_warning_lead:
 * @self: a policy
 *
 * Gets how long before a window ends a warning goes out.
 *
 * Returns: the lead in microseconds, 0 for no warnings
 */
GTimeSpan
vesc_policy_get_warning_lead (VescPolicy *self)
{
  g_return_val_if_fail (VESC_IS_POLICY (self), 0);

  return self->warning_lead;
}

/**
 * vesc_policy_get_reminder_delay:
 * @self: a policy
 *
 * Gets how late a check or decision may be before a reminder goes out.
 *
 * Returns: the delay in microseconds, 0 for no reminders
 */
GTimeSpan
vesc_policy_get_reminder_delay (VescPolicy *self)
{
  g_return_val_if_fail (VESC_IS_POLICY (self), 0);

  return self->reminder_delay;
}

/**
 * vesc_policy_get_machine_threshold:
 * @self: a policy
 *
 * Gets the number of machines from which an incident is not minor.
 *
 * Returns: the threshold, at least 1
 */
guint
vesc_policy_get_machine_threshold (VescPolicy *self)
{
  g_return_val_if_fail (VESC_IS_POLICY (self), 0);

  return self->machine_threshold;
}

/**
 * vesc_policy_get_major_at_threshold:
 * @self: a policy
 *
 * Gets whether reaching the machine threshold makes an incident major.
 *
 * Returns: %TRUE if it does
 */
gboolean
vesc_policy_get_major_at_threshold (VescPolicy *self)
{
  g_return_val_if_fail (VESC_IS_POLICY (self), FALSE);

  return self->major_at_threshold;
}

/**
 * vesc_policy_get_recurrence_window:
 * @self: a policy
 *
 * Gets how far back earlier incidents at a site count.
 *
 * Returns: the window in microseconds
 */
GTimeSpan
vesc_policy_get_recurrence_window (VescPolicy *self)
{
  g_return_val_if_fail (VESC_IS_POLICY (self), 0);

  return self->recurrence_window;
}

/**
 * vesc_policy_get_recurrence_count:
 * @self: a policy
 *
 * Gets how many earlier incidents within the recurrence window make a new
 * one reoccurring.
 *
 * Returns: the count, 0 when the rule is off
 */
guint
vesc_policy_get_recurrence_count (VescPolicy *self)
{
  g_return_val_if_fail (VESC_IS_POLICY (self), 0);

  return self->recurrence_count;
}

/**
 * vesc_policy_get_early_check_ends_ladder:
 * @self: a policy
 *
 * Gets whether a check confirming an early removal ends the ladder at once.
 *
 * Returns: %TRUE if it does
 */
gboolean
vesc_policy_get_early_check_ends_ladder (VescPolicy *self)
{
  g_return_val_if_fail (VESC_IS_POLICY (self), FALSE);

  return self->early_check_ends_ladder;
}

/**
 * vesc_policy_get_time_zone:
 * @self: a policy
 *
 * Gets the identifier of the time zone used in texts.
 *
 * Returns: the identifier, such as `Europe/London`
 */
const char *
vesc_policy_get_time_zone (VescPolicy *self)
{
  g_return_val_if_fail (VESC_IS_POLICY (self), NULL);

  return self->time_zone;
}

/**
 * vesc_policy_get_template_dir:
 * @self: a policy
 *
 * Gets the folder of templates that replace the built-in ones.
 *
 * Returns: (nullable) (type filename): the folder, or %NULL for the
 *   built-in templates only
 */
const char *
vesc_policy_get_template_dir (VescPolicy *self)
{
  g_return_val_if_fail (VESC_IS_POLICY (self), NULL);

  return self->template_dir;
}

/* vesc-deadline.c: a point in time the procedure enforces
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vesc-deadline-private.h"

#include "vesc-clock-private.h"
#include "vesc-enum-types.h"

/**
 * VescDeadline:
 *
 * A named point in time of one escalation: the end of the removal window
 * ("removal", D1), the end of the final window ("final", D2), a warning
 * shortly before either ("removal-warning", "final-warning"), or a reminder
 * that a check or decision a person owes is overdue ("check-reminder",
 * "decision-reminder").
 *
 * The due time is an absolute UTC time. When it passes the escalation emits
 * [signal@Vesc.Escalation::deadline-reached] once, with the deadline's name
 * as the detail; [property@Vesc.Deadline:late] tells whether it fired
 * noticeably after its due time (the process was not running, say).
 */

struct _VescDeadline
{
  GObject              parent_instance;

  char                *name;
  VescDeadlineKind     kind;
  gint64               due_usec;
  gint64               fired_usec;
  guint                alarm_id;
  VescDeadlineOutcome  outcome;
};

G_DEFINE_FINAL_TYPE (VescDeadline, vesc_deadline, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_KIND,
  PROP_DUE,
  PROP_FIRED,
  PROP_LATE,
  PROP_FIRED_AT,
  PROP_OUTCOME,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vesc_deadline_finalize (GObject *object)
{
  VescDeadline *self = VESC_DEADLINE (object);

  g_free (self->name);

  G_OBJECT_CLASS (vesc_deadline_parent_class)->finalize (object);
}

static void
vesc_deadline_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  VescDeadline *self = VESC_DEADLINE (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_DUE:
      g_value_take_boxed (value, vesc_deadline_get_due (self));
      break;
    case PROP_FIRED:
      g_value_set_boolean (value, vesc_deadline_get_fired (self));
      break;
    case PROP_LATE:
      g_value_set_boolean (value, vesc_deadline_get_late (self));
      break;
    case PROP_FIRED_AT:
      g_value_take_boxed (value, vesc_deadline_get_fired_at (self));
      break;
    case PROP_OUTCOME:
      g_value_set_enum (value, self->outcome);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_deadline_class_init (VescDeadlineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = vesc_deadline_finalize;
  object_class->get_property = vesc_deadline_get_property;

  /**
   * VescDeadline:name:
   *
   * The deadline's name, also the detail of
   * [signal@Vesc.Escalation::deadline-reached].
   */
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  /**
   * VescDeadline:kind:
   *
   * Whether this is a window's end, a warning or a reminder.
   */
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, VESC_TYPE_DEADLINE_KIND,
                                             VESC_DEADLINE_KIND_WINDOW, flags);
  /**
   * VescDeadline:due:
   *
   * When the deadline passes, in UTC.
   */
  properties[PROP_DUE] = g_param_spec_boxed ("due", NULL, NULL, G_TYPE_DATE_TIME, flags);
  /**
   * VescDeadline:fired:
   *
   * Whether the deadline has passed and been signalled.
   */
  properties[PROP_FIRED] = g_param_spec_boolean ("fired", NULL, NULL, FALSE, flags);
  /**
   * VescDeadline:late:
   *
   * Whether the deadline was signalled noticeably after its due time.
   */
  properties[PROP_LATE] = g_param_spec_boolean ("late", NULL, NULL, FALSE, flags);
  /**
   * VescDeadline:fired-at:
   *
   * When the deadline was signalled, or %NULL before that.
   */
  properties[PROP_FIRED_AT] = g_param_spec_boxed ("fired-at", NULL, NULL, G_TYPE_DATE_TIME,
                                                  flags);
  /**
   * VescDeadline:outcome:
   *
   * Whether the deadline was met, as far as is known.
   */
  properties[PROP_OUTCOME] = g_param_spec_enum ("outcome", NULL, NULL,
                                                VESC_TYPE_DEADLINE_OUTCOME,
                                                VESC_DEADLINE_OUTCOME_PENDING, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vesc_deadline_init (VescDeadline *self)
{
  self->fired_usec = -1;
}

VescDeadline *
vesc_deadline_new (const char       *name,
                   VescDeadlineKind  kind,
                   gint64            due_usec)
{
  VescDeadline *self = g_object_new (VESC_TYPE_DEADLINE, NULL);

  self->name = g_strdup (name);
  self->kind = kind;
  self->due_usec = due_usec;

  return self;
}

gint64
vesc_deadline_due_usec (VescDeadline *self)
{
  return self->due_usec;
}

gint64
vesc_deadline_fired_usec (VescDeadline *self)
{
  return self->fired_usec;
}

guint
vesc_deadline_get_alarm_id (VescDeadline *self)
{
  return self->alarm_id;
}

void
vesc_deadline_set_alarm_id (VescDeadline *self,
                            guint         alarm_id)
{
  self->alarm_id = alarm_id;
}

gboolean
vesc_deadline_is_pending (VescDeadline *self)
{
  /* Armed on the clock: neither fired nor withdrawn. */
  return self->alarm_id != 0;
}

void
vesc_deadline_mark_fired (VescDeadline *self,
                          gint64        now_usec)
{
  g_return_if_fail (self->fired_usec < 0);

  self->fired_usec = now_usec;
  self->alarm_id = 0;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRED]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRED_AT]);
  if (vesc_deadline_get_late (self))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LATE]);
  if (self->kind != VESC_DEADLINE_KIND_WINDOW)
    vesc_deadline_set_outcome (self, VESC_DEADLINE_OUTCOME_FIRED);
}

void
vesc_deadline_set_outcome (VescDeadline        *self,
                           VescDeadlineOutcome  outcome)
{
  if (self->outcome == outcome)
    return;

  self->outcome = outcome;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_OUTCOME]);
}

/**
 * vesc_deadline_get_name:
 * @self: a #VescDeadline
 *
 * Gets the deadline's name, also the detail of
 * [signal@Vesc.Escalation::deadline-reached].
 *
 * Returns: the deadline's name, such as "removal" or "final"
 */
const char *
vesc_deadline_get_name (VescDeadline *self)
{
  g_return_val_if_fail (VESC_IS_DEADLINE (self), NULL);

  return self->name;
}

/**
 * vesc_deadline_get_kind:
 * @self: a #VescDeadline
 *
 * Gets what the deadline stands for.
 *
 * Returns: whether this is a window's end, a warning or a reminder
 */
VescDeadlineKind
vesc_deadline_get_kind (VescDeadline *self)
{
  g_return_val_if_fail (VESC_IS_DEADLINE (self), VESC_DEADLINE_KIND_WINDOW);

  return self->kind;
}

/**
 * vesc_deadline_get_due:
 * @self: a #VescDeadline
 *
 * Gets the time the deadline passes.
 *
 * Returns: (transfer full): when the deadline passes, in UTC
 */
GDateTime *
vesc_deadline_get_due (VescDeadline *self)
{
  g_return_val_if_fail (VESC_IS_DEADLINE (self), NULL);

  return vesc_date_time_new_from_usec (self->due_usec);
}

/**
 * vesc_deadline_get_fired:
 * @self: a #VescDeadline
 *
 * Gets whether the deadline has passed and been signalled.
 *
 * Returns: whether the deadline has passed and been signalled
 */
gboolean
vesc_deadline_get_fired (VescDeadline *self)
{
  g_return_val_if_fail (VESC_IS_DEADLINE (self), FALSE);

  return self->fired_usec >= 0;
}

/**
 * vesc_deadline_get_late:
 * @self: a #VescDeadline
 *
 * Gets whether the deadline was signalled noticeably after its due time, as
 * happens when the process was not running at that time.
 *
 * Returns: whether the deadline was signalled more than a second after it
 *   was due
 */
gboolean
vesc_deadline_get_late (VescDeadline *self)
{
  g_return_val_if_fail (VESC_IS_DEADLINE (self), FALSE);

  return self->fired_usec >= 0 && self->fired_usec - self->due_usec > VESC_DEADLINE_LATE_AFTER;
}

/**
 * vesc_deadline_get_fired_at:
 * @self: a #VescDeadline
 *
 * Gets the time the deadline was signalled.
 *
 * Returns: (transfer full) (nullable): when the deadline was signalled, or
 *   %NULL if it has not been
 */
GDateTime *
vesc_deadline_get_fired_at (VescDeadline *self)
{
  g_return_val_if_fail (VESC_IS_DEADLINE (self), NULL);

  if (self->fired_usec < 0)
    return NULL;
  return vesc_date_time_new_from_usec (self->fired_usec);
}

/**
 * vesc_deadline_get_outcome:
 * @self: a #VescDeadline
 *
 * Gets whether the deadline was met, as the report tells it.
 *
 * Returns: whether the deadline was met, as far as is known
 */
VescDeadlineOutcome
vesc_deadline_get_outcome (VescDeadline *self)
{
  g_return_val_if_fail (VESC_IS_DEADLINE (self), VESC_DEADLINE_OUTCOME_PENDING);

  return self->outcome;
}

/* vesc-event.c: one entry on an incident's timeline
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vesc-event-private.h"

#include "vesc-clock-private.h"
#include "vesc-enum-types.h"

/**
 * VescEvent:
 *
 * One entry on an incident's timeline: when it happened, what kind of thing
 * it was, the step of the procedure it belongs to, who did it and a
 * sentence saying what happened.
 *
 * Events are created by the library and never change.
 */

struct _VescEvent
{
  GObject        parent_instance;

  gint64         time_usec;
  VescEventKind  kind;
  char          *step;
  char          *actor;
  char          *detail;
};

G_DEFINE_FINAL_TYPE (VescEvent, vesc_event, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_TIME,
  PROP_KIND,
  PROP_STEP,
  PROP_ACTOR,
  PROP_DETAIL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
vesc_event_finalize (GObject *object)
{
  VescEvent *self = VESC_EVENT (object);

  g_free (self->step);
  g_free (self->actor);
  g_free (self->detail);

  G_OBJECT_CLASS (vesc_event_parent_class)->finalize (object);
}

static void
vesc_event_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  VescEvent *self = VESC_EVENT (object);

  switch (prop_id)
    {
    case PROP_TIME:
      g_value_take_boxed (value, vesc_event_get_time (self));
      break;
    case PROP_KIND:
      g_value_set_enum (value, self->kind);
      break;
    case PROP_STEP:
      g_value_set_string (value, self->step);
      break;
    case PROP_ACTOR:
      g_value_set_string (value, self->actor);
      break;
    case PROP_DETAIL:
      g_value_set_string (value, self->detail);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
vesc_event_class_init (VescEventClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = vesc_event_finalize;
  object_class->get_property = vesc_event_get_property;

  /**
   * VescEvent:time:
   *
   * When it happened (UTC).
   */
  properties[PROP_TIME] = g_param_spec_boxed ("time", NULL, NULL, G_TYPE_DATE_TIME, flags);
  /**
   * VescEvent:kind:
   *
   * What kind of entry this is.
   */
  properties[PROP_KIND] = g_param_spec_enum ("kind", NULL, NULL, VESC_TYPE_EVENT_KIND,
                                             VESC_EVENT_KIND_STEP, flags);
  /**
   * VescEvent:step:
   *
   * The code of the step it belongs to ("M6", "R2").
   */
  properties[PROP_STEP] = g_param_spec_string ("step", NULL, NULL, NULL, flags);
  /**
   * VescEvent:actor:
   *
   * Who did it: a person's name, a role, or "libvesc" for what the library
   * did by itself.
   */
  properties[PROP_ACTOR] = g_param_spec_string ("actor", NULL, NULL, NULL, flags);
  /**
   * VescEvent:detail:
   *
   * A sentence saying what happened.
   */
  properties[PROP_DETAIL] = g_param_spec_string ("detail", NULL, NULL, NULL, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
vesc_event_init (VescEvent *self)
{
}

VescEvent *
vesc_event_new (gint64         time_usec,
                VescEventKind  kind,
                const char    *step,
                const char    *actor,
                const char    *detail)
{
  VescEvent *self = g_object_new (VESC_TYPE_EVENT, NULL);

  self->time_usec = time_usec;
  self->kind = kind;
  self->step = g_strdup (step);
  self->actor = g_strdup (actor);
  self->detail = g_strdup (detail);

  return self;
}

gint64
vesc_event_time_usec (VescEvent *self)
{
  return self->time_usec;
}

/**
 * vesc_event_get_time:
 * @self: a #VescEvent
 *
 * Gets the time the event happened.
 *
 * Returns: (transfer full): when the event happened, in UTC
 */
GDateTime *
vesc_event_get_time (VescEvent *self)
{
  g_return_val_if_fail (VESC_IS_EVENT (self), NULL);

  return vesc_date_time_new_from_usec (self->time_usec);
}

/**
 * vesc_event_get_kind:
 * @self: a #VescEvent
 *
 * Gets what kind of entry the event is.
 *
 * Returns: the kind of entry
 */
VescEventKind
vesc_event_get_kind (VescEvent *self)
{
  g_return_val_if_fail (VESC_IS_EVENT (self), VESC_EVENT_KIND_STEP);

  return self->kind;
}

/**
 * vesc_event_get_step:
 * @self: a #VescEvent
 *
 * Gets the code of the procedure step the event belongs to, such as `M6` or
 * `R2`.
 *
 * Returns: the code of the step the event belongs to
 */
const char *
vesc_event_get_step (VescEvent *self)
{
  g_return_val_if_fail (VESC_IS_EVENT (self), NULL);

  return self->step;
}

/**
 * vesc_event_get_actor:
 * @self: a #VescEvent
 *
 * Gets who did it: a person's name, a role, or `libvesc` for what the library
 * did by itself.
 *
 * Returns: who did it
 */
const char *
vesc_event_get_actor (VescEvent *self)
{
  g_return_val_if_fail (VESC_IS_EVENT (self), NULL);

  return self->actor;
}

/**
 * vesc_event_get_detail:
 * @self: a #VescEvent
 *
 * Gets the sentence that says what happened.
 *
 * Returns: a sentence saying what happened
 */
const char *
vesc_event_get_detail (VescEvent *self)
{
  g_return_val_if_fail (VESC_IS_EVENT (self), NULL);

  return self->detail;
}

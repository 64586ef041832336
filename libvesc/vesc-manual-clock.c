/* vesc-manual-clock.c: a clock moved by hand, for tests and drills
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vesc-manual-clock.h"
#include "vesc-clock-private.h"

/**
 * VescManualClock:
 *
 * A clock that only moves when told to.
 *
 * Tests and drills use it to run an escalation's three hours in a moment:
 * [method@Vesc.ManualClock.advance] and [method@Vesc.ManualClock.set_time]
 * walk through every alarm on the way, in order, and each callback sees the
 * clock at its alarm's due time, as it would have with the wall clock.
 *
 * A clock made with g_object_new() and no start time starts at the Unix
 * epoch.
 */
struct _VescManualClock
{
  VescClock parent_instance;

  gint64    now_usec;
};

G_DEFINE_FINAL_TYPE (VescManualClock, vesc_manual_clock, VESC_TYPE_CLOCK)

static gint64
vesc_manual_clock_now_usec (VescClock *clock)
{
  return VESC_MANUAL_CLOCK (clock)->now_usec;
}

static void
vesc_manual_clock_class_init (VescManualClockClass *klass)
{
  VescClockClass *clock_class = VESC_CLOCK_CLASS (klass);

  /* No wake_at: nothing fires until the clock is moved. */
  clock_class->now_usec = vesc_manual_clock_now_usec;
}

static void
vesc_manual_clock_init (VescManualClock *self)
{
}

/**
 * vesc_manual_clock_new:
 * @start: the clock's initial time
 *
 * Creates a clock that stays at @start until it is moved.
 *
 * Returns: (transfer full): a new clock
 */
VescManualClock *
vesc_manual_clock_new (GDateTime *start)
{
  VescManualClock *self;

  g_return_val_if_fail (start != NULL, NULL);

  self = g_object_new (VESC_TYPE_MANUAL_CLOCK, NULL);
  self->now_usec = vesc_date_time_to_usec (start);
  return self;
}

static void
set_time_usec (VescManualClock *self,
               gint64           when_usec)
{
  /* A callback may drop the last reference to the clock. */
  g_autoptr(VescManualClock) keep_alive = g_object_ref (self);
  VescClock *clock = VESC_CLOCK (self);

  /* Stop at each due time on the way, so callbacks see "now" equal to their
   * due time and the alarms they add in between fire in order. An alarm that
   * was already overdue fires at the current time: the clock never runs
   * backwards on its own. */
  while (vesc_clock_get_n_alarms (clock) > 0)
    {
      gint64 next = vesc_clock_next_alarm_usec (clock);

      if (next > when_usec)
        break;
      self->now_usec = MAX (self->now_usec, next);
      vesc_clock_fire_due (clock);
    }

  self->now_usec = when_usec;
}

/**
 * vesc_manual_clock_set_time:
 * @self: a clock
 * @time: the new time
 *
 * Moves the clock to @time, firing on the way every alarm due at or before
 * @time, earliest first.
 *
 * @time may be earlier than the current time, to test a wall clock that was
 * stepped back: that fires only alarms that were already overdue at @time
 * (alarms added with a due time in the past).
 */
void
vesc_manual_clock_set_time (VescManualClock *self,
                            GDateTime       *time)
{
  g_return_if_fail (VESC_IS_MANUAL_CLOCK (self));
  g_return_if_fail (time != NULL);

  set_time_usec (self, vesc_date_time_to_usec (time));
}

/**
 * vesc_manual_clock_advance:
 * @self: a clock
 * @span: how far to move, in microseconds; may be negative
 *
 * Moves the clock by @span, as [method@Vesc.ManualClock.set_time] does.
 */
void
vesc_manual_clock_advance (VescManualClock *self,
                           GTimeSpan        span)
{
  g_return_if_fail (VESC_IS_MANUAL_CLOCK (self));

  set_time_usec (self, self->now_usec + span);
}

/**
 * vesc_manual_clock_advance_to_next:
 * @self: a clock
 *
 * Moves the clock to the earliest pending alarm and fires every alarm due
 * then. An alarm that is already overdue fires without moving the clock.
 *
 * Returns: %TRUE if an alarm was pending, %FALSE if none was and the clock
 *   did not move
 */
gboolean
vesc_manual_clock_advance_to_next (VescManualClock *self)
{
  g_return_val_if_fail (VESC_IS_MANUAL_CLOCK (self), FALSE);

  if (vesc_clock_get_n_alarms (VESC_CLOCK (self)) == 0)
    return FALSE;

  set_time_usec (self, MAX (vesc_clock_next_alarm_usec (VESC_CLOCK (self)), self->now_usec));
  return TRUE;
}

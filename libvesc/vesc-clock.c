/* vesc-clock.c: where "now" and deadlines come from
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vesc-clock.h"
#include "vesc-clock-private.h"

/**
 * VescClock:
 *
 * The source of "now" and of alarms for the rest of the library.
 *
 * A clock keeps every alarm in one scheduler (a binary heap), so a process
 * with 100 000 open deadlines has one wake-up source, not 100 000. Alarms due
 * at the same time fire in the order they were added.
 *
 * Two implementations exist: [class@Vesc.SystemClock] follows the wall clock
 * and is driven by the GLib main loop; [class@Vesc.ManualClock] only moves
 * when told to, for tests and drills.
 */

/**
 * VescClockClass::now_usec:
 * @self: a clock
 *
 * Tells the current time. Every subclass implements it; the base class
 * reads it to decide which alarms are due.
 *
 * Returns: the current time in microseconds since the Unix epoch, UTC
 */

/**
 * VescClockClass::wake_at:
 * @self: a clock
 * @when_usec: when the earliest pending alarm is due, in microseconds since
 *   the Unix epoch (UTC), or -1 when no alarm is pending
 *
 * Asks the subclass to call [method@Vesc.Clock.fire_due] at or soon after
 * @when_usec, replacing any wake-up asked for before. A subclass that only
 * moves when told to (a manual clock) need not implement it.
 */

typedef struct
{
  gint64          due_usec;
  guint64         seq;        /* breaks ties: first added fires first */
  guint           id;
  guint           heap_index;
  VescAlarmFunc   func;
  gpointer        user_data;
  GDestroyNotify  notify;
} Alarm;

typedef struct
{
  GPtrArray  *heap;           /* Alarm*, owned; a min-heap on (due_usec, seq) */
  GHashTable *alarms;         /* id -> Alarm* (unowned; the heap owns them) */
  guint       next_id;
  guint64     next_seq;
  guint       firing_depth;   /* wake_at is deferred while alarms run */
} VescClockPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (VescClock, vesc_clock, G_TYPE_OBJECT)

static void
alarm_free (Alarm *alarm)
{
  if (alarm->notify != NULL)
    alarm->notify (alarm->user_data);
  g_free (alarm);
}

static gboolean
alarm_before (const Alarm *a,
              const Alarm *b)
{
  if (a->due_usec != b->due_usec)
    return a->due_usec < b->due_usec;
  return a->seq < b->seq;
}

static void
heap_set (GPtrArray *heap,
          guint      index,
          Alarm     *alarm)
{
  heap->pdata[index] = alarm;
  alarm->heap_index = index;
}

static void
heap_sift_up (GPtrArray *heap,
              guint      index)
{
  Alarm *alarm = heap->pdata[index];

  while (index > 0)
    {
      guint parent = (index - 1) / 2;
      Alarm *above = heap->pdata[parent];

      if (!alarm_before (alarm, above))
        break;
      heap_set (heap, index, above);
      index = parent;
    }
  heap_set (heap, index, alarm);
}

static void
heap_sift_down (GPtrArray *heap,
                guint      index)
{
  Alarm *alarm = heap->pdata[index];

  for (;;)
    {
      guint child = 2 * index + 1;
      Alarm *below;

      if (child >= heap->len)
        break;
      if (child + 1 < heap->len && alarm_before (heap->pdata[child + 1], heap->pdata[child]))
        child++;
      below = heap->pdata[child];
      if (!alarm_before (below, alarm))
        break;
      heap_set (heap, index, below);
      index = child;
    }
  heap_set (heap, index, alarm);
}

/* Takes @alarm out of the scheduler without running or freeing it. */
static void
detach_alarm (VescClock *self,
              Alarm     *alarm)
{
  VescClockPrivate *priv = vesc_clock_get_instance_private (self);
  guint index = alarm->heap_index;
  Alarm *last = g_ptr_array_steal_index (priv->heap, priv->heap->len - 1);

  g_hash_table_remove (priv->alarms, GUINT_TO_POINTER (alarm->id));
  if (last == alarm)
    return;

  /* The last element fills the hole and moves whichever way it must. */
  heap_set (priv->heap, index, last);
  heap_sift_up (priv->heap, index);
  heap_sift_down (priv->heap, last->heap_index);
}

static Alarm *
peek_alarm (VescClock *self)
{
  VescClockPrivate *priv = vesc_clock_get_instance_private (self);

  return priv->heap->len > 0 ? priv->heap->pdata[0] : NULL;
}

static void
tell_wake_at (VescClock *self)
{
  VescClockPrivate *priv = vesc_clock_get_instance_private (self);
  VescClockClass *klass = VESC_CLOCK_GET_CLASS (self);
  Alarm *first = peek_alarm (self);

  if (priv->firing_depth > 0 || klass->wake_at == NULL)
    return;

  /* -1 means "no alarm", so a due time before 1970 is passed as the epoch;
   * either way it is past, which is all a subclass needs to know. */
  klass->wake_at (self, first != NULL ? MAX (first->due_usec, 0) : -1);
}

static void
clear_alarms (VescClock *self)
{
  VescClockPrivate *priv = vesc_clock_get_instance_private (self);

  /* One at a time, so a destroy notify that touches the clock sees a
   * consistent scheduler. */
  while (priv->heap != NULL && priv->heap->len > 0)
    {
      Alarm *alarm = priv->heap->pdata[priv->heap->len - 1];

      detach_alarm (self, alarm);
      alarm_free (alarm);
    }
}

static void
vesc_clock_dispose (GObject *object)
{
  clear_alarms (VESC_CLOCK (object));

  G_OBJECT_CLASS (vesc_clock_parent_class)->dispose (object);
}

static void
vesc_clock_finalize (GObject *object)
{
  VescClockPrivate *priv = vesc_clock_get_instance_private (VESC_CLOCK (object));

  /* Alarms added after dispose still get their data freed. */
  clear_alarms (VESC_CLOCK (object));
  g_clear_pointer (&priv->alarms, g_hash_table_unref);
  g_clear_pointer (&priv->heap, g_ptr_array_unref);

  G_OBJECT_CLASS (vesc_clock_parent_class)->finalize (object);
}

static void
vesc_clock_class_init (VescClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = vesc_clock_dispose;
  object_class->finalize = vesc_clock_finalize;
}

static void
vesc_clock_init (VescClock *self)
{
  VescClockPrivate *priv = vesc_clock_get_instance_private (self);

  priv->heap = g_ptr_array_new ();
  priv->alarms = g_hash_table_new (NULL, NULL);
  priv->next_id = 1;
}

/* Returns a UTC time, or NULL if @usec is outside the range of GDateTime. */
GDateTime *
vesc_date_time_new_from_usec (gint64 usec)
{
  g_autoptr(GDateTime) whole_seconds = NULL;
  gint64 sec = usec / G_USEC_PER_SEC;
  gint64 rem = usec % G_USEC_PER_SEC;

  /* C division truncates towards zero; the remainder must be added forwards
   * from the whole second below, so borrow one for times before 1970. */
  if (rem < 0)
    {
      rem += G_USEC_PER_SEC;
      sec -= 1;
    }

  whole_seconds = g_date_time_new_from_unix_utc (sec);
  if (whole_seconds == NULL)
    return NULL;
  return g_date_time_add (whole_seconds, rem);
}

gint64
vesc_date_time_to_usec (GDateTime *dt)
{
  g_return_val_if_fail (dt != NULL, 0);

  return g_date_time_to_unix (dt) * G_USEC_PER_SEC + g_date_time_get_microsecond (dt);
}

gint64
vesc_clock_now_usec (VescClock *self)
{
  g_return_val_if_fail (VESC_IS_CLOCK (self), 0);

  return VESC_CLOCK_GET_CLASS (self)->now_usec (self);
}

/**
 * vesc_clock_get_now:
 * @self: a clock
 *
 * Gets the clock's current time.
 *
 * Returns: (transfer full): the current time, in UTC
 */
GDateTime *
vesc_clock_get_now (VescClock *self)
{
  g_return_val_if_fail (VESC_IS_CLOCK (self), NULL);

  return vesc_date_time_new_from_usec (vesc_clock_now_usec (self));
}

/* Like vesc_clock_add_alarm(), with the due time in UTC microseconds. */
guint
vesc_clock_add_alarm_usec (VescClock      *self,
                           gint64          when_usec,
                           VescAlarmFunc   func,
                           gpointer        user_data,
                           GDestroyNotify  notify)
{
  VescClockPrivate *priv;
  Alarm *alarm;

  g_return_val_if_fail (VESC_IS_CLOCK (self), 0);
  g_return_val_if_fail (func != NULL, 0);

  priv = vesc_clock_get_instance_private (self);
  /* Ids are never reused, so a stale id can never remove someone else's alarm. */
  g_return_val_if_fail (priv->next_id != 0, 0);

  alarm = g_new0 (Alarm, 1);
  alarm->due_usec = when_usec;
  alarm->seq = priv->next_seq++;
  alarm->id = priv->next_id++;
  alarm->func = func;
  alarm->user_data = user_data;
  alarm->notify = notify;

  g_hash_table_insert (priv->alarms, GUINT_TO_POINTER (alarm->id), alarm);
  g_ptr_array_add (priv->heap, alarm);
  heap_sift_up (priv->heap, priv->heap->len - 1);

  if (peek_alarm (self) == alarm)
    tell_wake_at (self);
  return alarm->id;
}

/**
 * vesc_clock_add_alarm:
 * @self: a clock
 * @when: when to fire
 * @func: (scope notified) (closure user_data) (destroy notify): called once
 *   when @when has come
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data after @func ran or the alarm was
 *   removed
 *
 * Adds an alarm. An alarm whose time has already passed fires the next time
 * the clock fires alarms (the next main-loop iteration for the system clock,
 * the next move for a manual clock). Alarms due at the same time fire in the
 * order they were added.
 *
 * @notify is called exactly once: after @func ran, when the alarm is removed,
 * or when the clock is disposed.
 *
 * Returns: the alarm's id, for [method@Vesc.Clock.remove_alarm]; never 0, and
 *   never reused by this clock
 */
guint
vesc_clock_add_alarm (VescClock      *self,
                      GDateTime      *when,
                      VescAlarmFunc   func,
                      gpointer        user_data,
                      GDestroyNotify  notify)
{
  g_return_val_if_fail (VESC_IS_CLOCK (self), 0);
  g_return_val_if_fail (when != NULL, 0);

  return vesc_clock_add_alarm_usec (self, vesc_date_time_to_usec (when),
                                    func, user_data, notify);
}

/**
 * vesc_clock_remove_alarm:
 * @self: a clock
 * @alarm_id: an id from [method@Vesc.Clock.add_alarm]
 *
 * Removes a pending alarm without firing it, and frees its data.
 *
 * Returns: %TRUE if the alarm was pending; %FALSE if it already fired, was
 *   already removed or never existed
 */
gboolean
vesc_clock_remove_alarm (VescClock *self,
                         guint      alarm_id)
{
  VescClockPrivate *priv;
  Alarm *alarm;
  gboolean was_first;

  g_return_val_if_fail (VESC_IS_CLOCK (self), FALSE);

  priv = vesc_clock_get_instance_private (self);
  alarm = g_hash_table_lookup (priv->alarms, GUINT_TO_POINTER (alarm_id));
  if (alarm == NULL)
    return FALSE;

  was_first = alarm->heap_index == 0;
  detach_alarm (self, alarm);
  if (was_first)
    tell_wake_at (self);

  /* Last, because the notify may call back into the clock. */
  alarm_free (alarm);
  return TRUE;
}

gint64
vesc_clock_next_alarm_usec (VescClock *self)
{
  Alarm *alarm;

  g_return_val_if_fail (VESC_IS_CLOCK (self), -1);

  alarm = peek_alarm (self);
  return alarm != NULL ? alarm->due_usec : -1;
}

/**
 * vesc_clock_get_next_alarm:
 * @self: a clock
 *
 * Gets the time of the earliest pending alarm.
 *
 * Returns: (transfer full) (nullable): the due time, or %NULL if no alarm is
 *   pending
 */
GDateTime *
vesc_clock_get_next_alarm (VescClock *self)
{
  Alarm *alarm;

  g_return_val_if_fail (VESC_IS_CLOCK (self), NULL);

  alarm = peek_alarm (self);
  return alarm != NULL ? vesc_date_time_new_from_usec (alarm->due_usec) : NULL;
}

/**
 * vesc_clock_get_n_alarms:
 * @self: a clock
 *
 * Gets the number of alarms that have neither fired nor been removed.
 *
 * Returns: the number of pending alarms
 */
guint
vesc_clock_get_n_alarms (VescClock *self)
{
  VescClockPrivate *priv;

  g_return_val_if_fail (VESC_IS_CLOCK (self), 0);

  priv = vesc_clock_get_instance_private (self);
  return priv->heap->len;
}

/**
 * vesc_clock_fire_due:
 * @self: a clock
 *
 * Runs every alarm whose time has come, earliest first. An alarm that a
 * callback adds and that is already due runs in the same call; one that a
 * callback removes does not run. Subclasses call this when the wake-up they
 * were asked for in [vfunc@Vesc.Clock.wake_at] happens.
 */
void
vesc_clock_fire_due (VescClock *self)
{
  g_autoptr(VescClock) keep_alive = NULL;
  VescClockPrivate *priv;
  Alarm *alarm;

  g_return_if_fail (VESC_IS_CLOCK (self));

  /* A callback may drop the last reference to the clock. */
  keep_alive = g_object_ref (self);
  priv = vesc_clock_get_instance_private (self);
  priv->firing_depth++;

  /* "now" and the top of the heap are read again after every callback,
   * because a callback may move a manual clock or change the alarms. */
  while ((alarm = peek_alarm (self)) != NULL &&
         alarm->due_usec <= vesc_clock_now_usec (self))
    {
      detach_alarm (self, alarm);
      alarm->func (self, alarm->user_data);
      alarm_free (alarm);
    }

  priv->firing_depth--;
  tell_wake_at (self);
}

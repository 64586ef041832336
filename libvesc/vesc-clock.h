/* vesc-clock.h: where "now" and deadlines come from
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include <glib-object.h>

#include "vesc-version-macros.h"

G_BEGIN_DECLS

#define VESC_TYPE_CLOCK (vesc_clock_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (VescClock, vesc_clock, VESC, CLOCK, GObject)

/**
 * VescAlarmFunc:
 * @clock: the clock the alarm was added to
 * @user_data: the data given to [method@Vesc.Clock.add_alarm]
 *
 * Called once when an alarm's time has come. The clock's "now" is the
 * alarm's due time for a manual clock, and the wall-clock time for the
 * system clock.
 */
typedef void (*VescAlarmFunc) (VescClock *clock,
                               gpointer   user_data);

/**
 * VescClockClass:
 * @parent_class: the parent class
 * @now_usec: returns the current wall-clock time in microseconds since the
 *   Unix epoch, UTC
 * @wake_at: asks the subclass to call [method@Vesc.Clock.fire_due] at or
 *   soon after @when_usec; -1 means no alarm is pending
 *
 * The virtual methods a clock implements. The base class keeps every alarm
 * in one scheduler; a subclass only provides "now" and one wake-up.
 */
struct _VescClockClass
{
  GObjectClass parent_class;

  gint64 (*now_usec) (VescClock *self);
  void   (*wake_at)  (VescClock *self,
                      gint64     when_usec);

  /*< private >*/
  gpointer padding[8];
};

VESC_AVAILABLE_IN_ALL
GDateTime *vesc_clock_get_now        (VescClock      *self);
VESC_AVAILABLE_IN_ALL
guint      vesc_clock_add_alarm      (VescClock      *self,
                                      GDateTime      *when,
                                      VescAlarmFunc   func,
                                      gpointer        user_data,
                                      GDestroyNotify  notify);
VESC_AVAILABLE_IN_ALL
gboolean   vesc_clock_remove_alarm   (VescClock      *self,
                                      guint           alarm_id);
VESC_AVAILABLE_IN_ALL
GDateTime *vesc_clock_get_next_alarm (VescClock      *self);
VESC_AVAILABLE_IN_ALL
guint      vesc_clock_get_n_alarms   (VescClock      *self);
VESC_AVAILABLE_IN_ALL
void       vesc_clock_fire_due       (VescClock      *self);

G_END_DECLS

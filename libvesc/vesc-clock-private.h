/* vesc-clock-private.h: microsecond entry points used inside the library
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include "vesc-clock.h"

G_BEGIN_DECLS

/* UTC microseconds since the epoch. */
gint64 vesc_clock_now_usec        (VescClock     *self);
guint  vesc_clock_add_alarm_usec  (VescClock     *self,
                                   gint64         when_usec,
                                   VescAlarmFunc  func,
                                   gpointer       user_data,
                                   GDestroyNotify notify);
/* -1 when no alarm is pending. */
gint64 vesc_clock_next_alarm_usec (VescClock     *self);

GDateTime *vesc_date_time_new_from_usec (gint64 usec);
gint64     vesc_date_time_to_usec       (GDateTime *dt);

G_END_DECLS

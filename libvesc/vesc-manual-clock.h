/* vesc-manual-clock.h: a clock moved by hand, for tests and drills
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include "vesc-clock.h"

G_BEGIN_DECLS

#define VESC_TYPE_MANUAL_CLOCK (vesc_manual_clock_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescManualClock, vesc_manual_clock, VESC, MANUAL_CLOCK, VescClock)

VESC_AVAILABLE_IN_ALL
VescManualClock *vesc_manual_clock_new             (GDateTime       *start);
VESC_AVAILABLE_IN_ALL
void             vesc_manual_clock_set_time        (VescManualClock *self,
                                                    GDateTime       *time);
VESC_AVAILABLE_IN_ALL
void             vesc_manual_clock_advance         (VescManualClock *self,
                                                    GTimeSpan        span);
VESC_AVAILABLE_IN_ALL
gboolean         vesc_manual_clock_advance_to_next (VescManualClock *self);

G_END_DECLS

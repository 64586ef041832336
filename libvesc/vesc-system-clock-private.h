/* vesc-system-clock-private.h: a wall-clock step, for tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include "vesc-system-clock.h"

G_BEGIN_DECLS

/* Moves the clock's wall time by @jump and reacts as to a real step of the
 * system clock (an NTP step, a resume): what became due fires on the next
 * main-context iteration. Tests cannot set the machine's clock. */
void vesc_system_clock_step_for_tests (VescSystemClock *self,
                                       GTimeSpan        jump);

G_END_DECLS

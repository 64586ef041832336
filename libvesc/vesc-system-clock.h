/* vesc-system-clock.h: the wall clock, driven by the GLib main loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include "vesc-clock.h"

G_BEGIN_DECLS

#define VESC_TYPE_SYSTEM_CLOCK (vesc_system_clock_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescSystemClock, vesc_system_clock, VESC, SYSTEM_CLOCK, VescClock)

VESC_AVAILABLE_IN_ALL
VescSystemClock *vesc_system_clock_new (void);

G_END_DECLS

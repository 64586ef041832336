/* vesc-event-private.h: building timeline entries
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include "vesc-event.h"

G_BEGIN_DECLS

VescEvent *vesc_event_new       (gint64         time_usec,
                                 VescEventKind  kind,
                                 const char    *step,
                                 const char    *actor,
                                 const char    *detail);
gint64     vesc_event_time_usec (VescEvent     *self);

G_END_DECLS

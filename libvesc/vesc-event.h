/* vesc-event.h: one entry on an incident's timeline
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include <glib-object.h>

#include "vesc-types.h"

G_BEGIN_DECLS

#define VESC_TYPE_EVENT (vesc_event_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescEvent, vesc_event, VESC, EVENT, GObject)

VESC_AVAILABLE_IN_ALL
GDateTime     *vesc_event_get_time   (VescEvent *self);
VESC_AVAILABLE_IN_ALL
VescEventKind  vesc_event_get_kind   (VescEvent *self);
VESC_AVAILABLE_IN_ALL
const char    *vesc_event_get_step   (VescEvent *self);
VESC_AVAILABLE_IN_ALL
const char    *vesc_event_get_actor  (VescEvent *self);
VESC_AVAILABLE_IN_ALL
const char    *vesc_event_get_detail (VescEvent *self);

G_END_DECLS

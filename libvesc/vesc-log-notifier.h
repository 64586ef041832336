/* vesc-log-notifier.h: a notifier that writes one line per notification
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#if !defined(VESC_INSIDE) && !defined(VESC_COMPILATION)
# error "Only <libvesc/vesc.h> can be included directly."
#endif

#include "vesc-notifier.h"

G_BEGIN_DECLS

#define VESC_TYPE_LOG_NOTIFIER (vesc_log_notifier_get_type ())

VESC_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (VescLogNotifier, vesc_log_notifier, VESC, LOG_NOTIFIER, GObject)

VESC_AVAILABLE_IN_ALL
VescLogNotifier *vesc_log_notifier_new            (void);
VESC_AVAILABLE_IN_ALL
VescLogNotifier *vesc_log_notifier_new_for_stream (GOutputStream *stream);

G_END_DECLS

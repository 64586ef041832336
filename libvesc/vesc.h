/* vesc.h: the one header to include
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define VESC_INSIDE

#include "vesc-version-macros.h"
#include "vesc-types.h"
#include "vesc-enum-types.h"
#include "vesc-clock.h"
#include "vesc-manual-clock.h"
#include "vesc-system-clock.h"
#include "vesc-recipient.h"
#include "vesc-site.h"
#include "vesc-directory.h"
#include "vesc-policy.h"
#include "vesc-notification.h"
#include "vesc-notifier.h"
#include "vesc-log-notifier.h"
#include "vesc-maildir-notifier.h"
#include "vesc-sendmail-notifier.h"
#include "vesc-webhook-notifier.h"
#include "vesc-store.h"
#include "vesc-file-store.h"
#include "vesc-event.h"
#include "vesc-deadline.h"
#include "vesc-incident.h"
#include "vesc-escalation.h"
#include "vesc-desk.h"

#undef VESC_INSIDE

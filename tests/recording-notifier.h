/* recording-notifier.h: a notifier for tests that keeps what it is given
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <libvesc/vesc.h>

G_BEGIN_DECLS

#define RECORDING_TYPE_NOTIFIER (recording_notifier_get_type ())
G_DECLARE_FINAL_TYPE (RecordingNotifier, recording_notifier, RECORDING, NOTIFIER, GObject)

/* Keeps each notification it sends in @sent; while @fail is set it fails
 * every send with "mail server down" instead. */
struct _RecordingNotifier
{
  GObject    parent_instance;
  GPtrArray *sent;
  gboolean   fail;
};

RecordingNotifier *recording_notifier_new (void);

G_END_DECLS

/* vesc-track-private.h: the procedure's tracks as tables of steps
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include "vesc-types.h"

G_BEGIN_DECLS

#define VESC_ROLE_BIT(role) (1u << (role))

typedef enum {
  VESC_STEP_FLAG_NONE         = 0,
  VESC_STEP_FLAG_IF_KSSC      = 1 << 0, /* only when KSSC supports the site */
  VESC_STEP_FLAG_REPLY        = 1 << 1, /* the e-mail answers e-mail 1 */
  VESC_STEP_FLAG_SENT_ON_EXIT = 1 << 2, /* a check's notice carries its result */
  VESC_STEP_FLAG_UPGRADABLE   = 1 << 3, /* a minor ladder here jumps on upgrade */
} VescStepFlags;

typedef struct {
  const char    *code;        /* "M6": unique across all tracks */
  VescStepKind   kind;
  const char    *title;       /* what the step is, for timelines and reports */
  const char    *template_id; /* message sent at the step, or NULL */
  guint          recipients;  /* VESC_ROLE_BIT()s */
  VescStepFlags  flags;
  const char    *deadline;    /* WAIT: the window armed on entry */
  const char    *next;        /* the step after; CHECK: device present; DECISION: yes */
  const char    *other;       /* CHECK: device absent; DECISION: no */
} VescTrackStep;

const VescTrackStep *vesc_track_first  (VescScenario  scenario);
const VescTrackStep *vesc_track_lookup (const char   *code);
/* The step a running minor ladder jumps to when it is upgraded. */
const VescTrackStep *vesc_track_upgrade_target (void);
/* Whether a minor ladder at @step can still be upgraded (it has not yet
 * reached the disconnect decision). */
gboolean             vesc_track_can_upgrade_from (const VescTrackStep *step);

G_END_DECLS

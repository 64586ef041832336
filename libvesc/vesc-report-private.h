/* vesc-report-private.h: what the period report knows of each incident
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef VESC_COMPILATION
# error "This header is private to libvesc."
#endif

#include <json-glib/json-glib.h>

#include "vesc-types.h"

G_BEGIN_DECLS

/* One incident as the period report counts it; read from an incident's
 * report, so live and compacted incidents are counted the same way. */
typedef struct {
  char         *id;
  char         *site_id;
  char         *site_name;
  VescScenario  scenario;
  VescOutcome   outcome;
  gint64        opened_usec;
  gint64        closed_usec;       /* -1 while open */
  gint64        removal_seconds;   /* opening to the check that found it gone, or -1 */
  gint64        disconnected_seconds;  /* -1 when never disconnected and reconnected */
  guint         met, missed, cancelled, pending;
} VescSummary;

VescSummary *vesc_summary_new_from_report (JsonObject  *report,
                                           GError     **error);
void         vesc_summary_free            (VescSummary *summary);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (VescSummary, vesc_summary_free)

/* Incidents opened in [from_usec, to_usec). */
char *vesc_period_report_build_json (GPtrArray *summaries,
                                     gint64     from_usec,
                                     gint64     to_usec);
char *vesc_period_report_build_text (GPtrArray *summaries,
                                     gint64     from_usec,
                                     gint64     to_usec);

G_END_DECLS

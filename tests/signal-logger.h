/* signal-logger.h: record signal emissions so tests can assert on them
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/**
 * SignalLogger:
 *
 * Records every emission of the signals it is connected to, in order: the
 * object, the signal name with its detail ("notify::state") and a copy of the
 * arguments (without the instance). Tests pop the emissions they expect and
 * finish with signal_logger_assert_empty() so that an unexpected emission
 * fails the test.
 */
typedef struct _SignalLogger SignalLogger;

SignalLogger *signal_logger_new     (void);
void          signal_logger_free    (SignalLogger *self);
gulong        signal_logger_connect (SignalLogger *self,
                                     gpointer      obj,
                                     const char   *detailed_signal);
guint         signal_logger_count   (SignalLogger *self,
                                     const char   *detailed_signal);
gboolean      signal_logger_pop     (SignalLogger *self,
                                     gpointer      obj,
                                     const char   *signal_name,
                                     GValue      **out_args,
                                     guint        *out_n);
void          signal_logger_args_free (GValue *args,
                                       guint   n_args);
char         *signal_logger_format  (SignalLogger *self);

void          signal_logger_assert_empty_full (SignalLogger *self,
                                               const char   *file,
                                               int           line,
                                               const char   *func);

/* A macro so that a failure names the test's own line. */
#define signal_logger_assert_empty(self) \
  signal_logger_assert_empty_full ((self), __FILE__, __LINE__, G_STRFUNC)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SignalLogger, signal_logger_free)

G_END_DECLS

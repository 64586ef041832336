/* vesc-system-clock.c: the wall clock, driven by the GLib main loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "vesc-system-clock-private.h"
#include "vesc-clock-private.h"

#include <errno.h>
#include <unistd.h>

#ifdef __linux__
# include <sys/timerfd.h>
# define HAVE_TIMERFD 1
#endif

/**
 * VescSystemClock:
 *
 * A clock that follows the wall clock (UTC) and fires alarms from the
 * thread-default main context of the thread that created it.
 *
 * Deadlines are wall-clock times, so a suspend or an NTP step must not delay
 * them by the length of the jump. GLib timeouts count on the monotonic clock,
 * which stops during suspend; instead the clock arms a Linux timerfd on
 * `CLOCK_REALTIME` at the absolute due time, which the kernel fires on time
 * after a resume and cancels when the wall clock is set, so the clock looks
 * again at once. Where timerfd is missing, the clock wakes at least once a
 * minute to look at the wall clock, so a jump delays a deadline by at most a
 * minute.
 *
 * Whatever the number of alarms, the clock has one source on the main
 * context.
 */
struct _VescSystemClock
{
  VescClock  parent_instance;

  GSource   *wake_source;
  GTimeSpan  step;   /* added to the wall clock by tests only */
};

G_DEFINE_FINAL_TYPE (VescSystemClock, vesc_system_clock, VESC_TYPE_CLOCK)

/* Never longer than this without looking at the wall clock, when there is no
 * timerfd to tell us it was set. */
#define MAX_POLL_INTERVAL_USEC (60 * G_USEC_PER_SEC)

/* One source for both ways of waking: it polls the timerfd if there is one,
 * and otherwise uses its ready time on the monotonic clock. */
typedef struct
{
  GSource   source;
  int       timer_fd;   /* -1 without timerfd */
} WakeSource;

static gboolean
wake_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  WakeSource *wake = (WakeSource *) source;

  if (wake->timer_fd >= 0)
    {
      guint64 expirations;

      /* A ready time is only set to look at once after a step. */
      g_source_set_ready_time (source, -1);

      /* ECANCELED means the wall clock was set; EAGAIN a spurious wake-up.
       * Either way the callback looks at the time and re-arms the timer. */
      if (read (wake->timer_fd, &expirations, sizeof expirations) < 0 &&
          errno != ECANCELED && errno != EAGAIN)
        g_debug ("Reading the clock's timer failed: %s", g_strerror (errno));
    }

  return callback (user_data);
}

static void
wake_source_finalize (GSource *source)
{
  WakeSource *wake = (WakeSource *) source;

  if (wake->timer_fd >= 0)
    close (wake->timer_fd);
}

static GSourceFuncs wake_source_funcs = {
  .dispatch = wake_source_dispatch,
  .finalize = wake_source_finalize,
};

static int
open_timer_fd (void)
{
#ifdef HAVE_TIMERFD
  int fd = timerfd_create (CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);

  if (fd < 0)
    g_debug ("No timerfd (%s); the clock will poll the wall clock", g_strerror (errno));
  return fd;
#else
  return -1;
#endif
}

static gboolean
arm_timer_fd (WakeSource *wake,
              gint64      when_usec)
{
#ifdef HAVE_TIMERFD
  struct itimerspec spec = { { 0, 0 }, { 0, 0 } };

  /* An all-zero it_value disarms, so a time at the epoch becomes 1 ns. */
  if (when_usec >= 0)
    {
      spec.it_value.tv_sec = when_usec / G_USEC_PER_SEC;
      spec.it_value.tv_nsec = MAX ((when_usec % G_USEC_PER_SEC) * 1000, when_usec == 0);
    }

  if (timerfd_settime (wake->timer_fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
                       &spec, NULL) == 0)
    return TRUE;
  g_warning ("Could not arm the clock's timer: %s", g_strerror (errno));
#endif
  return FALSE;
}

static void
set_poll_ready_time (WakeSource *wake,
                     gint64      when_usec)
{
  gint64 delay;

  if (when_usec < 0)
    {
      g_source_set_ready_time (&wake->source, -1);
      return;
    }

  /* when_usec is already on the kernel's wall clock. */
  delay = CLAMP (when_usec - g_get_real_time (), 0, MAX_POLL_INTERVAL_USEC);
  g_source_set_ready_time (&wake->source, g_get_monotonic_time () + delay);
}

static gint64
vesc_system_clock_now_usec (VescClock *clock)
{
  return g_get_real_time () + VESC_SYSTEM_CLOCK (clock)->step;
}

static void
vesc_system_clock_wake_at (VescClock *clock,
                           gint64     when_usec)
{
  VescSystemClock *self = VESC_SYSTEM_CLOCK (clock);
  WakeSource *wake = (WakeSource *) self->wake_source;

  /* Alarms removed while the clock is being disposed need no wake-up. */
  if (wake == NULL)
    return;

  if (when_usec >= 0)
    when_usec = MAX (when_usec - self->step, 0);
  if (wake->timer_fd >= 0 && arm_timer_fd (wake, when_usec))
    return;
  set_poll_ready_time (wake, when_usec);
}

static gboolean
on_wake (gpointer user_data)
{
  /* The source is destroyed in dispose, so the clock is alive here. */
  vesc_clock_fire_due (VESC_CLOCK (user_data));
  return G_SOURCE_CONTINUE;
}

static void
vesc_system_clock_dispose (GObject *object)
{
  VescSystemClock *self = VESC_SYSTEM_CLOCK (object);

  if (self->wake_source != NULL)
    {
      g_source_destroy (self->wake_source);
      g_clear_pointer (&self->wake_source, g_source_unref);
    }

  G_OBJECT_CLASS (vesc_system_clock_parent_class)->dispose (object);
}

static void
vesc_system_clock_class_init (VescSystemClockClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  VescClockClass *clock_class = VESC_CLOCK_CLASS (klass);

  object_class->dispose = vesc_system_clock_dispose;
  clock_class->now_usec = vesc_system_clock_now_usec;
  clock_class->wake_at = vesc_system_clock_wake_at;
}

static void
vesc_system_clock_init (VescSystemClock *self)
{
  g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();
  WakeSource *wake;

  self->wake_source = g_source_new (&wake_source_funcs, sizeof (WakeSource));
  g_source_set_static_name (self->wake_source, "VescSystemClock");
  g_source_set_callback (self->wake_source, on_wake, self, NULL);

  wake = (WakeSource *) self->wake_source;
  wake->timer_fd = open_timer_fd ();
  if (wake->timer_fd >= 0)
    g_source_add_unix_fd (self->wake_source, wake->timer_fd, G_IO_IN);

  g_source_attach (self->wake_source, context);
}

void
vesc_system_clock_step_for_tests (VescSystemClock *self,
                                  GTimeSpan        jump)
{
  VescClock *clock = VESC_CLOCK (self);

  self->step += jump;
  /* As when the kernel cancels the timer on a step: look again at once. */
  vesc_system_clock_wake_at (clock, vesc_clock_next_alarm_usec (clock));
  g_source_set_ready_time (self->wake_source, 0);
}

/**
 * vesc_system_clock_new:
 *
 * Creates a clock that follows the wall clock. Its alarms fire from the
 * thread-default main context of the calling thread, which must be
 * iterated (by a running #GMainLoop, for instance).
 *
 * Returns: (transfer full): a new clock
 */
VescSystemClock *
vesc_system_clock_new (void)
{
  return g_object_new (VESC_TYPE_SYSTEM_CLOCK, NULL);
}

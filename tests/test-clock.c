/* test-clock.c: the alarm scheduler, the manual clock and the system clock
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <libvesc/vesc.h>
#include "vesc-system-clock-private.h"

#include "vesc-clock-private.h"

#define SECOND G_TIME_SPAN_SECOND
/* 2024-03-05T09:00:00Z */
#define START_USEC (G_GINT64_CONSTANT (1709629200) * SECOND)

/* A clock whose "now" the test sets, and which records every wake_at. */
#define TEST_TYPE_CLOCK (test_clock_get_type ())
G_DECLARE_FINAL_TYPE (TestClock, test_clock, TEST, CLOCK, VescClock)

struct _TestClock
{
  VescClock  parent_instance;
  gint64     now;
  GArray    *wakes;   /* gint64 */
};

G_DEFINE_FINAL_TYPE (TestClock, test_clock, VESC_TYPE_CLOCK)

static gint64
test_clock_now_usec (VescClock *clock)
{
  return TEST_CLOCK (clock)->now;
}

static void
test_clock_wake_at (VescClock *clock,
                    gint64     when_usec)
{
  g_array_append_val (TEST_CLOCK (clock)->wakes, when_usec);
}

static void
test_clock_finalize (GObject *object)
{
  g_array_unref (TEST_CLOCK (object)->wakes);
  G_OBJECT_CLASS (test_clock_parent_class)->finalize (object);
}

static void
test_clock_class_init (TestClockClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_clock_finalize;
  VESC_CLOCK_CLASS (klass)->now_usec = test_clock_now_usec;
  VESC_CLOCK_CLASS (klass)->wake_at = test_clock_wake_at;
}

static void
test_clock_init (TestClock *self)
{
  self->wakes = g_array_new (FALSE, FALSE, sizeof (gint64));
}

/* One alarm's record: what it expects and what happened to it. */
typedef struct _Fixture Fixture;

typedef struct
{
  Fixture *fixture;
  gint64   due;
  guint    index;
  guint    id;
  guint    n_fired;
  guint    n_notified;
  gint64   now_when_fired;
} Probe;

struct _Fixture
{
  VescManualClock *clock;
  GArray          *fired;    /* guint: probe indexes in firing order */
  Probe           *probes;
  guint            n_probes;
};

static void
setup (Fixture       *fixture,
       gconstpointer  data)
{
  g_autoptr(GDateTime) start = vesc_date_time_new_from_usec (START_USEC);

  fixture->clock = vesc_manual_clock_new (start);
  fixture->fired = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
teardown (Fixture       *fixture,
          gconstpointer  data)
{
  g_clear_object (&fixture->clock);

  /* Every probe's data was freed exactly once: fired, removed or disposed. */
  for (guint i = 0; i < fixture->n_probes; i++)
    g_assert_cmpuint (fixture->probes[i].n_notified, ==, 1);

  g_array_unref (fixture->fired);
  g_free (fixture->probes);
}

static Probe *
make_probes (Fixture *fixture,
             guint    n)
{
  fixture->probes = g_new0 (Probe, n);
  fixture->n_probes = n;
  for (guint i = 0; i < n; i++)
    {
      fixture->probes[i].fixture = fixture;
      fixture->probes[i].index = i;
    }
  return fixture->probes;
}

static void
probe_fired (VescClock *clock,
             gpointer   user_data)
{
  Probe *probe = user_data;

  probe->n_fired++;
  probe->now_when_fired = vesc_clock_now_usec (clock);
  g_array_append_val (probe->fixture->fired, probe->index);
}

static void
probe_notified (gpointer user_data)
{
  Probe *probe = user_data;

  probe->n_notified++;
}

static guint
add_probe (Fixture *fixture,
           Probe   *probe,
           gint64   due)
{
  probe->due = due;
  probe->id = vesc_clock_add_alarm_usec (VESC_CLOCK (fixture->clock), due,
                                         probe_fired, probe, probe_notified);
  g_assert_cmpuint (probe->id, !=, 0);
  return probe->id;
}

static gint64
clock_now (Fixture *fixture)
{
  return vesc_clock_now_usec (VESC_CLOCK (fixture->clock));
}

static void
set_time_usec (Fixture *fixture,
               gint64   usec)
{
  g_autoptr(GDateTime) when = vesc_date_time_new_from_usec (usec);

  vesc_manual_clock_set_time (fixture->clock, when);
}

static void
assert_fired_order (Fixture     *fixture,
                    const guint *expected,
                    guint        n_expected)
{
  g_assert_cmpmem (fixture->fired->data, fixture->fired->len * sizeof (guint),
                   expected, n_expected * sizeof (guint));
}

static void
test_date_time_round_trip (void)
{
  const gint64 values[] = {
    0, 1, -1, 999999, -999999, 1000000, -1000000, 1500001, -1500001,
    START_USEC + 123456, -G_GINT64_CONSTANT (2208988800) * SECOND - 7,  /* 1899 */
    G_GINT64_CONSTANT (253402300799) * SECOND + 999999,  /* 9999-12-31T23:59:59.999999 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autoptr(GDateTime) dt = vesc_date_time_new_from_usec (values[i]);

      g_assert_nonnull (dt);
      g_assert_cmpint (g_date_time_get_utc_offset (dt), ==, 0);
      g_assert_cmpint (vesc_date_time_to_usec (dt), ==, values[i]);
    }
}

static void
test_date_time_fields (void)
{
  g_autoptr(GDateTime) before = vesc_date_time_new_from_usec (-1);
  g_autoptr(GDateTime) start = vesc_date_time_new_from_usec (START_USEC + 250000);
  g_autoptr(GTimeZone) plus_two = g_time_zone_new_offset (2 * 3600);
  g_autoptr(GDateTime) local = g_date_time_new (plus_two, 2024, 3, 5, 11, 0, 0.25);

  g_assert_cmpint (g_date_time_get_year (before), ==, 1969);
  g_assert_cmpint (g_date_time_get_month (before), ==, 12);
  g_assert_cmpint (g_date_time_get_day_of_month (before), ==, 31);
  g_assert_cmpint (g_date_time_get_hour (before), ==, 23);
  g_assert_cmpint (g_date_time_get_second (before), ==, 59);
  g_assert_cmpint (g_date_time_get_microsecond (before), ==, 999999);

  g_assert_cmpint (g_date_time_get_hour (start), ==, 9);
  g_assert_cmpint (g_date_time_get_microsecond (start), ==, 250000);

  /* Any time zone comes back as the same instant. */
  g_assert_cmpint (vesc_date_time_to_usec (local), ==, START_USEC + 250000);
}

static void
test_date_time_out_of_range (void)
{
  g_assert_null (vesc_date_time_new_from_usec (G_MAXINT64));
  g_assert_null (vesc_date_time_new_from_usec (G_MININT64));
}

static void
test_manual_now (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GDateTime) now = vesc_clock_get_now (VESC_CLOCK (fixture->clock));

  g_assert_cmpint (vesc_date_time_to_usec (now), ==, START_USEC);
  g_assert_cmpint (g_date_time_get_utc_offset (now), ==, 0);

  vesc_manual_clock_advance (fixture->clock, 90 * SECOND + 5);
  g_assert_cmpint (clock_now (fixture), ==, START_USEC + 90 * SECOND + 5);

  set_time_usec (fixture, START_USEC - 3600 * SECOND);
  g_assert_cmpint (clock_now (fixture), ==, START_USEC - 3600 * SECOND);
}

/* Many random alarms, with many ties: they fire by due time, ties in the order
 * they were added, each seeing "now" equal to its due time. */
static void
test_heap_random_order (Fixture       *fixture,
                        gconstpointer  data)
{
  const guint n = 10000;
  Probe *probes = make_probes (fixture, n);

  for (guint i = 0; i < n; i++)
    add_probe (fixture, &probes[i], START_USEC + g_test_rand_int_range (1, 500) * SECOND);
  g_assert_cmpuint (vesc_clock_get_n_alarms (VESC_CLOCK (fixture->clock)), ==, n);

  vesc_manual_clock_advance (fixture->clock, 1000 * SECOND);

  g_assert_cmpuint (fixture->fired->len, ==, n);
  g_assert_cmpuint (vesc_clock_get_n_alarms (VESC_CLOCK (fixture->clock)), ==, 0);
  for (guint i = 0; i < n; i++)
    {
      Probe *probe = &probes[g_array_index (fixture->fired, guint, i)];

      g_assert_cmpuint (probe->n_fired, ==, 1);
      g_assert_cmpint (probe->now_when_fired, ==, probe->due);
      if (i > 0)
        {
          Probe *previous = &probes[g_array_index (fixture->fired, guint, i - 1)];

          g_assert_cmpint (previous->due, <=, probe->due);
          if (previous->due == probe->due)
            g_assert_cmpuint (previous->index, <, probe->index);
        }
    }
}

/* Removing random alarms anywhere in the heap keeps the others in order. */
static void
test_heap_random_removal (Fixture       *fixture,
                          gconstpointer  data)
{
  const guint n = 5000;
  Probe *probes = make_probes (fixture, n);
  guint n_removed = 0;
  gint64 last_due = G_MININT64;

  for (guint i = 0; i < n; i++)
    add_probe (fixture, &probes[i], START_USEC + g_test_rand_int_range (1, 100000) * SECOND);
  for (guint i = 0; i < n; i++)
    if (g_test_rand_bit ())
      {
        g_assert_true (vesc_clock_remove_alarm (VESC_CLOCK (fixture->clock), probes[i].id));
        g_assert_cmpuint (probes[i].n_notified, ==, 1);
        n_removed++;
      }

  g_assert_cmpuint (vesc_clock_get_n_alarms (VESC_CLOCK (fixture->clock)), ==, n - n_removed);
  while (vesc_manual_clock_advance_to_next (fixture->clock))
    ;

  g_assert_cmpuint (fixture->fired->len, ==, n - n_removed);
  for (guint i = 0; i < fixture->fired->len; i++)
    {
      Probe *probe = &probes[g_array_index (fixture->fired, guint, i)];

      g_assert_cmpuint (probe->n_notified, ==, 1);
      g_assert_cmpint (probe->due, >=, last_due);
      last_due = probe->due;
    }
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (probes[i].n_notified, ==, 1);
}

static void
count_fired (VescClock *clock,
             gpointer   user_data)
{
  (*(guint *) user_data)++;
}

/* 100 000 alarms cost memory, not sources: adding, removing half and firing
 * the rest takes well under a second. */
static void
test_heap_many (void)
{
  g_autoptr(GDateTime) start = vesc_date_time_new_from_usec (START_USEC);
  g_autoptr(VescManualClock) clock = vesc_manual_clock_new (start);
  g_autofree guint *ids = g_new (guint, 100000);
  guint n_fired = 0;

  for (guint i = 0; i < 100000; i++)
    ids[i] = vesc_clock_add_alarm_usec (VESC_CLOCK (clock), START_USEC + (i % 977) * SECOND,
                                        count_fired, &n_fired, NULL);
  for (guint i = 0; i < 100000; i += 2)
    g_assert_true (vesc_clock_remove_alarm (VESC_CLOCK (clock), ids[i]));

  vesc_manual_clock_advance (clock, 1000 * SECOND);
  g_assert_cmpuint (n_fired, ==, 50000);
}

static void
test_ids (Fixture       *fixture,
          gconstpointer  data)
{
  Probe *probes = make_probes (fixture, 3);
  guint first = add_probe (fixture, &probes[0], START_USEC + SECOND);
  guint second;

  g_assert_true (vesc_clock_remove_alarm (VESC_CLOCK (fixture->clock), first));
  second = add_probe (fixture, &probes[1], START_USEC + SECOND);
  add_probe (fixture, &probes[2], START_USEC + SECOND);

  /* A removed id is not handed out again, so it cannot remove another alarm. */
  g_assert_cmpuint (second, !=, first);
  g_assert_cmpuint (probes[2].id, !=, first);
  g_assert_cmpuint (probes[2].id, !=, second);
  g_assert_false (vesc_clock_remove_alarm (VESC_CLOCK (fixture->clock), first));
  g_assert_false (vesc_clock_remove_alarm (VESC_CLOCK (fixture->clock), 0));
  g_assert_cmpuint (vesc_clock_get_n_alarms (VESC_CLOCK (fixture->clock)), ==, 2);
}

static void
test_remove_top (Fixture       *fixture,
                 gconstpointer  data)
{
  Probe *probes = make_probes (fixture, 3);
  g_autoptr(GDateTime) next = NULL;
  const guint expected[] = { 2, 1 };

  add_probe (fixture, &probes[0], START_USEC + 10 * SECOND);
  add_probe (fixture, &probes[1], START_USEC + 30 * SECOND);
  add_probe (fixture, &probes[2], START_USEC + 20 * SECOND);

  g_assert_true (vesc_clock_remove_alarm (VESC_CLOCK (fixture->clock), probes[0].id));
  g_assert_cmpuint (probes[0].n_notified, ==, 1);
  next = vesc_clock_get_next_alarm (VESC_CLOCK (fixture->clock));
  g_assert_cmpint (vesc_date_time_to_usec (next), ==, START_USEC + 20 * SECOND);

  vesc_manual_clock_advance (fixture->clock, 60 * SECOND);
  assert_fired_order (fixture, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (probes[0].n_fired, ==, 0);
}

static void
test_remove_fired (Fixture       *fixture,
                   gconstpointer  data)
{
  Probe *probes = make_probes (fixture, 1);

  add_probe (fixture, &probes[0], START_USEC + SECOND);
  vesc_manual_clock_advance (fixture->clock, SECOND);
  g_assert_cmpuint (probes[0].n_fired, ==, 1);
  g_assert_cmpuint (probes[0].n_notified, ==, 1);

  g_assert_false (vesc_clock_remove_alarm (VESC_CLOCK (fixture->clock), probes[0].id));
  g_assert_cmpuint (probes[0].n_notified, ==, 1);
}

/* An alarm that removes another one, and one that tries to remove itself. */
typedef struct
{
  Probe    *probe;
  guint     victim;
  gboolean  removed;
} Remover;

static void
remover_fired (VescClock *clock,
               gpointer   user_data)
{
  Remover *remover = user_data;

  probe_fired (clock, remover->probe);
  remover->removed = vesc_clock_remove_alarm (clock, remover->victim);
}

static void
remover_notified (gpointer user_data)
{
  Remover *remover = user_data;

  probe_notified (remover->probe);
}

static void
test_remove_from_callback (Fixture       *fixture,
                           gconstpointer  data)
{
  Probe *probes = make_probes (fixture, 4);
  Remover removers[2] = { { &probes[0], 0, FALSE }, { &probes[3], 0, FALSE } };
  const guint expected[] = { 2, 0, 3 };

  probes[0].due = probes[1].due = probes[3].due = START_USEC + 10 * SECOND;
  vesc_clock_add_alarm_usec (VESC_CLOCK (fixture->clock), probes[0].due,
                             remover_fired, &removers[0], remover_notified);
  /* Due at the same time as the remover, and after it: it must not fire. */
  removers[0].victim = add_probe (fixture, &probes[1], probes[1].due);
  add_probe (fixture, &probes[2], START_USEC + 5 * SECOND);
  removers[1].victim = vesc_clock_add_alarm_usec (VESC_CLOCK (fixture->clock), probes[3].due,
                                                  remover_fired, &removers[1],
                                                  remover_notified);

  vesc_manual_clock_advance (fixture->clock, 20 * SECOND);

  assert_fired_order (fixture, expected, G_N_ELEMENTS (expected));
  g_assert_true (removers[0].removed);
  g_assert_cmpuint (probes[1].n_notified, ==, 1);
  /* An alarm is no longer pending while its callback runs. */
  g_assert_false (removers[1].removed);
  g_assert_cmpuint (vesc_clock_get_n_alarms (VESC_CLOCK (fixture->clock)), ==, 0);
}

/* A callback that adds alarms: one due now, one before the target time, one
 * after it. */
static void
adder_fired (VescClock *clock,
             gpointer   user_data)
{
  Probe *probes = user_data;
  Fixture *fixture = probes[0].fixture;
  gint64 now = vesc_clock_now_usec (clock);

  probe_fired (clock, &probes[0]);
  add_probe (fixture, &probes[1], now);
  add_probe (fixture, &probes[2], now + 5 * SECOND);
  add_probe (fixture, &probes[3], now + 100 * SECOND);
  add_probe (fixture, &probes[4], now - SECOND);
}

static void
test_add_from_callback (Fixture       *fixture,
                        gconstpointer  data)
{
  Probe *probes = make_probes (fixture, 6);
  const guint expected[] = { 0, 4, 5, 1, 2 };

  probes[0].due = START_USEC + 10 * SECOND;
  vesc_clock_add_alarm_usec (VESC_CLOCK (fixture->clock), probes[0].due,
                             adder_fired, probes, probe_notified);
  add_probe (fixture, &probes[5], probes[0].due);

  vesc_manual_clock_advance (fixture->clock, 20 * SECOND);

  /* Earliest due first, even if added last; same due time in the order
   * added; the overdue one sees the time it was found at, not earlier. */
  assert_fired_order (fixture, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (probes[1].now_when_fired, ==, START_USEC + 10 * SECOND);
  g_assert_cmpint (probes[4].now_when_fired, ==, START_USEC + 10 * SECOND);
  g_assert_cmpint (probes[2].now_when_fired, ==, START_USEC + 15 * SECOND);
  g_assert_cmpint (clock_now (fixture), ==, START_USEC + 20 * SECOND);
  g_assert_cmpuint (vesc_clock_get_n_alarms (VESC_CLOCK (fixture->clock)), ==, 1);
  g_assert_cmpuint (probes[3].n_fired, ==, 0);
}

static void
test_advance_to_next (Fixture       *fixture,
                      gconstpointer  data)
{
  Probe *probes = make_probes (fixture, 3);
  const guint expected[] = { 0, 1, 2 };

  g_assert_false (vesc_manual_clock_advance_to_next (fixture->clock));
  g_assert_cmpint (clock_now (fixture), ==, START_USEC);

  add_probe (fixture, &probes[0], START_USEC + 10 * SECOND);
  add_probe (fixture, &probes[1], START_USEC + 10 * SECOND);
  add_probe (fixture, &probes[2], START_USEC + 3600 * SECOND);

  g_assert_true (vesc_manual_clock_advance_to_next (fixture->clock));
  g_assert_cmpint (clock_now (fixture), ==, START_USEC + 10 * SECOND);
  g_assert_cmpuint (fixture->fired->len, ==, 2);

  g_assert_true (vesc_manual_clock_advance_to_next (fixture->clock));
  g_assert_cmpint (clock_now (fixture), ==, START_USEC + 3600 * SECOND);
  assert_fired_order (fixture, expected, G_N_ELEMENTS (expected));

  g_assert_false (vesc_manual_clock_advance_to_next (fixture->clock));
  g_assert_cmpint (clock_now (fixture), ==, START_USEC + 3600 * SECOND);
}

/* An alarm added in the past fires at the next move, without the clock
 * going back. */
static void
test_overdue (Fixture       *fixture,
              gconstpointer  data)
{
  Probe *probes = make_probes (fixture, 2);
  const guint expected[] = { 1, 0 };

  add_probe (fixture, &probes[0], START_USEC - 30 * SECOND);
  add_probe (fixture, &probes[1], START_USEC - 60 * SECOND);
  g_assert_cmpuint (probes[0].n_fired, ==, 0);

  /* Everything overdue is due now, so it all fires, in order. */
  g_assert_true (vesc_manual_clock_advance_to_next (fixture->clock));
  assert_fired_order (fixture, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint (probes[0].now_when_fired, ==, START_USEC);
  g_assert_cmpint (probes[1].now_when_fired, ==, START_USEC);
  g_assert_cmpint (clock_now (fixture), ==, START_USEC);
  g_assert_false (vesc_manual_clock_advance_to_next (fixture->clock));
}

/* A wall clock stepped back fires nothing that is not yet due. */
static void
test_backwards (Fixture       *fixture,
                gconstpointer  data)
{
  Probe *probes = make_probes (fixture, 1);

  add_probe (fixture, &probes[0], START_USEC + 10 * SECOND);
  vesc_manual_clock_advance (fixture->clock, -3600 * SECOND);
  g_assert_cmpint (clock_now (fixture), ==, START_USEC - 3600 * SECOND);
  g_assert_cmpuint (probes[0].n_fired, ==, 0);

  set_time_usec (fixture, START_USEC + 9 * SECOND);
  g_assert_cmpuint (probes[0].n_fired, ==, 0);
  vesc_manual_clock_advance (fixture->clock, SECOND);
  g_assert_cmpuint (probes[0].n_fired, ==, 1);
  g_assert_cmpint (probes[0].now_when_fired, ==, START_USEC + 10 * SECOND);
}

static void
test_next_alarm (Fixture       *fixture,
                 gconstpointer  data)
{
  VescClock *clock = VESC_CLOCK (fixture->clock);
  Probe *probes = make_probes (fixture, 3);
  g_autoptr(GDateTime) next = NULL;

  g_assert_null (vesc_clock_get_next_alarm (clock));
  g_assert_cmpint (vesc_clock_next_alarm_usec (clock), ==, -1);
  g_assert_cmpuint (vesc_clock_get_n_alarms (clock), ==, 0);

  add_probe (fixture, &probes[0], START_USEC + 30 * SECOND + 7);
  add_probe (fixture, &probes[1], START_USEC + 20 * SECOND + 7);
  add_probe (fixture, &probes[2], START_USEC + 40 * SECOND);
  g_assert_cmpuint (vesc_clock_get_n_alarms (clock), ==, 3);

  next = vesc_clock_get_next_alarm (clock);
  g_assert_cmpint (vesc_date_time_to_usec (next), ==, START_USEC + 20 * SECOND + 7);
  g_assert_cmpint (vesc_clock_next_alarm_usec (clock), ==, START_USEC + 20 * SECOND + 7);

  vesc_manual_clock_advance (fixture->clock, 25 * SECOND);
  g_assert_cmpuint (vesc_clock_get_n_alarms (clock), ==, 2);
  g_assert_cmpint (vesc_clock_next_alarm_usec (clock), ==, START_USEC + 30 * SECOND + 7);
}

/* Data is freed once after firing, once on removal and once on dispose; the
 * teardown checks that every probe was notified exactly once. */
static void
test_destroy_notify (Fixture       *fixture,
                     gconstpointer  data)
{
  Probe *probes = make_probes (fixture, 4);

  add_probe (fixture, &probes[0], START_USEC + SECOND);
  add_probe (fixture, &probes[1], START_USEC + 2 * SECOND);
  add_probe (fixture, &probes[2], START_USEC + 3 * SECOND);
  add_probe (fixture, &probes[3], START_USEC + 4 * SECOND);

  vesc_manual_clock_advance (fixture->clock, SECOND);
  g_assert_cmpuint (probes[0].n_notified, ==, 1);
  g_assert_true (vesc_clock_remove_alarm (VESC_CLOCK (fixture->clock), probes[1].id));
  g_assert_cmpuint (probes[1].n_notified, ==, 1);
  g_assert_cmpuint (probes[2].n_notified, ==, 0);

  g_clear_object (&fixture->clock);
  g_assert_cmpuint (probes[2].n_notified, ==, 1);
  g_assert_cmpuint (probes[3].n_notified, ==, 1);
  g_assert_cmpuint (probes[2].n_fired + probes[3].n_fired, ==, 0);
}

static void
drop_clock (VescClock *clock,
            gpointer   user_data)
{
  Fixture *fixture = user_data;

  g_clear_object (&fixture->clock);
}

/* A callback may drop the last reference to the clock: the clock lives until
 * the move that ran the callback is over. */
static void
test_unref_in_callback (Fixture       *fixture,
                        gconstpointer  data)
{
  Probe *probes = make_probes (fixture, 1);
  VescManualClock *clock = fixture->clock;
  g_autoptr(GDateTime) due = vesc_date_time_new_from_usec (START_USEC + SECOND);

  vesc_clock_add_alarm (VESC_CLOCK (clock), due, drop_clock, fixture, NULL);
  add_probe (fixture, &probes[0], START_USEC + 2 * SECOND);

  vesc_manual_clock_advance (clock, 10 * SECOND);
  g_assert_null (fixture->clock);
  g_assert_cmpuint (probes[0].n_fired, ==, 1);
  g_assert_cmpuint (probes[0].n_notified, ==, 1);
}

static void
nothing (VescClock *clock,
         gpointer   user_data)
{
}

static void
assert_wakes (TestClock    *clock,
              const gint64 *expected,
              guint         n_expected)
{
  g_assert_cmpmem (clock->wakes->data, clock->wakes->len * sizeof (gint64),
                   expected, n_expected * sizeof (gint64));
}

/* The subclass hears of a change of the earliest due time, and of nothing else. */
static void
test_wake_at (void)
{
  g_autoptr(TestClock) clock = g_object_new (TEST_TYPE_CLOCK, NULL);
  VescClock *base = VESC_CLOCK (clock);
  const gint64 expected[] = { 100, 50, 100, -1, 0 };
  guint at_50, at_200;

  vesc_clock_add_alarm_usec (base, 100, nothing, NULL, NULL);
  at_200 = vesc_clock_add_alarm_usec (base, 200, nothing, NULL, NULL);
  at_50 = vesc_clock_add_alarm_usec (base, 50, nothing, NULL, NULL);
  g_assert_true (vesc_clock_remove_alarm (base, at_200));
  g_assert_true (vesc_clock_remove_alarm (base, at_50));
  g_assert_cmpuint (clock->wakes->len, ==, 3);

  clock->now = 100;
  vesc_clock_fire_due (base);
  g_assert_cmpuint (vesc_clock_get_n_alarms (base), ==, 0);

  /* "-1" means no alarm, so a time before 1970 wakes at the epoch. */
  vesc_clock_add_alarm_usec (base, -5, nothing, NULL, NULL);
  assert_wakes (clock, expected, G_N_ELEMENTS (expected));
}

static void
add_two_later (VescClock *clock,
               gpointer   user_data)
{
  vesc_clock_add_alarm_usec (clock, 300, nothing, NULL, NULL);
  vesc_clock_add_alarm_usec (clock, 150, nothing, NULL, NULL);
}

/* Alarms added by callbacks are reported once, when firing is over. */
static void
test_wake_at_after_firing (void)
{
  g_autoptr(TestClock) clock = g_object_new (TEST_TYPE_CLOCK, NULL);
  const gint64 expected[] = { 100, 150 };

  vesc_clock_add_alarm_usec (VESC_CLOCK (clock), 100, add_two_later, NULL, NULL);
  clock->now = 100;
  vesc_clock_fire_due (VESC_CLOCK (clock));

  assert_wakes (clock, expected, G_N_ELEMENTS (expected));
  g_assert_cmpuint (vesc_clock_get_n_alarms (VESC_CLOCK (clock)), ==, 2);
}

/* The system clock, with a real main loop. No sleeps: the context is iterated
 * until the alarm fires or a two-second budget runs out. */
typedef struct
{
  guint   n_fired;
  gint64  due;
  gint64  fired_at;
} SystemProbe;

static void
system_probe_fired (VescClock *clock,
                    gpointer   user_data)
{
  SystemProbe *probe = user_data;

  probe->n_fired++;
  probe->fired_at = g_get_real_time ();
}

static gboolean
keep_waking (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
iterate_until_fired (GMainContext *context,
                     SystemProbe  *probe)
{
  gint64 budget_end = g_get_monotonic_time () + 2 * SECOND;
  /* Makes each blocking iteration return in time to look at the budget. */
  g_autoptr(GSource) guard = g_timeout_source_new (100);

  g_source_set_callback (guard, keep_waking, NULL, NULL);
  g_source_attach (guard, context);
  while (probe->n_fired == 0 && g_get_monotonic_time () < budget_end)
    g_main_context_iteration (context, TRUE);
  g_source_destroy (guard);
}

static void
test_system_now (void)
{
  g_autoptr(VescSystemClock) clock = vesc_system_clock_new ();
  g_autoptr(GDateTime) now = vesc_clock_get_now (VESC_CLOCK (clock));
  gint64 real = g_get_real_time ();

  g_assert_cmpint (g_date_time_get_utc_offset (now), ==, 0);
  g_assert_cmpint (ABS (vesc_date_time_to_usec (now) - real), <, SECOND);
  g_assert_cmpint (ABS (vesc_clock_now_usec (VESC_CLOCK (clock)) - real), <, SECOND);
}

static void
test_system_future (void)
{
  g_autoptr(VescSystemClock) clock = vesc_system_clock_new ();
  SystemProbe probe = { 0, g_get_real_time () + 50 * G_TIME_SPAN_MILLISECOND, 0 };
  SystemProbe later = { 0, probe.due + 3600 * SECOND, 0 };

  vesc_clock_add_alarm_usec (VESC_CLOCK (clock), probe.due, system_probe_fired, &probe, NULL);
  vesc_clock_add_alarm_usec (VESC_CLOCK (clock), later.due, system_probe_fired, &later, NULL);
  g_assert_cmpuint (probe.n_fired, ==, 0);

  iterate_until_fired (NULL, &probe);

  g_assert_cmpuint (probe.n_fired, ==, 1);
  g_assert_cmpint (probe.fired_at, >=, probe.due);
  g_assert_cmpuint (later.n_fired, ==, 0);
  g_assert_cmpuint (vesc_clock_get_n_alarms (VESC_CLOCK (clock)), ==, 1);
}

static void
test_system_past (void)
{
  g_autoptr(VescSystemClock) clock = vesc_system_clock_new ();
  SystemProbe probe = { 0, g_get_real_time () - SECOND, 0 };
  g_autoptr(GSource) guard = g_timeout_source_new (2000);

  vesc_clock_add_alarm_usec (VESC_CLOCK (clock), probe.due, system_probe_fired, &probe, NULL);
  g_assert_cmpuint (probe.n_fired, ==, 0);

  g_source_set_callback (guard, keep_waking, NULL, NULL);
  g_source_attach (guard, NULL);
  g_main_context_iteration (NULL, TRUE);
  g_source_destroy (guard);

  g_assert_cmpuint (probe.n_fired, ==, 1);
}

static void
test_system_remove (void)
{
  g_autoptr(VescSystemClock) clock = vesc_system_clock_new ();
  SystemProbe removed = { 0, g_get_real_time () + 20 * G_TIME_SPAN_MILLISECOND, 0 };
  SystemProbe kept = { 0, removed.due + 30 * G_TIME_SPAN_MILLISECOND, 0 };
  guint id;

  id = vesc_clock_add_alarm_usec (VESC_CLOCK (clock), removed.due, system_probe_fired,
                                  &removed, NULL);
  vesc_clock_add_alarm_usec (VESC_CLOCK (clock), kept.due, system_probe_fired, &kept, NULL);
  g_assert_true (vesc_clock_remove_alarm (VESC_CLOCK (clock), id));

  iterate_until_fired (NULL, &kept);

  g_assert_cmpuint (kept.n_fired, ==, 1);
  g_assert_cmpuint (removed.n_fired, ==, 0);
}

/* Alarms fire from the context that was the thread default at construction. */
static void
test_system_context (void)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(VescSystemClock) clock = NULL;
  SystemProbe probe = { 0, g_get_real_time () - SECOND, 0 };

  g_main_context_push_thread_default (context);
  clock = vesc_system_clock_new ();
  g_main_context_pop_thread_default (context);

  vesc_clock_add_alarm_usec (VESC_CLOCK (clock), probe.due, system_probe_fired, &probe, NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (probe.n_fired, ==, 0);

  iterate_until_fired (context, &probe);
  g_assert_cmpuint (probe.n_fired, ==, 1);
}

/* counts[0] is the number of times fired, counts[1] of times freed. */
static void
count_pair_fired (VescClock *clock,
                  gpointer   user_data)
{
  ((guint *) user_data)[0]++;
}

static void
count_pair_notified (gpointer user_data)
{
  ((guint *) user_data)[1]++;
}

/* Disposing the clock frees pending alarms and leaves nothing on the context
 * that could call into it. */
static void
test_system_dispose (void)
{
  VescSystemClock *clock = vesc_system_clock_new ();
  guint counts[2] = { 0, 0 };

  vesc_clock_add_alarm_usec (VESC_CLOCK (clock), g_get_real_time () - SECOND,
                             count_pair_fired, counts, count_pair_notified);
  g_object_unref (clock);
  g_assert_cmpuint (counts[1], ==, 1);

  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (counts[0], ==, 0);
}

#define ADD(path, func) \
  g_test_add ((path), Fixture, NULL, setup, (func), teardown)

/* A forward step of the wall clock (NTP, a resume from suspend) fires what
 * became due at once, not after the hour the timer still had to run. */
static void
test_system_step_forward (void)
{
  g_autoptr(VescSystemClock) clock = vesc_system_clock_new ();
  SystemProbe probe = { 0, g_get_real_time () + 3600 * SECOND, 0 };
  SystemProbe later = { 0, g_get_real_time () + 3 * 3600 * SECOND, 0 };
  gint64 stepped_at;

  vesc_clock_add_alarm_usec (VESC_CLOCK (clock), probe.due, system_probe_fired, &probe, NULL);
  vesc_clock_add_alarm_usec (VESC_CLOCK (clock), later.due, system_probe_fired, &later, NULL);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpuint (probe.n_fired, ==, 0);

  vesc_system_clock_step_for_tests (clock, 2 * 3600 * SECOND);
  stepped_at = g_get_monotonic_time ();
  iterate_until_fired (NULL, &probe);
  g_assert_cmpuint (probe.n_fired, ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - stepped_at, <, SECOND);
  g_assert_cmpuint (later.n_fired, ==, 0);
  g_assert_cmpint (vesc_clock_now_usec (VESC_CLOCK (clock)) - g_get_real_time (), >=,
                   2 * 3600 * SECOND - SECOND);
}

/* A backward step fires nothing early; the alarm still waits its turn. */
static void
test_system_step_backward (void)
{
  g_autoptr(VescSystemClock) clock = vesc_system_clock_new ();
  SystemProbe probe = { 0, g_get_real_time () + 200 * G_TIME_SPAN_MILLISECOND, 0 };
  gint64 budget_end;

  vesc_clock_add_alarm_usec (VESC_CLOCK (clock), probe.due, system_probe_fired, &probe, NULL);
  vesc_system_clock_step_for_tests (clock, -3600 * SECOND);
  budget_end = g_get_monotonic_time () + 400 * G_TIME_SPAN_MILLISECOND;
  while (g_get_monotonic_time () < budget_end)
    g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (probe.n_fired, ==, 0);
  vesc_system_clock_step_for_tests (clock, 3600 * SECOND);
  iterate_until_fired (NULL, &probe);
  g_assert_cmpuint (probe.n_fired, ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/clock/date-time/round-trip", test_date_time_round_trip);
  g_test_add_func ("/clock/date-time/fields", test_date_time_fields);
  g_test_add_func ("/clock/date-time/out-of-range", test_date_time_out_of_range);
  ADD ("/clock/manual/now", test_manual_now);
  ADD ("/clock/heap/random-order", test_heap_random_order);
  ADD ("/clock/heap/random-removal", test_heap_random_removal);
  g_test_add_func ("/clock/heap/many", test_heap_many);
  ADD ("/clock/alarm/ids", test_ids);
  ADD ("/clock/alarm/remove-top", test_remove_top);
  ADD ("/clock/alarm/remove-fired", test_remove_fired);
  ADD ("/clock/alarm/remove-from-callback", test_remove_from_callback);
  ADD ("/clock/alarm/add-from-callback", test_add_from_callback);
  ADD ("/clock/alarm/next", test_next_alarm);
  ADD ("/clock/alarm/destroy-notify", test_destroy_notify);
  ADD ("/clock/alarm/unref-in-callback", test_unref_in_callback);
  ADD ("/clock/manual/advance-to-next", test_advance_to_next);
  ADD ("/clock/manual/overdue", test_overdue);
  ADD ("/clock/manual/backwards", test_backwards);
  g_test_add_func ("/clock/wake-at/changes", test_wake_at);
  g_test_add_func ("/clock/wake-at/after-firing", test_wake_at_after_firing);
  g_test_add_func ("/clock/system/now", test_system_now);
  g_test_add_func ("/clock/system/future", test_system_future);
  g_test_add_func ("/clock/system/past", test_system_past);
  g_test_add_func ("/clock/system/remove", test_system_remove);
  g_test_add_func ("/clock/system/context", test_system_context);
  g_test_add_func ("/clock/system/dispose", test_system_dispose);
  g_test_add_func ("/clock/system/step-forward", test_system_step_forward);
  g_test_add_func ("/clock/system/step-backward", test_system_step_backward);

  return g_test_run ();
}

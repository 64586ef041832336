# test_minor.py: the minor track through GI, deadline by deadline
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import datetime
import json

from gi.repository import Vesc

from conftest import HOUR, MINUTE, OPENED, now, record_steps


def open_minor(desk):
    return desk.open_incident('SCH101', ['10.47.1.20'], 'Trojan beaconing', False, 'ITD duty')


def test_minor_opens_and_waits_for_removal(desk):
    escalation = open_minor(desk)
    incident = escalation.get_incident()

    assert incident.get_scenario() == Vesc.Scenario.MINOR
    assert incident.get_site().get_id() == 'SCH101'
    assert incident.get_devices() == ['10.47.1.20']
    assert escalation.get_step() == 'M5'
    assert escalation.props.step_kind == Vesc.StepKind.WAIT
    removal = escalation.lookup_deadline('removal')
    assert removal.due_py == OPENED + datetime.timedelta(hours=3)
    assert removal.get_outcome() == Vesc.DeadlineOutcome.PENDING
    assert escalation.lookup_deadline('final') is None
    # The timeline is a Gio.ListModel: len() and iteration work on it.
    timeline = incident.get_timeline()
    assert len(timeline) == len(list(timeline)) > 0
    assert [e.get_step() for e in timeline][0] == 'M1'


def test_minor_through_both_deadlines_to_reconnection(desk, clock):
    escalation = open_minor(desk)
    site = escalation.get_incident().get_site()
    steps = record_steps(escalation)
    reached = []
    fired = {'removal': [], 'final': []}

    def on_removal(esc, deadline):
        fired['removal'].append((now(clock), esc.get_step()))
        # The check is owed now, and may be given right in the handler.
        esc.record_check(Vesc.CheckResult.PRESENT, 'ITD duty')

    def on_final(esc, deadline):
        fired['final'].append((now(clock), esc.get_step()))
        esc.record_check(Vesc.CheckResult.PRESENT, 'ITD duty')

    escalation.connect('deadline-reached::removal', on_removal)
    escalation.connect('deadline-reached::final', on_final)
    escalation.connect('deadline-reached', lambda esc, d: reached.append(d.get_name()))

    clock.advance(3 * HOUR - 1)
    assert fired == {'removal': [], 'final': []}
    assert escalation.get_step() == 'M5'

    clock.advance(1)
    d1 = OPENED + datetime.timedelta(hours=3)
    assert fired['removal'] == [(d1, 'M6')]
    assert escalation.get_step() == 'M8'
    assert escalation.lookup_deadline('removal').get_outcome() == Vesc.DeadlineOutcome.MISSED
    final = escalation.lookup_deadline('final')
    assert final.due_py == d1 + datetime.timedelta(minutes=30)

    clock.advance(30 * MINUTE)
    d2 = d1 + datetime.timedelta(minutes=30)
    assert fired['final'] == [(d2, 'M9')]
    assert escalation.get_step() == 'M10'
    assert escalation.props.step_kind == Vesc.StepKind.DECISION
    assert site.get_cin_state() == Vesc.CinState.CONNECTED

    escalation.decide(True, 'Principal Manager')
    assert site.get_cin_state() == Vesc.CinState.DISCONNECTED
    assert escalation.get_step() == 'M12'
    clock.advance(2 * HOUR)
    escalation.report_clean('KSSC engineer')
    assert escalation.get_step() == 'M13'
    assert site.get_cin_state() == Vesc.CinState.DISCONNECTED
    escalation.reconnect('ITD network team')

    assert site.get_cin_state() == Vesc.CinState.CONNECTED
    assert escalation.get_closed()
    assert escalation.props.step_kind == Vesc.StepKind.CLOSED
    incident = escalation.get_incident()
    assert incident.get_outcome() == Vesc.Outcome.RECONNECTED
    assert incident.closed_at_py == d2 + datetime.timedelta(hours=2)

    # Each window fired exactly once, even though the clock kept moving.
    clock.advance(24 * HOUR)
    assert reached.count('removal') == 1 and reached.count('final') == 1
    assert len(fired['removal']) == 1 and len(fired['final']) == 1
    for code in ['M6', 'M9', 'M10', 'M11', 'M12', 'M13']:
        assert code in steps
    assert [s for s in steps if s in ('M6', 'M9', 'M10', 'M11', 'M12', 'M13')] == \
        ['M6', 'M9', 'M10', 'M11', 'M12', 'M13']
    assert steps[-1] == 'M15'

    report = json.loads(escalation.get_report_json())
    assert report['incident'] == incident.get_id()
    assert report['site'] == {'id': 'SCH101', 'name': site.get_name()}
    assert report['scenario'] == 'minor'
    assert report['outcome'] == 'reconnected'
    assert report['decision']['disconnect'] is True
    assert report['decision']['by'] == 'Principal Manager'
    windows = {d['name']: d for d in report['deadlines'] if d['kind'] == 'window'}
    assert windows['removal']['outcome'] == 'missed'
    assert windows['final']['outcome'] == 'missed'
    assert windows['removal']['fired'] is True
    assert report['disconnected_seconds'] == 2 * 3600
    assert report['closed_at'] is not None
    assert 'Principal Manager' in escalation.get_report_text()


def test_check_absent_at_removal_deadline_ends_the_ladder(desk, clock):
    escalation = open_minor(desk)
    steps = record_steps(escalation)
    closed = []
    escalation.connect('finished', lambda esc: closed.append(esc.get_step()))

    clock.advance(3 * HOUR)
    assert escalation.get_step() == 'M6'
    assert escalation.props.step_kind == Vesc.StepKind.CHECK
    escalation.record_check(Vesc.CheckResult.ABSENT, 'ITD duty')

    assert steps == ['M6', 'X1', 'X2']
    assert closed == ['X2']
    assert escalation.get_closed()
    incident = escalation.get_incident()
    assert incident.get_outcome() == Vesc.Outcome.DEVICE_REMOVED
    assert incident.get_site().get_cin_state() == Vesc.CinState.CONNECTED
    assert escalation.lookup_deadline('removal').get_outcome() == Vesc.DeadlineOutcome.MET
    assert escalation.lookup_deadline('final') is None
    report = json.loads(escalation.get_report_json())
    assert report['decision'] is None
    assert report['disconnected_at'] is None
    assert report['time_to_removal_seconds'] == 3 * 3600


def test_removal_reported_early_is_recorded_but_the_window_runs(desk, clock):
    escalation = open_minor(desk)
    clock.advance(HOUR)
    escalation.report_removal('Head Teacher')

    assert escalation.get_step() == 'M5'
    last = list(escalation.get_incident().get_timeline())[-1]
    assert last.get_kind() == Vesc.EventKind.INPUT
    assert last.get_actor() == 'Head Teacher'
    assert last.time_py == OPENED + datetime.timedelta(hours=1)
    clock.advance(2 * HOUR)
    assert escalation.get_step() == 'M6'


def test_advance_to_next_fires_the_warning_then_the_window(desk, clock):
    escalation = open_minor(desk)
    reached = []
    escalation.connect('deadline-reached', lambda esc, d: reached.append((d.get_name(),
                                                                          d.fired_at_py)))

    assert clock.advance_to_next()
    assert reached == [('removal-warning', OPENED + datetime.timedelta(hours=2, minutes=45))]
    assert escalation.get_step() == 'M5'
    assert clock.advance_to_next()
    assert reached[-1] == ('removal', OPENED + datetime.timedelta(hours=3))
    assert escalation.get_step() == 'M6'

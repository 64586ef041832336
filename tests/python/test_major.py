# test_major.py: the major track, decisions and upgrades through GI
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import datetime
import json

import pytest
from gi.repository import GLib, Vesc

from conftest import HOUR, OPENED, record_steps

DEVICES = ['10.47.1.20', '10.47.1.21', '10.47.1.22']


def test_three_devices_go_straight_to_the_decision(desk, clock):
    escalation = desk.open_incident('SCH101', DEVICES, 'Worm scanning', False, 'ITD duty')
    incident = escalation.get_incident()

    assert incident.get_scenario() == Vesc.Scenario.MAJOR
    assert '3' in incident.get_scenario_reason()
    assert incident.get_n_devices() == 3
    assert escalation.get_step() == 'R2'
    assert escalation.props.step_kind == Vesc.StepKind.DECISION
    assert escalation.lookup_deadline('removal') is None

    steps = record_steps(escalation)
    escalation.decide(True, 'Principal Manager')
    assert steps == ['R3', 'R4', 'R5', 'R6', 'R7']
    assert incident.get_site().get_cin_state() == Vesc.CinState.DISCONNECTED

    clock.advance(HOUR)
    escalation.report_clean('KSSC engineer')
    escalation.reconnect('ITD network team')
    assert steps[-3:] == ['R8', 'R9', 'R10']
    assert escalation.get_closed()
    assert incident.get_outcome() == Vesc.Outcome.RECONNECTED
    assert incident.get_site().get_cin_state() == Vesc.CinState.CONNECTED
    report = json.loads(escalation.get_report_json())
    assert report['scenario'] == 'major'
    assert report['devices'] == DEVICES
    assert report['decision']['disconnect'] is True
    assert report['disconnected_seconds'] == 3600
    assert report['deadlines'] == [] or all(d['kind'] != 'window' for d in report['deadlines'])


def test_decision_not_to_disconnect_goes_back_to_m3(desk, clock):
    escalation = desk.open_incident('SCH101', DEVICES, 'Worm scanning', False, 'ITD duty')
    steps = record_steps(escalation)
    clock.advance(10 * 60 * 1000 * 1000)

    escalation.decide(False, 'Principal Manager')

    assert steps[0] == 'M3'
    assert escalation.get_step() == 'M5'
    site = escalation.get_incident().get_site()
    assert site.get_cin_state() == Vesc.CinState.CONNECTED
    removal = escalation.lookup_deadline('removal')
    assert removal.due_py == OPENED + datetime.timedelta(hours=3, minutes=10)
    details = [e.get_detail() for e in escalation.get_incident().get_timeline()
               if e.get_kind() == Vesc.EventKind.INPUT]
    assert any('not disconnect' in d for d in details)
    report = json.loads(escalation.get_report_json())
    assert report['decision']['disconnect'] is False
    assert report['decision']['by'] == 'Principal Manager'


def test_mark_threat_upgrades_a_running_minor_incident(desk, clock):
    escalation = desk.open_incident('SCH101', ['10.47.1.20'], 'Odd traffic', False, 'ITD duty')
    incident = escalation.get_incident()
    reached = []
    escalation.connect('deadline-reached', lambda esc, d: reached.append(d.get_name()))
    clock.advance(HOUR)

    escalation.mark_threat('ransomware spreading to other sites', 'Security officer')

    assert incident.get_threat()
    assert incident.get_scenario() == Vesc.Scenario.MAJOR
    assert 'ransomware' in incident.get_scenario_reason()
    assert escalation.get_step() == 'R2'
    assert escalation.lookup_deadline('removal').get_outcome() == \
        Vesc.DeadlineOutcome.CANCELLED
    upgrades = [e for e in incident.get_timeline() if e.get_kind() == Vesc.EventKind.UPGRADE]
    assert len(upgrades) == 1
    assert upgrades[0].get_actor() == 'Security officer'
    # The withdrawn window never fires.
    clock.advance(5 * HOUR)
    assert 'removal' not in reached


def test_third_device_upgrades_a_minor_incident(desk):
    escalation = desk.open_incident('SCH101', ['10.47.1.20'], 'Odd traffic', False, 'ITD duty')
    escalation.add_device('10.47.1.21', 'IDS')
    escalation.add_device('10.47.1.21', 'IDS')
    assert escalation.get_incident().get_n_devices() == 2
    assert escalation.get_step() == 'M5'

    escalation.add_device('10.47.1.22', 'IDS')
    assert escalation.get_incident().get_scenario() == Vesc.Scenario.MAJOR
    assert escalation.get_step() == 'R2'


def test_detections_map_addresses_to_sites(desk):
    unmatched = []
    desk.connect('unmatched-detection', lambda d, address, summary: unmatched.append(address))

    first = desk.report_detection('10.47.1.30', 'ET TROJAN beacon')
    again = desk.report_detection('10.47.1.31', 'ET TROJAN beacon')

    assert first == again
    assert first.get_incident().get_site().get_id() == 'SCH101'
    assert first.get_incident().get_devices() == ['10.47.1.30', '10.47.1.31']
    assert desk.lookup_open_for_site('SCH101') == first
    assert desk.lookup_escalation(first.get_incident().get_id()) == first
    assert list(desk.get_escalations()) == [first]

    with pytest.raises(GLib.Error) as info:
        desk.report_detection('10.128.0.1', 'scan')
    assert info.value.matches(Vesc.error_quark(), Vesc.Error.UNKNOWN_SITE)
    assert unmatched == ['10.128.0.1']
    assert desk.get_unmatched_addresses() == ['10.128.0.1']

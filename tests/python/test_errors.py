# test_errors.py: wrong inputs raise GLib.Error in the Vesc.Error domain
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import pytest
from gi.repository import GLib, Vesc

from conftest import HOUR


def raises(code, func, *args):
    with pytest.raises(GLib.Error) as info:
        func(*args)
    error = info.value
    assert error.matches(Vesc.error_quark(), code), (error.domain, error.code, error.message)
    assert error.domain == 'vesc-error-quark'
    assert error.code == int(code)
    assert error.message
    return error


@pytest.fixture
def escalation(desk):
    return desk.open_incident('SCH101', ['10.47.1.20'], 'Trojan', False, 'ITD duty')


def test_inputs_not_owed_at_the_removal_window(escalation):
    timeline = escalation.get_incident().get_timeline()
    before = len(timeline)

    error = raises(Vesc.Error.WRONG_STEP, escalation.decide, True, 'Principal Manager')
    assert 'M5' in error.message
    raises(Vesc.Error.WRONG_STEP, escalation.report_clean, 'KSSC')
    raises(Vesc.Error.WRONG_STEP, escalation.reconnect, 'ITD')

    assert escalation.get_step() == 'M5'
    assert len(timeline) == before
    assert escalation.get_incident().get_site().get_cin_state() == Vesc.CinState.CONNECTED


def test_check_not_owed_at_the_decision(desk):
    escalation = desk.open_incident('SCH101', ['a', 'b', 'c'], 'Worm', False, 'ITD duty')
    assert escalation.get_step() == 'R2'
    raises(Vesc.Error.WRONG_STEP, escalation.record_check, Vesc.CheckResult.ABSENT, 'ITD')
    raises(Vesc.Error.WRONG_STEP, escalation.report_removal, 'Head Teacher')
    assert escalation.get_step() == 'R2'


def test_empty_actor_is_invalid_input(escalation):
    raises(Vesc.Error.INVALID_INPUT, escalation.report_removal, '')
    raises(Vesc.Error.INVALID_INPUT, escalation.mark_threat, '', 'Security officer')
    raises(Vesc.Error.INVALID_INPUT, escalation.add_device, 'x\r\nBcc: a@b.example', 'IDS')
    assert escalation.get_incident().get_n_devices() == 1
    assert not escalation.get_incident().get_threat()


def test_closed_escalation_takes_no_input(escalation, clock):
    clock.advance(3 * HOUR)
    escalation.record_check(Vesc.CheckResult.ABSENT, 'ITD duty')
    assert escalation.get_closed()

    raises(Vesc.Error.CLOSED, escalation.record_check, Vesc.CheckResult.PRESENT, 'ITD')
    raises(Vesc.Error.CLOSED, escalation.mark_threat, 'late news', 'Security officer')
    assert escalation.get_incident().get_outcome() == Vesc.Outcome.DEVICE_REMOVED


def test_opening_errors(desk, escalation):
    raises(Vesc.Error.UNKNOWN_SITE, desk.open_incident, 'NOPE', ['x'], 'y', False, 'ITD')
    raises(Vesc.Error.DUPLICATE, desk.open_incident, 'SCH101', ['x'], 'y', False, 'ITD')
    assert len(desk.get_escalations()) == 1


def test_bad_site_and_policy_input():
    raises(Vesc.Error.INVALID_INPUT, Vesc.Recipient.new, Vesc.Role.ITD, 'ITD', 'not an address')
    raises(Vesc.Error.PARSE, Vesc.Policy.new_from_data, '{"removal_windw": "3h"}', -1)
    site = Vesc.Site.new('SCH900', 'Test School')
    raises(Vesc.Error.INVALID_INPUT, site.add_subnet, '10.0.0.0/99')
    assert len(site.get_subnets()) == 0

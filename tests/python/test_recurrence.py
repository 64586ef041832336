# test_recurrence.py: the reoccurring scenario, decided from the desk's history
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The rule (VescPolicy): a new incident is reoccurring when at least
# recurrence-count other incidents were opened at the same site within
# recurrence-window before it, the window's edge included.

import datetime
import gc

import pytest
from gi.repository import GLib, Vesc

from conftest import HOUR, OPENED

SECOND = 1000 * 1000
DAY = 24 * HOUR
WINDOW = 90 * DAY


@pytest.fixture
def directory():
    directory = Vesc.Directory.new()
    for site_id, subnet in [('SCH101', '10.47.1.0/24'), ('SCH102', '10.47.2.0/24')]:
        site = Vesc.Site.new(site_id, 'School ' + site_id)
        site.add_subnet(subnet)
        directory.add_site(site)
    return directory


@pytest.fixture
def store():
    return Vesc.MemoryStore.new()


@pytest.fixture
def desk(directory, policy, clock, store):
    return Vesc.Desk.new(directory, policy, clock, store)


def at(clock, usec_after_opened):
    """Sets the clock to OPENED plus the given microseconds."""
    start = GLib.DateTime.new_utc(OPENED.year, OPENED.month, OPENED.day, OPENED.hour, 0, 0)
    clock.set_time(start.add(usec_after_opened))


def open_and_close(desk, clock, site='SCH101', device='10.47.1.20', threat=False):
    """Opens an incident now and closes it three hours later (the device is gone)."""
    escalation = desk.open_incident(site, [device], 'Trojan beaconing', threat, 'ITD duty')
    if threat:
        escalation.decide(False, 'Principal Manager')
    clock.advance(3 * HOUR)
    escalation.record_check(Vesc.CheckResult.ABSENT, 'ITD duty')
    assert escalation.get_closed()
    return escalation.get_incident()


def scenario_of_new(desk, site='SCH101', device='10.47.1.21'):
    escalation = desk.open_incident(site, [device], 'Trojan beaconing', False, 'ITD duty')
    return escalation.get_incident().get_scenario()


def test_defaults_are_one_incident_in_ninety_days(policy):
    assert policy.get_recurrence_count() == 1
    assert policy.get_recurrence_window() == WINDOW


def test_incident_opened_exactly_a_window_ago_counts(desk, clock):
    first = open_and_close(desk, clock)
    at(clock, WINDOW)

    escalation = desk.open_incident('SCH101', ['10.47.1.21'], 'Trojan', False, 'ITD duty')
    incident = escalation.get_incident()
    assert incident.opened_at_py - first.opened_at_py == datetime.timedelta(days=90)
    assert incident.get_scenario() == Vesc.Scenario.REOCCURRING
    assert '90 days' in incident.get_scenario_reason()
    # The reoccurring track asks for the disconnect decision at once.
    assert escalation.props.step_kind == Vesc.StepKind.DECISION


def test_one_second_past_the_window_is_minor(desk, clock):
    open_and_close(desk, clock)
    at(clock, WINDOW + SECOND)

    assert scenario_of_new(desk) == Vesc.Scenario.MINOR


def test_window_is_policy(desk, clock, policy):
    policy.props.recurrence_window = 7 * DAY
    open_and_close(desk, clock)
    at(clock, 7 * DAY + SECOND)
    assert scenario_of_new(desk) == Vesc.Scenario.MINOR


def test_another_site_does_not_count(desk, clock):
    open_and_close(desk, clock, site='SCH102', device='10.47.2.20')
    assert scenario_of_new(desk) == Vesc.Scenario.MINOR


def test_an_earlier_major_incident_counts(desk, clock):
    first = open_and_close(desk, clock, threat=True)
    assert first.get_scenario() == Vesc.Scenario.MAJOR
    assert scenario_of_new(desk) == Vesc.Scenario.REOCCURRING


def test_count_two_needs_two_earlier_incidents(desk, clock, policy):
    policy.props.recurrence_count = 2
    open_and_close(desk, clock, device='10.47.1.20')           # at 0
    at(clock, DAY)
    second = desk.open_incident('SCH101', ['10.47.1.21'], 'Trojan', False, 'ITD duty')
    assert second.get_incident().get_scenario() == Vesc.Scenario.MINOR
    clock.advance(3 * HOUR)
    second.record_check(Vesc.CheckResult.ABSENT, 'ITD duty')

    # Both earlier ones within the window, the first exactly at its edge.
    at(clock, WINDOW)
    third = desk.open_incident('SCH101', ['10.47.1.22'], 'Trojan', False, 'ITD duty')
    assert third.get_incident().get_scenario() == Vesc.Scenario.REOCCURRING
    assert '2 other' in third.get_incident().get_scenario_reason()


def test_count_two_with_one_earlier_incident_past_the_edge(desk, clock, policy):
    policy.props.recurrence_count = 2
    open_and_close(desk, clock, device='10.47.1.20')           # at 0
    at(clock, DAY)
    open_and_close(desk, clock, device='10.47.1.21')           # at 1 day
    at(clock, WINDOW + SECOND)
    assert scenario_of_new(desk, device='10.47.1.22') == Vesc.Scenario.MINOR


def test_count_zero_turns_the_rule_off(desk, clock, policy):
    policy.props.recurrence_count = 0
    for i in range(3):
        open_and_close(desk, clock, device='10.47.1.%d' % (20 + i))
    assert scenario_of_new(desk, device='10.47.1.30') == Vesc.Scenario.MINOR


def test_rule_survives_a_desk_reopened_on_the_same_store(directory, policy, clock, store):
    first_desk = Vesc.Desk.new(directory, policy, clock, store)
    open_and_close(first_desk, clock)
    del first_desk
    gc.collect()

    at(clock, WINDOW)
    desk = Vesc.Desk.new(directory, policy, clock, store)
    assert len(desk.get_escalations()) == 1
    assert scenario_of_new(desk) == Vesc.Scenario.REOCCURRING


def test_reopened_desk_one_second_past_the_window(directory, policy, clock, store):
    first_desk = Vesc.Desk.new(directory, policy, clock, store)
    open_and_close(first_desk, clock)
    del first_desk
    gc.collect()

    at(clock, WINDOW + SECOND)
    desk = Vesc.Desk.new(directory, policy, clock, store)
    assert scenario_of_new(desk) == Vesc.Scenario.MINOR


def test_detection_after_the_first_closed_is_reoccurring(desk, clock):
    # The way detections reach the desk: the second opens a new incident,
    # classified by the same rule.
    first = desk.report_detection('10.47.1.20', 'ET TROJAN beacon')
    clock.advance(3 * HOUR)
    first.record_check(Vesc.CheckResult.ABSENT, 'ITD duty')
    at(clock, WINDOW)
    second = desk.report_detection('10.47.1.20', 'ET TROJAN beacon')
    assert second is not first
    assert second.get_incident().get_scenario() == Vesc.Scenario.REOCCURRING

# test_override.py: the Pythonic helpers of gi.overrides.Vesc
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import datetime

from gi.repository import Vesc

from conftest import OPENED, UTC, now


def test_override_is_loaded():
    assert Vesc.Deadline.__module__ == 'gi.overrides.Vesc'
    assert hasattr(Vesc.Event, 'time_py')


def test_reprs_name_the_object(desk):
    escalation = desk.open_incident('SCH101', ['10.47.1.20'], 'Trojan', False, 'ITD duty')
    incident = escalation.get_incident()
    incident_id = incident.get_id()

    assert repr(incident.get_site()) == "<Vesc.Site SCH101 %r connected>" % \
        incident.get_site().get_name()
    assert repr(incident) == '<Vesc.Incident %s at SCH101 minor open>' % incident_id
    assert repr(escalation) == '<Vesc.Escalation %s at M5>' % incident_id
    assert repr(escalation.lookup_deadline('removal')) == \
        '<Vesc.Deadline removal due 2024-03-04T12:00:00+00:00 pending>'
    first = incident.get_timeline()[0]
    assert repr(first).startswith('<Vesc.Event 2024-03-04T09:00:00+00:00 M1 step: ')


def test_reprs_of_bare_objects_do_not_raise():
    assert repr(Vesc.Incident()) == '<Vesc.Incident None at None minor open>'
    assert repr(Vesc.Site()).startswith('<Vesc.Site None')


def test_datetimes_are_aware_utc(desk, clock):
    escalation = desk.open_incident('SCH101', ['10.47.1.20'], 'Trojan', False, 'ITD duty')
    incident = escalation.get_incident()
    removal = escalation.lookup_deadline('removal')

    assert incident.opened_at_py == OPENED
    assert incident.opened_at_py.tzinfo is not None
    assert incident.closed_at_py is None
    assert removal.fired_at_py is None
    assert all(e.time_py == OPENED for e in incident.get_timeline())

    clock.advance(datetime.timedelta(hours=3, microseconds=250))
    assert now(clock) == OPENED + datetime.timedelta(hours=3)
    assert removal.fired_at_py == OPENED + datetime.timedelta(hours=3)
    assert removal.due_py.utcoffset() == datetime.timedelta(0)
    # Inputs are stamped with the clock's time, to the microsecond.
    escalation.report_removal('Head Teacher')
    last = incident.get_timeline()[-1]
    assert last.get_actor() == 'Head Teacher'
    assert last.time_py == datetime.datetime(2024, 3, 4, 12, 0, 0, 250, tzinfo=UTC)


def test_advance_still_takes_microseconds(clock):
    clock.advance(90 * 1000 * 1000)
    assert now(clock) == OPENED + datetime.timedelta(seconds=90)

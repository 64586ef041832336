# test_models.py: the lists the library hands out can be read, not changed
#
# SPDX-License-Identifier: LGPL-2.1-or-later

from gi.repository import Gio, Vesc

from conftest import HOUR


def test_lists_are_read_only_views(desk, clock):
    escalation = desk.open_incident('SCH101', ['10.47.1.20'], 'Trojan', False, 'ITD duty')
    incident = escalation.get_incident()
    lists = [incident.get_timeline(), escalation.get_deadlines(), desk.get_escalations(),
             desk.get_directory().get_sites(), incident.get_site().get_subnets()]

    for model in lists:
        assert isinstance(model, Gio.ListModel)
        # A Gio.ListStore would let a caller erase the library's own state.
        assert not isinstance(model, Gio.ListStore)
        assert len(model) > 0

    # The views follow what they show.
    timeline = incident.get_timeline()
    seen = len(timeline)
    changes = []
    timeline.connect('items-changed', lambda *args: changes.append(args[1:]))
    clock.advance(3 * HOUR)
    assert len(timeline) > seen
    assert changes and changes[0][0] == seen
    new = [timeline[i].get_kind() for i in range(seen, len(timeline))]
    assert Vesc.EventKind.DEADLINE_REACHED in new

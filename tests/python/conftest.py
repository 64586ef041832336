# conftest.py: fixtures shared by the Python tests of libvesc through GI
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import datetime
import os

import gi
import pytest

gi.require_version('Vesc', '1')
from gi.repository import GLib, Vesc  # noqa: E402

UTC = datetime.timezone.utc
OPENED = datetime.datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
HOUR = 3600 * 1000 * 1000
MINUTE = 60 * 1000 * 1000


def _directory_from_examples():
    data = os.environ.get('VESC_EXAMPLES_DATA')
    path = os.path.join(data, 'sites.json') if data else None
    if path is None or not os.path.exists(path):
        return None
    directory = Vesc.Directory.new()
    directory.load_from_file(path)
    return directory


def _directory_by_hand():
    """The same first school and contacts as examples/data/sites.json."""
    directory = Vesc.Directory.new()
    site = Vesc.Site.new('SCH101', 'Alder Brook Primary')
    site.set_head_teacher('Head Teacher SCH101', 'head.sch101@schools.example.org')
    site.set_relationship_manager('Relationship Manager North', 'rm.north@council.example.org')
    site.set_kssc_supported(True)
    site.add_subnet('10.47.1.0/24')
    directory.add_site(site)
    for role, name, email in [
            (Vesc.Role.ITD, 'Corporate ITD Help Desk', 'itd.helpdesk@council.example.org'),
            (Vesc.Role.PRINCIPAL_MANAGER, 'Principal Manager',
             'principal.manager@council.example.org'),
            (Vesc.Role.KSSC, 'Schools Support Centre', 'kssc@support.example.org'),
            (Vesc.Role.LTSB, 'Learning and Technology Strategy Board',
             'ltsb.secretary@council.example.org')]:
        directory.add_contact(Vesc.Recipient.new(role, name, email))
    return directory


@pytest.fixture
def directory():
    return _directory_from_examples() or _directory_by_hand()


@pytest.fixture
def policy():
    return Vesc.Policy.new()


@pytest.fixture
def clock():
    return Vesc.ManualClock.new(GLib.DateTime.new_utc(2024, 3, 4, 9, 0, 0))


@pytest.fixture
def desk(directory, policy, clock):
    return Vesc.Desk.new(directory, policy, clock, None)


def now(clock):
    """The clock's time as an aware datetime."""
    value = clock.get_now()
    return datetime.datetime.fromtimestamp(value.to_unix(), UTC)


def pump():
    """Runs the default main context until nothing is pending (delivers notifications)."""
    context = GLib.MainContext.default()
    while context.pending():
        context.iteration(False)


def record_steps(escalation):
    """Collects the code of every step the escalation enters from now on."""
    steps = []
    escalation.connect('step-changed', lambda _esc, _old, new: steps.append(new))
    return steps

# Vesc.py: PyGObject overrides for libvesc
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Only what plain introspection cannot give: readable reprs, and the
# library's GLib.DateTime and GTimeSpan values as Python datetime and
# timedelta. List models (timelines, deadlines, sites) already support
# len(), indexing and iteration through PyGObject's Gio override.

import datetime

from ..module import get_introspection_module
from ..overrides import override

Vesc = get_introspection_module('Vesc')

__all__ = []


def _to_datetime(value):
    """Converts a GLib.DateTime (or None) to an aware datetime in UTC."""
    if value is None:
        return None
    seconds = datetime.datetime.fromtimestamp(value.to_unix(), datetime.timezone.utc)
    return seconds.replace(microsecond=value.get_microsecond())


def _nick(enum_value):
    return enum_value.value_nick


def _id_of(obj):
    # A repr must not raise, even for an object made with a bare constructor.
    return obj.get_id() if obj is not None else None


class Site(Vesc.Site):
    def __repr__(self):
        return '<Vesc.Site %s %r %s>' % (self.get_id(), self.get_name(),
                                         _nick(self.get_cin_state()))


Site = override(Site)
__all__.append('Site')


class Incident(Vesc.Incident):
    @property
    def opened_at_py(self):
        """When the incident was opened, an aware datetime in UTC."""
        return _to_datetime(self.get_opened_at())

    @property
    def closed_at_py(self):
        """When the incident was closed, an aware datetime in UTC, or None."""
        return _to_datetime(self.get_closed_at())

    def __repr__(self):
        return '<Vesc.Incident %s at %s %s %s>' % (
            self.get_id(), _id_of(self.get_site()), _nick(self.get_scenario()),
            _nick(self.get_outcome()))


Incident = override(Incident)
__all__.append('Incident')


class Escalation(Vesc.Escalation):
    def __repr__(self):
        state = 'closed' if self.get_closed() else 'at %s' % self.get_step()
        return '<Vesc.Escalation %s %s>' % (_id_of(self.get_incident()), state)


Escalation = override(Escalation)
__all__.append('Escalation')


class Deadline(Vesc.Deadline):
    @property
    def due_py(self):
        """When the deadline falls due, an aware datetime in UTC."""
        return _to_datetime(self.get_due())

    @property
    def fired_at_py(self):
        """When the deadline was signalled, an aware datetime in UTC, or None."""
        return _to_datetime(self.get_fired_at())

    def __repr__(self):
        due = self.due_py
        return '<Vesc.Deadline %s due %s %s>' % (
            self.get_name(), due and due.isoformat(), _nick(self.get_outcome()))


Deadline = override(Deadline)
__all__.append('Deadline')


class Event(Vesc.Event):
    @property
    def time_py(self):
        """When the event happened, an aware datetime in UTC."""
        return _to_datetime(self.get_time())

    def __repr__(self):
        time = self.time_py
        return '<Vesc.Event %s %s %s: %r>' % (
            time and time.isoformat(), self.get_step(), _nick(self.get_kind()),
            self.get_detail())


Event = override(Event)
__all__.append('Event')


class ManualClock(Vesc.ManualClock):
    def advance(self, span):
        """Moves the clock on by span, a datetime.timedelta or microseconds.

        Every deadline that falls due on the way fires before this returns.
        """
        if isinstance(span, datetime.timedelta):
            span = span // datetime.timedelta(microseconds=1)
        Vesc.ManualClock.advance(self, span)


ManualClock = override(ManualClock)
__all__.append('ManualClock')

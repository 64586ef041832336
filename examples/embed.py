#!/usr/bin/python3
# embed.py: libvesc inside a help-desk tool written in Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: embed.py SITES.json [ADDRESS]
# The tool loads its schools, turns a detection into an incident, files each
# message as a ticket note, and lets its GLib main loop run the procedure on
# the wall clock. The policy shortens the removal window to 2 seconds so the
# example ends quickly; a real tool keeps the 3 hours.

import sys

import gi
gi.require_version('Vesc', '1')
from gi.repository import GLib, GObject, Vesc  # noqa: E402

POLICY = '{"removal_window": "2s", "warning_lead": "0s", "reminder_delay": "0s"}'


class TicketNotifier(GObject.Object, Vesc.Notifier):
    """Files each message on the help desk's ticket (here: prints it)."""

    def do_send(self, notification, cancellable):
        print(f'ticket note {notification.get_key()}: {notification.get_subject()}')
        return True


def main(sites, address='10.47.1.20'):
    directory = Vesc.Directory.new()
    directory.load_from_file(sites)
    policy = Vesc.Policy.new_from_data(POLICY, -1)
    desk = Vesc.Desk.new(directory, policy, Vesc.SystemClock.new(), None)
    desk.add_notifier(TicketNotifier())
    loop = GLib.MainLoop()

    escalation = desk.report_detection(address, 'ET TROJAN Zeus beacon')
    incident = escalation.get_incident()
    due = escalation.lookup_deadline('removal').due_py
    print(f'opened {incident.get_id()} at {incident.get_site().get_name()}, '
          f'step {escalation.get_step()}, device to be removed by {due:%H:%M:%S} UTC')

    def on_deadline(escalation, deadline):
        print(f'deadline {deadline.get_name()} reached, step {escalation.get_step()}')
        # The tool's network probe looks: the device has gone.
        escalation.record_check(Vesc.CheckResult.ABSENT, 'network probe')

    escalation.connect('deadline-reached::removal', on_deadline)
    escalation.connect('finished', lambda escalation: loop.quit())
    loop.run()
    while desk.get_n_pending() > 0:  # let the last ticket notes go out
        GLib.MainContext.default().iteration(True)

    print(f'step {escalation.get_step()}, outcome {incident.get_outcome().value_nick}')
    print(escalation.get_report_text())


if __name__ == '__main__':
    main(*sys.argv[1:])

// embed.js: libvesc inside a help-desk tool written for gjs
//
// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Usage: gjs -m embed.js SITES.json [ADDRESS]
// The tool loads its schools, turns a detection into an incident, files each
// message as a ticket note, and lets its GLib main loop run the procedure on
// the wall clock. The policy shortens the removal window to 2 seconds so the
// example ends quickly; a real tool keeps the 3 hours.

import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Vesc from 'gi://Vesc?version=1';
import System from 'system';

const POLICY = '{"removal_window": "2s", "warning_lead": "0s", "reminder_delay": "0s"}';

/* Files each message on the help desk's ticket (here: prints it). */
const TicketNotifier = GObject.registerClass({
    Implements: [Vesc.Notifier],
}, class TicketNotifier extends GObject.Object {
    vfunc_send(notification, _cancellable) {
        print(`ticket note ${notification.get_key()}: ${notification.get_subject()}`);
        return true;
    }
});

const [sites, address = '10.47.1.20'] = System.programArgs;
const directory = Vesc.Directory.new();
directory.load_from_file(sites);
const policy = Vesc.Policy.new_from_data(POLICY, -1);
const desk = Vesc.Desk.new(directory, policy, Vesc.SystemClock.new(), null);
desk.add_notifier(new TicketNotifier());
const loop = new GLib.MainLoop(null, false);

const escalation = desk.report_detection(address, 'ET TROJAN Zeus beacon');
const incident = escalation.incident;
const due = escalation.lookup_deadline('removal').due.format('%H:%M:%S');
print(`opened ${incident.id} at ${incident.site.name}, step ${escalation.step}, ` +
    `device to be removed by ${due} UTC`);

escalation.connect('deadline-reached::removal', (esc, deadline) => {
    print(`deadline ${deadline.name} reached, step ${esc.step}`);
    // The tool's network probe looks: the device has gone.
    esc.record_check(Vesc.CheckResult.ABSENT, 'network probe');
});
escalation.connect('finished', () => loop.quit());
loop.run();
while (desk.n_pending > 0) // let the last ticket notes go out
    GLib.MainContext.default().iteration(true);

const report = JSON.parse(escalation.get_report_json());
print(`step ${escalation.step}, outcome ${report.outcome}`);
print(escalation.get_report_text());

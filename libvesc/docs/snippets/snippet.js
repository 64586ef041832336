import GLib from 'gi://GLib';
import Vesc from 'gi://Vesc?version=1';
import System from 'system';

const directory = Vesc.Directory.new();
directory.load_from_file(System.programArgs[0]); // the schools and the council's contacts
const clock = Vesc.ManualClock.new(GLib.DateTime.new_utc(2024, 3, 4, 9, 0, 0));
const desk = Vesc.Desk.new(directory, Vesc.Policy.new(), clock, null);

// M1-M5: the address belongs to SCH101; e-mail 1 goes out, the removal window runs.
const escalation = desk.report_detection('10.47.1.20', 'Trojan beaconing');

for (const name of ['removal', 'final']) {
    escalation.connect(`deadline-reached::${name}`, (esc, deadline) => {
        // M6 and M9: when a window ends, ITD checks the network.
        print(`${deadline.get_name()} passed at ${esc.step}: device still there`);
        esc.record_check(Vesc.CheckResult.PRESENT, 'ITD duty');
    });
}
clock.advance(3 * GLib.TIME_SPAN_HOUR + 30 * GLib.TIME_SPAN_MINUTE); // D1, e-mail 2, then D2

escalation.decide(true, 'Principal Manager'); // M10-M11: e-mail 3, the CIN link is cut
escalation.report_clean('KSSC engineer');     // M12
escalation.reconnect('ITD network team');     // M13-M15: reconnected, the report
print(escalation.step, JSON.parse(escalation.get_report_json()).outcome);

import datetime
import sys

import gi
gi.require_version('Vesc', '1')
from gi.repository import GLib, Vesc

directory = Vesc.Directory.new()
directory.load_from_file(sys.argv[1])  # the schools and the council's contacts
clock = Vesc.ManualClock.new(GLib.DateTime.new_utc(2024, 3, 4, 9, 0, 0))
desk = Vesc.Desk.new(directory, Vesc.Policy.new(), clock, None)

# M1-M5: the address belongs to SCH101; e-mail 1 goes out, the removal window runs.
escalation = desk.report_detection('10.47.1.20', 'Trojan beaconing')


def on_window_end(escalation, deadline):
    # M6 and M9: when a window ends, ITD checks the network.
    print(f'{deadline.get_name()} passed at {escalation.get_step()}: device still there')
    escalation.record_check(Vesc.CheckResult.PRESENT, 'ITD duty')


escalation.connect('deadline-reached::removal', on_window_end)
escalation.connect('deadline-reached::final', on_window_end)
clock.advance(datetime.timedelta(hours=3, minutes=30))  # D1, e-mail 2, then D2

escalation.decide(True, 'Principal Manager')  # M10-M11: e-mail 3, the CIN link is cut
escalation.report_clean('KSSC engineer')      # M12
escalation.reconnect('ITD network team')      # M13-M15: reconnected, the report
print(escalation.get_step(), escalation.get_incident().get_outcome().value_nick)

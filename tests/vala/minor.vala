// minor.vala: the minor track from Vala, through the generated vapi
//
// SPDX-License-Identifier: LGPL-2.1-or-later

const int64 MINUTE = 60 * TimeSpan.SECOND;

Vesc.Desk make_desk (Vesc.ManualClock clock) throws Error {
    var directory = new Vesc.Directory ();
    var path = Path.build_filename (Environment.get_variable ("VESC_EXAMPLES_DATA"), "sites.json");
    directory.load_from_file (path);
    return new Vesc.Desk (directory, new Vesc.Policy (), clock, null);
}

void test_removal_deadline () {
    try {
        var opened = new DateTime.utc (2024, 3, 4, 9, 0, 0);
        var clock = new Vesc.ManualClock (opened);
        var desk = make_desk (clock);
        unowned Vesc.Escalation escalation = desk.open_incident (
            "SCH101", { "10.47.1.20" }, "Trojan beaconing", false, "ITD duty");
        string[] reached = {};

        assert_true (escalation.incident.scenario == Vesc.Scenario.MINOR);
        assert_cmpstr (escalation.step, CompareOperator.EQ, "M5");
        assert_true (escalation.step_kind == Vesc.StepKind.WAIT);
        var removal = escalation.lookup_deadline ("removal");
        assert_true (removal.due.difference (opened) == 3 * TimeSpan.HOUR);

        escalation.deadline_reached["removal"].connect ((esc, deadline) => {
            reached += "%s at %s".printf (deadline.name, esc.step);
        });
        clock.advance (3 * TimeSpan.HOUR - 1);
        assert_true (reached.length == 0);
        clock.advance (1);
        assert_true (reached.length == 1);
        assert_cmpstr (reached[0], CompareOperator.EQ, "removal at M6");
        assert_true (escalation.step_kind == Vesc.StepKind.CHECK);
    } catch (Error e) {
        error ("%s", e.message);
    }
}

void test_wrong_step_then_removed () {
    try {
        var clock = new Vesc.ManualClock (new DateTime.utc (2024, 3, 4, 9, 0, 0));
        var desk = make_desk (clock);
        unowned Vesc.Escalation escalation = desk.report_detection ("10.47.1.20", "Trojan");

        clock.advance (3 * TimeSpan.HOUR);
        assert_cmpstr (escalation.step, CompareOperator.EQ, "M6");
        // The decision is not owed at M6: a Vesc.Error, and nothing changes.
        try {
            escalation.decide (true, "Principal Manager");
            assert_not_reached ();
        } catch (Vesc.Error.WRONG_STEP e) {
            assert_cmpstr (escalation.step, CompareOperator.EQ, "M6");
        }
        escalation.record_check (Vesc.CheckResult.ABSENT, "ITD duty");
        assert_true (escalation.closed);
        assert_true (escalation.incident.outcome == Vesc.Outcome.DEVICE_REMOVED);
        assert_true (escalation.lookup_deadline ("final") == null);
        clock.advance (30 * MINUTE);
        assert_true (escalation.closed);
    } catch (Error e) {
        error ("%s", e.message);
    }
}

int main (string[] args) {
    Test.init (ref args);
    Test.add_func ("/vala/minor/removal-deadline", test_removal_deadline);
    Test.add_func ("/vala/minor/wrong-step-then-removed", test_wrong_step_then_removed);
    return Test.run ();
}

// minor.js: the minor track from gjs, deadline by deadline
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Vesc from 'gi://Vesc?version=1';

import {HOUR, MINUTE, assert, assertEqual, makeDesk, recordSteps, run, sinceOpened}
    from './harness.js';

function openMinor(desk) {
    return desk.open_incident('SCH101', ['10.47.1.20'], 'Trojan beaconing', false, 'ITD duty');
}

function opensAndWaits() {
    const {desk} = makeDesk();
    const escalation = openMinor(desk);
    const incident = escalation.get_incident();

    assertEqual(incident.get_scenario(), Vesc.Scenario.MINOR, 'scenario');
    assertEqual(incident.get_devices(), ['10.47.1.20'], 'devices');
    assertEqual(escalation.step, 'M5', 'step');
    assertEqual(escalation.step_kind, Vesc.StepKind.WAIT, 'step kind');
    const removal = escalation.lookup_deadline('removal');
    assertEqual(sinceOpened(removal.get_due()), 3 * HOUR, 'D1 is 3 hours after opening');
    assertEqual(escalation.lookup_deadline('final'), null, 'no final window yet');
    const timeline = [...incident.get_timeline()];
    assertEqual(timeline[0].get_step(), 'M1', 'the timeline starts at M1');
}

function bothDeadlinesToReconnection() {
    const {desk, clock} = makeDesk();
    const escalation = openMinor(desk);
    const site = escalation.get_incident().get_site();
    const steps = recordSteps(escalation);
    const fired = {removal: [], final: []};

    for (const name of ['removal', 'final']) {
        escalation.connect(`deadline-reached::${name}`, (esc, deadline) => {
            fired[name].push([deadline.get_name(), sinceOpened(clock.get_now()), esc.step]);
            // The check is owed now and may be given right in the handler.
            esc.record_check(Vesc.CheckResult.PRESENT, 'ITD duty');
        });
    }

    clock.advance(3 * HOUR - 1);
    assertEqual(fired, {removal: [], final: []}, 'nothing fires before D1');
    clock.advance(1);
    assertEqual(fired.removal, [['removal', 3 * HOUR, 'M6']], 'D1 fired at opened + 3 h, at M6');
    assertEqual(escalation.step, 'M8', 'the final window runs');
    assertEqual(escalation.lookup_deadline('removal').get_outcome(),
        Vesc.DeadlineOutcome.MISSED, 'D1 missed');

    clock.advance(30 * MINUTE);
    assertEqual(fired.final, [['final', 3 * HOUR + 30 * MINUTE, 'M9']], 'D2 fired 30 min later');
    assertEqual(escalation.step_kind, Vesc.StepKind.DECISION, 'the decision is owed');
    assertEqual(site.get_cin_state(), Vesc.CinState.CONNECTED, 'still connected');

    escalation.decide(true, 'Principal Manager');
    assertEqual(site.get_cin_state(), Vesc.CinState.DISCONNECTED, 'disconnected');
    escalation.report_clean('KSSC engineer');
    escalation.reconnect('ITD network team');
    assertEqual(site.get_cin_state(), Vesc.CinState.CONNECTED, 'reconnected');
    assert(escalation.closed, 'closed');
    assertEqual(escalation.get_incident().get_outcome(), Vesc.Outcome.RECONNECTED, 'outcome');

    clock.advance(24 * HOUR);
    assertEqual([fired.removal.length, fired.final.length], [1, 1], 'each fired exactly once');
    const ladder = steps.filter(s => ['M6', 'M9', 'M10', 'M11', 'M12', 'M13'].includes(s));
    assertEqual(ladder, ['M6', 'M9', 'M10', 'M11', 'M12', 'M13'], 'the steps in order');

    const report = JSON.parse(escalation.get_report_json());
    assertEqual(report.outcome, 'reconnected', 'report outcome');
    assertEqual(report.decision.disconnect, true, 'report decision');
    assertEqual(report.decision.by, 'Principal Manager', 'report decision maker');
    const windows = report.deadlines.filter(d => d.kind === 'window');
    assertEqual(windows.map(d => [d.name, d.outcome]),
        [['removal', 'missed'], ['final', 'missed']], 'report deadlines');
}

function earlyResolutionAtD1() {
    const {desk, clock} = makeDesk();
    const escalation = openMinor(desk);
    const steps = recordSteps(escalation);

    clock.advance(3 * HOUR);
    escalation.record_check(Vesc.CheckResult.ABSENT, 'ITD duty');

    assertEqual(steps, ['M6', 'X1', 'X2'], 'the ladder ends');
    assert(escalation.closed, 'closed');
    assertEqual(escalation.get_incident().get_outcome(), Vesc.Outcome.DEVICE_REMOVED, 'outcome');
    assertEqual(escalation.lookup_deadline('removal').get_outcome(),
        Vesc.DeadlineOutcome.MET, 'D1 met');
    assertEqual(JSON.parse(escalation.get_report_json()).decision, null, 'no decision');
}

run([
    ['a minor incident waits at M5 for D1', opensAndWaits],
    ['both deadlines, disconnection and reconnection', bothDeadlinesToReconnection],
    ['a check finding the device gone at D1 ends the ladder', earlyResolutionAtD1],
]);

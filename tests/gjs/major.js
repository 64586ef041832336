// major.js: the major track, the decision and upgrades from gjs
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Vesc from 'gi://Vesc?version=1';

import {HOUR, MINUTE, assert, assertEqual, makeDesk, recordSteps, run, sinceOpened}
    from './harness.js';

const DEVICES = ['10.47.1.20', '10.47.1.21', '10.47.1.22'];

function threeDevicesToTheDecision() {
    const {desk, clock} = makeDesk();
    const escalation = desk.open_incident('SCH101', DEVICES, 'Worm scanning', false, 'ITD duty');
    const incident = escalation.get_incident();

    assertEqual(incident.get_scenario(), Vesc.Scenario.MAJOR, 'major');
    assertEqual(incident.get_n_devices(), 3, 'three devices');
    assertEqual(escalation.step, 'R2', 'the decision step');
    assertEqual(escalation.step_kind, Vesc.StepKind.DECISION, 'a decision is owed');
    assertEqual(escalation.lookup_deadline('removal'), null, 'no removal window');

    const steps = recordSteps(escalation);
    clock.advance(5 * MINUTE);
    escalation.decide(true, 'Principal Manager');
    assertEqual(steps, ['R3', 'R4', 'R5', 'R6', 'R7'], 'R3 to R7');
    assertEqual(incident.get_site().get_cin_state(), Vesc.CinState.DISCONNECTED, 'disconnected');
    const report = JSON.parse(escalation.get_report_json());
    assertEqual(report.decision.disconnect, true, 'the decision is in the report');
    assertEqual(report.decision.at, '2024-03-04T09:05:00Z', 'with its time');
}

function noDisconnectionGoesBackToM3() {
    const {desk, clock} = makeDesk();
    const escalation = desk.open_incident('SCH101', DEVICES, 'Worm scanning', false, 'ITD duty');
    const steps = recordSteps(escalation);
    clock.advance(10 * MINUTE);

    escalation.decide(false, 'Principal Manager');

    assertEqual(steps[0], 'M3', 'back to M3');
    assertEqual(escalation.step, 'M5', 'waiting for removal');
    const removal = escalation.lookup_deadline('removal');
    assertEqual(sinceOpened(removal.get_due()), 3 * HOUR + 10 * MINUTE, 'D1 from the decision');
    assertEqual(escalation.get_incident().get_site().get_cin_state(), Vesc.CinState.CONNECTED,
        'still connected');
}

function markThreatUpgrades() {
    const {desk, clock} = makeDesk();
    const escalation = desk.open_incident('SCH101', ['10.47.1.20'], 'Odd traffic', false, 'ITD');
    const reached = [];
    escalation.connect('deadline-reached', (_esc, deadline) => reached.push(deadline.get_name()));
    clock.advance(HOUR);

    escalation.mark_threat('ransomware spreading', 'Security officer');

    const incident = escalation.get_incident();
    assert(incident.get_threat(), 'marked as a threat');
    assertEqual(incident.get_scenario(), Vesc.Scenario.MAJOR, 'upgraded');
    assertEqual(escalation.step, 'R2', 'jumped to the decision');
    const upgrades = [...incident.get_timeline()]
        .filter(e => e.get_kind() === Vesc.EventKind.UPGRADE);
    assertEqual(upgrades.length, 1, 'the timeline says why');
    clock.advance(5 * HOUR);
    assert(!reached.includes('removal'), 'the withdrawn window never fires');
}

run([
    ['three devices go straight to the R2 decision, then disconnection', threeDevicesToTheDecision],
    ['a decision not to disconnect goes back to M3', noDisconnectionGoesBackToM3],
    ['mark_threat upgrades a running minor incident', markThreatUpgrades],
]);

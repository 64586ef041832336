// errors.js: wrong inputs throw GLib.Error in the Vesc.Error domain
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Vesc from 'gi://Vesc?version=1';

import {HOUR, assert, assertEqual, assertVescError, makeDesk, run} from './harness.js';

function open(desk) {
    return desk.open_incident('SCH101', ['10.47.1.20'], 'Trojan', false, 'ITD duty');
}

function wrongStep() {
    const {desk} = makeDesk();
    const escalation = open(desk);
    const before = escalation.get_incident().get_timeline().get_n_items();

    const e = assertVescError(Vesc.Error.WRONG_STEP,
        () => escalation.decide(true, 'Principal Manager'), 'decide at M5');
    assertEqual(e.code, Vesc.Error.WRONG_STEP, 'the code');
    assert(e.message.includes('M5'), 'the message names the step');
    assertVescError(Vesc.Error.WRONG_STEP, () => escalation.reconnect('ITD'), 'reconnect at M5');
    assertEqual(escalation.step, 'M5', 'nothing moved');
    assertEqual(escalation.get_incident().get_timeline().get_n_items(), before, 'nothing recorded');
}

function closedAndInvalid() {
    const {desk, clock} = makeDesk();
    const escalation = open(desk);
    assertVescError(Vesc.Error.INVALID_INPUT, () => escalation.report_removal(''), 'empty actor');
    assertVescError(Vesc.Error.DUPLICATE,
        () => desk.open_incident('SCH101', ['x'], 'y', false, 'ITD'), 'a second open incident');
    assertVescError(Vesc.Error.UNKNOWN_SITE,
        () => desk.open_incident('NOPE', ['x'], 'y', false, 'ITD'), 'an unknown site');

    clock.advance(3 * HOUR);
    escalation.record_check(Vesc.CheckResult.ABSENT, 'ITD duty');
    assertVescError(Vesc.Error.CLOSED,
        () => escalation.record_check(Vesc.CheckResult.PRESENT, 'ITD'), 'input after closing');
}

run([
    ['an input not owed is WRONG_STEP and changes nothing', wrongStep],
    ['empty actor, duplicate, unknown site and closed errors', closedAndInvalid],
]);

// harness.js: what the gjs tests share: a desk on a manual clock, and TAP output
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import GLib from 'gi://GLib';
import Vesc from 'gi://Vesc?version=1';
import System from 'system';

export const MINUTE = 60 * 1000 * 1000;
export const HOUR = 60 * MINUTE;
export const OPENED = GLib.DateTime.new_utc(2024, 3, 4, 9, 0, 0);

function directoryByHand() {
    // The same first school and contacts as examples/data/sites.json.
    const directory = Vesc.Directory.new();
    const site = Vesc.Site.new('SCH101', 'Alder Brook Primary');
    site.set_head_teacher('Head Teacher SCH101', 'head.sch101@schools.example.org');
    site.set_relationship_manager('Relationship Manager North', 'rm.north@council.example.org');
    site.set_kssc_supported(true);
    site.add_subnet('10.47.1.0/24');
    directory.add_site(site);
    directory.add_contact(Vesc.Recipient.new(Vesc.Role.ITD, 'Corporate ITD Help Desk',
        'itd.helpdesk@council.example.org'));
    directory.add_contact(Vesc.Recipient.new(Vesc.Role.PRINCIPAL_MANAGER, 'Principal Manager',
        'principal.manager@council.example.org'));
    directory.add_contact(Vesc.Recipient.new(Vesc.Role.KSSC, 'Schools Support Centre',
        'kssc@support.example.org'));
    directory.add_contact(Vesc.Recipient.new(Vesc.Role.LTSB,
        'Learning and Technology Strategy Board', 'ltsb.secretary@council.example.org'));
    return directory;
}

function loadDirectory() {
    const data = GLib.getenv('VESC_EXAMPLES_DATA');
    const path = data ? GLib.build_filenamev([data, 'sites.json']) : null;
    if (path === null || !GLib.file_test(path, GLib.FileTest.EXISTS))
        return directoryByHand();
    const directory = Vesc.Directory.new();
    directory.load_from_file(path);
    return directory;
}

/** A new desk with the default policy and a manual clock at OPENED. */
export function makeDesk() {
    const clock = Vesc.ManualClock.new(OPENED);
    const desk = Vesc.Desk.new(loadDirectory(), Vesc.Policy.new(), clock, null);
    return {desk, clock};
}

/** Runs the default main context until idle: notifications are sent there. */
export function pump() {
    const context = GLib.MainContext.default();
    while (context.pending())
        context.iteration(false);
}

/** Microseconds from OPENED to the time of a GLib.DateTime. */
export function sinceOpened(time) {
    return time.difference(OPENED);
}

/** Collects the code of every step the escalation enters from now on. */
export function recordSteps(escalation) {
    const steps = [];
    escalation.connect('step-changed', (_esc, _old, step) => steps.push(step));
    return steps;
}

export function assert(condition, what) {
    if (!condition)
        throw new Error(`assertion failed: ${what}`);
}

export function assertEqual(actual, expected, what) {
    const a = JSON.stringify(actual), e = JSON.stringify(expected);
    if (a !== e)
        throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** Asserts that func throws a GLib.Error in the Vesc.Error domain with code. */
export function assertVescError(code, func, what) {
    try {
        func();
    } catch (e) {
        assert(e instanceof GLib.Error, `${what}: a GLib.Error, not ${e}`);
        assert(e.matches(Vesc.Error, code),
            `${what}: expected Vesc.Error code ${code}, got ${e.domain}/${e.code}: ${e.message}`);
        assertEqual(e.domain, GLib.quark_from_string('vesc-error-quark'), `${what}: the domain`);
        return e;
    }
    throw new Error(`${what}: no error was thrown`);
}

/** Runs [name, func] checks, printing TAP; exits with 1 if one failed. */
export function run(checks) {
    let failed = 0;
    print(`1..${checks.length}`);
    checks.forEach(([name, func], i) => {
        try {
            func();
            print(`ok ${i + 1} - ${name}`);
        } catch (e) {
            failed++;
            print(`not ok ${i + 1} - ${name}`);
            for (const line of `${e}\n${e.stack ?? ''}`.trim().split('\n'))
                print(`# ${line}`);
        }
    });
    if (failed > 0)
        System.exit(1);
}

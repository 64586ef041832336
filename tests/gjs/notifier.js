// notifier.js: Vesc.Notifier implemented in JavaScript
//
// SPDX-License-Identifier: LGPL-2.1-or-later

import Gio from 'gi://Gio';
import GLib from 'gi://GLib';
import GObject from 'gi://GObject';
import Vesc from 'gi://Vesc?version=1';

import {HOUR, assert, assertEqual, makeDesk, pump, run} from './harness.js';

const JsNotifier = GObject.registerClass({
    Implements: [Vesc.Notifier],
}, class JsNotifier extends GObject.Object {
    _init() {
        super._init();
        this.sent = [];
    }

    vfunc_send(notification, _cancellable) {
        this.sent.push(notification);
        return true;
    }
});

const DownNotifier = GObject.registerClass({
    Implements: [Vesc.Notifier],
}, class DownNotifier extends GObject.Object {
    vfunc_send(_notification, _cancellable) {
        throw new GLib.Error(Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED, 'mail server is down');
    }
});

function collectsEmail1() {
    const {desk} = makeDesk();
    const notifier = new JsNotifier();
    desk.add_notifier(notifier);

    const escalation = desk.open_incident('SCH101', ['10.47.1.20'], 'Trojan', false, 'ITD duty');
    assertEqual(notifier.sent.length, 0, 'nothing is sent before the main loop runs');
    pump();

    const site = escalation.get_incident().get_site();
    const emails = notifier.sent.filter(n => n.get_template_id() === 'email-1');
    assertEqual(emails.length, 1, 'e-mail 1 sent once');
    const [email1] = emails;
    assert(email1.get_subject().includes(site.get_name()), 'the subject names the school');
    assert(email1.get_body().includes(site.get_name()), 'the body names the school');
    assert(email1.get_body().includes('3 hours'), 'the body gives the removal window');
    const to = [...email1.get_recipients()].map(r => r.get_email());
    assert(to.includes(site.get_head_teacher_email()), 'addressed to the Head Teacher');
}

function failureIsSignalled() {
    const {desk, clock} = makeDesk();
    const working = new JsNotifier();
    const down = new DownNotifier();
    const failures = [];
    desk.add_notifier(down);
    desk.add_notifier(working);
    // Assertions are made outside the handler: a throw in a signal handler is only logged.
    desk.connect('notification-failed', (_desk, notification, notifier, error) => {
        failures.push(notification.get_template_id());
        assert(notifier === down, 'the failing notifier is named');
        assert(error.matches(Gio.IOErrorEnum, Gio.IOErrorEnum.FAILED), 'with its error');
        assert(error.message === 'mail server is down', 'with its message');
        failures.checked = (failures.checked ?? 0) + 1;
    });

    const escalation = desk.open_incident('SCH101', ['10.47.1.20'], 'Trojan', false, 'ITD duty');
    pump();
    assertEqual(failures.length, 0, 'a failed send is tried again before anyone is told');
    // The waits double from one minute: 1, 2, 4, 8 minutes before attempts 2 to 5.
    for (let attempt = 2; attempt <= 5; attempt++) {
        clock.advance(16 * 60 * 1000 * 1000);
        pump();
    }
    assert(failures.includes('email-1'), 'e-mail 1 failed on the broken notifier');
    assertEqual(failures.length, working.sent.length, 'each message failed once, in the end');
    assertEqual(failures.checked, failures.length, 'each failure named its notifier and error');

    clock.advance(3 * HOUR);
    assertEqual(escalation.step, 'M6', 'the escalation went on');
    escalation.record_check(Vesc.CheckResult.ABSENT, 'ITD duty');
    pump();
    assert(escalation.closed, 'and closed');
    assert(working.sent.some(n => n.get_template_id() === 'notice-report'),
        'the report still went out');
}

run([
    ['a JS notifier receives e-mail 1', collectsEmail1],
    ['a failing JS notifier emits notification-failed', failureIsSignalled],
]);

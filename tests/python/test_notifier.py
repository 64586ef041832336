# test_notifier.py: Vesc.Notifier implemented in Python
#
# SPDX-License-Identifier: LGPL-2.1-or-later

from gi.repository import Gio, GLib, GObject, Vesc

from conftest import HOUR, pump


class PyNotifier(GObject.Object, Vesc.Notifier):
    """Collects every message it is asked to send."""

    def __init__(self):
        super().__init__()
        self.sent = []

    def do_send(self, notification, cancellable):
        self.sent.append(notification)
        return True


class FailingNotifier(GObject.Object, Vesc.Notifier):
    """Refuses every message, as a mail server that is down would."""

    def __init__(self):
        super().__init__()
        self.tries = 0

    def do_send(self, notification, cancellable):
        self.tries += 1
        raise GLib.Error.new_literal(Gio.io_error_quark(), 'mail server is down',
                                     Gio.IOErrorEnum.FAILED)


def by_template(notifier, template_id):
    return [n for n in notifier.sent if n.get_template_id() == template_id]


def test_python_notifier_receives_email_1(desk):
    notifier = PyNotifier()
    desk.add_notifier(notifier)
    queued = []

    escalation = desk.open_incident('SCH101', ['10.47.1.20'], 'Trojan', False, 'ITD duty')
    # Delivery is asynchronous, on the default main context.
    escalation.connect('notification-queued', lambda esc, n: queued.append(n))
    assert notifier.sent == []
    pump()

    site = escalation.get_incident().get_site()
    [email_1] = by_template(notifier, 'email-1')
    assert site.get_name() in email_1.get_subject()
    assert site.get_name() in email_1.get_body()
    assert '3 hours' in email_1.get_body()
    assert email_1.get_incident_id() == escalation.get_incident().get_id()
    assert email_1.get_step() == 'M3'
    emails = [r.get_email() for r in email_1.get_recipients()]
    assert site.get_head_teacher_email() in emails
    assert email_1.get_sender().get_role() == Vesc.Role.ITD
    # M2 and M4 (a KSSC-supported site) were sent too, each once.
    templates = [n.get_template_id() for n in notifier.sent]
    assert templates.count('notice-opened') == 1
    assert templates.count('notice-kssc') == int(site.get_kssc_supported())
    assert len(set(n.get_key() for n in notifier.sent)) == len(notifier.sent)


def test_python_notifier_gets_email_2_after_the_first_deadline(desk, clock):
    notifier = PyNotifier()
    desk.add_notifier(notifier)
    escalation = desk.open_incident('SCH101', ['10.47.1.20'], 'Trojan', False, 'ITD duty')
    pump()
    [email_1] = by_template(notifier, 'email-1')

    clock.advance(3 * HOUR)
    escalation.record_check(Vesc.CheckResult.PRESENT, 'ITD duty')
    pump()

    [email_2] = by_template(notifier, 'email-2')
    assert email_2.get_reply_to_key() == email_1.get_key()
    assert '30 minutes' in email_2.get_body()
    assert email_2.get_created_at().to_unix() == email_1.get_created_at().to_unix() + 3 * 3600

    desk.remove_notifier(notifier)
    count = len(notifier.sent)
    clock.advance(HOUR)
    pump()
    assert len(notifier.sent) == count


def test_failing_notifier_is_signalled_and_the_escalation_goes_on(desk, clock):
    failing = FailingNotifier()
    working = PyNotifier()
    desk.add_notifier(failing)
    desk.add_notifier(working)
    failures = []

    def on_failed(_desk, notification, notifier, error):
        failures.append((notification.get_template_id(), notifier, error))

    desk.connect('notification-failed', on_failed)
    escalation = desk.open_incident('SCH101', ['10.47.1.20'], 'Trojan', False, 'ITD duty')
    pump()
    messages = len(working.sent)
    assert failing.tries == messages > 0
    assert failures == []  # a failed send is tried again before anyone is told

    exhaust_retries(clock)
    assert failing.tries == 5 * messages
    assert len(failures) == messages
    template_id, notifier, error = failures[0]
    assert notifier == failing
    assert 'mail server is down' in error.message
    assert error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.FAILED)
    assert 'email-1' in [f[0] for f in failures]
    warnings = [e.get_detail() for e in escalation.get_incident().get_timeline()
                if e.get_kind() == Vesc.EventKind.WARNING]
    assert any('after 5 attempts' in w for w in warnings)

    # The ladder does not wait for the mail server.
    clock.advance(3 * HOUR)
    assert escalation.get_step() == 'M6'
    escalation.record_check(Vesc.CheckResult.ABSENT, 'ITD duty')
    assert escalation.get_closed()
    pump()
    assert 'notice-report' in [n.get_template_id() for n in working.sent]
    exhaust_retries(clock)
    assert 'notice-report' in [f[0] for f in failures]


def exhaust_retries(clock):
    # The waits double from one minute: 1, 2, 4, 8 minutes before attempts 2 to 5.
    for _ in range(4):
        clock.advance(16 * 60 * 1000 * 1000)
        pump()

#!/usr/bin/env python3
# test-drill.py: end-to-end test of examples/vesc-drill
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: test-drill.py VESC-DRILL SITES.json ALERTS.eve.json
#
# Runs the drill on the bundled data and checks what it prints and writes
# against figures computed here, independently, from the same files, and the
# period report against the per-incident reports. Prints TAP.

import collections
import datetime
import email.parser
import email.policy
import email.utils
import http.server
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile
import threading

DRILL, SITES, ALERTS = sys.argv[1:4]
MAX_SEVERITY = 1

results = []


def check(condition, description, detail=''):
    results.append(bool(condition))
    print('%s %d - %s' % ('ok' if condition else 'not ok', len(results), description))
    if not condition and detail:
        for line in str(detail).splitlines()[:20]:
            print('# ' + line)


# ---- the figures, computed from the input files ---------------------------

def counts(record, max_severity=MAX_SEVERITY):
    """The drill's documented rule for "counts as a security problem"."""
    alert = record.get('alert')
    severity = alert.get('severity') if isinstance(alert, dict) else None
    return (record.get('event_type') == 'alert' and type(severity) is int
            and severity <= max_severity)


def has_time(record):
    try:
        return datetime.datetime.fromisoformat(record['timestamp']).tzinfo is not None
    except (KeyError, TypeError, ValueError):
        return False


def expected_figures(alerts_path, sites_path):
    with open(sites_path, encoding='utf-8') as f:
        networks = [ipaddress.ip_network(subnet)
                    for site in json.load(f)['sites'] for subnet in site.get('subnets', [])]
    records = counted = bad = 0
    first = None
    unmatched = []
    sites = set()
    with open(alerts_path, encoding='utf-8') as f:
        for line in f:
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if not isinstance(record, dict):
                bad += 1
                continue
            if not counts(record):
                records += 1
                continue
            if not isinstance(record.get('src_ip'), str) or not has_time(record):
                bad += 1
                continue
            records += 1
            counted += 1
            time = datetime.datetime.fromisoformat(record['timestamp'])
            first = time if first is None else min(first, time)
            address = ipaddress.ip_address(record['src_ip'])
            owners = [n for n in networks if address in n]
            if owners:
                sites.add(max(owners, key=lambda n: n.prefixlen))
            else:
                unmatched.append(record['src_ip'])
    return {'records': records, 'counted': counted, 'not_counted': records - counted,
            'bad': bad, 'unmatched': len(unmatched), 'addresses': len(set(unmatched)),
            'sites': len(sites), 'matched': counted - len(unmatched), 'first': first}


# ---- running the drill and reading what it says ---------------------------

SUMMARY = re.compile(
    r'^Summary: (?P<records>\d+) records read, (?P<counted>\d+) counted as security problems, '
    r'(?P<not_counted>\d+) not counted, (?P<bad>\d+) bad lines\n'
    r'Unmatched: (?P<unmatched>\d+) detections from (?P<addresses>\d+) addresses of no school\n'
    r'Incidents: (?P<opened>\d+) opened \(minor (?P<minor>\d+), reoccurring (?P<reoccurring>\d+), '
    r'major (?P<major>\d+)\), (?P<closed>\d+) closed\n'
    r'(?:E-mails written: (?P<emails>\d+) in (?P<maildir>.+)'
    r'|E-mails sent: (?P<sent>\d+) through (?P<kind>\w+), (?P<failed>\d+) failed)\n\Z', re.M)

# The webhook is on 127.0.0.1: no proxy must stand in between.
ENV = dict({k: v for k, v in os.environ.items() if not k.lower().endswith('_proxy')},
           LC_ALL='C.UTF-8', no_proxy='*')

# The number of e-mails of the default run, which the other notifiers must match.
baseline = {}


def run_drill(out, *flags, alerts=ALERTS):
    return subprocess.run([DRILL, '--sites', SITES, '--alerts', alerts, '--out', out, *flags],
                          capture_output=True, encoding='utf-8', errors='replace',
                          timeout=60, env=ENV)


def summary_of(stdout):
    match = SUMMARY.search(stdout)
    if match is None:
        return None
    return {k: (v if k in ('maildir', 'kind') or v is None else int(v))
            for k, v in match.groupdict().items()}


# A line of a report's timeline: "  <YYYY-MM-DD HH:MM:SS UTC>  <step> <actor> <detail>".
TIMELINE_LINE = re.compile(r'^  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC  \S+ .*$', re.M)
# A window's line: "  Deadline <name> due <time>: <outcome>".
DEADLINE_LINE = re.compile(r'^  Deadline \S+\s+due .*?: (\w+)', re.M)
PERIOD_START = '\nReport for the LTSB, '


def incidents_of(stdout):
    """Each incident's block: its report and the timeline in it."""
    reports = stdout.split(PERIOD_START)[0].split('\nSummary: ')[0]
    blocks = re.split(r'^=== ', reports, flags=re.M)[1:]
    incidents = []
    for block in blocks:
        header, _, report = block.partition('\n')
        timeline = '\n'.join(TIMELINE_LINE.findall(report))
        scenario = re.search(r'^Scenario:\s+(\w+)', report, re.M)
        site = re.search(r'^Incident \S+ at .* \((\S+)\)$', report, re.M)
        outcome = re.search(r'^Outcome:\s+(\S+)', report, re.M)
        incidents.append({'header': header, 'timeline': timeline, 'report': report,
                          'id': header.split(' ')[0], 'site': site and site.group(1),
                          'scenario': scenario.group(1) if scenario else None,
                          'outcome': outcome and outcome.group(1),
                          'deadlines': DEADLINE_LINE.findall(report)})
    return incidents


def period_text_of(stdout):
    start = stdout.find(PERIOD_START)
    return stdout[start + 1:stdout.index('\nSummary: ')] if start >= 0 else ''


def read_mail(maildir):
    parser = email.parser.BytesParser(policy=email.policy.default)
    messages = []
    for name in sorted(os.listdir(maildir)):
        with open(os.path.join(maildir, name), 'rb') as f:
            messages.append((name, parser.parse(f)))
    return messages


def check_figures(name, summary, expected):
    for key in ('records', 'counted', 'not_counted', 'bad', 'unmatched', 'addresses'):
        check(summary[key] == expected[key], '%s: %s is %d' % (name, key, expected[key]),
              'the drill says %d' % summary[key])
    check(expected['sites'] <= summary['opened'] <= expected['matched'],
          '%s: %d incidents, between %d sites and %d detections at schools'
          % (name, summary['opened'], expected['sites'], expected['matched']))
    check(summary['minor'] + summary['reoccurring'] + summary['major'] == summary['opened'],
          '%s: the scenarios add up to the incidents' % name)
    check(summary['closed'] == summary['opened'], '%s: every incident closed' % name,
          '%d of %d closed' % (summary['closed'], summary['opened']))


def check_mail(name, maildir, summary):
    messages = read_mail(maildir)
    check(len(messages) == summary['emails'] > 0,
          '%s: %d files in mail/new, as the summary says' % (name, len(messages)),
          'the summary says %d' % summary['emails'])
    broken = ['%s: %s' % (file, [h for h in ('Subject', 'To', 'Message-ID', 'Date')
                                 if message[h] is None] or message.defects)
              for file, message in messages
              if message.defects or None in (message['Subject'], message['To'],
                                             message['Message-ID'], message['Date'])]
    check(not broken, '%s: every e-mail is an RFC 5322 message with Subject, To, '
          'Message-ID and Date' % name, '\n'.join(broken))
    dates = [email.utils.parsedate_to_datetime(str(m['Date'])) for _, m in messages]
    check(all(d.tzinfo is not None for d in dates), '%s: every Date parses' % name)
    ids = [str(m['Message-ID']) for _, m in messages]
    check(len(set(ids)) == len(ids), '%s: Message-IDs are unique' % name)
    return messages


def check_period(name, stdout, summary, path, expected):
    """The period report against the Summary and the per-incident reports."""
    incidents = incidents_of(stdout)
    text = period_text_of(stdout)
    try:
        with open(path, encoding='utf-8') as f:
            report = json.load(f)
    except (OSError, ValueError) as e:
        check(False, '%s: --report-json wrote JSON' % name, e)
        return None
    check(report.get('schema') == 'libvesc-period-report/1', '%s: period report schema' % name)
    check(report['incidents'] == summary['opened'] == len(incidents),
          '%s: the period report counts the %d incidents' % (name, summary['opened']),
          report['incidents'])
    scenarios = {k: summary[k] for k in ('minor', 'reoccurring', 'major')}
    check(report['by_scenario'] == scenarios == collections.Counter(
        i['scenario'] for i in incidents), '%s: by_scenario is the Summary\'s' % name,
        '%s against %s' % (report['by_scenario'], scenarios))
    per_site = collections.Counter(i['site'] for i in incidents)
    check({s['id']: s['incidents'] for s in report['sites']} == per_site and
          sum(s['incidents'] for s in report['sites']) == report['incidents'] and
          all(s['incidents'] == s['minor'] + s['reoccurring'] + s['major']
              for s in report['sites']), '%s: incidents per site add up' % name, report['sites'])
    reoccurring = sorted({i['site'] for i in incidents
                          if per_site[i['site']] > 1 or i['scenario'] == 'reoccurring'})
    check(sorted(report['reoccurring_sites']) == reoccurring,
          '%s: reoccurring sites are %s' % (name, reoccurring), report['reoccurring_sites'])
    outcomes = collections.Counter(i['outcome'] for i in incidents)
    check(report['outcomes'] == dict({'open': 0, 'device-removed': 0, 'reconnected': 0},
                                     **outcomes), '%s: outcomes as the reports say' % name,
          '%s against %s' % (report['outcomes'], outcomes))
    deadlines = collections.Counter(d for i in incidents for d in i['deadlines'])
    check(report['deadlines'] == dict({'met': 0, 'missed': 0, 'cancelled': 0, 'pending': 0},
                                      **deadlines) and deadlines['met'] + deadlines['missed'] > 0,
          '%s: the windows met and missed are those of the reports' % name,
          '%s against %s' % (report['deadlines'], deadlines))
    found = [i for i in incidents if 'ITD check: the device is no longer on the network'
             in i['timeline']]
    check(report['time_to_removal']['count'] == len(found) <= outcomes['device-removed'],
          '%s: time to removal over the %d removals a check found' % (name, len(found)),
          report['time_to_removal'])
    check(report['time_to_reconnection']['count'] == outcomes['reconnected'],
          '%s: time to reconnection over the reconnected incidents' % name,
          report['time_to_reconnection'])
    start = datetime.datetime.fromisoformat(report['from'].replace('Z', '+00:00'))
    end = datetime.datetime.fromisoformat(report['to'].replace('Z', '+00:00'))
    closed = [datetime.datetime.fromisoformat(i['closed_at'].replace('Z', '+00:00'))
              for i in report['list']]
    check(start == expected['first'] and closed and
          max(closed) <= end - datetime.timedelta(seconds=1),
          '%s: the period runs from the first alert past the last closing' % name,
          '%s to %s; first alert %s' % (start, end, expected['first']))
    check([i['incident'] for i in report['list']] == [i['id'] for i in incidents],
          '%s: the period report lists the incidents' % name)
    check(('Incidents: %(incidents)d (minor %(minor)d, reoccurring %(reoccurring)d, '
           'major %(major)d)\n' % dict(report['by_scenario'], incidents=report['incidents'])
           in text) and ('Outcomes: %(open)d open, %(device-removed)d device removed, '
                         '%(reconnected)d reconnected\n' % report['outcomes'] in text)
          and ('Deadlines: %(met)d met, %(missed)d missed, %(cancelled)d withdrawn, '
               '%(pending)d pending\n' % report['deadlines'] in text),
          '%s: the text period report agrees with the JSON' % name, text)
    return report


# ---- the runs ----------------------------------------------------------------

def test_default_run(scratch, expected):
    out = os.path.join(scratch, 'default')
    result = run_drill(out, '--report-json', os.path.join(scratch, 'default.json'))
    check(result.returncode == 0, 'default: exit status 0', result.stderr)
    summary = summary_of(result.stdout)
    check(summary is not None, 'default: the summary block is there', result.stdout[-800:])
    if summary is None:
        return
    print('# default: ' + result.stdout[result.stdout.index('Summary: '):].replace('\n', '\n# '))
    check_figures('default', summary, expected)
    check(summary['maildir'] == os.path.join(out, 'mail', 'new'), 'default: maildir named')
    incidents = incidents_of(result.stdout)
    check(len(incidents) == summary['opened'], 'default: one block per incident')
    check(all(i['header'].endswith(': closed ===') for i in incidents),
          'default: every block says closed')
    messages = check_mail('default', summary['maildir'], summary)
    baseline['emails'] = summary['emails']
    print('# ' + period_text_of(result.stdout).replace('\n', '\n# '))
    report = check_period('default', result.stdout, summary,
                          os.path.join(scratch, 'default.json'), expected)
    check(report and report['time_to_removal']['count'] > 0,
          'default: some removals were found by a check')
    first = [m for _, m in messages if m['X-Vesc-Step'] == 'M3']
    check(first, 'default: e-mail 1 was sent')
    check(first and all('3 hours' in m.get_body().get_content() for m in first),
          'default: e-mail 1 gives the removal window, 3 hours')


def test_device_stays(scratch, expected):
    result = run_drill(os.path.join(scratch, 'stays'), '--device-stays',
                       '--report-json', os.path.join(scratch, 'stays.json'))
    check(result.returncode == 0, 'device-stays: exit status 0', result.stderr)
    summary = summary_of(result.stdout)
    check(summary is not None, 'device-stays: the summary block is there', result.stdout[-800:])
    if summary is None:
        return
    print('# device-stays: ' + result.stdout[result.stdout.index('Summary: '):]
          .replace('\n', '\n# '))
    check_figures('device-stays', summary, expected)
    check_mail('device-stays', summary['maildir'], summary)
    incidents = incidents_of(result.stdout)
    for scenario in ('minor', 'major'):
        cut = [i for i in incidents
               if i['scenario'] == scenario and 'disconnected' in i['timeline']]
        check(cut, 'device-stays: a %s incident reaches disconnection' % scenario)
    check(all('disconnected' in i['timeline'] for i in incidents),
          'device-stays: every incident reaches disconnection')
    closed = [i for i in incidents if i['header'].endswith(': closed ===')]
    check(closed and all(re.search(r'^Outcome:\s+reconnected', i['report'], re.M) for i in closed),
          "device-stays: every closed incident's report says reconnected")
    report = check_period('device-stays', result.stdout, summary,
                          os.path.join(scratch, 'stays.json'), expected)
    minor = [d for i in incidents if i['scenario'] == 'minor' for d in i['deadlines']]
    check(report and report['deadlines']['met'] == 0 and minor and
          all(d == 'missed' for d in minor),
          'device-stays: every window of a minor ladder is missed', minor)
    check(report and report['time_to_reconnection']['count'] == summary['opened'],
          'device-stays: every incident counts in the time to reconnection')


def fake_sendmail(scratch, name, status):
    """A sendmail that keeps each message it reads in a file of its own, its
    arguments first, and exits with status."""
    path = os.path.join(scratch, name)
    box = path + '.d'
    os.mkdir(box)
    with open(path, 'w', encoding='utf-8') as f:
        f.write('#!/bin/sh\nfile=$(mktemp "%s/msg.XXXXXX") || exit 71\n'
                '{ echo "$*"; cat; } > "$file"\nexit %d\n' % (box, status))
    os.chmod(path, 0o755)
    return path, box


def read_box(box):
    parser = email.parser.Parser(policy=email.policy.default)
    received = []
    for name in os.listdir(box):
        with open(os.path.join(box, name), encoding='utf-8', errors='replace') as f:
            args, _, message = f.read().partition('\n')
        received.append((args, parser.parsestr(message)))
    return received


def test_sendmail(scratch, expected):
    program, box = fake_sendmail(scratch, 'sendmail-ok', 0)
    result = run_drill(os.path.join(scratch, 'sendmail'), '--notifier', 'sendmail',
                       '--sendmail', program, '--sendmail-arg', '-C',
                       '--sendmail-arg', 'msmtprc')
    summary = summary_of(result.stdout)
    check(result.returncode == 0 and summary and summary['kind'] == 'sendmail',
          'sendmail: exit status 0 and "E-mails sent ... through sendmail"',
          result.stderr + result.stdout[-300:])
    if not summary:
        return
    check_figures('sendmail', summary, expected)
    received = read_box(box)
    check(len(received) == summary['sent'] == baseline.get('emails') and summary['failed'] == 0,
          'sendmail: it received the %d messages the summary counts, as many as the Maildir '
          'got' % summary['sent'], '%d received, %s in the Maildir'
          % (len(received), baseline.get('emails')))
    check(all(args == '-C msmtprc -t -oi' for args, _ in received),
          'sendmail: run as PATH -C msmtprc -t -oi', set(args for args, _ in received))
    ids = [str(m['Message-ID']) for _, m in received if m['Message-ID'] and m['To']]
    check(len(set(ids)) == len(received), 'sendmail: each message has its To and Message-ID')


def test_sendmail_fails(scratch, expected):
    program, box = fake_sendmail(scratch, 'sendmail-busy', 75)
    result = run_drill(os.path.join(scratch, 'busy'), '--notifier', 'sendmail',
                       '--sendmail', program)
    summary = summary_of(result.stdout)
    check(result.returncode == 0 and summary, 'failing sendmail: not fatal', result.stderr)
    if not summary:
        return
    check_figures('failing sendmail', summary, expected)
    check(summary['sent'] == 0 and summary['failed'] == baseline.get('emails'),
          'failing sendmail: all %s messages failed' % baseline.get('emails'), summary)
    check(len(read_box(box)) == 5 * summary['failed'],
          'failing sendmail: each message tried 5 times', len(read_box(box)))
    failures = re.findall(r'^vesc-drill: \S+ not sent: .*exit status 75', result.stderr, re.M)
    check(len(failures) == summary['failed'], 'failing sendmail: stderr names each failure',
          result.stderr[-1000:])
    warned = sum(i['timeline'].count('could not be sent') for i in incidents_of(result.stdout))
    check(warned == summary['failed'], "failing sendmail: the timelines warn of each failure",
          warned)


class Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        self.server.posts.append((self.headers.get('Idempotency-Key'),
                                  self.headers.get('Content-Type'), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook(scratch, expected):
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Recorder)
    server.posts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        result = run_drill(os.path.join(scratch, 'webhook'), '--notifier', 'webhook',
                           '--webhook', 'http://127.0.0.1:%d/hook' % server.server_port)
    finally:
        server.shutdown()
        server.server_close()
    summary = summary_of(result.stdout)
    check(result.returncode == 0 and summary and summary['kind'] == 'webhook',
          'webhook: exit status 0 and "E-mails sent ... through webhook"', result.stderr)
    if not summary:
        return
    check_figures('webhook', summary, expected)
    posts = server.posts
    check(len(posts) == summary['sent'] == baseline.get('emails') and summary['failed'] == 0,
          'webhook: one POST per message, %d' % len(posts), summary)
    keys = [key for key, _, _ in posts]
    check(None not in keys and len(set(keys)) == len(keys), 'webhook: distinct Idempotency-Keys')
    bodies = []
    for key, kind, body in posts:
        try:
            bodies.append((key, kind, json.loads(body)))
        except ValueError:
            bodies.append((key, kind, None))
    check(all(isinstance(b, dict) and b.get('schema') == 'libvesc-notification/1'
              and b.get('key') == key and kind.startswith('application/json')
              for key, kind, b in bodies),
          'webhook: each body is a libvesc-notification/1 document under its key')


def test_refusals_end(scratch, expected):
    result = run_drill(os.path.join(scratch, 'refusals'), '--device-stays', '--decision', 'no')
    summary = summary_of(result.stdout)
    check(result.returncode == 0 and summary and summary['closed'] == summary['opened'],
          'decision no, device stays: the ladder ends and every incident closes', result.stderr)
    refused = [i for i in incidents_of(result.stdout)
               if i['timeline'].count('Decision: do not disconnect') == 2
               and 'Decision: disconnect' in i['timeline']]
    check(refused, 'decision no, device stays: refused twice, then disconnected')


def test_bad_lines(scratch):
    with open(ALERTS, encoding='utf-8') as f:
        head = [next(f) for _ in range(10)]
    no_address = json.loads(next(line for line in open(ALERTS, encoding='utf-8')
                                 if counts(json.loads(line))))
    del no_address['src_ip']
    lines = head + ['this is not JSON\n', '[1, 2]\n', '\n', json.dumps(no_address) + '\n',
                    '{"event_type": "flow"}\n']
    path = os.path.join(scratch, 'bad.eve.json')
    with open(path, 'w', encoding='utf-8') as f:
        f.writelines(lines)
    expected = expected_figures(path, SITES)
    result = run_drill(os.path.join(scratch, 'bad'), alerts=path)
    summary = summary_of(result.stdout)
    check(result.returncode == 0 and summary is not None, 'bad lines: not fatal', result.stderr)
    check(summary and summary['bad'] == expected['bad'] == 3 and
          summary['records'] == expected['records'] == 11,
          'bad lines: 3 bad lines and 11 records counted', summary)
    check(all('%s:%d:' % (path, n) in result.stderr for n in (11, 12, 14)),
          'bad lines: each reported with its line number', result.stderr)


def test_bad_arguments(scratch):
    out = os.path.join(scratch, 'args')
    cases = [('no --out', [DRILL, '--sites', SITES, '--alerts', ALERTS]),
             ('unreadable alerts', [DRILL, '--sites', SITES, '--alerts',
                                    os.path.join(scratch, 'missing.json'), '--out', out]),
             ('unreadable sites', [DRILL, '--sites', ALERTS, '--alerts', ALERTS, '--out', out]),
             ('both removal flags', [DRILL, '--sites', SITES, '--alerts', ALERTS, '--out', out,
                                     '--removal-after', '2h', '--device-stays']),
             ('bad duration', [DRILL, '--sites', SITES, '--alerts', ALERTS, '--out', out,
                               '--clean-after', 'soon']),
             ('bad decision', [DRILL, '--sites', SITES, '--alerts', ALERTS, '--out', out,
                               '--decision', 'maybe']),
             ('bad notifier', [DRILL, '--sites', SITES, '--alerts', ALERTS, '--out', out,
                               '--notifier', 'pigeon']),
             ('webhook without URL', [DRILL, '--sites', SITES, '--alerts', ALERTS, '--out', out,
                                      '--notifier', 'webhook']),
             ('sendmail options without sendmail',
              [DRILL, '--sites', SITES, '--alerts', ALERTS, '--out', out, '--sendmail-arg', '-v']),
             ('bad webhook URL', [DRILL, '--sites', SITES, '--alerts', ALERTS, '--out', out,
                                  '--notifier', 'webhook', '--webhook', 'not a URL'])]
    for name, argv in cases:
        result = subprocess.run(argv, capture_output=True, encoding='utf-8', timeout=60)
        check(result.returncode == 1 and result.stderr.startswith('vesc-drill: ')
              and 'Summary:' not in result.stdout,
              'bad arguments (%s): exit status 1 and a message' % name,
              'status %d, stderr %r' % (result.returncode, result.stderr))
    result = run_drill(out, '--report-json', os.path.join(scratch, 'missing', 'report.json'))
    check(result.returncode == 1 and 'report.json' in result.stderr,
          'unwritable --report-json: exit status 1 and a message naming it', result.stderr)


def main():
    expected = expected_figures(ALERTS, SITES)
    print('# expected: %s' % expected)
    with tempfile.TemporaryDirectory(prefix='vesc-drill-') as scratch:
        test_default_run(scratch, expected)
        test_device_stays(scratch, expected)
        test_refusals_end(scratch, expected)
        test_sendmail(scratch, expected)
        test_sendmail_fails(scratch, expected)
        test_webhook(scratch, expected)
        test_bad_lines(scratch)
        test_bad_arguments(scratch)
    print('1..%d' % len(results))
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
# test-drill.py: end-to-end test of examples/vesc-drill
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: test-drill.py VESC-DRILL SITES.json ALERTS.eve.json
#
# Runs the drill on the bundled data and checks what it prints and writes
# against figures computed here, independently, from the same files.
# Prints TAP.

import datetime
import email.parser
import email.policy
import email.utils
import ipaddress
import json
import os
import re
import subprocess
import sys
import tempfile

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
            address = ipaddress.ip_address(record['src_ip'])
            owners = [n for n in networks if address in n]
            if owners:
                sites.add(max(owners, key=lambda n: n.prefixlen))
            else:
                unmatched.append(record['src_ip'])
    return {'records': records, 'counted': counted, 'not_counted': records - counted,
            'bad': bad, 'unmatched': len(unmatched), 'addresses': len(set(unmatched)),
            'sites': len(sites), 'matched': counted - len(unmatched)}


# ---- running the drill and reading what it says ---------------------------

SUMMARY = re.compile(
    r'^Summary: (?P<records>\d+) records read, (?P<counted>\d+) counted as security problems, '
    r'(?P<not_counted>\d+) not counted, (?P<bad>\d+) bad lines\n'
    r'Unmatched: (?P<unmatched>\d+) detections from (?P<addresses>\d+) addresses of no school\n'
    r'Incidents: (?P<opened>\d+) opened \(minor (?P<minor>\d+), reoccurring (?P<reoccurring>\d+), '
    r'major (?P<major>\d+)\), (?P<closed>\d+) closed\n'
    r'E-mails written: (?P<emails>\d+) in (?P<maildir>.+)\n\Z', re.M)


def run_drill(out, *flags, alerts=ALERTS):
    return subprocess.run([DRILL, '--sites', SITES, '--alerts', alerts, '--out', out, *flags],
                          capture_output=True, encoding='utf-8', errors='replace',
                          timeout=60, env=dict(os.environ, LC_ALL='C.UTF-8'))


def summary_of(stdout):
    match = SUMMARY.search(stdout)
    if match is None:
        return None
    return {k: (v if k == 'maildir' else int(v)) for k, v in match.groupdict().items()}


# A line of a report's timeline: "  <YYYY-MM-DD HH:MM:SS UTC>  <step> <actor> <detail>".
TIMELINE_LINE = re.compile(r'^  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC  \S+ .*$', re.M)


def incidents_of(stdout):
    """Each incident's block: its report and the timeline in it."""
    blocks = re.split(r'^=== ', stdout.split('\nSummary: ')[0], flags=re.M)[1:]
    incidents = []
    for block in blocks:
        header, _, report = block.partition('\n')
        timeline = '\n'.join(TIMELINE_LINE.findall(report))
        scenario = re.search(r'^Scenario:\s+(\w+)', report, re.M)
        incidents.append({'header': header, 'timeline': timeline, 'report': report,
                          'scenario': scenario.group(1) if scenario else None})
    return incidents


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


# ---- the runs ----------------------------------------------------------------

def test_default_run(scratch, expected):
    out = os.path.join(scratch, 'default')
    result = run_drill(out)
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
    first = [m for _, m in messages if m['X-Vesc-Step'] == 'M3']
    check(first, 'default: e-mail 1 was sent')
    check(first and all('3 hours' in m.get_body().get_content() for m in first),
          'default: e-mail 1 gives the removal window, 3 hours')


def test_device_stays(scratch, expected):
    result = run_drill(os.path.join(scratch, 'stays'), '--device-stays')
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
                               '--decision', 'maybe'])]
    for name, argv in cases:
        result = subprocess.run(argv, capture_output=True, encoding='utf-8', timeout=60)
        check(result.returncode == 1 and result.stderr.startswith('vesc-drill: ')
              and 'Summary:' not in result.stdout,
              'bad arguments (%s): exit status 1 and a message' % name,
              'status %d, stderr %r' % (result.returncode, result.stderr))


def main():
    expected = expected_figures(ALERTS, SITES)
    print('# expected: %s' % expected)
    with tempfile.TemporaryDirectory(prefix='vesc-drill-') as scratch:
        test_default_run(scratch, expected)
        test_device_stays(scratch, expected)
        test_refusals_end(scratch, expected)
        test_bad_lines(scratch)
        test_bad_arguments(scratch)
    print('1..%d' % len(results))
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())

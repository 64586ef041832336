# test_adapters.py: the detection adapters of examples/adapters, end to end
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Each adapter runs as a program (Debian's python3 with the typelib just
# built) on small fixtures of tests/data/adapters, whose expected figures are
# written out below, and on the real logs of the shared sample data, whose
# figures are computed here from the files with the adapters' documented
# rules, independently of the adapters' code.

import collections
import datetime
import importlib.util
import ipaddress
import json
import os
import re
import subprocess
import sys

import pytest

TESTS = os.environ.get('G_TEST_SRCDIR', os.path.dirname(os.path.dirname(__file__)))
ADAPTERS = os.path.join(TESTS, '..', 'examples', 'adapters')
FIXTURES = os.path.join(TESTS, 'data', 'adapters')
EXAMPLE_SITES = os.path.join(TESTS, '..', 'examples', 'data', 'sites.json')
SMALL_SITES = os.path.join(FIXTURES, 'sites-small.json')
CCDC_SITES = os.path.join(FIXTURES, 'sites-ccdc.json')
PYTHON = '/usr/bin/python3' if os.path.exists('/usr/bin/python3') else sys.executable

SUMMARY = re.compile(
    r'^(?P<path>.+): records read (?P<read>\d+), counted (?P<counted>\d+), '
    r'incidents minor (?P<minor>\d+) reoccurring (?P<reoccurring>\d+) major (?P<major>\d+), '
    r'unmatched (?P<unmatched>\d+) \(addresses: (?P<addresses>.*)\), '
    r'malformed (?P<malformed>\d+)$')


def fixture(name):
    return os.path.join(FIXTURES, name)


def shared(*parts):
    data = os.environ.get('VESC_SHARED_DATA', '')
    path = os.path.join(data, *parts)
    if not data or not os.path.exists(path):
        pytest.skip('the shared sample data is absent (VESC_SHARED_DATA=%r): %s not checked'
                    % (data, os.path.join(*parts)))
    return path


class Run:
    def __init__(self, completed, summaries=True):
        self.returncode = completed.returncode
        self.stdout, self.stderr = completed.stdout, completed.stderr
        self.summaries = {}
        for line in completed.stdout.splitlines() if summaries else []:
            match = SUMMARY.match(line)
            assert match, 'not a summary line: %r' % line
            figures = {k: int(v) for k, v in match.groupdict().items()
                       if k not in ('path', 'addresses')}
            figures['addresses'] = ([] if match['addresses'] == 'none'
                                    else match['addresses'].split(' '))
            self.summaries[match['path']] = figures

    def only(self):
        assert len(self.summaries) == 1, self.stdout
        return next(iter(self.summaries.values()))


def run(adapter, *args, status=0):
    completed = subprocess.run([PYTHON, os.path.join(ADAPTERS, adapter)] + list(args),
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == status, completed.stderr
    assert 'Traceback' not in completed.stderr, completed.stderr
    return Run(completed, summaries='--help' not in args)


def figures(read, counted, minor, major, unmatched, addresses, malformed, reoccurring=0):
    return dict(read=read, counted=counted, minor=minor, reoccurring=reoccurring, major=major,
                unmatched=unmatched, addresses=addresses, malformed=malformed)


def malformed_lines(result, path):
    return [line.split(': ')[0][len(path) + 1:] for line in result.stderr.splitlines()
            if line.startswith(path + ':')]


# ---- the expected figures, computed from a file and a directory -----------

class Directory:
    """Which site owns a device, by the rules documented on VescDirectory."""

    def __init__(self, path):
        with open(path, encoding='utf-8') as f:
            sites = json.load(f)['sites']
        self.networks = [(ipaddress.ip_network(n), s['id'])
                         for s in sites for n in s.get('subnets', [])]
        self.names = [(n.lower(), s['id']) for s in sites for n in s.get('hostnames', [])]

    def owner(self, device):
        try:
            address = ipaddress.ip_address(device)
        except ValueError:
            return self.host_owner(device.lower().rstrip('.'))
        found = [(n.prefixlen, s) for n, s in self.networks if address in n]
        return max(found)[1] if found else None

    def host_owner(self, name):
        exact = [s for n, s in self.names if n == name]
        suffixes = [(len(n), s) for n, s in self.names
                    if n.startswith('*.') and name.endswith(n[1:])]
        return exact[0] if exact else max(suffixes)[1] if suffixes else None


def expected(read, detections, sites, threshold=3):
    """The summary of a file whose counted records are detections, a list of
    (time, device) in file order: each site's incident stays open, so a site
    with threshold devices or more has a major incident, any other a minor."""
    directory = Directory(sites)
    devices = collections.defaultdict(set)
    unmatched = []
    for _, device in sorted(detections, key=lambda d: d[0]):
        site = directory.owner(device)
        if site is None:
            unmatched.append(device)
        else:
            devices[site].add(device)
    major = sum(len(d) >= threshold for d in devices.values())
    return figures(read, len(detections), len(devices) - major, major, len(unmatched),
                   list(dict.fromkeys(unmatched)), 0)


# ---- Suricata EVE ----------------------------------------------------------

def test_eve_fixture():
    path = fixture('small.eve.json')
    result = run('suricata-eve.py', '--sites', SMALL_SITES, path)
    # 14 lines: 5 unusable (broken JSON, no src_ip, a list, a text severity,
    # 10.20.1.300); 7 count: SCH201 gets .10 (twice), .11 and .12 and turns
    # major; COUNCIL's /16 gets 10.20.9.9; SCH202 an IPv6 device.
    assert result.only() == figures(9, 7, 2, 1, 1, ['192.0.2.7'], 5)
    assert malformed_lines(result, path) == ['5', '8', '11', '13', '14']


def test_eve_fixture_less_serious_alerts_count_when_asked():
    result = run('suricata-eve.py', '--sites', SMALL_SITES, '--max-severity', '2',
                 fixture('small.eve.json'))
    assert result.only() == figures(9, 8, 2, 1, 1, ['192.0.2.7'], 5)


def eve_expected(path, sites, max_severity=1):
    read, detections = 0, []
    with open(path, encoding='utf-8') as f:
        for line in f:
            record = json.loads(line)
            read += 1
            if record['event_type'] == 'alert' and record['alert']['severity'] <= max_severity:
                time = datetime.datetime.strptime(record['timestamp'], '%Y-%m-%dT%H:%M:%S.%f%z')
                detections.append((time, record['src_ip']))
    return expected(read, detections, sites)


@pytest.mark.parametrize('max_severity', [1, 3])
def test_eve_wrccdc(max_severity):
    path = shared('suricata', 'wrccdc-2018-alerts.eve.json')
    result = run('suricata-eve.py', '--sites', EXAMPLE_SITES,
                 '--max-severity', str(max_severity), path)
    assert result.only() == eve_expected(path, EXAMPLE_SITES, max_severity)
    assert result.only()['read'] == 207


def test_eve_wrccdc_figures():
    # The figures of the closing note, written out.
    path = shared('suricata', 'wrccdc-2018-alerts.eve.json')
    summary = run('suricata-eve.py', '--sites', EXAMPLE_SITES, path).only()
    assert (summary['read'], summary['counted'], summary['unmatched']) == (207, 76, 48)
    assert (summary['minor'], summary['reoccurring'], summary['major']) == (11, 0, 2)
    # The scanners of 10.128.0.0/16, public hosts and 10.240.105.57: no
    # address of a team network (10.47.N.x) is left over.
    assert not any(a.startswith('10.47.') for a in summary['addresses'])
    assert sum(a.startswith('10.128.') for a in summary['addresses']) == 12


# ---- Snort / Suricata fast.log ---------------------------------------------

def test_fast_log_fixture():
    path = fixture('small-fast.log')
    result = run('fast-log.py', '--sites', SMALL_SITES, '--year', '2024', path)
    # 8 alert lines, one blank; "not an alert line" and 02/30 are malformed;
    # priority 1: SCH201 (TCP), SCH202 (ICMP with no port, and IPv6 in
    # brackets), COUNCIL (10.20.9.9, no classification) and 203.0.113.50.
    assert result.only() == figures(6, 5, 3, 0, 1, ['203.0.113.50'], 2)
    assert malformed_lines(result, path) == ['6', '7']


def test_fast_log_fixture_priority_and_year():
    result = run('fast-log.py', '--sites', SMALL_SITES, '--max-priority', '2',
                 fixture('small-fast.log'))
    # This year for the lines with none; the priority-2 line joins SCH201.
    assert result.only() == figures(6, 6, 3, 0, 1, ['203.0.113.50'], 2)


def fast_log_expected(path, sites, max_priority, year=2024):
    read, detections = 0, []
    with open(path, encoding='utf-8') as f:
        for line in f:
            read += 1
            priority = int(re.search(r'\[Priority: (\d+)\]', line)[1])
            protocol, source = re.search(r'\{(\w+)\} (\S+) ->', line).groups()
            if protocol in ('TCP', 'UDP'):
                source = source.rsplit(':', 1)[0]
            time = datetime.datetime.strptime('%d/%s' % (year, line.split()[0]),
                                              '%Y/%m/%d-%H:%M:%S.%f')
            if priority <= max_priority:
                detections.append((time, source))
    return expected(read, detections, sites)


@pytest.mark.parametrize('max_priority', [1, 2, 3])
def test_fast_log_snort(max_priority):
    path = shared('suricata', 'snort-alert-fast.log')
    result = run('fast-log.py', '--sites', CCDC_SITES, '--year', '2024',
                 '--max-priority', str(max_priority), path)
    assert result.only() == fast_log_expected(path, CCDC_SITES, max_priority)


def test_fast_log_snort_figures():
    path = shared('suricata', 'snort-alert-fast.log')
    summary = run('fast-log.py', '--sites', CCDC_SITES, path).only()
    # Priority 0 (ICMP from 172.25.212.245) and the two priority-1 lines
    # from the resolver 1.0.0.1.
    assert summary == figures(10, 3, 1, 0, 2, ['1.0.0.1'], 0)


# ---- Zeek notice.log -------------------------------------------------------

def test_zeek_json_fixture():
    path = fixture('small-notice.json.log')
    result = run('zeek-notice.py', '--sites', SMALL_SITES, path)
    # Count: the hash match, the SQL injection attacker (src only), a port
    # scan from 192.0.2.44, an address scan (id.orig_h only) and SSH
    # password guessing (an ISO time): SCH201 gets 3 devices. Not counted:
    # the certificate and the SQL injection victim.
    assert result.only() == figures(7, 5, 1, 1, 1, ['192.0.2.44'], 2)
    assert malformed_lines(result, path) == ['6', '8']


def test_zeek_json_fixture_notes_option():
    result = run('zeek-notice.py', '--sites', SMALL_SITES, '--notes',
                 'SSL::Invalid_Server_Cert,HTTP::*', fixture('small-notice.json.log'))
    # The certificate (SCH201), the attacker and the victim (SCH202); the
    # hash match with no address does not count now, so it is not malformed.
    assert result.only() == figures(8, 3, 2, 0, 0, [], 1)


def test_zeek_tsv_fixture():
    path = fixture('small-notice.log')
    result = run('zeek-notice.py', '--sites', SMALL_SITES, path)
    # The hash match (SCH202), a scan with an unset src (id.orig_h: SCH201)
    # and an attacker outside every school; a line with 4 fields.
    assert result.only() == figures(4, 3, 2, 0, 1, ['198.51.100.9'], 1)
    assert malformed_lines(result, path) == ['12']


def test_zeek_tsv_escapes():
    spec = importlib.util.spec_from_file_location(
        'zeek_notice', os.path.join(ADAPTERS, 'zeek-notice.py'))
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, ADAPTERS)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(ADAPTERS)
    assert module.unescape(r'CN=Acme\x2c Inc,O=Acme\\, Inc') == r'CN=Acme, Inc,O=Acme\, Inc'

    class Args:
        notes = 'TeamCymruMalwareHashRegistry::Match,Scan::*'
    records = list(module.read(fixture('small-notice.log'), Args))
    first = records[0]
    assert first.device == '10.20.2.3'
    assert first.summary == ('TeamCymruMalwareHashRegistry::Match: '
                             'Malware Hash Registry Detection rate: 38%\tLast seen: 2024-03-01')
    assert first.time == datetime.datetime(2024, 3, 4, 9, 0, 0, 123456,
                                           tzinfo=datetime.timezone.utc)
    # Data before the #fields header cannot be read.
    assert list(module.read_tsv([(1, '1\t2\t3')], ['Scan::*']))[0].line == 1


def test_zeek_both_formats_in_one_run():
    json_path, tsv_path = fixture('small-notice.json.log'), fixture('small-notice.log')
    result = run('zeek-notice.py', '--sites', SMALL_SITES, json_path, tsv_path)
    # One desk for both files: the TSV file's detections join the incidents
    # the JSON file opened at SCH201 and SCH202, and open none.
    assert result.summaries[json_path] == figures(7, 5, 1, 1, 1, ['192.0.2.44'], 2)
    assert result.summaries[tsv_path] == figures(4, 3, 0, 0, 1, ['198.51.100.9'], 1)


DEFAULT_NOTES = ('TeamCymruMalwareHashRegistry::Match', 'HTTP::SQL_Injection_Attacker',
                 'SSH::Password_Guessing')


def counts_note(note, notes):
    return note in notes or (note.startswith('Scan::') and 'Scan::*' in notes) or \
        (note.startswith('HTTP::') and 'HTTP::*' in notes)


def zeek_expected(records, sites, notes):
    utc = datetime.timezone.utc
    detections = [(datetime.datetime.fromtimestamp(float(r['ts']), utc),
                   r.get('src') or r.get('id.orig_h'))
                  for r in records if counts_note(r['note'], notes)]
    return expected(len(records), detections, sites)


def zeek_tsv_records(path):
    records, fields = [], None
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.rstrip('\n')
            if line.startswith('#fields\t'):
                fields = line.split('\t')[1:]
            elif not line.startswith('#'):
                record = dict(zip(fields, line.split('\t')))
                records.append({k: v for k, v in record.items() if v != '-'})
    return records


def test_zeek_maccdc_json():
    path = shared('zeek', 'maccdc2012-notice.json.log')
    with open(path, encoding='utf-8') as f:
        records = [json.loads(line) for line in f]
    summary = run('zeek-notice.py', '--sites', CCDC_SITES, path).only()
    assert summary == zeek_expected(records, CCDC_SITES, DEFAULT_NOTES + ('Scan::*',))
    # Two hash matches from 192.168.202.79 (MAC-A's /26 inside MAC-NET's /24)
    # and the SQL injection attacker 192.168.202.138 (MAC-NET).
    assert summary == figures(22, 3, 2, 0, 0, [], 0)


def test_zeek_maccdc_json_every_note():
    path = shared('zeek', 'maccdc2012-notice.json.log')
    with open(path, encoding='utf-8') as f:
        records = [json.loads(line) for line in f]
    notes = sorted({r['note'] for r in records})
    summary = run('zeek-notice.py', '--sites', CCDC_SITES, '--notes', ','.join(notes),
                  path).only()
    assert summary == zeek_expected(records, CCDC_SITES, notes)
    assert summary['counted'] == 22


@pytest.mark.parametrize('notes', [None, 'SSL::Invalid_Server_Cert'])
def test_zeek_wrccdc_tsv(notes):
    path = shared('zeek', 'wrccdc2018-notice.log')
    args = ['--notes', notes] if notes else []
    summary = run('zeek-notice.py', '--sites', EXAMPLE_SITES, *args, path).only()
    records = zeek_tsv_records(path)
    counted_notes = (notes,) if notes else DEFAULT_NOTES + ('Scan::*',)
    assert summary == zeek_expected(records, EXAMPLE_SITES, counted_notes)
    assert summary['read'] == 207
    # Every notice is a certificate that did not validate: none counts by default.
    assert summary['counted'] == (207 if notes else 0)


# ---- ClamAV ----------------------------------------------------------------

def test_clamav_fixture_by_address():
    path = fixture('small-clamscan.log')
    result = run('clamav.py', '--sites', SMALL_SITES, '--address', '10.20.2.40', path)
    # Five result lines, three FOUND (one in a run cut short, one with ": " in
    # its path), one line that is not clamscan's; one device: one incident.
    assert result.only() == figures(5, 3, 1, 0, 0, [], 1)
    assert malformed_lines(result, path) == ['8']


def test_clamav_fixture_unknown_address():
    result = run('clamav.py', '--sites', SMALL_SITES, '--address', '192.0.2.40',
                 fixture('small-clamscan.log'))
    assert result.only() == figures(5, 3, 0, 0, 3, ['192.0.2.40'], 1)


def test_clamav_needs_a_machine():
    result = run('clamav.py', '--sites', SMALL_SITES, fixture('small-clamscan.log'), status=2)
    assert '--host' in result.stderr and '--address' in result.stderr
    assert result.stdout == ''


@pytest.mark.parametrize('host,site_found', [('PC7.sch201.example.org', True),
                                             ('pc7.example.net', False)])
def test_clamav_fixture_by_host(host, site_found):
    result = run('clamav.py', '--sites', SMALL_SITES, '--host', host,
                 fixture('small-clamscan.log'))
    if site_found:
        assert result.only() == figures(5, 3, 1, 0, 0, [], 1)
    else:
        assert result.only() == figures(5, 3, 0, 0, 3, [host], 1)


def clamav_found(path):
    with open(path, encoding='utf-8') as f:
        return sum(line.rstrip('\n').endswith(' FOUND') for line in f)


def test_clamav_repeated_runs_by_address():
    path = shared('clamav', 'clamscan-eicar-repeated-runs.log')
    found = clamav_found(path)
    summary = run('clamav.py', '--sites', CCDC_SITES, '--address', '192.168.88.10', path).only()
    assert found == 18
    assert summary == figures(found, found, 1, 0, 0, [], 0)


def test_clamav_repeated_runs_by_host():
    path = shared('clamav', 'clamscan-eicar-repeated-runs.log')
    summary = run('clamav.py', '--sites', CCDC_SITES, '--host', 'el33t-b00k-1', path).only()
    assert summary == figures(18, 18, 1, 0, 0, [], 0)


# ---- Microsoft Defender ----------------------------------------------------

def test_defender_events_fixture():
    path = fixture('small-defender-events.json')
    result = run('defender.py', '--sites', SMALL_SITES, path)
    # 1116 on PC9.SCH202.EXAMPLE.ORG (a /Date()/ time), on el33t-b00k-1 and
    # on a stranger; 1117 and 5007 do not count; a 1116 with no machine and
    # an object that is no event are malformed.
    assert result.only() == figures(5, 3, 2, 0, 1, ['stranger.example.net'], 2)
    assert malformed_lines(result, path) == ['[3]', '[6]']


def test_defender_alerts_fixture():
    path = fixture('small-defender-alerts.ndjson')
    result = run('defender.py', '--sites', SMALL_SITES, path)
    # Malware on testserver4 (SCH202), ws1.sch201.example.org. (SCH201) and
    # ws2.example.org (COUNCIL, by the shorter suffix); DefenseEvasion does
    # not count; a broken line and an alert with no time are malformed.
    assert result.only() == figures(4, 3, 3, 0, 0, [], 2)
    assert malformed_lines(result, path) == ['4', '6']


def defender_expected(path, sites):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    try:
        records = json.loads(text)['events']
    except ValueError:
        records = [r for line in text.splitlines() for r in
                   (lambda v: v.get('value', [v]))(json.loads(line))]
    detections = []
    for r in records:
        if r.get('Id') == 1116:
            detections.append((datetime.datetime.fromisoformat(r['TimeCreated']),
                               r['MachineName']))
        elif r.get('category') == 'Malware':
            detections.append((datetime.datetime.fromisoformat(r['alertCreationTime']),
                               r['computerDnsName']))
    return expected(len(records), detections, sites)


@pytest.mark.parametrize('name,counted', [('windows-defender-1116-1117.json', 1),
                                          ('defender-atp-alerts.ndjson', 2)])
def test_defender_shared(name, counted):
    path = shared('defender', name)
    summary = run('defender.py', '--sites', CCDC_SITES, path).only()
    assert summary == defender_expected(path, CCDC_SITES)
    assert summary['counted'] == counted and summary['minor'] == 1


# ---- common behaviour ------------------------------------------------------

@pytest.mark.parametrize('adapter', ['suricata-eve.py', 'fast-log.py', 'zeek-notice.py',
                                     'clamav.py', 'defender.py'])
def test_help_states_the_rule(adapter):
    result = run(adapter, '--help')
    assert 'Rule:' in result.stdout and '--sites' in result.stdout


def test_missing_file_is_an_error_and_the_others_are_read():
    missing = fixture('no-such-file.log')
    result = run('fast-log.py', '--sites', SMALL_SITES, '--year', '2024', missing,
                 fixture('small-fast.log'), status=1)
    assert missing in result.stderr
    assert list(result.summaries) == [fixture('small-fast.log')]


def test_bad_directory_is_an_error():
    result = run('suricata-eve.py', '--sites', fixture('small-fast.log'),
                 fixture('small.eve.json'), status=1)
    assert 'small-fast.log' in result.stderr
    assert result.stdout == ''

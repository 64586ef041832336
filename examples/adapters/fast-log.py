#!/usr/bin/python3
# fast-log.py: Snort and Suricata fast.log alerts to the help desk
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Report the alerts of Snort alert_fast or Suricata fast.log files to the help desk.

A line looks like
  05/30-19:09:28.472094  [**] [1:2012811:2] ET DNS Query to a .tk domain [**]
  [Classification: Potentially Bad Traffic] [Priority: 2] {UDP} 192.168.88.10:1029 -> 4.2.2.3:53
(on one line; Suricata and snort -y also write the year: 05/30/2024-19:09:28).

Rule: a line counts as a security problem when its Priority is at most
--max-priority (default 1, the most serious; Snort's "A Network Trojan was
Detected" and "Attempted Administrator Privilege Gain" are priority 1). The
device is the source address (before "->"), the summary the message. A line
with no year takes --year (default: this year); times are taken as UTC, as
the file does not say its time zone.
"""

import datetime
import ipaddress
import re
import sys

import common

LINE = re.compile(
    r'(?P<month>\d\d)/(?P<day>\d\d)(?:/(?P<year>\d{2}|\d{4}))?-'
    r'(?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d)(?:\.(?P<fraction>\d{1,6}))?\s+'
    r'\[\*\*\]\s+\[\d+:\d+:\d+\]\s+(?P<message>.*?)\s+\[\*\*\]\s+'
    r'(?:\[Classification:[^\]]*\]\s+)?\[Priority:\s*(?P<priority>\d+)\]\s+'
    r'\{(?P<protocol>[^}]*)\}\s+(?P<source>\S+)\s+->\s+\S+\s*$')


def source_address(endpoint, protocol):
    """The address of "10.0.0.1:80", "[2001:db8::1]:80" or, with no port (ICMP), "10.0.0.1"."""
    if endpoint.startswith('['):
        endpoint = endpoint[1:].partition(']')[0]
    elif protocol.upper() in ('TCP', 'UDP', 'SCTP'):
        endpoint = endpoint.rpartition(':')[0]
    try:
        return str(ipaddress.ip_address(endpoint))
    except ValueError:
        return None


def line_time(match, default_year):
    year = int(match['year']) if match['year'] else default_year
    if year < 100:
        year += 2000
    fraction = (match['fraction'] or '0').ljust(6, '0')
    try:
        return datetime.datetime(year, int(match['month']), int(match['day']),
                                 int(match['hour']), int(match['minute']), int(match['second']),
                                 int(fraction), tzinfo=common.UTC)
    except ValueError:
        return None


def record(number, line, args):
    match = LINE.match(line.strip())
    if match is None:
        return common.Bad(number, 'not a fast.log alert line')
    if int(match['priority']) > args.max_priority:
        return common.NOT_COUNTED
    time = line_time(match, args.year)
    address = source_address(match['source'], match['protocol'])
    if time is None or address is None:
        return common.Bad(number, 'no valid date or source address')
    return common.Detection(number, time, address, match['message'])


def read(path, args):
    with open(path, encoding='utf-8', errors='replace') as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                yield record(number, line, args)


def main():
    parser = common.argument_parser(__doc__)
    parser.add_argument('--max-priority', type=int, default=1, metavar='N',
                        help='count alerts of priority N or more serious (default 1)')
    parser.add_argument('--year', type=int, default=datetime.date.today().year,
                        help='the year of lines that do not give one (default: this year)')
    return common.main(__doc__, read, parser)


if __name__ == '__main__':
    sys.exit(main())

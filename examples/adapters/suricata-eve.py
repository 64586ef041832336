#!/usr/bin/python3
# suricata-eve.py: Suricata EVE JSON alerts to the help desk
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Report the alerts of Suricata EVE JSON logs (one record a line) to the help desk.

Rule: a record counts as a security problem when its event_type is "alert"
and its alert.severity is at most --max-severity (default 1, Suricata's most
serious: Emerging Threats rules put trojans, exploits and privilege gain
there). The device is the record's src_ip, the time its timestamp and the
summary the alert's signature. Other records (flow, dns, http, stats, and
less serious alerts) are read and do not count.
"""

import json
import sys

import common


def read(path, args):
    with open(path, encoding='utf-8', errors='replace') as f:
        for number, line in enumerate(f, 1):
            if line.strip():
                yield record(number, line, args.max_severity)


def record(number, line, max_severity):
    try:
        value = json.loads(line)
    except ValueError as error:
        return common.Bad(number, 'not JSON: %s' % error)
    if not isinstance(value, dict):
        return common.Bad(number, 'not a JSON object')
    if value.get('event_type') != 'alert':
        return common.NOT_COUNTED
    alert = value.get('alert')
    severity = alert.get('severity') if isinstance(alert, dict) else None
    if type(severity) is not int:
        return common.Bad(number, 'an alert needs a whole-number alert.severity')
    if severity > max_severity:
        return common.NOT_COUNTED
    time = common.parse_time(value.get('timestamp'))
    address = value.get('src_ip')
    if time is None or not isinstance(address, str):
        return common.Bad(number, 'an alert needs a src_ip and a timestamp with its offset')
    signature = alert.get('signature')
    return common.Detection(number, time, address,
                            signature if isinstance(signature, str) else 'Suricata alert')


def main():
    parser = common.argument_parser(__doc__)
    parser.add_argument('--max-severity', type=int, default=1, metavar='N',
                        help='count alerts of severity N or more serious (default 1)')
    return common.main(__doc__, read, parser)


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/python3
# defender.py: Microsoft Defender events and alerts to the help desk
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Report Microsoft Defender detections to the help desk.

Two inputs are understood, as one JSON document or one JSON value a line:
- Defender Antivirus events of the Operational channel as PowerShell writes
  them (Get-WinEvent | ConvertTo-Json): objects with Id, MachineName,
  TimeCreated, Message, alone, in a list or under "events";
- Defender for Endpoint (ATP) API alerts: objects with category,
  computerDnsName, alertCreationTime, title, alone, in a list or in API
  pages {"value": [...]}.

Rule: event 1116 (malware detected) counts as a security problem; 1117
(action taken) and other events do not, as they follow a detection already
reported. An alert counts when its category is "Malware", whatever its
status. Neither has an IP address: the device is the machine's name
(MachineName, computerDnsName), mapped to a site by the directory's host
names.
"""

import json
import re
import sys

import common

MESSAGE_NAME = re.compile(r'^\s*Name:\s*(.+?)\s*$', re.MULTILINE)
DOTNET_DATE = re.compile(r'^/Date\((-?\d+)\)/$')


def event_time(value):
    """TimeCreated as ISO 8601, or as PowerShell 5's "/Date(milliseconds)/"."""
    match = DOTNET_DATE.match(value) if isinstance(value, str) else None
    return common.from_epoch(int(match[1]) / 1000) if match else common.parse_time(value)


def windows_event(where, event):
    if event.get('Id') != 1116:
        return common.NOT_COUNTED
    machine, time = event.get('MachineName'), event_time(event.get('TimeCreated'))
    if not isinstance(machine, str) or time is None:
        return common.Bad(where, 'event 1116 needs a MachineName and a TimeCreated')
    message = event.get('Message')
    name = MESSAGE_NAME.search(message) if isinstance(message, str) else None
    return common.Detection(where, time, machine,
                            'Defender: %s' % (name[1] if name else 'malware detected'))


def atp_alert(where, alert):
    if alert.get('category') != 'Malware':
        return common.NOT_COUNTED
    machine, time = alert.get('computerDnsName'), common.parse_time(alert.get('alertCreationTime'))
    if not isinstance(machine, str) or time is None:
        return common.Bad(where, 'a Malware alert needs a computerDnsName and an alertCreationTime')
    return common.Detection(where, time, machine, 'Defender for Endpoint: %s' % alert.get('title'))


def records(where, value):
    """The records in a JSON value: an event, an alert, or a list or page of them."""
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from records('%s[%d]' % (where, i), item)
    elif isinstance(value, dict) and isinstance(value.get('events', value.get('value')), list):
        key = 'events' if 'events' in value else 'value'
        yield from records('%s.%s' % (where, key) if where else key, value[key])
    elif isinstance(value, dict) and 'Id' in value and 'MachineName' in value:
        yield windows_event(where, value)
    elif isinstance(value, dict) and 'category' in value and 'computerDnsName' in value:
        yield atp_alert(where, value)
    else:
        yield common.Bad(where or 'document',
                         'neither a Defender event nor a Defender for Endpoint alert')


def read(path, args):
    with open(path, encoding='utf-8-sig', errors='replace') as f:
        text = f.read()
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if document is not None:
        yield from records('', document)
        return
    # Not one document: one JSON value a line.
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError as error:
            yield common.Bad(number, 'not JSON: %s' % error)
            continue
        yield from records(str(number), value)


def main():
    return common.main(__doc__, read, common.argument_parser(__doc__))


if __name__ == '__main__':
    sys.exit(main())

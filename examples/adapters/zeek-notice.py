#!/usr/bin/python3
# zeek-notice.py: Zeek notice.log records to the help desk
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Report the notices of Zeek notice.log files, JSON lines or TSV, to the help desk.

Rule: a notice counts as a security problem when its note is one of --notes,
by default those that name a misbehaving or infected device:
  TeamCymruMalwareHashRegistry::Match  it downloaded a file known as malware
  HTTP::SQL_Injection_Attacker         it sent SQL injection attacks
  SSH::Password_Guessing               it guessed SSH passwords
  Scan::*                              it scanned addresses or ports (any Scan note)
Notes that do not count by default: SSL::Invalid_Server_Cert (a server's
certificate did not validate, which says nothing about the device) and
HTTP::SQL_Injection_Victim (the attacked server is not the problem device).
The device is the notice's src, or id.orig_h when it has no src; the time
is ts; the summary is the note and its msg.

The TSV format is Zeek's default: #separator, #set_separator, #empty_field,
#unset_field and #fields header lines, "\\xHH" and "\\\\" escapes in values.
"""

import json
import re
import sys

import common

DEFAULT_NOTES = ('TeamCymruMalwareHashRegistry::Match,HTTP::SQL_Injection_Attacker,'
                 'SSH::Password_Guessing,Scan::*')
ESCAPE = re.compile(r'\\(x[0-9a-fA-F]{2}|\\)')


def unescape(value):
    return ESCAPE.sub(lambda m: '\\' if m[1] == '\\' else chr(int(m[1][1:], 16)), value)


def note_counts(note, notes):
    return any(note == n or (n.endswith('::*') and note.startswith(n[:-1])) for n in notes)


def notice(number, fields, notes):
    """A notice record (a dict of field name to value) through the rule."""
    note = fields.get('note')
    if not isinstance(note, str):
        return common.Bad(number, 'a notice needs a note')
    if not note_counts(note, notes):
        return common.NOT_COUNTED
    address = fields.get('src') or fields.get('id.orig_h')
    ts = fields.get('ts')
    time = common.parse_time(ts) if isinstance(ts, str) and 'T' in ts else common.from_epoch(ts)
    if not isinstance(address, str) or time is None:
        return common.Bad(number, 'a counted notice needs a time (ts) and src or id.orig_h')
    message = fields.get('msg')
    return common.Detection(number, time, address,
                            '%s: %s' % (note, message) if isinstance(message, str) else note)


def read_json(lines, notes):
    for number, line in lines:
        try:
            value = json.loads(line)
        except ValueError as error:
            yield common.Bad(number, 'not JSON: %s' % error)
            continue
        yield notice(number, value, notes) if isinstance(value, dict) else \
            common.Bad(number, 'not a JSON object')


class TsvHeader:
    """The #separator, #set_separator, #empty_field, #unset_field and #fields lines."""

    def __init__(self):
        self.meta = {'separator': '\t', 'empty_field': '(empty)', 'unset_field': '-'}
        self.fields = None

    def take(self, line):
        if line.startswith('#separator '):
            self.meta['separator'] = unescape(line[len('#separator '):])
            return
        key, _, value = line[1:].partition(self.meta['separator'])
        if key == 'fields':
            self.fields = value.split(self.meta['separator'])
        else:
            self.meta[key] = unescape(value)

    def split(self, line):
        return line.split(self.meta['separator'])

    def value(self, raw):
        if raw == self.meta['unset_field']:
            return None
        return '' if raw == self.meta['empty_field'] else unescape(raw)


def read_tsv(lines, notes):
    header = TsvHeader()
    for number, line in lines:
        if line.startswith('#'):
            header.take(line)
            continue
        values = header.split(line)
        if header.fields is None or len(values) != len(header.fields):
            yield common.Bad(number, 'the line does not match the #fields header')
            continue
        yield notice(number, dict(zip(header.fields, map(header.value, values))), notes)


def read(path, args):
    with open(path, encoding='utf-8', errors='replace') as f:
        lines = [(n, line.rstrip('\r\n')) for n, line in enumerate(f, 1) if line.strip()]
    reader = read_tsv if lines and lines[0][1].startswith('#') else read_json
    yield from reader(lines, args.notes.split(','))


def main():
    parser = common.argument_parser(__doc__)
    parser.add_argument('--notes', default=DEFAULT_NOTES, metavar='NOTE,...',
                        help='the notes that count, "Module::*" for all of a module '
                             '(default: %(default)s)')
    return common.main(__doc__, read, parser)


if __name__ == '__main__':
    sys.exit(main())

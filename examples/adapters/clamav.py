#!/usr/bin/python3
# clamav.py: clamscan log files to the help desk
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Report what clamscan found (clamscan --log=FILE, runs appended) to the help desk.

Rule: a result line "PATH: SIGNATURE FOUND" counts as a security problem;
the other result lines ("PATH: OK", "PATH: Empty file", "PATH: ... ERROR")
are read and do not count. The log does not say which machine was scanned,
so --host NAME (mapped to a site by the directory's host names) or
--address ADDR (mapped by its subnets) says it. A finding takes the time of
its run's SCAN SUMMARY (End Date, else Start Date, taken as UTC); a run cut
short before its summary takes the file's modification time.
"""

import datetime
import os
import sys

import common

SUMMARY_HEADER = '----------- SCAN SUMMARY -----------'
NOT_RESULTS = ('LibClamAV ', 'WARNING: ', 'ERROR: ')


def summary_time(value):
    try:
        return datetime.datetime.strptime(value.strip(), '%Y:%m:%d %H:%M:%S').replace(
            tzinfo=common.UTC)
    except ValueError:
        return None


class Run:
    """The findings of one scan, waiting for the date in its summary."""

    def __init__(self):
        self.found = []   # (line number, path, signature)
        self.start = self.end = None

    def detections(self, device, fallback):
        time = self.end or self.start or fallback
        return [common.Detection(n, time, device, 'ClamAV: %s in %s' % (signature, path))
                for n, path, signature in self.found]


def read(path, args):
    device = args.host or args.address
    fallback = datetime.datetime.fromtimestamp(os.stat(path).st_mtime, common.UTC)
    run, in_summary = Run(), False
    with open(path, encoding='utf-8', errors='replace') as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip('\r\n')
            if line.startswith('-----'):
                # A rule opens the next run; the summary header opens this run's summary.
                in_summary = line == SUMMARY_HEADER
                if not in_summary:
                    yield from run.detections(device, fallback)
                    run = Run()
            elif not line.strip() or line.startswith(NOT_RESULTS):
                continue
            elif in_summary:
                key, _, value = line.partition(':')
                if key == 'Start Date':
                    run.start = summary_time(value)
                elif key == 'End Date':
                    run.end = summary_time(value)
            elif ': ' not in line:
                yield common.Bad(number, 'not a clamscan result line')
            elif line.endswith(' FOUND'):
                file_path, _, result = line.rpartition(': ')
                run.found.append((number, file_path, result[:-len(' FOUND')]))
            else:
                yield common.NOT_COUNTED
    yield from run.detections(device, fallback)


def main():
    parser = common.argument_parser(__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument('--host', metavar='NAME', help='the host name of the scanned machine')
    where.add_argument('--address', metavar='ADDR', help='the IP address of the scanned machine')
    return common.main(__doc__, read, parser)


if __name__ == '__main__':
    sys.exit(main())

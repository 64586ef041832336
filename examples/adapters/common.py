# common.py: what every detection adapter shares
#
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The shared part of the adapters in this folder.

An adapter reads the records of one log format and turns the records that
its rule counts as a security problem into detections. This module does the
rest: it opens a help desk (Vesc.Desk) on the site directory given with
--sites, on a manual clock and a memory store, reports each detection at its
own time, and prints one summary line per file:

  FILE: records read R, counted C, incidents minor m reoccurring r major j,
  unmatched U (addresses: A B ...), malformed B

- R: the records of the file that were understood (counting or not);
- C: the records that count as a security problem and reached the desk;
- m, r, j: the incidents opened while the file was read, by their scenario
  once it has been read (an incident that reached the machine threshold is
  major);
- U: the counted records whose address or host name belongs to no school,
  and those addresses (each once, in the order first seen);
- B: the lines or records that could not be used, each also reported on
  standard error with its line number.

The detections of a file are reported in time order (logs are not always
sorted), with the desk's clock set to each one's time. Files are read in the
order given, by one desk, so a site's incident can span several files.
"""

import argparse
import collections
import datetime
import re
import sys

import gi

gi.require_version('Vesc', '1')
from gi.repository import GLib, Vesc  # noqa: E402

UTC = datetime.timezone.utc
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=UTC)
CONTROL = re.compile(r'[\x00-\x1f\x7f]')

# A record that counts: where it is in the file, when it happened (an aware
# datetime), the device (an IP address or a host name) and what was seen.
Detection = collections.namedtuple('Detection', 'line time device summary')

# A line or record that could not be used, and why.
Bad = collections.namedtuple('Bad', 'line problem')

# What a reader yields for a record that was read but does not count.
NOT_COUNTED = None


def argument_parser(doc):
    """An argument parser whose description is the adapter's docstring."""
    parser = argparse.ArgumentParser(description=doc,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--sites', required=True, metavar='SITES.json',
                        help='the site directory (the JSON format documented on VescDirectory)')
    parser.add_argument('--policy', metavar='POLICY.json',
                        help='a policy file (default: the procedure\'s own values)')
    parser.add_argument('files', nargs='+', metavar='FILE', help='the log files to read')
    return parser


def to_glib(time):
    """An aware datetime as a GLib.DateTime in UTC, to the microsecond."""
    usec = (time - EPOCH) // datetime.timedelta(microseconds=1)
    return GLib.DateTime.new_from_unix_utc(usec // 1000000).add(usec % 1000000)


def open_desk(args):
    directory = Vesc.Directory.new()
    directory.load_from_file(args.sites)
    policy = Vesc.Policy.new_from_file(args.policy) if args.policy else Vesc.Policy.new()
    # Each detection moves the clock to its own time before it is reported.
    clock = Vesc.ManualClock.new(to_glib(EPOCH))
    return Vesc.Desk.new(directory, policy, clock, Vesc.MemoryStore.new())


class FileRun:
    """The figures of one file."""

    def __init__(self, path):
        self.path = path
        self.read = self.counted = self.malformed = 0
        self.unmatched = 0
        self.addresses = []
        self.detections = []

    def bad(self, line, problem):
        print('%s:%s: %s' % (self.path, line, problem), file=sys.stderr)
        self.malformed += 1

    def take(self, item):
        if isinstance(item, Bad):
            self.bad(item.line, item.problem)
            return
        self.read += 1
        if item is not NOT_COUNTED:
            self.detections.append(item)

    def report(self, desk, detection):
        desk.get_clock().set_time(to_glib(detection.time))
        # Summaries reach e-mail subjects, where the desk refuses control
        # characters; logs carry tabs and newlines in messages.
        summary = CONTROL.sub(' ', detection.summary)
        try:
            desk.report_detection(detection.device, summary)
        except GLib.Error as error:
            if not error.matches(Vesc.error_quark(), Vesc.Error.UNKNOWN_SITE):
                # The desk refused the address itself: the record is unusable.
                self.read -= 1
                self.bad(detection.line, error.message)
                return
            self.unmatched += 1
            if detection.device not in self.addresses:
                self.addresses.append(detection.device)
        self.counted += 1

    def summary(self, escalations):
        scenarios = collections.Counter(e.get_incident().get_scenario() for e in escalations)
        return ('%s: records read %d, counted %d, incidents minor %d reoccurring %d major %d, '
                'unmatched %d (addresses: %s), malformed %d' % (
                    self.path, self.read, self.counted, scenarios[Vesc.Scenario.MINOR],
                    scenarios[Vesc.Scenario.REOCCURRING], scenarios[Vesc.Scenario.MAJOR],
                    self.unmatched, ' '.join(self.addresses) or 'none', self.malformed))


def process(desk, path, records):
    """Reads one file's records into the desk and returns its summary line."""
    run = FileRun(path)
    for item in records:
        run.take(item)
    escalations = desk.get_escalations()
    before = len(escalations)
    for detection in sorted(run.detections, key=lambda d: d.time):
        run.report(desk, detection)
    return run.summary(list(escalations)[before:])


def main(doc, read, parser=None):
    """Runs an adapter: read(path, args) yields, for each record of a file, a
    Detection, NOT_COUNTED or Bad. Returns the exit status."""
    args = (parser or argument_parser(doc)).parse_args()
    try:
        desk = open_desk(args)
    except GLib.Error as error:
        print('%s: %s' % (sys.argv[0], error.message), file=sys.stderr)
        return 1
    status = 0
    for path in args.files:
        try:
            print(process(desk, path, read(path, args)), flush=True)
        except OSError as error:
            print('%s: %s' % (path, error.strerror or error), file=sys.stderr)
            status = 1
    return status


def parse_time(text):
    """An ISO 8601 time with its offset (Suricata writes -0600) as an aware
    datetime, or None."""
    try:
        time = datetime.datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return time if time.tzinfo is not None else None


def from_epoch(value):
    """Seconds since the Unix epoch (a number or its text) as a datetime, or None."""
    try:
        return EPOCH + datetime.timedelta(seconds=float(value))
    except (TypeError, ValueError, OverflowError):
        return None

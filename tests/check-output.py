#!/usr/bin/env python3
# check-output.py: runs a program and checks what it prints
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: check-output.py [--exact FILE] [--line TEXT]... -- PROGRAM [ARG]...
#
# --exact: standard output must be the content of FILE, byte for byte.
# --line: standard output must have a line equal to TEXT (may be repeated;
#         the lines must come in the order given).
# The program must exit with 0 and write nothing to standard error that
# looks like a GLib warning or critical.

import subprocess
import sys


def parse(argv):
    exact, lines = None, []
    split = argv.index('--')
    options, command = argv[:split], argv[split + 1:]
    for i in range(0, len(options), 2):
        if options[i] == '--exact':
            exact = options[i + 1]
        elif options[i] == '--line':
            lines.append(options[i + 1])
        else:
            sys.exit('unknown option %s' % options[i])
    return exact, lines, command


def main():
    exact, lines, command = parse(sys.argv[1:])
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    sys.stdout.write(run.stdout)
    sys.stderr.write(run.stderr)
    problems = []
    if run.returncode != 0:
        problems.append('%s exited with %d' % (command[0], run.returncode))
    if 'CRITICAL' in run.stderr or 'WARNING' in run.stderr:
        problems.append('%s wrote a GLib warning or critical' % command[0])
    if exact is not None:
        with open(exact, encoding='utf-8') as f:
            if run.stdout != f.read():
                problems.append('the output is not the content of %s' % exact)
    printed = run.stdout.splitlines()
    position = 0
    for line in lines:
        try:
            position = printed.index(line, position) + 1
        except ValueError:
            problems.append('no line %r (in that order) in the output' % line)
    for problem in problems:
        print('FAIL: ' + problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())

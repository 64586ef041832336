#!/usr/bin/env python3
# check-snippets.py: the code blocks of a docs page are the snippet files, unchanged
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: check-snippets.py PAGE.md [--update]
#
# A code block that shows a snippet follows a line
#   <!-- snippet: snippets/snippet.py -->
# (a path relative to the page). Without --update, prints TAP and fails
# when a block differs from its file; with --update, rewrites the blocks
# from the files, so the page can be refreshed after a snippet changes.

import difflib
import os
import re
import sys

MARKER = re.compile(r'^<!-- snippet: (?P<path>\S+) -->\n\n```(?P<lang>\w*)\n(?P<code>.*?)^```$',
                    re.MULTILINE | re.DOTALL)


def main():
    page = sys.argv[1]
    update = '--update' in sys.argv[2:]
    base = os.path.dirname(os.path.abspath(page))
    with open(page, encoding='utf-8') as f:
        text = f.read()
    blocks = list(MARKER.finditer(text))
    if update:
        def fill(match):
            with open(os.path.join(base, match['path']), encoding='utf-8') as f:
                code = f.read()
            return '<!-- snippet: %s -->\n\n```%s\n%s```' % (match['path'], match['lang'], code)
        with open(page, 'w', encoding='utf-8') as f:
            f.write(MARKER.sub(fill, text))
        return 0

    print('1..%d' % (len(blocks) + 1))
    print('%s %d - %s shows snippets' % ('ok' if blocks else 'not ok', 1, page))
    failed = not blocks
    for number, match in enumerate(blocks, start=2):
        path = os.path.join(base, match['path'])
        with open(path, encoding='utf-8') as f:
            code = f.read()
        if match['code'] == code:
            print('ok %d - the block for %s is the file' % (number, match['path']))
            continue
        failed = True
        print('not ok %d - the block for %s differs from the file' % (number, match['path']))
        for line in difflib.unified_diff(code.splitlines(), match['code'].splitlines(),
                                         path, page + ' block', lineterm=''):
            print('# ' + line)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/env python3
# check-gir-docs.py: every public symbol of a GIR file has documentation
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: check-gir-docs.py Vesc-1.gir
#
# Stricter than `gi-docgen check`: it also wants the virtual methods (which
# the reference shows on the class page) and their parameters documented.
# Prints one line per gap and the count; exits with 1 if there is one.

import sys
import xml.etree.ElementTree as ET

CORE = '{http://www.gtk.org/introspection/core/1.0}'
GLIB = '{http://www.gtk.org/introspection/glib/1.0}'
SYMBOLS = {'class', 'interface', 'record', 'enumeration', 'bitfield', 'function', 'method',
           'constructor', 'virtual-method', 'property', 'glib:signal', 'constant', 'callback',
           'member', 'function-macro'}
CALLABLES = {'function', 'method', 'constructor', 'virtual-method', 'glib:signal', 'callback'}


def tag_of(element):
    return element.tag.replace(CORE, '').replace(GLIB, 'glib:')


def where(element):
    position = element.find(CORE + 'source-position')
    if position is None:
        return ''
    return ' (%s:%s)' % (position.get('filename'), position.get('line'))


def documented(element):
    return element.find(CORE + 'doc') is not None


def check_callable(element, name, gaps):
    parameters = element.find(CORE + 'parameters')
    for parameter in parameters if parameters is not None else []:
        if not documented(parameter):
            gaps.append('parameter %s of %s' % (parameter.get('name'), name))
    retval = element.find(CORE + 'return-value')
    if retval is None or documented(retval):
        return
    rtype = retval.find(CORE + 'type')
    if rtype is None or rtype.get('name') != 'none':
        gaps.append('return value of %s' % name)


def walk(element, path, gaps):
    tag = tag_of(element)
    if tag not in SYMBOLS:
        return
    if tag == 'record' and element.get(GLIB + 'is-gtype-struct-for'):
        return  # class and interface structs: their fields document the vfuncs
    name = '.'.join(path + [element.get('name')])
    if not documented(element):
        gaps.append('%s %s%s' % (tag, name, where(element)))
    if tag in CALLABLES:
        check_callable(element, name, gaps)
    for child in element:
        walk(child, path + [element.get('name')], gaps)


def main():
    namespace = ET.parse(sys.argv[1]).getroot().find(CORE + 'namespace')
    gaps = []
    for child in namespace:
        walk(child, [namespace.get('name')], gaps)
    for gap in gaps:
        print('undocumented: ' + gap)
    print('%d undocumented public symbols, parameters or return values' % len(gaps))
    return 1 if gaps else 0


if __name__ == '__main__':
    sys.exit(main())

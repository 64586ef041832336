# test_directory.py: sites' subnets and host names, and which site owns what
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import csv
import ipaddress
import json
import os
import subprocess

import pytest
from gi.repository import GLib, Vesc


def raises(code, function, *args):
    with pytest.raises(GLib.Error) as info:
        function(*args)
    assert info.value.matches(Vesc.error_quark(), code), info.value.message
    return info.value.message


def site(site_id, subnets=(), hostnames=()):
    result = Vesc.Site.new(site_id, 'School ' + site_id)
    for subnet in subnets:
        result.add_subnet(subnet)
    for name in hostnames:
        result.add_hostname(name)
    return result


def directory_of(*sites):
    directory = Vesc.Directory.new()
    for each in sites:
        directory.add_site(each)
    return directory


def owner(directory, lookup, value):
    try:
        return lookup(directory, value).get_id()
    except GLib.Error as error:
        assert error.matches(Vesc.error_quark(), Vesc.Error.UNKNOWN_SITE), error.message
        return None


def by_address(directory, address):
    return owner(directory, Vesc.Directory.lookup_address, address)


def by_host(directory, name):
    return owner(directory, Vesc.Directory.lookup_host, name)


# ---- subnets: nesting is allowed, the same subnet twice is not ------------

def test_nested_subnets_on_different_sites_go_to_the_most_specific():
    directory = directory_of(site('COUNCIL', ['10.47.0.0/16']),
                             site('SCH101', ['10.47.1.0/24']),
                             site('LAB', ['10.47.1.128/25']))
    assert by_address(directory, '10.47.1.5') == 'SCH101'
    assert by_address(directory, '10.47.1.200') == 'LAB'
    assert by_address(directory, '10.47.9.9') == 'COUNCIL'
    assert by_address(directory, '10.48.0.1') is None


def test_nesting_does_not_depend_on_the_order_sites_are_added():
    directory = directory_of(site('LAB', ['10.47.1.128/25']),
                             site('SCH101', ['10.47.1.0/24']),
                             site('COUNCIL', ['10.47.0.0/16']))
    assert by_address(directory, '10.47.1.200') == 'LAB'
    assert by_address(directory, '10.47.1.5') == 'SCH101'
    assert by_address(directory, '10.47.9.9') == 'COUNCIL'


def test_nested_subnets_within_one_site():
    directory = directory_of(site('SCH101', ['10.47.0.0/22', '10.47.1.0/28']))
    assert by_address(directory, '10.47.1.3') == 'SCH101'
    assert by_address(directory, '10.47.3.3') == 'SCH101'


@pytest.mark.parametrize('first,second', [
    ('10.47.1.0/24', '10.47.1.0/24'),
    ('fd00:47:8::/48', 'fd00:47:8:0::/48'),   # the same subnet, written otherwise
    ('fd00:47:8::/48', 'FD00:47:8::/48'),
])
def test_the_same_subnet_on_two_sites_is_a_duplicate(first, second):
    directory = directory_of(site('SCH101', [first]))
    other = site('SCH102', ['10.99.0.0/16', second])

    message = raises(Vesc.Error.DUPLICATE, directory.add_site, other)
    assert 'SCH101' in message
    assert len(directory.get_sites()) == 1
    assert directory.lookup_site('SCH102') is None
    assert by_address(directory, '10.99.0.1') is None


def test_the_same_subnet_on_two_sites_in_a_file_names_the_entry():
    document = {'version': 1, 'sites': [
        {'id': 'COUNCIL', 'name': 'Council', 'subnets': ['10.47.0.0/16']},
        {'id': 'SCH101', 'name': 'Alder', 'subnets': ['10.47.1.0/24']},
        {'id': 'SCH102', 'name': 'Beech', 'subnets': ['10.47.2.0/24', '10.47.1.0/24']}]}
    directory = Vesc.Directory.new()
    message = raises(Vesc.Error.DUPLICATE, directory.load_from_data, json.dumps(document), -1)
    assert message.startswith('sites[2] (SCH102): ')
    assert '10.47.1.0/24' in message and 'SCH101' in message
    assert len(directory.get_sites()) == 0

    del document['sites'][2]['subnets'][1]
    directory.load_from_data(json.dumps(document), -1)
    assert [s.get_id() for s in directory.get_sites()] == ['COUNCIL', 'SCH101', 'SCH102']


def test_bad_subnet_in_a_file_names_entry_and_position():
    document = {'version': 1, 'sites': [
        {'id': 'SCH101', 'name': 'Alder', 'subnets': ['10.47.1.0/24', '10.47.2.5/24']}]}
    directory = Vesc.Directory.new()
    message = raises(Vesc.Error.INVALID_INPUT, directory.load_from_data,
                     json.dumps(document), -1)
    assert message.startswith('sites[0] (SCH101): subnets[1]: ')
    assert '10.47.2.0/24' in message       # what was probably meant
    assert len(directory.get_sites()) == 0


# ---- host names on a site -------------------------------------------------

def test_site_keeps_host_names_in_lower_case():
    school = Vesc.Site.new('SCH101', 'Alder Brook Primary')
    changes = []
    school.connect('notify::hostnames', lambda *args: changes.append(school.get_hostnames()))
    assert school.get_hostnames() == []

    school.add_hostname('*.SCH101.Example.ORG')
    school.add_hostname('el33t-b00k-1.')
    school.add_hostname('WS_07')

    assert school.get_hostnames() == ['*.sch101.example.org', 'el33t-b00k-1', 'ws_07']
    assert school.props.hostnames == school.get_hostnames()
    assert len(changes) == 3


@pytest.mark.parametrize('pattern', [
    '', '.', '*', '*.', '**.example.org', 'pc*.example.org', 'a..b', '-pc.example.org',
    'pc-.example.org', 'pc 1', 'pc1.example.org\r\nBcc: x@example.org', 'école.example.org',
    'a' * 64 + '.example.org', '10.47.1.300', 'sch101.123',
])
def test_malformed_host_names_are_refused(pattern):
    school = site('SCH101', hostnames=['pc1.example.org'])
    raises(Vesc.Error.INVALID_INPUT, school.add_hostname, pattern)
    assert school.get_hostnames() == ['pc1.example.org']


@pytest.mark.parametrize('address', ['10.47.1.5', '*.10.47.1.5', 'fd00::1'])
def test_addresses_are_not_host_names(address):
    school = Vesc.Site.new('SCH101', 'Alder')
    message = raises(Vesc.Error.INVALID_INPUT, school.add_hostname, address)
    assert address in message
    assert school.get_hostnames() == []


def test_a_host_name_twice_on_one_site_is_a_duplicate():
    school = site('SCH101', hostnames=['el33t-b00k-1'])
    raises(Vesc.Error.DUPLICATE, school.add_hostname, 'EL33T-B00K-1')
    assert school.get_hostnames() == ['el33t-b00k-1']


# ---- which site a host name belongs to ------------------------------------

@pytest.fixture
def named():
    return directory_of(
        site('COUNCIL', hostnames=['*.example.org']),
        site('SCH101', hostnames=['*.sch101.example.org', 'el33t-b00k-1']),
        site('SCH102', hostnames=['*.sch102.example.org', 'pc1.sch101.example.org']),
        site('LAB', hostnames=['*.lab.sch101.example.org']))


@pytest.mark.parametrize('name,expected', [
    ('el33t-b00k-1', 'SCH101'),                  # exact
    ('EL33T-B00K-1', 'SCH101'),                  # case does not matter
    ('el33t-b00k-1.', 'SCH101'),                 # nor a final dot
    ('pc7.sch101.example.org', 'SCH101'),        # suffix
    ('a.b.sch101.example.org', 'SCH101'),        # at any depth
    ('pc1.sch101.example.org', 'SCH102'),        # an exact name beats a suffix
    ('pc1.lab.sch101.example.org', 'LAB'),       # the longest suffix wins
    ('pc2.sch102.Example.Org', 'SCH102'),
    ('www.example.org', 'COUNCIL'),
    ('sch101.example.org', 'COUNCIL'),           # *.sch101... is not sch101... itself
    ('example.org', None),
    ('el33t-b00k-2', None),
    ('pc1.example.net', None),
    ('xsch101.example.org', 'COUNCIL'),          # a suffix starts at a dot
])
def test_lookup_host(named, name, expected):
    assert by_host(named, name) == expected


def test_unknown_host_name_is_an_unknown_site(named):
    message = raises(Vesc.Error.UNKNOWN_SITE, named.lookup_host, 'el33t-b00k-2')
    assert message == 'No school has the host name “el33t-b00k-2”'


@pytest.mark.parametrize('name', ['10.47.1.5', 'fd00::1', 'pc 1', '', 'a..b', 'pc1\n'])
def test_lookup_host_refuses_what_is_not_a_host_name(named, name):
    raises(Vesc.Error.INVALID_INPUT, named.lookup_host, name)


def test_addresses_and_names_are_looked_up_separately():
    directory = directory_of(site('SCH101', ['10.47.1.0/24'], ['*.sch101.example.org']))
    raises(Vesc.Error.INVALID_INPUT, directory.lookup_address, 'pc1.sch101.example.org')
    raises(Vesc.Error.INVALID_INPUT, directory.lookup_host, '10.47.1.5')


def test_the_same_host_name_on_two_sites_is_a_duplicate(named):
    other = site('SCH103', hostnames=['*.sch103.example.org', '*.SCH102.example.org'])
    message = raises(Vesc.Error.DUPLICATE, named.add_site, other)
    assert 'SCH102' in message and '*.sch102.example.org' in message
    assert named.lookup_site('SCH103') is None
    assert by_host(named, 'pc1.sch103.example.org') == 'COUNCIL'


def test_host_names_from_a_file():
    document = {'version': 1, 'sites': [
        {'id': 'SCH101', 'name': 'Alder', 'subnets': ['10.47.1.0/24'],
         'hostnames': ['*.sch101.example.org', 'el33t-b00k-1']},
        {'id': 'SCH102', 'name': 'Beech', 'hostnames': []}]}
    directory = Vesc.Directory.new()
    directory.load_from_data(json.dumps(document), -1)
    assert directory.lookup_site('SCH101').get_hostnames() == ['*.sch101.example.org',
                                                                 'el33t-b00k-1']
    assert directory.lookup_site('SCH102').get_hostnames() == []
    assert by_host(directory, 'el33t-b00k-1') == 'SCH101'


@pytest.mark.parametrize('hostnames,code,fragment', [
    ('*.sch101.example.org', Vesc.Error.PARSE, 'field “hostnames” must be a list'),
    (['ok.example.org', 7], Vesc.Error.PARSE, 'hostnames[1] must be a string'),
    (['ok.example.org', 'bad name'], Vesc.Error.INVALID_INPUT, 'hostnames[1]: “bad name”'),
    (['el33t-b00k-1', 'EL33T-B00K-1'], Vesc.Error.DUPLICATE, 'hostnames[1]: '),
    (['*.sch101.example.org'], Vesc.Error.DUPLICATE, 'already belongs to site SCH101'),
])
def test_host_name_errors_in_a_file_name_the_entry(hostnames, code, fragment):
    document = {'version': 1, 'sites': [
        {'id': 'SCH101', 'name': 'Alder', 'hostnames': ['*.sch101.example.org']},
        {'id': 'SCH102', 'name': 'Beech', 'hostnames': hostnames}]}
    directory = directory_of(site('SCH900', ['192.0.2.0/24'], ['existing.example.org']))
    message = raises(code, directory.load_from_data, json.dumps(document), -1)
    assert message.startswith('sites[1] (SCH102): '), message
    assert fragment in message
    assert [s.get_id() for s in directory.get_sites()] == ['SCH900']
    assert by_host(directory, 'pc1.sch101.example.org') is None


def test_host_name_clashing_with_a_site_already_loaded(tmp_path):
    directory = directory_of(site('SCH900', hostnames=['el33t-b00k-1']))
    path = tmp_path / 'sites.json'
    path.write_text(json.dumps({'version': 1, 'sites': [
        {'id': 'SCH101', 'name': 'Alder', 'hostnames': ['El33t-B00k-1']}]}))
    message = raises(Vesc.Error.DUPLICATE, directory.load_from_file, str(path))
    assert message.startswith(str(path) + ': sites[0] (SCH101): ')
    assert len(directory.get_sites()) == 1


# ---- a real multi-site prefix plan: NetBox's demo data --------------------

def netbox_rows():
    data = os.environ.get('VESC_SHARED_DATA', '')
    path = os.path.join(data, 'sites', 'netbox-demo-prefixes-by-site.csv')
    if not data or not os.path.exists(path):
        pytest.skip('the shared sample data (VESC_SHARED_DATA=%r) is absent' % data)
    with open(path, newline='', encoding='utf-8') as f:
        return list(csv.DictReader(f))


def directory_document(sites):
    """A directory document from {site id: [prefix, ...]}, in the first-seen order."""
    return {'version': 1, 'sites': [{'id': site_id, 'name': site_id, 'subnets': prefixes}
                                    for site_id, prefixes in sites.items()]}


def expected_owner(plan, address):
    """Longest prefix match, computed here with the ipaddress module."""
    address = ipaddress.ip_address(address)
    best = max(((network.prefixlen, site_id) for network, site_id in plan
                if address in network), default=None)
    return best[1] if best else None


def probes(rows):
    """The first, second and last address of every prefix, and some outside them all."""
    for row in rows:
        network = ipaddress.ip_network(row['prefix'])
        yield from {str(network[0]), str(network[1]), str(network[-1])}
    yield from ['10.111.255.255', '10.114.0.0', '172.21.0.1', '192.168.16.0', '8.8.8.8']


def load_plan(tmp_path, sites):
    path = tmp_path / 'netbox-sites.json'
    path.write_text(json.dumps(directory_document(sites)))
    directory = Vesc.Directory.new()
    directory.load_from_file(str(path))
    return directory


def test_netbox_prefixes_by_site(tmp_path):
    rows = netbox_rows()
    sites = {}
    for row in rows:
        if row['site']:
            sites.setdefault(row['site'], []).append(row['prefix'])
    assert len(rows) == 90 and len(sites) == 13
    assert sum(len(p) for p in sites.values()) == 65     # 25 prefixes have no site

    directory = load_plan(tmp_path, sites)
    plan = [(ipaddress.ip_network(p), site_id) for site_id, ps in sites.items() for p in ps]
    unmatched = 0
    for address in probes(rows):
        assert by_address(directory, address) == expected_owner(plan, address), address
        unmatched += expected_owner(plan, address) is None

    # Spot checks: a branch's /28 and its /22 both belong to it; HQ, the
    # VRFs and the shared services belong to no site.
    assert by_address(directory, '10.112.128.5') == 'DM-Akron'
    assert by_address(directory, '10.112.131.200') == 'DM-Akron'
    assert by_address(directory, '10.112.177.1') == 'DM-Yonkers'
    for address in ['10.112.0.1', '10.113.0.1', '172.16.1.1', '172.20.2.2', '192.168.1.1']:
        message = raises(Vesc.Error.UNKNOWN_SITE, directory.lookup_address, address)
        assert address in message
    assert unmatched > 25


def test_netbox_containers_as_sites_nest_across_sites(tmp_path):
    """The prefixes with no site become sites of their own: the HQ and branch
    containers and the VRFs then hold the branches' prefixes, and
    192.168.0.0/20 holds 192.168.0.0/22."""
    rows = netbox_rows()
    sites = {}
    for index, row in enumerate(rows):
        site_id = row['site'] or 'NET%02d' % index
        sites.setdefault(site_id, []).append(row['prefix'])
    directory = load_plan(tmp_path, sites)
    plan = [(ipaddress.ip_network(p), site_id) for site_id, ps in sites.items() for p in ps]

    for address in probes(rows):
        assert by_address(directory, address) == expected_owner(plan, address), address

    container_17 = 'NET%02d' % next(i for i, r in enumerate(rows)
                                    if r['prefix'] == '10.112.128.0/17')
    testing = 'NET%02d' % next(i for i, r in enumerate(rows) if r['prefix'] == '192.168.0.0/22')
    shared = 'NET%02d' % next(i for i, r in enumerate(rows) if r['prefix'] == '192.168.0.0/20')
    assert by_address(directory, '10.112.128.5') == 'DM-Akron'
    assert by_address(directory, '10.112.250.1') == container_17
    assert by_address(directory, '192.168.3.1') == testing
    assert by_address(directory, '192.168.4.1') == shared


# ---- examples/sites-from-csv.py --------------------------------------------

SITES_FROM_CSV = os.path.join(os.environ.get('G_TEST_SRCDIR', ''), '..', 'examples',
                              'sites-from-csv.py')


def sites_from_csv(schools, contacts):
    completed = subprocess.run(['/usr/bin/python3', SITES_FROM_CSV, schools, contacts],
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    directory = Vesc.Directory.new()
    directory.load_from_data(completed.stdout, -1)
    return completed.stdout, directory


def test_sites_from_csv_reproduces_the_example_directory():
    data = os.environ.get('VESC_SHARED_DATA', '')
    schools = os.path.join(data, 'sites', 'demo-schools.csv')
    if not data or not os.path.exists(schools):
        pytest.skip('the shared sample data (VESC_SHARED_DATA=%r) is absent' % data)
    output, directory = sites_from_csv(schools, os.path.join(data, 'sites', 'demo-contacts.csv'))
    with open(os.path.join(os.environ['VESC_EXAMPLES_DATA'], 'sites.json'),
              encoding='utf-8') as f:
        assert json.loads(output) == json.load(f)
    assert len(directory.get_sites()) == 17
    assert all(s.get_hostnames() == [] for s in directory.get_sites())


def test_sites_from_csv_with_host_names(tmp_path):
    schools, contacts = tmp_path / 'schools.csv', tmp_path / 'contacts.csv'
    schools.write_text(
        'site_id,name,head_teacher,head_teacher_email,relationship_manager,'
        'relationship_manager_email,kssc_supported,subnets,hostnames\n'
        'SCH201,Oak Primary,A. Head,head.sch201@schools.example.org,RM North,'
        'rm.north@council.example.org,yes,10.20.1.0/24,*.sch201.example.org el33t-b00k-1\n'
        'SCH202,"Elm & Ash, Secondary",B. Head,head.sch202@schools.example.org,RM South,'
        'rm.south@council.example.org,no,10.20.2.0/24 2001:db8:202::/48,\n', encoding='utf-8')
    contacts.write_text('role,name,email\nitd_helpdesk,ITD,itd@council.example.org\n',
                        encoding='utf-8')
    _, directory = sites_from_csv(str(schools), str(contacts))

    assert directory.lookup_site('SCH201').get_hostnames() == ['*.sch201.example.org',
                                                                 'el33t-b00k-1']
    assert directory.lookup_site('SCH202').get_hostnames() == []
    assert directory.lookup_site('SCH202').get_name() == 'Elm & Ash, Secondary'
    assert by_host(directory, 'EL33T-B00K-1') == 'SCH201'
    assert by_address(directory, '2001:db8:202::1') == 'SCH202'
    assert len(directory.get_contacts(Vesc.Role.ITD)) == 1

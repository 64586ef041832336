#!/usr/bin/python3
"""Convert the demo schools and contacts CSV files into a libvesc site directory.

Usage: sites-from-csv.py SCHOOLS.csv CONTACTS.csv > sites.json

SCHOOLS.csv has the columns site_id, name, head_teacher, head_teacher_email,
relationship_manager, relationship_manager_email, kssc_supported (yes/no) and
subnets (space-separated CIDR), and may have hostnames (space-separated host
names and *.suffix patterns, for detections that name a device rather than
give its address). CONTACTS.csv has role, name and email; its
roles are mapped onto the directory's (a representative shares the
Principal Manager's role). The output is the JSON format documented on
VescDirectory.
"""

import csv
import json
import sys

ROLES = {
    'itd_helpdesk': 'itd',
    'principal_manager': 'principal_manager',
    'principal_manager_representative': 'principal_manager',
    'kssc': 'kssc',
    'ltsb': 'ltsb',
}


def read_rows(path):
    with open(path, newline='', encoding='utf-8') as f:
        return list(csv.DictReader(f))


def site(row):
    entry = {
        'id': row['site_id'],
        'name': row['name'],
        'head_teacher': {'name': row['head_teacher'], 'email': row['head_teacher_email']},
        'relationship_manager': {'name': row['relationship_manager'],
                                 'email': row['relationship_manager_email']},
        'kssc_supported': {'yes': True, 'no': False}[row['kssc_supported'].strip().lower()],
        'subnets': row['subnets'].split(),
    }
    if (row.get('hostnames') or '').strip():
        entry['hostnames'] = row['hostnames'].split()
    return entry


def main(schools_path, contacts_path):
    contacts = [{'role': ROLES[row['role']], 'name': row['name'], 'email': row['email']}
                for row in read_rows(contacts_path)]
    sites = [site(row) for row in read_rows(schools_path)]
    json.dump({'version': 1, 'contacts': contacts, 'sites': sites},
              sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write('\n')


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[2])
    main(sys.argv[1], sys.argv[2])

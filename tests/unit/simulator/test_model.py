"""The simulator's descriptions: every broken input is one clear line."""

import os
import textwrap

import fixtures
import testtools

from scheduler.simulator import model

GROUP = ('{name: a, cell: c1, zone: az1, count: 2, vcpus: 4, ram_mb: 8192, '
         'disk_gb: 100')
CLOUD = f"""\
aggregates:
  fast: {{metadata: {{ssd: true}}}}
host_groups:
  - {GROUP}, aggregates: [fast], traits: [HW_CPU_X86_AVX2, CUSTOM_GOLD]}}
"""
WORKLOAD = """\
seed: 3
flavors:
  small: {vcpus: 1, ram_mb: 1024, disk_gb: 10, extra_specs: {'hw:x': 1}}
requests:
  - {flavor: small, count: 3, instances: 2, group: affinity, zone: az1}
"""


class DescriptionTestBase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, 'w') as f:
            f.write(textwrap.dedent(text))
        return path

    def cloud_problems(self, text):
        path = self.write('cloud.yaml', text)
        exc = self.assertRaises(model.DescriptionError, model.load_cloud,
                                path)
        return [p.replace(path, 'cloud.yaml') for p in exc.problems]

    def workload_problems(self, text):
        path = self.write('workload.yaml', text)
        exc = self.assertRaises(model.DescriptionError, model.load_workload,
                                path)
        return [p.replace(path, 'workload.yaml') for p in exc.problems]


class ValidDescriptionTest(DescriptionTestBase):

    def test_built_in_descriptions(self):
        self.assertEqual(288, model.load_cloud().host_count)
        self.assertEqual(12, len(model.load_workload().requests))

    def test_cloud(self):
        cloud = model.load_cloud(self.write('cloud.yaml', CLOUD))
        self.assertEqual({'fast': {'ssd': 'true'}}, cloud.aggregates)
        self.assertEqual(('HW_CPU_X86_AVX2', 'CUSTOM_GOLD'),
                         cloud.host_groups[0].traits)
        self.assertEqual(('fast',), cloud.host_groups[0].aggregates)

    def test_workload(self):
        workload = model.load_workload(self.write('w.yaml', WORKLOAD))
        self.assertEqual({'hw:x': '1'},
                         workload.flavors['small'].extra_specs)
        self.assertEqual(model.RequestDescription(
            'small', 3, 2, 'az1', 'affinity', 'demo'), workload.requests[0])


class FileProblemTest(DescriptionTestBase):

    def test_missing_file(self):
        path = os.path.join(self.tmp, 'nope.yaml')
        exc = self.assertRaises(model.DescriptionError, model.load_cloud,
                                path)
        self.assertEqual((f'{path}: cannot read: No such file or directory',),
                         exc.problems)

    def test_malformed_yaml_names_line_and_column(self):
        self.assertEqual(
            ["cloud.yaml: line 3, column 8: not valid YAML: expected ',' or "
             "'}', but got ':'"],
            self.cloud_problems('host_groups:\n  - {name: a\n  count: 3\n'))

    def test_duplicate_key(self):
        self.assertEqual(
            ["workload.yaml: line 3, column 1: not valid YAML: duplicate "
             "key 'flavors'"],
            self.workload_problems('flavors: {}\nrequests: []\nflavors: {}\n'))

    def test_empty_file(self):
        self.assertEqual(['cloud.yaml: empty (no YAML document)'],
                         self.cloud_problems('# nothing\n'))


class TypeProblemTest(DescriptionTestBase):

    def test_string_for_a_list_of_names(self):
        self.assertEqual(
            ["cloud.yaml: host_groups[0].aggregates: expected a list of "
             "names, got a string 'fast'"],
            self.cloud_problems(CLOUD.replace('[fast]', 'fast')))

    def test_every_problem_at_once(self):
        self.assertEqual([
            "cloud.yaml: host_groups[0].vcpus: expected an integer, got a "
            "string '4'",
            "cloud.yaml: host_groups[0].traits[0]: 'bad-x' is not a trait "
            "name (A-Z, 0-9 and _ only)",
            'cloud.yaml: host_groups[0].traits[1]: FOO is not a standard '
            'trait (os-traits); custom traits start with CUSTOM_',
            'cloud.yaml: host_groups[1]: unknown field(s) colour (allowed: '
            'name, cell, zone, count, vcpus, ram_mb, disk_gb, traits, '
            'aggregates, disabled)',
            'cloud.yaml: host_groups[1].zone: expected a name (a string), '
            'got an integer 3',
            "cloud.yaml: host_groups[1].aggregates: names unknown aggregate "
            "'slow' (aggregates: none)",
            'cloud.yaml: host_groups[2]: expected a mapping with name, cell, '
            'zone, count, vcpus, ram_mb, disk_gb, traits, aggregates, '
            'disabled, got a string \'x\'',
        ], self.cloud_problems(f"""\
            host_groups:
              - {GROUP.replace('vcpus: 4', "vcpus: '4'")},
                 traits: [bad-x, FOO]}}
              - {GROUP.replace('az1', '3')}, colour: red,
                 aggregates: [slow]}}
              - x
            """))

    def test_missing_fields_once(self):
        self.assertEqual(
            ['workload.yaml: flavors.small: missing field(s) disk_gb',
             'workload.yaml: requests[0].group: expected one of affinity, '
             'anti-affinity, soft-affinity, soft-anti-affinity, got a '
             "string 'friends'",
             "workload.yaml: seed: expected an integer, got a boolean true"],
            self.workload_problems("""\
                seed: yes
                flavors:
                  small: {vcpus: 1, ram_mb: 1024}
                requests:
                  - {flavor: small, count: 1, group: friends}
                """))

    def test_unknown_flavor(self):
        self.assertEqual(
            ['workload.yaml: requests[1].flavor: names unknown flavor big '
             '(flavors: small)'],
            self.workload_problems(
                WORKLOAD + '  - {flavor: big, count: 1}\n'))

    def test_top_level(self):
        self.assertEqual(
            ['workload.yaml: expected a mapping with flavors, requests, '
             'seed, got a list'], self.workload_problems('- 1\n'))
        self.assertEqual(
            ['cloud.yaml: missing field(s) host_groups'],
            self.cloud_problems('aggregates: {}\n'))


class BoundTest(DescriptionTestBase):

    def test_hosts_per_group(self):
        self.assertEqual(
            ["cloud.yaml: host_groups[0].count: 100000000 is above the "
             "simulator's bound of 20000 hosts"],
            self.cloud_problems(CLOUD.replace('count: 2', 'count: 100000000')))

    def test_negative_count(self):
        self.assertEqual(
            ['cloud.yaml: host_groups[0].count: -3 is below the minimum '
             'of 0'],
            self.cloud_problems(CLOUD.replace('count: 2', 'count: -3')))

    def test_total_hosts(self):
        group = GROUP.replace('count: 2', 'count: 15000')
        self.assertEqual(
            ["cloud.yaml: host_groups: 30000 hosts (the sum of their "
             "counts) is above the simulator's bound of 20000"],
            self.cloud_problems(f"""\
                host_groups:
                  - {group}}}
                  - {group.replace('az1', 'az2')}}}
                """))

    def test_disabled_over_count(self):
        self.assertEqual(
            ["cloud.yaml: host_groups[0].disabled: 5 is more than the "
             "group's count (2)"],
            self.cloud_problems(CLOUD.replace('[fast]', '[fast], '
                                              'disabled: 5')))

    def test_colliding_groups(self):
        self.assertEqual(
            ['cloud.yaml: host_groups[1]: same name, cell and zone as '
             'host_groups[0] (their host names would collide)'],
            self.cloud_problems(f'host_groups:\n  - {GROUP}}}\n'
                                f'  - {GROUP}}}\n'))

    def test_sizes(self):
        self.assertEqual(
            ["cloud.yaml: host_groups[0].ram_mb: 99999999999 is above the "
             "simulator's bound of 16777216 MB of RAM per host",
             'cloud.yaml: host_groups[0].disk_gb: 0 is below the minimum '
             'of 1'],
            self.cloud_problems(CLOUD.replace('8192', '99999999999')
                                .replace('disk_gb: 100', 'disk_gb: 0')))

    def test_requests_and_instances(self):
        self.assertEqual(
            ["workload.yaml: requests[0].count: 100001 is above the "
             "simulator's bound of 100000 requests",
             "workload.yaml: requests[0].instances: 10001 is above the "
             "simulator's bound of 10000 instances per request"],
            self.workload_problems(
                WORKLOAD.replace('count: 3', 'count: 100001')
                .replace('instances: 2', 'instances: 10001')))

    def test_total_instances(self):
        self.assertEqual(
            ["workload.yaml: requests: 2000000 instances in all requests "
             "(the sum of count x instances) is above the simulator's "
             "bound of 1000000"],
            self.workload_problems(
                WORKLOAD.replace('count: 3', 'count: 100000')
                .replace('instances: 2', 'instances: 20')))

    def test_list_length(self):
        self.assertEqual(
            ['workload.yaml: requests: 0 request entries: expected 1 to '
             '10000'],
            self.workload_problems(
                'flavors: {s: {vcpus: 1, ram_mb: 1, disk_gb: 1}}\n'
                'requests: []\n'))

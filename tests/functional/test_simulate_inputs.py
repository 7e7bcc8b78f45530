"""`hardened-scheduler-manage simulate` refuses broken inputs up front.

Each case is an operator's mistake in one input (the cloud or workload
description, a global --config-file or a --compare file): the command
exits 2 with one ``ERROR:`` line naming the file and the field or
option, before building anything (no Placement, no progress), and
without a traceback. The files are named relative to the working
directory, as an operator types them, so the lines are exact.
"""

import os
import subprocess
import sys

import fixtures
import testtools

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

GROUP = ('{name: a, cell: c1, zone: az1, count: 2, vcpus: 4, ram_mb: 8192, '
         'disk_gb: 100')
CLOUD = f"""\
aggregates:
  fast: {{metadata: {{ssd: 'true'}}}}
host_groups:
  - {GROUP}, aggregates: [fast]}}
"""
WORKLOAD = """\
flavors:
  small: {vcpus: 1, ram_mb: 1024, disk_gb: 10}
requests:
  - {flavor: small, count: 3, instances: 2}
"""
GOOD_CONF = '[filter_scheduler]\nram_weight_multiplier = -1.0\n'

# (case, {file: text} replacing the good ones, extra arguments,
#  the expected stderr lines).
CASES = [
    ('missing_cloud_file', {}, ['--cloud', 'nope.yaml'],
     ['ERROR: nope.yaml: cannot read: No such file or directory']),
    ('malformed_yaml', {'cloud.yaml': 'host_groups:\n  - {name: a\n'
                        '  count: 3\n'}, [],
     ["ERROR: cloud.yaml: line 3, column 8: not valid YAML: expected ',' "
      "or '}', but got ':'"]),
    ('string_for_a_list', {'cloud.yaml': CLOUD.replace('[fast]', 'fast')},
     [], ["ERROR: cloud.yaml: host_groups[0].aggregates: expected a list "
          "of names, got a string 'fast'"]),
    ('hosts_over_bound', {'cloud.yaml': CLOUD.replace(
        'count: 2', 'count: 100000000')}, [],
     ["ERROR: cloud.yaml: host_groups[0].count: 100000000 is above the "
      "simulator's bound of 20000 hosts"]),
    ('negative_count', {'cloud.yaml': CLOUD.replace('count: 2',
                                                    'count: -1')}, [],
     ['ERROR: cloud.yaml: host_groups[0].count: -1 is below the minimum '
      'of 0']),
    ('string_for_an_integer', {'workload.yaml': WORKLOAD.replace(
        'vcpus: 1', "vcpus: '1'")}, [],
     ["ERROR: workload.yaml: flavors.small.vcpus: expected an integer, "
      "got a string '1'"]),
    ('unknown_flavor', {'workload.yaml': WORKLOAD.replace(
        'flavor: small', 'flavor: big')}, [],
     ['ERROR: workload.yaml: requests[0].flavor: names unknown flavor big '
      '(flavors: small)']),
    ('instances_over_bound', {'workload.yaml': WORKLOAD.replace(
        'instances: 2', 'instances: 20000')}, [],
     ["ERROR: workload.yaml: requests[0].instances: 20000 is above the "
      "simulator's bound of 10000 instances per request"]),
    ('requests_over_bound', {'workload.yaml': WORKLOAD + (
        '  - {flavor: small, count: 60000}\n'
        '  - {flavor: small, count: 60000}\n')}, [],
     ["ERROR: workload.yaml: requests: 120003 requests (the sum of their "
      "counts) is above the simulator's bound of 100000"]),
    ('empty_workload', {'workload.yaml': '# to do\n'}, [],
     ['ERROR: workload.yaml: empty (no YAML document)']),
    ('missing_compare_file', {}, ['--compare', 'other.conf'],
     ['ERROR: other.conf: configuration file not found or not readable']),
    ('bad_value_in_compare_file', {'heavy.conf': (
        '[filter_scheduler]\nram_weight_multiplier = heavy\n')},
     ['--compare', 'good.conf', '--compare', 'heavy.conf'],
     ['ERROR: heavy.conf: [filter_scheduler] ram_weight_multiplier: '
      "invalid value: could not convert string to float: 'heavy'"]),
    ('unknown_filter_in_compare_file', {'filters.conf': (
        '[filter_scheduler]\nenabled_filters = ComputeFilter,NoSuchFilter\n'
    )}, ['--compare', 'filters.conf'],
     ['ERROR: filters.conf: Unknown filter(s) in [filter_scheduler] '
      'enabled_filters: NoSuchFilter']),
    ('unparsable_global_config_file', {'global.conf': '[DEFAULT]\nnope\n'},
     ['--config-file', 'global.conf'],
     ["ERROR: global.conf: line 2: cannot parse configuration file: No ':' "
      "or '=' found in assignment: 'nope'"]),
    ('unknown_weigher_in_global_config_file', {'global.conf': (
        '[filter_scheduler]\nweight_classes = NoWeigher\n')},
     ['--config-file', 'global.conf', '--compare', 'good.conf'],
     ['ERROR: global.conf: Unknown weigher(s) in [filter_scheduler] '
      'weight_classes: NoWeigher']),
    ('every_problem_at_once', {
        'cloud.yaml': CLOUD.replace('count: 2', 'count: -1'),
        'heavy.conf': '[hardened_scheduler]\nmax_num_instances = 0\n'},
     ['--compare', 'heavy.conf', '--compare', 'missing.conf'],
     ['ERROR: cloud.yaml: host_groups[0].count: -1 is below the minimum '
      'of 0',
      'ERROR: heavy.conf: [hardened_scheduler] max_num_instances: invalid '
      'value: Should be greater than or equal to 1',
      'ERROR: missing.conf: configuration file not found or not readable']),
]


class SimulateInputsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path

    def simulate(self, files, args):
        texts = {'cloud.yaml': CLOUD, 'workload.yaml': WORKLOAD,
                 'good.conf': GOOD_CONF, **files}
        for name, text in texts.items():
            with open(os.path.join(self.tmp, name), 'w') as f:
                f.write(text)
        # Global options before the command, as the framework takes them.
        globals_ = args[:2] if args[:1] == ['--config-file'] else []
        rest = args[len(globals_):]
        command = ['--cloud', 'cloud.yaml', '--workload', 'workload.yaml',
                   '--report', 'report.html', *rest]
        env = dict(os.environ, PYTHONPATH=REPO_ROOT)
        return subprocess.run(
            [sys.executable, '-m', 'scheduler.cmd.manage', *globals_,
             'simulate', *command],
            capture_output=True, text=True, timeout=120, cwd=self.tmp,
            env=env)

    def check(self, files, args, expected):
        out = self.simulate(files, args)
        self.assertEqual(2, out.returncode, out.stderr)
        self.assertNotIn('Traceback', out.stderr)
        # Nothing was built or run.
        self.assertNotIn('building cloud', out.stderr)
        self.assertEqual(expected, out.stderr.splitlines())
        self.assertFalse(os.path.exists(
            os.path.join(self.tmp, 'report.html')))

    def test_help(self):
        out = subprocess.run(
            [sys.executable, '-m', 'scheduler.cmd.manage', 'simulate',
             '--help'], capture_output=True, text=True, timeout=120,
            cwd=REPO_ROOT)
        self.assertEqual(0, out.returncode, out.stderr)
        self.assertIn('--compare', out.stdout)


def _case_test(files, args, expected):
    def test(self):
        self.check(files, args, expected)
    return test


# One test per case, named after it.
for _case, _files, _args, _expected in CASES:
    setattr(SimulateInputsTest, f'test_{_case}',
            _case_test(_files, _args, _expected))

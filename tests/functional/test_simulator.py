"""`hardened-scheduler-manage simulate` end to end, in its own process.

A fresh interpreter, as an operator runs it: the embedded Placement
configures placement's database layer once per process. The command runs
under ``simulate_traced``, which counts what the service's RPC dispatcher
handled, to prove the workload goes over the transport.
"""

import json
import os
import subprocess
import sys
import textwrap

import fixtures
import testtools

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

CLOUD = textwrap.dedent("""\
    aggregates:
      fast: {metadata: {ssd: 'true'}}
    host_groups:
      - {name: a, cell: c1, zone: az1, count: 2, vcpus: 4, ram_mb: 8192,
         disk_gb: 100, aggregates: [fast]}
      - {name: b, cell: c2, zone: az2, count: 2, vcpus: 4, ram_mb: 8192,
         disk_gb: 100, disabled: 1}
""")
WORKLOAD = textwrap.dedent("""\
    seed: 7
    flavors:
      small: {vcpus: 1, ram_mb: 1024, disk_gb: 10}
      huge: {vcpus: 64, ram_mb: 1048576, disk_gb: 10}
    requests:
      - {flavor: small, count: 3}
      - {flavor: huge, count: 1}
      - {flavor: small, count: 1, instances: 4, group: anti-affinity}
      - {flavor: small, count: 1, zone: az2}
""")


class SimulateTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = self.useFixture(fixtures.TempDir()).path
        self.files = {}
        for name, text in (('cloud.yaml', CLOUD),
                           ('workload.yaml', WORKLOAD),
                           ('ram-last.conf', '[filter_scheduler]\n'
                                             'ram_weight_multiplier = -1.0\n'
                                             )):
            path = os.path.join(self.tmp, name)
            with open(path, 'w') as f:
                f.write(text)
            self.files[name] = path

    def simulate(self, *extra):
        report = os.path.join(self.tmp, 'report.html')
        self.report_json = os.path.join(self.tmp, 'report.json')
        trace = os.path.join(self.tmp, 'trace.json')
        out = subprocess.run(
            [sys.executable, '-m', 'tests.functional.simulate_traced', trace,
             'simulate', '--cloud', self.files['cloud.yaml'],
             '--workload', self.files['workload.yaml'],
             '--report', report, *extra],
            capture_output=True, text=True, timeout=600, cwd=REPO_ROOT)
        self.assertEqual(0, out.returncode, out.stderr[-3000:])
        with open(report) as f, open(trace) as t:
            return out.stdout, f.read(), json.load(t)

    def test_placements_failures_and_report(self):
        text, html, trace = self.simulate(
            '--compare', self.files['ram-last.conf'])
        # 6 requests per run, 2 runs: each one a message the service's
        # dispatcher handled, and the scheduler ran only inside those.
        self.assertEqual({'select_destinations': 12}, trace['dispatched'])
        self.assertEqual(12, trace['manager_in_dispatch'])
        self.assertEqual(0, trace['manager_outside_dispatch'])
        # 3 hosts are enabled: the 4-way anti-affinity group cannot fit;
        # nothing is large enough for "huge".
        self.assertEqual(2, text.count('requests: 6, scheduled: 4 '
                                       '(4 instances), NoValidHost: 2'),
                         text)
        self.assertIn('NoValidHost by stage: filters 1, placement 1', text)
        self.assertIn('ServerGroupAntiAffinityFilter', text)
        self.assertIn('== baseline ==', text)
        self.assertIn('== ' + self.files['ram-last.conf'] + ' ==', text)
        # The page: what ran, the comparison, the charts, each failure.
        self.assertIn('<h2 id="configuration">', html)
        self.assertIn('[filter_scheduler] ram_weight_multiplier', html)
        self.assertIn('<h2 id="comparison">', html)
        self.assertIn('ram-last.conf against baseline', html)
        self.assertEqual(3, html.count('<svg'))
        self.assertIn('vCPU used / capacity (%)', html)
        self.assertIn('class="drill-down"', html)
        self.assertIn('<strong>ServerGroupAntiAffinityFilter</strong>',
                      html)
        self.assertIn('Placement found 0 allocation candidates', html)
        # The JSON export: the same numbers as the text and the page.
        with open(self.report_json) as f:
            data = json.load(f)
        base, other = data['runs']
        self.assertEqual('baseline', base['label'])
        for run in (base, other):
            self.assertEqual((6, 4, 2, 4), (
                run['requests'], run['succeeded'], run['no_valid_host'],
                run['instances_placed']))
            self.assertEqual({'filters': 1, 'placement': 1},
                             run['failures_by_stage'])
            self.assertEqual({'ServerGroupAntiAffinityFilter': 1},
                             run['failures_by_filter'])
            self.assertIn(f"latency ms: p50 {run['latency_ms']['p50']:.1f}",
                          text)
        self.assertEqual([], base['changed_options'])
        self.assertEqual([{'group': 'filter_scheduler',
                           'name': 'ram_weight_multiplier',
                           'value': '-1.0'}], other['changed_options'])
        failed = {f['stage']: f for f in base['failed_requests']}
        self.assertEqual('ServerGroupAntiAffinityFilter',
                         failed['filters']['blocking_filter'])
        counts = {c['name']: c for c in failed['filters']['filters']}
        self.assertEqual(
            {'name': 'ServerGroupAntiAffinityFilter', 'hosts_in': 1,
             'hosts_out': 0, 'reasons': {
                 'anti-affinity group members on host at '
                 'max_server_per_host': 1}},
            counts['ServerGroupAntiAffinityFilter'])
        self.assertIn('anti-affinity group members on host', html)
        self.assertIn('ServerGroupAntiAffinityFilter',
                      failed['filters']['reason'])
        self.assertEqual([], failed['placement']['filters'])
        (comparison,) = data['comparisons']
        self.assertEqual([{'option': '[filter_scheduler] '
                           'ram_weight_multiplier', 'baseline': '(default)',
                           'run': '-1.0'}], comparison['options'])
        metrics = {m['key']: m for m in comparison['metrics']}
        self.assertEqual({'baseline': 4, 'run': 4, 'delta': 0},
                         {k: metrics['instances_placed'][k]
                          for k in ('baseline', 'run', 'delta')})
        for key in ('latency.p50', 'latency.p90', 'latency.p99',
                    'host_vcpu.stdev', 'no_valid_host.stage.filters'):
            self.assertIn(key, metrics)

    def test_json_format_prints_only_the_document(self):
        text, html, _ = self.simulate('-f', 'json')
        with open(self.report_json) as f:
            self.assertEqual(json.load(f), json.loads(text))
        self.assertIn('<h2 id="runs">', html)

    def test_bad_description_is_a_clear_error(self):
        with open(self.files['workload.yaml'], 'a') as f:
            f.write('  - {flavor: missing, count: 1}\n')
        out = subprocess.run(
            [sys.executable, '-m', 'scheduler.cmd.manage', 'simulate',
             '--cloud', self.files['cloud.yaml'],
             '--workload', self.files['workload.yaml']],
            capture_output=True, text=True, timeout=120, cwd=self.tmp)
        self.assertEqual(2, out.returncode)
        self.assertIn('names unknown flavor missing', out.stderr)

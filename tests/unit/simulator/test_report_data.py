"""The simulation's results as data: summaries, comparisons, JSON."""

import json

import testtools

from scheduler import explanation
from scheduler.simulator import config_diff
from scheduler.simulator import report_data
from scheduler.simulator import workload_run

ANTI = (explanation.FilterCount('ComputeFilter', 3, 3),
        explanation.FilterCount('ServerGroupAntiAffinityFilter', 3, 0,
                                (('members on host', 3),)),
        explanation.FilterCount('ServerGroupAffinityFilter', 0, 0))


def _summary(label, outcomes, hosts, changed=()):
    result = workload_run.RunResult(label, outcomes, [], 1.5)
    return report_data.summarize(result, hosts, [f'{label}.conf'], changed)


def _hosts(*used):
    return [report_data.HostUsage(f'h{i}', 'az1' if i % 2 else 'az2', u,
                                  8.0, 0, 1024)
            for i, u in enumerate(used)]


BASE = _summary('baseline', [
    workload_run.Outcome('small', 1, 0.010, hosts=('h0',)),
    workload_run.Outcome('small', 4, 0.030, stage='filters',
                         reason='There are not enough hosts available.',
                         group='anti-affinity', filters=ANTI),
    workload_run.Outcome('huge', 1, 0.020, stage='placement',
                         reason='Placement found 0 allocation candidates',
                         zone='az1'),
], _hosts(8, 0, 0, 0))
OTHER = _summary('other', [
    workload_run.Outcome('small', 1, 0.012, hosts=('h0',)),
    workload_run.Outcome('small', 4, 0.040, hosts=('h0', 'h1', 'h2', 'h3')),
    workload_run.Outcome('huge', 1, 0.025, stage='placement',
                         reason='Placement found 0 allocation candidates'),
], _hosts(4, 2, 2, 2), changed=(config_diff.ChangedOption(
    'filter_scheduler', 'ram_weight_multiplier', '-1.0'),))


class SummaryTest(testtools.TestCase):

    def test_failures_by_stage_and_by_filter(self):
        self.assertEqual({'filters': 1, 'placement': 1},
                         BASE.failures_by_stage)
        self.assertEqual({'ServerGroupAntiAffinityFilter': 1},
                         BASE.failures_by_filter)
        self.assertEqual((2, 1, 1), (BASE.no_valid_host, BASE.succeeded,
                                     BASE.instances_placed))

    def test_failed_requests_keep_their_place_and_detail(self):
        first, second = BASE.failed_requests
        self.assertEqual((2, 'filters', 'anti-affinity', ANTI,
                          'ServerGroupAntiAffinityFilter'),
                         (first.number, first.stage, first.group,
                          first.filters, first.blocking_filter))
        self.assertEqual((3, 'placement', 'az1', None),
                         (second.number, second.stage, second.zone,
                          second.blocking_filter))

    def test_vcpu_spread(self):
        spread = BASE.vcpu_spread()
        self.assertEqual((0.25, 0.0, 1.0), (spread.mean, spread.min,
                                            spread.max))
        self.assertAlmostEqual(0.4330127, spread.stdev)
        self.assertEqual({'az1': 0.0, 'az2': 0.5}, BASE.zone_vcpu())


class ComparisonTest(testtools.TestCase):

    def test_each_run_against_the_baseline(self):
        (c,) = report_data.comparisons([BASE, OTHER])
        self.assertEqual(('baseline', 'other'), (c.baseline, c.run))
        metrics = {m.key: m for m in c.metrics}
        self.assertEqual((1, 5, 4),
                         (metrics['instances_placed'].baseline,
                          metrics['instances_placed'].run,
                          metrics['instances_placed'].delta))
        # A stage or filter only one run saw counts 0 in the other.
        self.assertEqual((1, 0), (
            metrics['no_valid_host.stage.filters'].baseline,
            metrics['no_valid_host.stage.filters'].run))
        self.assertEqual((1, 0), (
            metrics['no_valid_host.filter.ServerGroupAntiAffinityFilter']
            .baseline,
            metrics['no_valid_host.filter.ServerGroupAntiAffinityFilter']
            .run))
        self.assertEqual('%', metrics['host_vcpu.stdev'].unit)
        self.assertAlmostEqual(10.825318 - 43.30127,
                               metrics['host_vcpu.stdev'].delta, places=4)
        self.assertEqual((20.0, 25.0), (metrics['latency.p50'].baseline,
                                        metrics['latency.p50'].run))
        self.assertEqual(
            (('[filter_scheduler] ram_weight_multiplier', '(default)',
              '-1.0'),), c.options)

    def test_one_run_compares_with_nothing(self):
        self.assertEqual((), report_data.comparisons([BASE]))


class DocumentTest(testtools.TestCase):

    def test_the_document_is_json_with_the_same_numbers(self):
        data = json.loads(json.dumps(report_data.document([BASE, OTHER])))
        self.assertEqual(report_data.FORMAT, data['format'])
        base = data['runs'][0]
        self.assertEqual(['baseline.conf'], base['config_files'])
        self.assertEqual({'filters': 1, 'placement': 1},
                         base['failures_by_stage'])
        self.assertEqual(
            {'name': 'ServerGroupAntiAffinityFilter', 'hosts_in': 3,
             'hosts_out': 0, 'reasons': {'members on host': 3}},
            base['failed_requests'][0]['filters'][1])
        self.assertEqual({'mean': 0.25, 'stdev': 0.433, 'min': 0.0,
                          'max': 1.0}, base['vcpu_utilisation']['hosts'])
        self.assertEqual([10.0, 30.0, 20.0], base['latencies_ms'])
        self.assertEqual([{'group': 'filter_scheduler',
                           'name': 'ram_weight_multiplier',
                           'value': '-1.0'}],
                         data['runs'][1]['changed_options'])
        (comparison,) = data['comparisons']
        placed = next(m for m in comparison['metrics']
                      if m['key'] == 'instances_placed')
        self.assertEqual({'key': 'instances_placed',
                          'label': 'instances placed', 'unit': 'instances',
                          'baseline': 1, 'run': 5, 'delta': 4}, placed)

import re

import testtools

from scheduler import errors
from scheduler import explanation as expl_mod
from scheduler import redaction

FILTER_NAMES = [
    'ComputeFilter', 'ComputeCapabilitiesFilter', 'ImagePropertiesFilter',
    'ServerGroupAntiAffinityFilter', 'ServerGroupAffinityFilter',
    'AggregateInstanceExtraSpecsFilter', 'NUMATopologyFilter',
    'PciPassthroughFilter', 'AggregateMultiTenancyIsolation',
    'IsolatedHostsFilter', 'JsonFilter', 'MetricsFilter',
]
UUID_RE = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-')


def _funnel(total, removed_by, truncated=False, requested=1, placed=0):
    rec = expl_mod.Recorder('req-1', requested)
    rec.placement = expl_mod.PlacementCount(
        queries=1, candidates=total, providers=total, limit=1000,
        truncated=truncated)
    rec.hosts_found = total
    left = total
    counts = []
    for name, n in removed_by:
        counts.append(expl_mod.FilterCount(name, left, left - n))
        left -= n
    rec.filters = tuple(counts)
    rec.instances_placed = placed
    rec.fail(expl_mod.Stage.FILTERS)
    return rec.freeze()


class UserReasonTest(testtools.TestCase):

    def test_filter_funnel_counts_per_filter(self):
        expl = _funnel(1000, [('ComputeCapabilitiesFilter', 612),
                              ('ServerGroupAntiAffinityFilter', 388)],
                       truncated=True)
        self.assertEqual(
            'There are not enough hosts available. 0/1000 hosts are '
            'available: 612 ComputeCapabilitiesFilter, 388 '
            'ServerGroupAntiAffinityFilter (candidates truncated at 1000)',
            expl_mod.user_reason(expl))

    def test_biggest_removers_first(self):
        expl = _funnel(10, [('ComputeFilter', 1), ('ImagePropertiesFilter',
                                                   9)])
        reason = expl_mod.user_reason(expl)
        self.assertLess(reason.index('ImagePropertiesFilter'),
                        reason.index('ComputeFilter'))

    def test_message_fits_fault_column_with_many_filters(self):
        expl = _funnel(100000, [(n * 3, 1000) for n in FILTER_NAMES] +
                       [('X' * 60, 5)], truncated=True, requested=50,
                       placed=49)
        exc = errors.NoValidHost(expl)
        self.assertLessEqual(len(exc.message), 255)
        self.assertTrue(exc.message.startswith(
            'No valid host was found. There are not enough hosts '
            'available.'))
        self.assertIn('more', exc.message)

    def test_multi_create_counts_what_the_last_instance_saw(self):
        rec = expl_mod.Recorder('r', 5)
        rec.hosts_found = 100
        rec.filters = (expl_mod.FilterCount(
            'ServerGroupAntiAffinityFilter', 3, 0),)
        rec.instances_placed = 4
        rec.fail(expl_mod.Stage.FILTERS)
        self.assertEqual(
            'There are not enough hosts available. 0/3 hosts are '
            'available: 3 ServerGroupAntiAffinityFilter; 4 of 5 instances '
            'placed', expl_mod.user_reason(rec.freeze()))

    def test_multi_create_partial(self):
        expl = _funnel(3, [('ServerGroupAntiAffinityFilter', 3)],
                       requested=5, placed=2)
        self.assertIn('2 of 5 instances placed', expl_mod.user_reason(expl))

    def test_placement_unreachable_differs_from_no_capacity(self):
        rec = expl_mod.Recorder('r', 1)
        rec.placement = expl_mod.PlacementCount(queries=1, unreachable=True)
        rec.fail(expl_mod.Stage.PLACEMENT)
        down = expl_mod.user_reason(rec.freeze())
        rec = expl_mod.Recorder('r', 1)
        rec.placement = expl_mod.PlacementCount(queries=1, candidates=0)
        rec.fail(expl_mod.Stage.PLACEMENT)
        empty = expl_mod.user_reason(rec.freeze())
        self.assertNotEqual(down, empty)
        self.assertIn('unavailable', down)
        self.assertIn('0 allocation candidates', empty)

    def test_target_reason_names_no_host(self):
        rec = expl_mod.Recorder('r', 1)
        rec.fail(expl_mod.Stage.TARGET,
                 'No such host - host: secret-host node: secret-node ')
        reason = expl_mod.user_reason(rec.freeze())
        self.assertTrue(reason.startswith('No such host'))
        self.assertNotIn('secret', reason)
        # nova-compatible mode restores nova's exact text.
        self.assertEqual(
            'No such host - host: secret-host node: secret-node ',
            expl_mod.user_reason(rec.freeze(), nova_compatible=True))

    def test_claims_reason(self):
        rec = expl_mod.Recorder('r', 1)
        rec.hosts_found = 3
        rec.filters = (expl_mod.FilterCount('ComputeFilter', 3, 3),)
        for outcome in ('capacity', 'capacity', 'conflict'):
            rec.claims = rec.claims.add(outcome)
        rec.fail(expl_mod.Stage.CLAIMS)
        reason = expl_mod.user_reason(rec.freeze())
        self.assertTrue(reason.startswith(expl_mod.NOT_ENOUGH_HOSTS))
        self.assertIn('3 tried', reason)
        self.assertIn('2 taken by concurrent requests', reason)
        self.assertIn('1 conflicted', reason)

    def test_nova_compatible_texts(self):
        expl = _funnel(5, [('ComputeFilter', 5)])
        self.assertEqual('There are not enough hosts available.',
                         expl_mod.user_reason(expl, nova_compatible=True))
        rec = expl_mod.Recorder('r', 1)
        rec.fail(expl_mod.Stage.PLACEMENT)
        self.assertEqual('', expl_mod.user_reason(rec.freeze(), True))
        self.assertEqual('No valid host was found. ',
                         errors.NoValidHost(rec.freeze(), True).message)

    def test_every_stage_has_a_non_empty_reason(self):
        for stage in (expl_mod.Stage.REQUEST_FILTERS, expl_mod.Stage.TARGET,
                      expl_mod.Stage.REQUEST,
                      expl_mod.Stage.PLACEMENT, expl_mod.Stage.HOSTS,
                      expl_mod.Stage.FILTERS, expl_mod.Stage.CLAIMS, None):
            rec = expl_mod.Recorder('r', 1)
            rec.fail(stage)
            exc = errors.NoValidHost(rec.freeze())
            self.assertTrue(exc.reason.strip(), stage)
            self.assertLessEqual(len(exc.message), 255)

    def test_reason_carries_no_identifiers(self):
        expl = _funnel(4, [('ComputeFilter', 4)])
        self.assertIsNone(UUID_RE.search(expl_mod.user_reason(expl)))


class OperatorRecordTest(testtools.TestCase):

    def test_record_has_full_detail(self):
        rec = expl_mod.Recorder('req-9', 2)
        rec.hosts_found = 4
        rec.filters = (expl_mod.FilterCount(
            'ComputeFilter', 4, 1, (('service disabled', 3),)),)
        rec.timed('filters', 1.5)
        rec.fail(expl_mod.Stage.FILTERS)
        record = expl_mod.operator_record(rec.freeze())
        self.assertEqual('req-9', record['request_id'])
        self.assertEqual([{'name': 'ComputeFilter', 'in': 4, 'out': 1,
                           'reasons': {'service disabled': 3}}],
                         record['filters'])
        self.assertEqual({'filters': 1.5}, record['durations_ms'])

    def test_filter_durations_add_up_over_instances(self):
        rec = expl_mod.Recorder('req-9', 2)
        rec.timed_filter('ComputeFilter', 0.25)
        rec.timed_filter('RamFilter', 1.0)
        rec.timed_filter('ComputeFilter', 0.5)
        expl = rec.freeze()
        self.assertEqual((('ComputeFilter', 0.75), ('RamFilter', 1.0)),
                         expl.filter_durations_ms)
        self.assertEqual({'ComputeFilter': 0.75, 'RamFilter': 1.0},
                         expl_mod.operator_record(expl)['filter_durations_ms'])


class OperatorRecordIdentifiersTest(testtools.TestCase):

    def _target_failure(self):
        rec = expl_mod.Recorder('req-9', 1)
        rec.fail(expl_mod.Stage.TARGET,
                 'No such host - host: compute-7 node: node-7 ')
        rec.target = ('compute-7', 'node-7')
        return rec.freeze()

    def test_target_names_go_through_identifiers(self):
        ids = redaction.Identifiers(key=b'k')
        record = expl_mod.operator_record(self._target_failure(), ids)
        self.assertEqual('No such host', record['failure'])
        self.assertEqual({'host': ids.host('compute-7'),
                          'node': ids.node('node-7')}, record['target'])
        self.assertNotIn('compute-7', repr(record))

    def test_without_identifiers_the_log_filter_renders_them(self):
        record = expl_mod.operator_record(self._target_failure())
        self.assertEqual(redaction.host('compute-7'),
                         record['target']['host'])
        self.assertEqual(redaction.node('node-7'), record['target']['node'])

    def test_nova_text_kept_for_nova_compatible_reasons(self):
        expl = self._target_failure()
        self.assertEqual('No such host - host: compute-7 node: node-7 ',
                         expl_mod.user_reason(expl, nova_compatible=True))
        self.assertNotIn('compute-7', expl_mod.user_reason(expl))

    def test_render_id(self):
        ids = redaction.Identifiers(key=b'k', clear=True)
        self.assertEqual('h1', expl_mod.render_id('host', 'h1', ids))
        self.assertEqual(redaction.Identifier('host', 'h1'),
                         expl_mod.render_id('host', 'h1', None))

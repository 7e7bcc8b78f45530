"""SchedulerMetrics: what one decision's explanation adds."""

import testtools

from scheduler import explanation
from scheduler import metrics


def _decision():
    rec = explanation.Recorder('req-1', 1)
    rec.filters = (explanation.FilterCount('ComputeFilter', 4, 3),)
    rec.timed_filter('ComputeFilter', 0.02)
    rec.timed_filter('ImagePropertiesFilter', 3.0)
    rec.timed('total', 12.0)
    return rec.freeze()


class FilterDurationTest(testtools.TestCase):

    def test_one_observation_per_filter_per_decision(self):
        m = metrics.SchedulerMetrics()
        m.observe_decision(_decision(), 'scheduled')
        m.observe_decision(_decision(), 'scheduled')
        get = m.registry.get_sample_value
        name = 'hardened_scheduler_filter_duration_seconds'
        for label, seconds in (('ComputeFilter', 0.00002),
                               ('ImagePropertiesFilter', 0.003)):
            labels = {'filter': label}
            self.assertEqual(2.0, get(name + '_count', labels))
            self.assertAlmostEqual(2 * seconds, get(name + '_sum', labels))
        # 20 microseconds falls in the 25-microsecond bucket, not below.
        self.assertEqual(0.0, get(name + '_bucket', {
            'filter': 'ComputeFilter', 'le': '1e-05'}))
        self.assertEqual(2.0, get(name + '_bucket', {
            'filter': 'ComputeFilter', 'le': '2.5e-05'}))
        self.assertIsNone(get(name + '_count', {'filter': 'RamFilter'}))

    def test_decision_without_filters_observes_none(self):
        m = metrics.SchedulerMetrics()
        m.observe_decision(explanation.Recorder('r', 1).freeze(), 'error')
        self.assertNotIn(
            'hardened_scheduler_filter_duration_seconds_count',
            [s.name for f in m.registry.collect() for s in f.samples])


class AuthorizationMetricsTest(testtools.TestCase):

    def test_denied_and_dropped(self):
        m = metrics.SchedulerMetrics()
        rec = explanation.Recorder('req-1', 1)
        rec.fail(explanation.Stage.AUTHORIZATION, 'Not authorized')
        m.observe_decision(rec.freeze(), 'denied')
        m.observe_denied('update_aggregates')
        rec = explanation.Recorder('req-2', 1)
        rec.authorization_drops = (
            'force_hosts', 'scheduler_hints._nova_check_type',
            'scheduler_hints._nova_x', 'scheduler_hints._nova_y')
        m.observe_decision(rec.freeze(), 'scheduled')
        get = m.registry.get_sample_value
        self.assertEqual(1.0, get('hardened_scheduler_select_destinations_'
                                  'total', {'result': 'denied'}))
        # A refusal is not a NoValidHost of some stage.
        self.assertIsNone(get('hardened_scheduler_no_valid_host_total',
                              {'stage': 'authorization'}))
        for method in ('select_destinations', 'update_aggregates'):
            self.assertEqual(1.0, get(
                'hardened_scheduler_authorization_denied_total',
                {'method': method}))
        dropped = 'hardened_scheduler_request_fields_dropped_total'
        self.assertEqual(1.0, get(dropped, {'field': 'force_hosts'}))
        self.assertEqual(1.0, get(dropped, {
            'field': 'scheduler_hints._nova_check_type'}))
        # Caller-named hints share one label.
        self.assertEqual(2.0, get(dropped, {
            'field': 'scheduler_hints._nova*'}))

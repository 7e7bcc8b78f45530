"""IoOpsFilter, NumInstancesFilter and their aggregate variants."""

import testtools

from scheduler.filters import io_ops_filter
from scheduler.filters import num_instances_filter
from tests.unit import fakes
from tests.unit.filters import conf_fixture


def _host(aggregate_metadata=(), **fields):
    aggs = [fakes.agg(i, f'a{i}', ['h1'], **md)
            for i, md in enumerate(aggregate_metadata)]
    return fakes.host('h1', aggregates=aggs, **fields)


class IoOpsFilterTest(testtools.TestCase):

    def conf(self, limit=8):
        return conf_fixture.make_conf(
            filter_scheduler={'max_io_ops_per_host': limit})

    def test_below_limit_passes(self):
        f = io_ops_filter.IoOpsFilter(self.conf(8))
        self.assertIsNone(f.host_passes(_host(num_io_ops=7), fakes.spec()))
        rejection = f.host_passes(_host(num_io_ops=8), fakes.spec())
        self.assertEqual(io_ops_filter.TOO_MANY_IO_OPS, rejection.reason)
        self.assertEqual('IoOpsFilter', rejection.filter_name)

    def test_zero_limit_rejects_idle_host(self):
        f = io_ops_filter.IoOpsFilter(self.conf(0))
        self.assertIsNotNone(f.host_passes(_host(num_io_ops=0),
                                           fakes.spec()))

    def test_plain_filter_ignores_aggregates(self):
        f = io_ops_filter.IoOpsFilter(self.conf(8))
        host = _host([{'max_io_ops_per_host': '1'}], num_io_ops=5)
        self.assertIsNone(f.host_passes(host, fakes.spec()))

    def test_aggregate_minimum(self):
        f = io_ops_filter.AggregateIoOpsFilter(self.conf(8))
        md = [{'max_io_ops_per_host': '6'}, {'max_io_ops_per_host': '4'}]
        self.assertIsNone(f.host_passes(_host(md, num_io_ops=3),
                                        fakes.spec()))
        self.assertIsNotNone(f.host_passes(_host(md, num_io_ops=4),
                                           fakes.spec()))

    def test_aggregate_can_raise_limit(self):
        f = io_ops_filter.AggregateIoOpsFilter(self.conf(2))
        host = _host([{'max_io_ops_per_host': '20'}], num_io_ops=10)
        self.assertIsNone(f.host_passes(host, fakes.spec()))

    def test_aggregate_bad_value_uses_option(self):
        f = io_ops_filter.AggregateIoOpsFilter(self.conf(8))
        md = [{'max_io_ops_per_host': '2'}, {'max_io_ops_per_host': 'x'}]
        self.assertIsNone(f.host_passes(_host(md, num_io_ops=5),
                                        fakes.spec()))
        self.assertIsNotNone(f.host_passes(_host(md, num_io_ops=8),
                                           fakes.spec()))

    def test_flags(self):
        for cls in (io_ops_filter.IoOpsFilter,
                    io_ops_filter.AggregateIoOpsFilter):
            self.assertFalse(cls.run_filter_once_per_request)
            self.assertFalse(cls.RUN_ON_REBUILD)


class NumInstancesFilterTest(testtools.TestCase):

    def conf(self, limit=50):
        return conf_fixture.make_conf(
            filter_scheduler={'max_instances_per_host': limit})

    def test_below_limit_passes(self):
        f = num_instances_filter.NumInstancesFilter(self.conf(5))
        self.assertIsNone(f.host_passes(_host(num_instances=4),
                                        fakes.spec()))
        rejection = f.host_passes(_host(num_instances=5), fakes.spec())
        self.assertEqual(num_instances_filter.TOO_MANY_INSTANCES,
                         rejection.reason)

    def test_default_limit_is_50(self):
        f = num_instances_filter.NumInstancesFilter(self.conf())
        self.assertIsNone(f.host_passes(_host(num_instances=49),
                                        fakes.spec()))
        self.assertIsNotNone(f.host_passes(_host(num_instances=50),
                                           fakes.spec()))

    def test_aggregate_minimum_and_fallback(self):
        f = num_instances_filter.AggregateNumInstancesFilter(self.conf(50))
        md = [{'max_instances_per_host': '10'},
              {'max_instances_per_host': '3'}]
        self.assertIsNone(f.host_passes(_host(md, num_instances=2),
                                        fakes.spec()))
        self.assertIsNotNone(f.host_passes(_host(md, num_instances=3),
                                           fakes.spec()))
        self.assertIsNone(f.host_passes(
            _host([{'max_instances_per_host': '1.5'}], num_instances=3),
            fakes.spec()))

    def test_aggregate_without_key_uses_option(self):
        f = num_instances_filter.AggregateNumInstancesFilter(self.conf(4))
        host = _host([{'other': '1'}], num_instances=4)
        self.assertIsNotNone(f.host_passes(host, fakes.spec()))

    def test_flags(self):
        for cls in (num_instances_filter.NumInstancesFilter,
                    num_instances_filter.AggregateNumInstancesFilter):
            self.assertFalse(cls.run_filter_once_per_request)
            self.assertFalse(cls.RUN_ON_REBUILD)

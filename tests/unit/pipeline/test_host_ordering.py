"""sorted_hosts: the hosts in order, and what each step did."""

import random

from oslo_config import cfg
import testtools

from scheduler.pipeline import host_ordering
from scheduler.filters import base
from tests.unit import fakes
from tests.unit.filters import conf_fixture


class _Reject(base.BaseHostFilter):
    def __init__(self, names=()):
        super().__init__(cfg.ConfigOpts())
        self.names = set(names)

    def host_passes(self, host, spec):
        if host.host in self.names:
            return self.reject('no', base.RejectionCode.OTHER)
        return None


class _Once(_Reject):
    run_filter_once_per_request = True


class _RebuildToo(_Reject):
    RUN_ON_REBUILD = True


HOSTS = [fakes.host(n) for n in ('a', 'b', 'c')]


def _sorted(filters_, index=0, is_rebuild=False):
    return host_ordering.sorted_hosts(
        HOSTS, fakes.spec(), index, filters=filters_, weighers=(),
        conf=conf_fixture.make_conf(), rng=random.Random(0),
        is_rebuild=is_rebuild)


class FilterDurationsTest(testtools.TestCase):

    def test_filters_that_ran_are_timed_in_filter_order(self):
        first = _sorted([_Once(), _Reject({'a'})])
        self.assertEqual(['_Once', '_Reject'],
                         [name for name, _ in first.filter_ms])
        self.assertTrue(all(ms >= 0.0 for _, ms in first.filter_ms))
        self.assertEqual(['b', 'c'], [h.host for h in first.hosts])
        self.assertIsNotNone(first.weighers_ms)

    def test_skipped_and_not_run_filters_are_absent(self):
        ordered = _sorted([_Reject(), _RebuildToo()], is_rebuild=True)
        self.assertEqual(['_RebuildToo'], [n for n, _ in ordered.filter_ms])
        ordered = _sorted([_RebuildToo({'a', 'b', 'c'}), _Once()])
        self.assertEqual([], ordered.hosts)
        self.assertEqual(['_RebuildToo'], [n for n, _ in ordered.filter_ms])
        # No host left: nothing was weighed.
        self.assertIsNone(ordered.weighers_ms)
        self.assertEqual(('_RebuildToo', 3, 0),
                         (ordered.counts[0].name, ordered.counts[0].hosts_in,
                          ordered.counts[0].hosts_out))

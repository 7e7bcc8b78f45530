"""sorted_hosts: what it records in the request's explanation."""

import random

from oslo_config import cfg
import testtools

from scheduler import explanation
from scheduler import host_ordering
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


def _sorted(recorder, filters_, index=0, is_rebuild=False):
    return host_ordering.sorted_hosts(
        HOSTS, fakes.spec(), index, filters=filters_, weighers=(),
        conf=conf_fixture.make_conf(), rng=random.Random(0),
        recorder=recorder, is_rebuild=is_rebuild)


class FilterDurationsTest(testtools.TestCase):

    def test_filters_that_ran_are_timed_in_filter_order(self):
        recorder = explanation.Recorder('req-1', 2)
        _sorted(recorder, [_Once(), _Reject({'a'})])
        _sorted(recorder, [_Once(), _Reject({'a'})], index=1)
        expl = recorder.freeze()
        self.assertEqual(['_Once', '_Reject'],
                         [name for name, _ in expl.filter_durations_ms])
        self.assertTrue(all(ms >= 0.0 for _, ms in expl.filter_durations_ms))

    def test_skipped_and_not_run_filters_are_absent(self):
        recorder = explanation.Recorder('req-1', 1)
        _sorted(recorder, [_Reject(), _RebuildToo()], is_rebuild=True)
        self.assertEqual(['_RebuildToo'],
                         [n for n, _ in recorder.freeze().filter_durations_ms])
        recorder = explanation.Recorder('req-2', 1)
        self.assertEqual([], _sorted(
            recorder, [_RebuildToo({'a', 'b', 'c'}), _Once()]))
        self.assertEqual(['_RebuildToo'],
                         [n for n, _ in recorder.freeze().filter_durations_ms])

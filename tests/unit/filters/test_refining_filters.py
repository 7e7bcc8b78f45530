"""run_filters with filters that narrow the host (RefiningHostFilter)."""

import dataclasses

from oslo_config import cfg
import testtools

from scheduler.filters import base
from scheduler.filters import runner
from tests.unit import fakes


class _KeepFirstCandidate(base.RefiningHostFilter):
    """Keeps only the first candidate; rejects hosts without any."""

    def refine(self, host, spec):
        if not host.allocation_candidates:
            return self.reject('no candidate', base.RejectionCode.OTHER)
        return dataclasses.replace(
            host, allocation_candidates=host.allocation_candidates[:1])


class _Seen(base.BaseHostFilter):
    """A plain filter recording the candidates it was shown."""

    def __init__(self):
        super().__init__(cfg.ConfigOpts())
        self.seen = []

    def host_passes(self, host, spec):
        self.seen.append(host.allocation_candidates)
        return None


class RefiningFilterTest(testtools.TestCase):

    def test_later_filters_and_the_result_see_the_refined_host(self):
        hosts = [fakes.host('a', candidates=[{'x': 1}, {'x': 2}]),
                 fakes.host('b')]
        seen = _Seen()
        outcome = runner.run_filters(
            [_KeepFirstCandidate(cfg.ConfigOpts()), seen], hosts,
            fakes.spec(), index=0, is_rebuild=False)
        self.assertEqual([({'x': 1},)], seen.seen)
        self.assertEqual([({'x': 1},)],
                         [h.allocation_candidates for h in outcome.hosts])
        self.assertEqual({'no candidate': 1}, dict(outcome.stages[0].reasons))
        # The hosts given in are not changed.
        self.assertEqual(2, len(hosts[0].allocation_candidates))

    def test_host_passes_of_a_refining_filter(self):
        filter_ = _KeepFirstCandidate(cfg.ConfigOpts())
        self.assertIsNone(filter_.host_passes(
            fakes.host('a', candidates=[{}]), fakes.spec()))
        self.assertEqual('no candidate', filter_.host_passes(
            fakes.host('a'), fakes.spec()).reason)

    def test_plain_filters_refine_to_the_same_host(self):
        host = fakes.host('a')
        self.assertIs(host, _Seen().refine(host, fakes.spec()))

    def test_keep_candidates(self):
        host = fakes.host('a', candidates=[{'n': 1}, {'n': 2}, {'n': 3}])
        self.assertEqual(({'n': 1}, {'n': 3}), base.keep_candidates(
            host, lambda c: c['n'] != 2))

"""run_filters: nova's filter-engine rules and the stage records."""

import collections

from oslo_config import cfg
import testtools

from scheduler.filters import base
from scheduler.filters import runner
from tests.unit import fakes


class _Reject(base.BaseHostFilter):
    """Rejects the hosts named in ``names``; records every call."""

    def __init__(self, names=(), reason='no',
                 code=base.RejectionCode.OTHER, **attrs):
        super().__init__(cfg.ConfigOpts())
        self.names = set(names)
        self.reason = reason
        self.code = code
        self.calls = []
        for key, value in attrs.items():
            setattr(self, key, value)

    def host_passes(self, host, spec):
        self.calls.append(host.host)
        if host.host in self.names:
            return self.reject(self.reason, self.code)
        return None


class _Mixed(base.BaseHostFilter):
    """Rejects hosts with the reason named for each; 'down' is a
    service state, anything else a resource."""

    def __init__(self, reasons):
        super().__init__(cfg.ConfigOpts())
        self.reasons = reasons

    def host_passes(self, host, spec):
        reason = self.reasons.get(host.host)
        if reason is None:
            return None
        code = (base.RejectionCode.UNSCHEDULABLE if reason == 'down'
                else base.RejectionCode.INSUFFICIENT_RESOURCES)
        return self.reject(reason, code)


class OncePerRequest(_Reject):
    run_filter_once_per_request = True


class OnRebuild(_Reject):
    RUN_ON_REBUILD = True


class Boom(base.BaseHostFilter):
    def host_passes(self, host, spec):
        raise KeyError('bug')


HOSTS = [fakes.host(n) for n in ('a', 'b', 'c', 'd')]


def _run(filters_, hosts=HOSTS, index=0, is_rebuild=False):
    return runner.run_filters(filters_, hosts, fakes.spec(), index=index,
                              is_rebuild=is_rebuild)


class RunFiltersTest(testtools.TestCase):

    def test_order_preserved_and_stages_recorded(self):
        first = _Reject({'b'}, reason='busy')
        second = _Reject({'d'}, reason='far')
        outcome = _run([first, second])
        self.assertEqual(['a', 'c'], [h.host for h in outcome.hosts])
        self.assertEqual(['a', 'c', 'd'], second.calls)
        stage1, stage2 = outcome.stages
        self.assertEqual(('_Reject', 4, 3, 1, 'ran'),
                         (stage1.name, stage1.hosts_in, stage1.hosts_out,
                          stage1.removed, stage1.status))
        self.assertEqual(collections.Counter({'busy': 1}), stage1.reasons)
        self.assertEqual((3, 2), (stage2.hosts_in, stage2.hosts_out))
        self.assertEqual(collections.Counter({'far': 1}), stage2.reasons)

    def test_reasons_counted(self):
        outcome = _run([_Reject({'a', 'c', 'd'}, reason='full')])
        self.assertEqual({'full': 3}, dict(outcome.stages[0].reasons))

    def test_codes_counted_beside_reasons(self):
        outcome = _run([_Mixed({'a': 'down', 'b': 'full', 'c': 'full'}),
                        _Reject({'d'})])
        stage, last = outcome.stages
        self.assertEqual({'down': 1, 'full': 2}, dict(stage.reasons))
        self.assertEqual({base.RejectionCode.UNSCHEDULABLE: 1,
                          base.RejectionCode.INSUFFICIENT_RESOURCES: 2},
                         dict(stage.codes))
        self.assertEqual({base.RejectionCode.OTHER: 1}, dict(last.codes))

    def test_no_codes_when_nothing_rejected(self):
        outcome = _run([_Reject(), OncePerRequest({'a'}), _Reject({'a'}),
                        _Reject({'b', 'c', 'd'}), _Reject()], index=1)
        self.assertEqual([{}, {}, {base.RejectionCode.OTHER: 1},
                          {base.RejectionCode.OTHER: 3}, {}],
                         [dict(s.codes) for s in outcome.stages])

    def test_stops_when_no_host_left(self):
        never = _Reject()
        also_never = OnRebuild()
        outcome = _run([_Reject({'a', 'b', 'c', 'd'}), never, also_never])
        self.assertEqual((), outcome.hosts)
        self.assertEqual([], never.calls)
        self.assertEqual(['ran', 'not_run', 'not_run'],
                         [s.status for s in outcome.stages])
        self.assertEqual((0, 0), (outcome.stages[1].hosts_in,
                                  outcome.stages[1].hosts_out))

    def test_no_hosts_at_all(self):
        first = _Reject()
        outcome = _run([first, _Reject()], hosts=[])
        self.assertEqual(['ran', 'not_run'],
                         [s.status for s in outcome.stages])

    def test_once_per_request_only_for_first_instance(self):
        once = OncePerRequest({'a'})
        every = _Reject({'b'})
        outcome = _run([once, every], index=0)
        self.assertEqual(['c', 'd'], [h.host for h in outcome.hosts])
        once.calls.clear()
        outcome = _run([once, every], index=1)
        self.assertEqual([], once.calls)
        self.assertEqual(['a', 'c', 'd'], [h.host for h in outcome.hosts])
        self.assertEqual(('skipped', 4, 4),
                         (outcome.stages[0].status,
                          outcome.stages[0].hosts_in,
                          outcome.stages[0].hosts_out))

    def test_rebuild_runs_only_rebuild_filters(self):
        plain = _Reject({'a'})
        rebuild = OnRebuild({'b'})
        outcome = _run([plain, rebuild], is_rebuild=True)
        self.assertEqual([], plain.calls)
        self.assertEqual(['a', 'c', 'd'], [h.host for h in outcome.hosts])
        self.assertEqual(['skipped', 'ran'],
                         [s.status for s in outcome.stages])
        outcome = _run([plain, rebuild], is_rebuild=False)
        self.assertEqual(['c', 'd'], [h.host for h in outcome.hosts])

    def test_filter_exception_propagates(self):
        self.assertRaises(KeyError, _run, [Boom(cfg.ConfigOpts())])

    def test_input_not_modified(self):
        hosts = list(HOSTS)
        _run([_Reject({'a'})], hosts=hosts)
        self.assertEqual(HOSTS, hosts)


class _PerRequest(_Reject):
    """Applies only when asked to; counts the per-request preparations."""

    def __init__(self, applies, names=()):
        super().__init__(names)
        self.applies = applies
        self.prepared = 0

    def host_check(self, spec):
        self.prepared += 1
        return super().host_check(spec) if self.applies else None


class _Clock:
    """Seconds that advance by one at every read."""

    def __init__(self):
        self.now = 100.0

    def __call__(self):
        self.now += 1.0
        return self.now


class HostCheckTest(testtools.TestCase):

    def test_filter_that_does_not_apply_asks_no_host(self):
        idle = _PerRequest(applies=False, names={'a'})
        after = _Reject({'b'})
        outcome = _run([idle, after])
        self.assertEqual([], idle.calls)
        self.assertEqual(1, idle.prepared)
        self.assertEqual(['a', 'c', 'd'], [h.host for h in outcome.hosts])
        self.assertEqual(('ran', 4, 4, {}),
                         (outcome.stages[0].status, outcome.stages[0].hosts_in,
                          outcome.stages[0].hosts_out,
                          dict(outcome.stages[0].reasons)))

    def test_prepared_once_per_instance_not_per_host(self):
        busy = _PerRequest(applies=True, names={'a'})
        outcome = _run([busy])
        self.assertEqual(1, busy.prepared)
        self.assertEqual(['a', 'b', 'c', 'd'], busy.calls)
        self.assertEqual(['b', 'c', 'd'], [h.host for h in outcome.hosts])

    def test_default_check_is_refine(self):
        f = _Reject({'b'}, reason='busy')
        check = f.host_check(fakes.spec())
        self.assertIs(HOSTS[0], check(HOSTS[0]))
        self.assertEqual(
            base.Rejection('_Reject', 'busy', base.RejectionCode.OTHER),
            check(HOSTS[1]))


class FilterTimingTest(testtools.TestCase):

    def test_each_filter_that_ran_is_timed(self):
        outcome = runner.run_filters(
            [_Reject(), OncePerRequest(), _PerRequest(applies=False),
             _Reject({'a', 'b', 'c', 'd'}), _Reject()],
            HOSTS, fakes.spec(), index=1, is_rebuild=False, clock=_Clock())
        self.assertEqual(
            [('ran', 1.0), ('skipped', 0.0), ('ran', 1.0), ('ran', 1.0),
             ('not_run', 0.0)],
            [(s.status, s.seconds) for s in outcome.stages])


class BaseHostFilterTest(testtools.TestCase):

    def test_name_and_defaults(self):
        f = _Reject()
        self.assertEqual('_Reject', f.name)
        self.assertFalse(f.run_filter_once_per_request)
        self.assertFalse(f.RUN_ON_REBUILD)
        self.assertEqual(
            base.Rejection('_Reject', 'x', base.RejectionCode.NUMA),
            f.reject('x', base.RejectionCode.NUMA))

    def test_host_passes_must_be_implemented(self):
        f = base.BaseHostFilter(cfg.ConfigOpts())
        self.assertRaises(NotImplementedError, f.host_passes,
                          HOSTS[0], fakes.spec())

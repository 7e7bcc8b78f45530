"""PlacementClient against a scripted adapter: calls, retries, errors."""

import fixtures
from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg
import testtools

from scheduler.conf import placement as placement_conf

from scheduler.placement import client as client_mod
from scheduler.placement import http as placement_http
from scheduler.placement import errors
from scheduler.placement import query
from scheduler.placement import results
from tests.unit.placement import fake_placement as fake

RP1 = 'a1a1a1a1-0000-4000-8000-000000000001'
RP2 = 'a2a2a2a2-0000-4000-8000-000000000002'
CONSUMER = 'c1c1c1c1-0000-4000-8000-000000000001'
GRID = 'req-11111111-2222-4333-8444-555555555555'
ALLOC_REQ = {'allocations': {RP1: {'resources': {'VCPU': 1}}},
             'mappings': {'': [RP1]}}


class MaxRng:
    """Jitter at its upper bound, so waits are known."""

    def uniform(self, low, high):
        return high


def candidates(*rps):
    return fake.FakeResponse(200, {
        'allocation_requests': [
            {'allocations': {rp: {'resources': {'VCPU': 1}}},
             'mappings': {'': [rp]}} for rp in rps],
        'provider_summaries': {rp: {'resources': {}} for rp in rps}})


def consumer(allocations=None, generation=None):
    body = {'allocations': allocations or {}}
    if generation is not None:
        body.update(consumer_generation=generation, project_id='p',
                    user_id='u')
    return fake.FakeResponse(200, body)


class ClientTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(level='DEBUG'))
        self.clock = fake.FakeClock()

    def client(self, *script, **kwargs):
        self.adapter = fake.FakeAdapter(*script)
        kwargs.setdefault('retry_attempts', 3)
        kwargs.setdefault('retry_max_seconds', 10.0)
        kwargs.setdefault('claim_conflict_retries', 3)
        return client_mod.PlacementClient(
            adapter=self.adapter, sleep=self.clock.sleep, clock=self.clock,
            rng=MaxRng(), **kwargs)


class TestAllocationCandidates(ClientTestCase):

    def test_request_and_result(self):
        c = self.client(candidates(RP2, RP1))
        q = query.PlacementQuery(limit=2)
        got = c.get_allocation_candidates(q, GRID)
        method, url, kwargs = self.adapter.calls[0]
        self.assertEqual('GET', method)
        self.assertEqual('/allocation_candidates?' + q.to_querystring(), url)
        self.assertEqual('1.36', kwargs['microversion'])
        self.assertEqual(GRID, kwargs['global_request_id'])
        self.assertEqual('application/json', kwargs['headers']['Accept'])
        self.assertEqual([RP2, RP1], [list(r['allocations'])[0]
                                      for r in got.allocation_requests])
        self.assertEqual({RP1, RP2}, set(got.provider_summaries))
        self.assertEqual(('1.36', 2), (got.version, got.limit))
        self.assertTrue(got.truncated)

    def test_not_truncated_below_limit_or_without_one(self):
        c = self.client(candidates(RP1), candidates(RP1))
        self.assertFalse(c.get_allocation_candidates(
            query.PlacementQuery(limit=2)).truncated)
        self.assertFalse(c.get_allocation_candidates(
            query.PlacementQuery(limit=None)).truncated)

    def test_bad_request_is_typed_not_empty(self):
        c = self.client(fake.error(400, 'placement.query.bad_value',
                                   'Invalid query string parameters'))
        exc = self.assertRaises(errors.PlacementRequestError,
                                c.get_allocation_candidates,
                                query.PlacementQuery())
        self.assertEqual((400, 'placement.query.bad_value'),
                         (exc.status, exc.code))
        self.assertEqual(1, len(self.adapter.calls))

    def test_transient_failures_are_retried(self):
        c = self.client(ks_exc.ConnectFailure('down'),
                        fake.error(503, None), candidates(RP1))
        got = c.get_allocation_candidates(query.PlacementQuery())
        self.assertEqual(1, len(got.allocation_requests))
        self.assertEqual(3, len(self.adapter.calls))
        self.assertEqual(2, len(self.clock.sleeps))

    def test_retries_bounded_by_attempts(self):
        c = self.client(*[fake.error(502, None)] * 5, retry_attempts=3)
        exc = self.assertRaises(errors.PlacementUnavailable,
                                c.get_allocation_candidates,
                                query.PlacementQuery())
        self.assertEqual(502, exc.status)
        self.assertEqual(3, len(self.adapter.calls))
        self.assertIn('HTTP 502', self.log.output)

    def test_retries_bounded_by_time(self):
        def slow(method, url, kwargs):
            self.clock.now += 4.0  # each attempt takes 4 s
            return ks_exc.ConnectTimeout('slow')
        c = self.client(*[slow] * 10, retry_attempts=10,
                        retry_max_seconds=10.0)
        exc = self.assertRaises(errors.PlacementUnavailable,
                                c.get_allocation_candidates,
                                query.PlacementQuery())
        self.assertEqual('ConnectTimeout', exc.cause)
        self.assertEqual(3, len(self.adapter.calls))
        self.assertLessEqual(sum(self.clock.sleeps), 10.0)

    def test_waits_never_overrun_the_time_budget(self):
        c = self.client(*[fake.error(503, None)] * 50, retry_attempts=50,
                        retry_max_seconds=0.5)
        self.assertRaises(errors.PlacementUnavailable,
                          c.get_allocation_candidates,
                          query.PlacementQuery())
        # MaxRng: waits 0.4 then the 0.1 left, then the budget is spent.
        self.assertEqual([0.4, 0.1], [round(s, 6) for s in self.clock.sleeps])
        self.assertEqual(3, len(self.adapter.calls))

    def test_auth_failure_is_not_retried(self):
        c = self.client(ks_exc.Unauthorized('no'))
        exc = self.assertRaises(errors.PlacementUnavailable,
                                c.get_allocation_candidates,
                                query.PlacementQuery())
        self.assertEqual('Unauthorized', exc.cause)
        self.assertEqual(1, len(self.adapter.calls))


class TestOtherCalls(ClientTestCase):

    def test_consumer_allocations(self):
        allocs = {RP1: {'resources': {'VCPU': 1}, 'generation': 3}}
        c = self.client(consumer(allocs, generation=7))
        got = c.get_consumer_allocations(CONSUMER, GRID)
        self.assertEqual((allocs, 7, 'p', 'u'), (
            got.allocations, got.consumer_generation, got.project_id,
            got.user_id))
        method, url, kwargs = self.adapter.calls[0]
        self.assertEqual(('GET', f'/allocations/{CONSUMER}', '1.28'),
                         (method, url, kwargs['microversion']))

    def test_provider_aggregates(self):
        c = self.client(fake.FakeResponse(200, {
            'aggregates': ['g1', 'g2'], 'resource_provider_generation': 1}),
            fake.error(404, 'placement.undefined_code', 'No provider'))
        self.assertEqual(frozenset({'g1', 'g2'}),
                         c.get_provider_aggregates(RP1, GRID))
        self.assertEqual('1.19', self.adapter.calls[0][2]['microversion'])
        exc = self.assertRaises(errors.PlacementRequestError,
                                c.get_provider_aggregates, RP2)
        self.assertEqual(404, exc.status)

    def test_release_puts_back_what_was_there(self):
        placed = {RP1: {'resources': {'VCPU': 1}}}
        undo = results.ClaimUndo(CONSUMER, placed, {}, 'p', 'u')
        c = self.client(consumer({RP1: {'resources': {'VCPU': 1},
                                        'generation': 4}}, generation=7),
                        fake.FakeResponse(204))
        self.assertEqual(client_mod.RELEASE_RELEASED, c.release(undo, GRID))
        method, url, kwargs = self.adapter.calls[1]
        # Conditional on the consumer generation, as nova's non-forced
        # delete_allocation_for_instance: never a blind DELETE.
        self.assertEqual(('PUT', f'/allocations/{CONSUMER}', '1.28'),
                         (method, url, kwargs['microversion']))
        self.assertEqual({'allocations': {}, 'project_id': 'p',
                          'user_id': 'u', 'consumer_generation': 7},
                         kwargs['json'])
        self.assertEqual(GRID, kwargs['global_request_id'])

    def test_release_restores_an_evacuated_consumers_allocations(self):
        before = {RP2: {'resources': {'VCPU': 2}}}
        placed = {RP2: {'resources': {'VCPU': 2}},
                  RP1: {'resources': {'VCPU': 1}}}
        undo = results.ClaimUndo(CONSUMER, placed, before, 'p', 'u')
        c = self.client(consumer(placed, generation=3),
                        fake.FakeResponse(204))
        c.release(undo)
        self.assertEqual(before, self.adapter.calls[1][2]['json'][
            'allocations'])

    def test_release_leaves_a_changed_or_empty_consumer_alone(self):
        undo = results.ClaimUndo(CONSUMER, {RP1: {'resources': {'VCPU': 1}}})
        c = self.client(consumer({RP2: {'resources': {'VCPU': 1}}},
                                 generation=2), consumer())
        self.assertEqual(client_mod.RELEASE_CHANGED, c.release(undo))
        self.assertEqual(client_mod.RELEASE_ABSENT, c.release(undo))
        self.assertEqual(['GET', 'GET'], self.adapter.methods())

    def test_release_reads_again_after_a_generation_conflict(self):
        placed = {RP1: {'resources': {'VCPU': 1}}}
        undo = results.ClaimUndo(CONSUMER, placed)
        c = self.client(
            consumer(placed, generation=1),
            fake.error(409, 'placement.concurrent_update',
                       'consumer generation conflict'),
            # The lost first PUT had landed after all.
            consumer())
        self.assertEqual(client_mod.RELEASE_ABSENT, c.release(undo))

    def test_release_failures_are_typed(self):
        undo = results.ClaimUndo(CONSUMER, {RP1: {'resources': {'VCPU': 1}}})
        c = self.client(*[fake.error(500, None)] * 3)
        self.assertRaises(errors.PlacementUnavailable, c.release, undo)
        c = self.client(consumer(undo.placed, generation=1),
                        fake.error(400, 'placement.undefined_code'))
        exc = self.assertRaises(errors.AllocationDeleteError,
                                c.release, undo)
        self.assertEqual((CONSUMER, 400), (exc.consumer_uuid, exc.status))


class TestDeadline(ClientTestCase):

    def test_no_call_after_the_deadline(self):
        c = self.client().with_deadline(5.0)
        self.clock.now = 5.0
        exc = self.assertRaises(
            errors.PlacementUnavailable, c.get_consumer_allocations, CONSUMER)
        self.assertEqual(placement_http.DEADLINE_PASSED, exc.cause)
        self.assertEqual([], self.adapter.calls)

    def test_retries_stop_at_the_deadline_and_exchanges_are_bounded(self):
        c = self.client(*[ks_exc.ConnectFailure('x')] * 3,
                        retry_max_seconds=100.0).with_deadline(0.5)
        self.assertRaises(errors.PlacementUnavailable,
                          c.get_consumer_allocations, CONSUMER)
        # The waits never go past the deadline, and each exchange is
        # given what is left of it as its timeout.
        self.assertLessEqual(sum(self.clock.sleeps), 0.5)
        timeouts = [kw['timeout'] for _, _, kw in self.adapter.calls]
        self.assertEqual(0.5, timeouts[0])
        self.assertTrue(all(0 < t <= 0.5 for t in timeouts), timeouts)

    def test_the_original_client_has_no_deadline(self):
        c = self.client(consumer())
        c.with_deadline(1.0)
        self.clock.now = 10.0
        c.get_consumer_allocations(CONSUMER)
        self.assertNotIn('timeout', self.adapter.calls[0][2])


class TestMalformedCandidates(ClientTestCase):

    def test_each_malformed_shape_is_a_typed_error(self):
        good = {'allocations': {RP1: {'resources': {'VCPU': 1}}}}
        bodies = [
            {'allocation_requests': {}, 'provider_summaries': {}},
            {'allocation_requests': ['x'], 'provider_summaries': {}},
            {'allocation_requests': [{'allocations': []}],
             'provider_summaries': {}},
            {'allocation_requests': [
                {'allocations': {RP1: {'resources': {'VCPU': '1'}}}}],
             'provider_summaries': {}},
            {'allocation_requests': [good], 'provider_summaries': []},
            {'allocation_requests': [good], 'provider_summaries': {RP1: 3}},
            {'allocation_requests': [good],
             'provider_summaries': {RP1: {'traits': 'x'}}},
            {'provider_summaries': {}},
        ]
        for body in bodies:
            c = self.client(fake.FakeResponse(200, body))
            exc = self.assertRaises(
                errors.PlacementRequestError, c.get_allocation_candidates,
                query.PlacementQuery(limit=2))
            self.assertEqual('malformed body', exc.detail, body)


class TestConfiguration(testtools.TestCase):

    def test_retry_bounds_come_from_conf(self):
        conf = cfg.ConfigOpts()
        conf.register_opts([cfg.IntOpt('placement_retry_attempts'),
                            cfg.IntOpt('claim_conflict_retries')],
                           group='hardened_scheduler')
        conf([], default_config_files=[])
        conf.set_override('placement_retry_attempts', 2,
                          group='hardened_scheduler')
        adapter = fake.FakeAdapter(*[fake.error(503, None)] * 5)
        c = client_mod.PlacementClient(conf, adapter=adapter,
                                       sleep=lambda s: None)
        self.assertRaises(errors.PlacementUnavailable,
                          c.get_consumer_allocations, CONSUMER)
        self.assertEqual(2, len(adapter.calls))

    def test_needs_conf_or_adapter(self):
        self.assertRaises(TypeError, client_mod.PlacementClient)


class TestAdapterFromConf(testtools.TestCase):
    """[placement] is read with keystoneauth's loaders, as nova does."""

    def test_adapter(self):
        conf = cfg.ConfigOpts()
        placement_conf.register_opts(conf)
        path = self.useFixture(fixtures.TempDir()).join('s.conf')
        with open(path, 'w') as f:
            f.write('[placement]\nauth_type = admin_token\n'
                    'endpoint = http://placement.example.org/placement\n'
                    f'token = {fake.CANARY}\nregion_name = R1\n'
                    'timeout = 7\n')
        conf(['--config-file', path], default_config_files=[])
        client_mod.PlacementClient(conf)  # builds without calling out
        adapter = placement_http.adapter_from_conf(conf)
        self.assertEqual('placement', adapter.service_type)
        self.assertEqual('R1', adapter.region_name)
        self.assertFalse(adapter.raise_exc)
        self.assertEqual(7, adapter.session.timeout)
        self.assertEqual('http://placement.example.org/placement',
                         adapter.get_endpoint())

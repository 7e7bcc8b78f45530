"""Claims: PUT /allocations as nova's claim_resources makes it."""

from keystoneauth1 import exceptions as ks_exc

from scheduler.placement import errors
from scheduler.placement import results
from tests.unit.placement import fake_placement as fake
from tests.unit.placement import test_client as base

RP1, RP2 = base.RP1, base.RP2
CONSUMER = base.CONSUMER
ALLOC_REQ = base.ALLOC_REQ
consumer = base.consumer
NO_CONSUMER = consumer()
RP_CONFLICT = fake.error(409, 'placement.concurrent_update',
                         'resource provider generation conflict')
GEN_CONFLICT = fake.error(
    409, 'placement.concurrent_update',
    'consumer generation conflict - expected null but got 1')


class TestClaim(base.ClientTestCase):

    def claim(self, c, request=ALLOC_REQ, **kwargs):
        return c.claim(CONSUMER, request, 'proj', 'user',
                       global_request_id=base.GRID, **kwargs)

    def put_bodies(self):
        return [kwargs['json'] for method, _, kwargs in self.adapter.calls
                if method == 'PUT']

    def test_new_consumer(self):
        c = self.client(NO_CONSUMER, fake.FakeResponse(204))
        outcome = self.claim(c)
        self.assertEqual(results.ClaimOutcome(True, 'claimed'), outcome)
        self.assertEqual(['GET', 'PUT'], self.adapter.methods())
        _, url, kwargs = self.adapter.calls[1]
        self.assertEqual(f'/allocations/{CONSUMER}', url)
        self.assertEqual('1.36', kwargs['microversion'])
        self.assertEqual(base.GRID, kwargs['global_request_id'])
        self.assertEqual(
            {'allocations': ALLOC_REQ['allocations'],
             'mappings': ALLOC_REQ['mappings'], 'project_id': 'proj',
             'user_id': 'user', 'consumer_generation': None},
            kwargs['json'])
        # The candidate itself is left untouched for the next instance.
        self.assertNotIn('project_id', ALLOC_REQ)

    def test_existing_allocations_are_doubled_up(self):
        held = {RP2: {'resources': {'VCPU': 2}, 'generation': 5},
                RP1: {'resources': {'DISK_GB': 10}, 'generation': 4}}
        c = self.client(consumer(held, generation=3), fake.FakeResponse(204))
        self.assertTrue(self.claim(c).claimed)
        self.assertEqual(
            [{'allocations': {RP2: {'resources': {'VCPU': 2}},
                              RP1: {'resources': {'DISK_GB': 10}}},
              'project_id': 'proj', 'user_id': 'user',
              'consumer_generation': 3}], self.put_bodies())

    def test_consumer_generation_conflict_raises(self):
        c = self.client(NO_CONSUMER, GEN_CONFLICT)
        exc = self.assertRaises(errors.ConsumerGenerationConflict,
                                self.claim, c)
        self.assertEqual(CONSUMER, exc.consumer_uuid)

    def test_provider_conflicts_are_retried(self):
        c = self.client(NO_CONSUMER, RP_CONFLICT, NO_CONSUMER,
                        fake.FakeResponse(204))
        self.assertTrue(self.claim(c).claimed)
        self.assertEqual(['GET', 'PUT', 'GET', 'PUT'], self.adapter.methods())
        self.assertEqual(1, len(self.clock.sleeps))

    def test_provider_conflicts_bounded(self):
        c = self.client(*[NO_CONSUMER, RP_CONFLICT] * 3,
                        claim_conflict_retries=2)
        self.assertEqual(results.ClaimOutcome(False, 'conflict'),
                         self.claim(c))
        self.assertEqual(3, self.adapter.methods().count('PUT'))

    def test_capacity(self):
        c = self.client(NO_CONSUMER, fake.error(
            409, 'placement.undefined_code', 'Unable to allocate inventory'))
        self.assertEqual(results.ClaimOutcome(False, 'capacity'),
                         self.claim(c))
        self.assertIn('HTTP 409 placement.undefined_code', self.log.output)

    def test_unreachable(self):
        c = self.client(*[ks_exc.ConnectFailure('x')] * 3)
        self.assertEqual(results.ClaimOutcome(False, 'unreachable'),
                         self.claim(c))
        self.assertEqual(3, len(self.adapter.calls))

    def test_old_microversion_sends_no_generation(self):
        c = self.client(NO_CONSUMER, fake.FakeResponse(204))
        self.claim(c, allocation_request_version='1.25')
        self.assertNotIn('consumer_generation', self.put_bodies()[0])


class TestAmbiguousClaim(base.ClientTestCase):
    """A PUT whose answer was lost is never blindly sent again."""

    def claim(self, c):
        return c.claim(CONSUMER, ALLOC_REQ, 'proj', 'user')

    def test_landed_put_is_not_repeated(self):
        ours = {RP1: {'resources': {'VCPU': 1}, 'generation': 9}}
        c = self.client(NO_CONSUMER, ks_exc.ConnectFailure('reset'),
                        consumer(ours, generation=1))
        self.assertEqual(results.ClaimOutcome(True, 'claimed'),
                         self.claim(c))
        self.assertEqual(['GET', 'PUT', 'GET'], self.adapter.methods())

    def test_lost_put_is_sent_again(self):
        c = self.client(NO_CONSUMER, fake.error(504, None), NO_CONSUMER,
                        fake.FakeResponse(204))
        self.assertTrue(self.claim(c).claimed)
        self.assertEqual(['GET', 'PUT', 'GET', 'PUT'], self.adapter.methods())
        bodies = [k['json'] for m, _, k in self.adapter.calls if m == 'PUT']
        self.assertEqual(bodies[0], bodies[1])

    def test_consumer_changed_by_someone_else(self):
        theirs = {RP2: {'resources': {'VCPU': 4}, 'generation': 2}}
        c = self.client(NO_CONSUMER, ks_exc.ConnectTimeout('t'),
                        consumer(theirs, generation=1))
        self.assertRaises(errors.ConsumerGenerationConflict, self.claim, c)
        self.assertEqual(1, self.adapter.methods().count('PUT'))

    def test_reread_failures_count_against_the_bounds(self):
        c = self.client(NO_CONSUMER, ks_exc.ConnectFailure('a'),
                        ks_exc.ConnectFailure('b'),
                        ks_exc.ConnectFailure('c'))
        outcome = self.claim(c)
        self.assertEqual('unreachable', outcome.reason)
        self.assertEqual(4, len(self.adapter.calls))
        # The PUT may have landed: the outcome says how to give it back.
        self.assertEqual(results.ClaimUndo(
            CONSUMER, ALLOC_REQ['allocations'], {}, 'proj', 'user'),
            outcome.undo)

    def test_no_undo_when_no_put_went_out_or_placement_refused_it(self):
        c = self.client(*[ks_exc.ConnectFailure('x')] * 3)
        self.assertIsNone(self.claim(c).undo)
        c = self.client(NO_CONSUMER, fake.error(
            409, 'placement.undefined_code', 'Unable to allocate'))
        self.assertIsNone(self.claim(c).undo)

    def test_claimed_outcome_carries_its_undo(self):
        held = {RP2: {'resources': {'VCPU': 2}, 'generation': 5}}
        c = self.client(consumer(held, generation=3), fake.FakeResponse(204))
        undo = self.claim(c).undo
        self.assertEqual({RP2: {'resources': {'VCPU': 2}},
                          RP1: {'resources': {'VCPU': 1}}},
                         dict(undo.placed))
        self.assertEqual(held, dict(undo.previous))

    def test_unexpected_answer_reading_the_consumer_is_failed(self):
        c = self.client(fake.error(403, 'placement.undefined_code'))
        outcome = self.claim(c)
        self.assertEqual(('failed', None), (outcome.reason, outcome.undo))

"""PlacementClient against the real Placement service (PlacementFixture).

The client is built the way the service builds it: from a [placement]
section (auth_type admin_token, the fixture's endpoint, token 'admin', which
placement's noauth2 middleware treats as an admin) loaded by keystoneauth.
Providers, inventories, traits and aggregates are created over the same
HTTP endpoint before each test.
"""

import types
import uuid

import testtools

from scheduler.objects import destination
from scheduler.objects import flavor as flavor_obj
from scheduler.objects import request_spec
from scheduler.placement import client as client_mod
from scheduler.placement import http as placement_http
from scheduler.placement import errors
from scheduler.placement import query
from tests.functional import placement_service


INVENTORY = {'VCPU': {'total': 4}, 'MEMORY_MB': {'total': 4096},
             'DISK_GB': {'total': 100}}
AGG = str(uuid.uuid4())


def flavor(**extra_specs):
    return flavor_obj.Flavor(
        vcpus=1, memory_mb=512, root_gb=10, ephemeral_gb=0, swap=0,
        name='small', extra_specs=types.MappingProxyType(extra_specs))


class Admin(placement_service.Admin):
    """Providers with the same small inventory."""

    def provider(self, name, traits=(), aggregates=()):
        return super().provider(name, INVENTORY, traits=traits,
                                aggregates=aggregates)


class RacingAdapter:
    """Lets a competitor write the consumer just before our first PUT."""

    def __init__(self, real, competitor):
        self.real = real
        self.competitor = competitor
        self.raced = False

    def request(self, url, method, **kwargs):
        if method == 'PUT' and not self.raced:
            self.raced = True
            self.competitor()
        return self.real.request(url, method, **kwargs)


class TestPlacementClient(testtools.TestCase):

    def setUp(self):
        super().setUp()
        service = self.useFixture(placement_service.PlacementService())
        self.admin = Admin(service.endpoint)
        self.conf = service.conf
        self.client = client_mod.PlacementClient(self.conf)
        self.cn1 = self.admin.provider('cn1', traits=('CUSTOM_GOLD',))
        self.cn2 = self.admin.provider('cn2', aggregates=(AGG,))
        self.cn3 = self.admin.provider('cn3')
        self.consumer = str(uuid.uuid4())

    def candidates(self, max_results=10, resolve_target=None, **fields):
        fields.setdefault('flavor', flavor())
        spec = request_spec.RequestSpec(**fields)
        q = query.build_query(spec, max_placement_results=max_results,
                              resolve_target=resolve_target)
        return self.client.get_allocation_candidates(q, 'req-func-test')

    def rps_of(self, candidate_set):
        return [rp for ar in candidate_set.allocation_requests
                for rp in ar['allocations']]

    def test_candidates_and_truncation(self):
        every = self.candidates()
        self.assertEqual({self.cn1, self.cn2, self.cn3},
                         set(self.rps_of(every)))
        self.assertEqual({self.cn1, self.cn2, self.cn3},
                         set(every.provider_summaries))
        self.assertFalse(every.truncated)
        first_two = self.candidates(max_results=2)
        self.assertEqual(2, len(first_two.allocation_requests))
        self.assertTrue(first_two.truncated)
        self.assertEqual('1.36', first_two.version)

    def test_query_constraints_reach_placement(self):
        self.assertEqual([self.cn1], self.rps_of(self.candidates(
            flavor=flavor(**{'trait:CUSTOM_GOLD': 'required'}))))
        self.assertEqual([self.cn2], self.rps_of(self.candidates(
            requested_destination=destination.Destination(
                aggregates=(AGG,)))))
        self.assertEqual({self.cn1, self.cn3}, set(self.rps_of(
            self.candidates(requested_destination=destination.Destination(
                forbidden_aggregates=frozenset({AGG}))))))
        self.assertEqual([self.cn3], self.rps_of(self.candidates(
            force_hosts=('cn3',), resolve_target=lambda h, n: [self.cn3])))
        self.assertEqual([], self.rps_of(self.candidates(
            flavor=flavor(**{'resources:VCPU': '5'}))))

    def test_claim_then_release(self):
        request = self.candidates(requested_destination=(
            destination.Destination(aggregates=(AGG,)))).allocation_requests[0]
        outcome = self.client.claim(self.consumer, request, 'proj', 'user',
                                    global_request_id='req-func-claim')
        self.assertEqual((True, 'claimed'), (outcome.claimed, outcome.reason))
        self.assertEqual({'VCPU': 1, 'MEMORY_MB': 512, 'DISK_GB': 10},
                         self.admin.usages(self.cn2))
        held = self.client.get_consumer_allocations(self.consumer)
        self.assertEqual([self.cn2], list(held.allocations))
        self.assertEqual(('proj', 'user'), (held.project_id, held.user_id))
        self.assertIsNotNone(held.consumer_generation)
        # The conditional release real Placement accepts (PUT of nothing
        # with the consumer generation, microversion 1.28).
        self.assertEqual(client_mod.RELEASE_RELEASED,
                         self.client.release(outcome.undo))
        self.assertEqual({'VCPU': 0, 'MEMORY_MB': 0, 'DISK_GB': 0},
                         self.admin.usages(self.cn2))
        self.assertEqual(client_mod.RELEASE_ABSENT,
                         self.client.release(outcome.undo))

    def test_release_restores_what_an_evacuated_consumer_held(self):
        request = self.candidates(requested_destination=(
            destination.Destination(aggregates=(AGG,)))).allocation_requests[0]
        held = {self.cn1: {'resources': {'VCPU': 2}}}
        self.admin.call('PUT', f'/allocations/{self.consumer}', {
            'allocations': held, 'project_id': 'proj', 'user_id': 'user',
            'consumer_generation': None, 'consumer_type': 'INSTANCE'})
        outcome = self.client.claim(self.consumer, request, 'proj', 'user')
        self.assertTrue(outcome.claimed)
        self.assertEqual(1, self.admin.usages(self.cn2)['VCPU'])
        self.client.release(outcome.undo)
        self.assertEqual(0, self.admin.usages(self.cn2)['VCPU'])
        self.assertEqual(2, self.admin.usages(self.cn1)['VCPU'])

    def test_release_leaves_a_consumer_changed_since_alone(self):
        request = self.candidates(requested_destination=(
            destination.Destination(aggregates=(AGG,)))).allocation_requests[0]
        outcome = self.client.claim(self.consumer, request, 'proj', 'user')
        now = self.client.get_consumer_allocations(self.consumer)
        self.admin.call('PUT', f'/allocations/{self.consumer}', {
            'allocations': {self.cn1: {'resources': {'VCPU': 1}}},
            'project_id': 'proj', 'user_id': 'user',
            'consumer_generation': now.consumer_generation,
            'consumer_type': 'INSTANCE'})
        self.assertEqual(client_mod.RELEASE_CHANGED,
                         self.client.release(outcome.undo))
        self.assertEqual(1, self.admin.usages(self.cn1)['VCPU'])

    def test_claim_beyond_capacity(self):
        request = {'allocations': {self.cn1: {'resources': {'VCPU': 100}}},
                   'mappings': {'': [self.cn1]}}
        outcome = self.client.claim(self.consumer, request, 'proj', 'user')
        self.assertEqual((False, 'capacity'),
                         (outcome.claimed, outcome.reason))
        self.assertEqual(0, self.admin.usages(self.cn1)['VCPU'])

    def test_evacuation_claim_is_doubled_up(self):
        first = {'allocations': {self.cn1: {'resources': {'VCPU': 1}}}}
        second = {'allocations': {self.cn3: {'resources': {'VCPU': 2}}},
                  'mappings': {'': [self.cn3]}}
        self.assertTrue(self.client.claim(self.consumer, first, 'p',
                                          'u').claimed)
        self.assertTrue(self.client.claim(self.consumer, second, 'p',
                                          'u').claimed)
        held = self.client.get_consumer_allocations(self.consumer)
        self.assertEqual({self.cn1, self.cn3}, set(held.allocations))
        self.assertEqual(1, self.admin.usages(self.cn1)['VCPU'])
        self.assertEqual(2, self.admin.usages(self.cn3)['VCPU'])

    def test_consumer_generation_conflict(self):
        def competitor():
            self.admin.call('PUT', f'/allocations/{self.consumer}', {
                'allocations': {self.cn3: {'resources': {'VCPU': 1}}},
                'project_id': 'other', 'user_id': 'other',
                'consumer_generation': None, 'consumer_type': 'INSTANCE'})
        racing = client_mod.PlacementClient(adapter=RacingAdapter(
            placement_http.adapter_from_conf(self.conf), competitor))
        request = {'allocations': {self.cn1: {'resources': {'VCPU': 1}}},
                   'mappings': {'': [self.cn1]}}
        exc = self.assertRaises(errors.ConsumerGenerationConflict,
                                racing.claim, self.consumer, request, 'p',
                                'u')
        self.assertEqual(self.consumer, exc.consumer_uuid)
        self.assertEqual(0, self.admin.usages(self.cn1)['VCPU'])

    def test_provider_aggregates(self):
        self.assertEqual(frozenset({AGG}),
                         self.client.get_provider_aggregates(self.cn2))
        self.assertEqual(frozenset(),
                         self.client.get_provider_aggregates(self.cn1))
        exc = self.assertRaises(errors.PlacementRequestError,
                                self.client.get_provider_aggregates,
                                str(uuid.uuid4()))
        self.assertEqual(404, exc.status)

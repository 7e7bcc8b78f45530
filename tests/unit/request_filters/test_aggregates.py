"""isolate_aggregates: aggregates that require traits the request lacks."""

import testtools

from scheduler.hoststate import source as host_source
from scheduler.objects import destination
from scheduler.objects import flavor
from scheduler.objects import image
from scheduler.objects import request_group
from scheduler.placement import errors as placement_errors
from scheduler.request_filters import aggregates
from tests.unit import fakes
from tests.unit.request_filters import env as env_mod

SNAPSHOT = host_source.HostSnapshot.of([], [
    fakes.agg(1, 'agg-gpu', **{'trait:CUSTOM_GPU': 'required'}),
    fakes.agg(2, 'agg-ssd', **{'trait:CUSTOM_SSD': 'required',
                               'trait:CUSTOM_GPU': 'required'}),
    fakes.agg(3, 'agg-soft', **{'trait:CUSTOM_NIC': 'preferred'}),
    fakes.agg(4, 'agg-plain', availability_zone='az1'),
])


def _flavor(**extra_specs):
    return flavor.Flavor(memory_mb=512, vcpus=1, root_gb=1, ephemeral_gb=0,
                         swap=0, name='f', extra_specs=extra_specs)


class IsolateAggregatesTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.env, self.fixture = env_mod.make_env(self, SNAPSHOT)
        self.fixture.config(group='scheduler',
                            enable_isolated_aggregate_filtering=True)

    def _forbidden(self, spec):
        spec = aggregates.isolate_aggregates(spec, self.env)
        return None if spec is None else (
            spec.requested_destination.forbidden_aggregates)

    def test_off_by_default(self):
        self.fixture.config(group='scheduler',
                            enable_isolated_aggregate_filtering=False)
        self.assertIsNone(self._forbidden(fakes.spec()))

    def test_plain_request_is_kept_out_of_every_trait_aggregate(self):
        self.assertEqual(frozenset({'agg-gpu', 'agg-ssd'}),
                         self._forbidden(fakes.spec()))

    def test_flavor_trait_opens_its_aggregate_only(self):
        spec = fakes.spec(flavor=_flavor(**{'trait:CUSTOM_GPU': 'required'}))
        # agg-ssd also requires CUSTOM_SSD, which the flavor lacks.
        self.assertEqual(frozenset({'agg-ssd'}), self._forbidden(spec))

    def test_image_and_port_traits_count(self):
        spec = fakes.spec(
            image=image.ImageMeta(properties=image.ImageProperties(
                {'traits_required': ('CUSTOM_GPU',)})),
            requested_resources=(request_group.RequestGroup(
                requester_id='port-1', resources={'NET_BW_EGR_KILOBIT': 1},
                required_traits=frozenset({'CUSTOM_SSD'})),))
        self.assertIsNone(self._forbidden(spec))

    def test_forbidden_trait_does_not_open_the_aggregate(self):
        spec = fakes.spec(flavor=_flavor(**{'trait:CUSTOM_GPU': 'forbidden'}))
        self.assertEqual(frozenset({'agg-gpu', 'agg-ssd'}),
                         self._forbidden(spec))

    def test_existing_forbidden_aggregates_are_kept(self):
        spec = fakes.spec(requested_destination=destination.Destination(
            forbidden_aggregates=frozenset({'agg-x'}), aggregates=('a',)))
        spec = aggregates.isolate_aggregates(spec, self.env)
        self.assertEqual(frozenset({'agg-x', 'agg-gpu', 'agg-ssd'}),
                         spec.requested_destination.forbidden_aggregates)
        self.assertEqual(('a',), spec.requested_destination.aggregates)

    def test_no_trait_aggregates_changes_nothing(self):
        env = env_mod.with_snapshot(self.env, host_source.HostSnapshot())
        self.assertIsNone(aggregates.isolate_aggregates(fakes.spec(), env))

    def test_invalid_flavor_raises_as_the_query_builder(self):
        spec = fakes.spec(flavor=_flavor(**{'hw:cpu_policy': 'bogus'}))
        self.assertRaises(placement_errors.InvalidFlavorImageRequest,
                          aggregates.isolate_aggregates, spec, self.env)

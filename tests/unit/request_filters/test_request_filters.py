from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from scheduler import conf as conf_pkg
from scheduler import errors
from scheduler.hoststate import source as host_source
from scheduler.request_filters import base as request_filter_base
from scheduler.request_filters import runner as request_filter_runner
from scheduler.objects import context
from scheduler.objects import destination
from scheduler.request_filters import aggregates
from scheduler.request_filters import traits
from tests.unit import fakes


class RequestFiltersTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        conf = cfg.ConfigOpts()
        conf_pkg.register_opts(conf)
        self.fixture = self.useFixture(config_fixture.Config(conf))
        self.conf = conf
        self.snapshot = host_source.HostSnapshot.of([], [
            fakes.agg(1, 'agg-t1', filter_tenant_id='p1'),
            fakes.agg(2, 'agg-t2', filter_tenant_id_2='p1', other='p1'),
            fakes.agg(3, 'agg-other', filter_tenant_id='p2'),
            fakes.agg(4, 'agg-value-only', something='p1'),
            fakes.agg(5, 'agg-az1', availability_zone='az1'),
            fakes.agg(6, 'agg-az1b', availability_zone='az1'),
        ])
        self.env = request_filter_base.FilterEnv(
            conf, context.RequestContext(project_id='p1'), self.snapshot)

    def test_tenant_filter_off_by_default(self):
        self.assertIsNone(aggregates.require_tenant_aggregate(
            fakes.spec(project_id='p1'), self.env))

    def test_tenant_filter_requires_tenant_aggregates(self):
        self.fixture.config(group='scheduler',
                            limit_tenants_to_placement_aggregate=True)
        spec = aggregates.require_tenant_aggregate(
            fakes.spec(project_id='p1'), self.env)
        self.assertEqual(('agg-t1,agg-t2',),
                         spec.requested_destination.aggregates)

    def test_tenant_filter_required_and_missing_fails(self):
        self.fixture.config(group='scheduler',
                            limit_tenants_to_placement_aggregate=True,
                            placement_aggregate_required_for_tenants=True)
        exc = self.assertRaises(
            errors.RequestFilterFailed, aggregates.require_tenant_aggregate,
            fakes.spec(project_id='p9'), self.env)
        self.assertEqual('Scheduling failed: No hosts available for tenant',
                         exc.message)

    def test_az_maps_to_aggregates_and_keeps_existing(self):
        spec = fakes.spec(
            availability_zone='az1',
            requested_destination=destination.Destination(
                aggregates=('x,y',)))
        spec = aggregates.map_az_to_placement_aggregate(spec, self.env)
        self.assertEqual(('x,y', 'agg-az1,agg-az1b'),
                         spec.requested_destination.aggregates)

    def test_unknown_az_adds_nothing(self):
        self.assertIsNone(aggregates.map_az_to_placement_aggregate(
            fakes.spec(availability_zone='nova'), self.env))

    def test_compute_status_forbids_disabled(self):
        spec = traits.compute_status_filter(fakes.spec(), self.env)
        self.assertEqual(frozenset({'COMPUTE_STATUS_DISABLED'}),
                         spec.request_level_params.root_forbidden)

    def test_process_reports_applied_filters_in_order(self):
        spec, applied = request_filter_runner.process(
            fakes.spec(availability_zone='az1'), self.env,
            request_filter_runner.default_filters())
        self.assertEqual(('map_az_to_placement_aggregate',
                          'compute_status_filter'), applied)
        self.assertIn('COMPUTE_STATUS_DISABLED',
                      spec.request_level_params.root_forbidden)

    def test_default_chain_is_novas_fourteen_in_order(self):
        self.assertEqual([
            'require_tenant_aggregate', 'map_az_to_placement_aggregate',
            'require_image_type_support', 'compute_status_filter',
            'isolate_aggregates', 'transform_image_metadata',
            'accelerators_filter', 'packed_virtqueue_filter',
            'routed_networks_filter', 'remote_managed_ports_filter',
            'ephemeral_encryption_filter', 'virtio_sound_filter',
            'tpm_secret_security_filter', 'owner_nova_filter',
        ], [f.__name__ for f in request_filter_runner.default_filters()])

    def test_filters_never_mutate_the_spec(self):
        self.fixture.config(group='scheduler',
                            limit_tenants_to_placement_aggregate=True)
        spec = fakes.spec(project_id='p1', availability_zone='az1')
        before = repr(spec)
        request_filter_runner.process(spec, self.env,
                                request_filter_runner.default_filters())
        self.assertEqual(before, repr(spec))

"""Each of nova 34's fourteen request filters against ours, case by case.

For every generated (RequestSpec, world, gate options) case, nova's
``nova.scheduler.request_filter.<name>(ctxt, spec)`` runs on nova's object
and ours on ``decode_request_spec`` of its primitive, each fed the same
world (see :mod:`.world`). Then each side builds its allocation-candidates
query (nova's ``resources_from_request_spec(...).to_querystring()``, our
``build_query(...).to_querystring()``): the strings must be identical, or
both sides must fail at the same stage with corresponding errors. For the
network filters, both must also make the same Neutron calls with the same
kind of credentials (the caller's token or the service's). A last test
runs the whole chain (``process_reqspec`` against ours).

Known, deliberate differences (documented in scheduler/request_filters):
where nova lets an error escape as an unexpected RPC failure (a port
Neutron cannot show, no token, a segment provider Placement answers with
an error, the extension list failing) we refuse with RequestFilterFailed.
"""

import collections
import os

import fixtures
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from neutronclient.common import exceptions as n_exc
from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from tests.compat.placement import test_query_differential as qd
from tests.compat.request_filters import specs
from tests.compat.request_filters import world as world_mod
from tests.unit.neutron import fakes as neutron_fakes

from nova import context as nova_context  # noqa: I100
from nova import exception as nova_exc
from nova import objects as nova_objects
import nova.conf
from nova.network import neutron as nova_neutron
from nova.scheduler import request_filter as nova_filters
from nova.scheduler import utils as nova_utils

from scheduler import conf as conf_pkg  # noqa: I100
from scheduler import errors
from scheduler.request_filters import base as request_filter_base
from scheduler.request_filters import runner as request_filter_runner
from scheduler.codec import request_spec as spec_codec
from scheduler.placement import errors as placement_errors
from scheduler.placement import query

NOVA_CONF = nova.conf.CONF
MAX_EXAMPLES = int(os.environ.get('REQUEST_FILTER_EXAMPLES', '200'))
# Derandomized so the coverage assertions (each filter changed some
# queries) are stable; REQUEST_FILTER_RANDOM=1 explores new cases.
SETTINGS = settings(
    max_examples=MAX_EXAMPLES, deadline=None, database=None,
    derandomize=os.environ.get('REQUEST_FILTER_RANDOM') != '1')
# [scheduler] options that turn filters on, by filter.
GATES = {
    'require_tenant_aggregate': ('limit_tenants_to_placement_aggregate',
                                 'placement_aggregate_required_for_tenants'),
    'require_image_type_support': ('query_placement_for_image_type_support',),
    'isolate_aggregates': ('enable_isolated_aggregate_filtering',),
    'transform_image_metadata': ('image_metadata_prefilter',),
    'routed_networks_filter': (
        'query_placement_for_routed_network_aggregates',),
}
ALL_GATES = tuple(g for gates in GATES.values() for g in gates)
NETWORK_FILTERS = ('routed_networks_filter', 'remote_managed_ports_filter')
ADMIN_AUTH = neutron_fakes.FakeAuth('admin-token')
OURS = {f.__name__: f for f in request_filter_runner.default_filters()}


def _rff(our_error, prefix):
    return (isinstance(our_error, errors.RequestFilterFailed)
            and our_error.message.startswith('Scheduling failed: ' + prefix))


def corresponds(nova_error, our_error):
    """Whether our error is the counterpart of nova's."""
    if isinstance(nova_error, nova_exc.RequestFilterFailed):
        return (isinstance(our_error, errors.RequestFilterFailed)
                and our_error.message == nova_error.message)
    if isinstance(nova_error, nova_exc.PortNotFound):
        return _rff(our_error, nova_error.message)
    if isinstance(nova_error, nova_exc.Unauthorized):
        return _rff(our_error, 'Failed to access port') and (
            'no user token' in our_error.message)
    if isinstance(nova_error, (
            nova_exc.ResourceProviderAggregateRetrievalFailed,
            n_exc.NeutronClientException)):
        return _rff(our_error, 'Aggregates not found for the ')
    if (type(nova_error) is nova_exc.NovaException
            and 'Failed to access port' in str(nova_error)):
        return _rff(our_error, 'Failed to access port')
    return qd._corresponds(nova_error, our_error)


def _query(build):
    try:
        return 'ok', build(), None
    except Exception as exc:  # compared by corresponds()
        return 'query', None, exc


class RequestFilterParityTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.nova_conf = self.useFixture(config_fixture.Config(NOVA_CONF))
        self.our_conf = cfg.ConfigOpts()
        conf_pkg.register_opts(self.our_conf)
        self.ours = self.useFixture(config_fixture.Config(self.our_conf))
        self.world = None
        self.clients = world_mod.NovaNeutronClients(ADMIN_AUTH)
        aggregate_list = nova_objects.AggregateList
        for name in ('get_by_metadata', 'get_non_matching_by_metadata_keys'):
            self.useFixture(fixtures.MockPatchObject(
                aggregate_list, name,
                lambda *a, _name=name, **k: getattr(self.world, _name)(
                    *a, **k)))
        self.useFixture(fixtures.MockPatch(
            'nova.objects.service.get_minimum_version_all_cells',
            lambda *a, **k: self.world.min_version(*a, **k)))
        self.useFixture(fixtures.MockPatch(
            'nova.scheduler.client.report.report_client_singleton',
            lambda: world_mod.FakeReport(self.world)))
        self.useFixture(fixtures.MockPatchObject(
            nova_neutron, '_load_auth_plugin', lambda: ADMIN_AUTH))
        self.useFixture(fixtures.MockPatchObject(
            nova_neutron.clientv20, 'Client', self.clients))

    def _configure(self, gates):
        for option, value in gates.items():
            self.nova_conf.config(group='scheduler', **{option: value})
            self.ours.config(group='scheduler', **{option: value})

    def _nova(self, names, world, primitive):
        spec = nova_objects.RequestSpec.obj_from_primitive(primitive)
        self.clients.world = world
        self.clients.calls = []
        ctxt = world.nova_context()
        try:
            for name in names:
                getattr(nova_filters, name)(ctxt, spec)
        except Exception as exc:  # compared by corresponds()
            return ('filter', None, exc), self.clients.calls
        return _query(lambda: nova_utils.resources_from_request_spec(
            nova_context.get_admin_context(), spec, qd.FakeHostManager(),
            enable_pinning_translate=True).to_querystring()
        ), self.clients.calls

    def _ours(self, names, world, primitive):
        spec = spec_codec.decode_request_spec(primitive)
        neutron, adapter = world.our_neutron()
        env = request_filter_base.FilterEnv(
            self.our_conf, world.our_context(), world.our_snapshot(),
            neutron=neutron, placement=world.our_placement())
        try:
            spec, applied = request_filter_runner.process(
                spec, env, [OURS[name] for name in names])
        except (errors.RequestFilterFailed,
                placement_errors.QueryError) as exc:
            return ('filter', None, exc), world_mod.our_calls(adapter), ()
        return _query(lambda: query.build_query(
            spec, max_placement_results=NOVA_CONF.scheduler.
            max_placement_results, enable_pinning_translation=True,
            resolve_target=qd.our_resolver).to_querystring()
        ), world_mod.our_calls(adapter), applied

    def _check(self, names, world, spec, counts):
        self.world = world
        primitive = spec.obj_to_primitive()
        (n_stage, n_qs, n_err), n_calls = self._nova(names, world, primitive)
        (o_stage, o_qs, o_err), o_calls, applied = self._ours(
            names, world, primitive)
        if set(names) & set(NETWORK_FILTERS):
            self.assertEqual(n_calls, o_calls, 'Neutron calls differ')
        self.assertEqual(n_stage, o_stage,
                         f'nova: {n_err!r} {n_qs}; ours: {o_err!r} {o_qs}')
        if n_stage == 'ok':
            self.assertEqual(n_qs, o_qs)
            counts['queries'] += 1
            counts['changed'] += bool(applied)
        else:
            self.assertTrue(corresponds(n_err, o_err),
                            f'nova raised {n_err!r}, we raised {o_err!r}')
            counts[f'{n_stage} errors'] += 1
            self.kinds[f'{n_stage}:{type(n_err).__name__}'] += 1

    def _run(self, *names):
        counts = collections.Counter()
        self.kinds = collections.Counter()

        # The gates of the filters under test are mostly on.
        focus = {g for name in names for g in GATES.get(name, ())}
        mostly = st.sampled_from((True, True, True, False))
        gates = st.fixed_dictionaries({
            g: mostly if g in focus and len(names) == 1 else st.booleans()
            for g in ALL_GATES})

        @SETTINGS
        @given(world_mod.worlds(), specs.request_specs(), gates)
        def compare(world, spec, gates):
            self._configure(gates)
            self._check(names, world, spec, counts)

        compare()
        total = counts['queries'] + counts['filter errors'] + counts[
            'query errors']
        label = names[0] if len(names) == 1 else 'whole chain'
        print(f'request filter parity {label}: {total} cases passed '
              f'({counts["queries"]} equal queries, {counts["changed"]} '
              f'changed by the filter; {counts["filter errors"]} matching '
              f'filter errors, {counts["query errors"]} matching query '
              f'errors: {dict(self.kinds)})')
        self.assertEqual(MAX_EXAMPLES, total)
        self.assertGreater(counts['queries'], total // 4)
        return counts

    def _run_one(self, name, expect_changes=True):
        counts = self._run(name)
        if expect_changes:
            self.assertGreater(counts['changed'], 0, name)
        return counts

    def test_require_tenant_aggregate(self):
        self._run_one('require_tenant_aggregate')

    def test_map_az_to_placement_aggregate(self):
        self._run_one('map_az_to_placement_aggregate')

    def test_require_image_type_support(self):
        self._run_one('require_image_type_support')

    def test_compute_status_filter(self):
        self._run_one('compute_status_filter')

    def test_isolate_aggregates(self):
        self._run_one('isolate_aggregates')

    def test_transform_image_metadata(self):
        self._run_one('transform_image_metadata')

    def test_accelerators_filter(self):
        self._run_one('accelerators_filter')

    def test_packed_virtqueue_filter(self):
        self._run_one('packed_virtqueue_filter')

    def test_routed_networks_filter(self):
        self._run_one('routed_networks_filter')

    def test_remote_managed_ports_filter(self):
        self._run_one('remote_managed_ports_filter')

    def test_ephemeral_encryption_filter(self):
        self._run_one('ephemeral_encryption_filter')

    def test_virtio_sound_filter(self):
        self._run_one('virtio_sound_filter')

    def test_tpm_secret_security_filter(self):
        self._run_one('tpm_secret_security_filter')

    def test_owner_nova_filter(self):
        self._run_one('owner_nova_filter')

    def test_whole_chain(self):
        names = [f.__name__ for f in nova_filters.ALL_REQUEST_FILTERS]
        self.assertEqual(names, list(OURS))
        self._run(*names)

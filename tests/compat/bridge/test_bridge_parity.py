"""nova's own filters and weighers, natively and through the bridge.

The bridge must hand a nova plugin the same world nova would. So nova
34's in-tree filter and weigher classes, loaded through
scheduler.nova_bridge as if they were out-of-tree plugins, run on our
HostState and RequestSpec (converted by the bridge) and must decide
exactly as the same classes do on nova's own HostState and RequestSpec
built from the same generated rows and request (tests.compat.filters).
The converted HostState is also compared with nova's field by field.

Not covered through the bridge: ImagePropertiesWeigher (reads instances
from the cell database) and candidate pruning by CandidateFilterMixin
filters (NUMATopologyFilter, PciPassthroughFilter): their pass/fail is
compared, but the allocation candidates they prune on nova's HostState
are not handed back to our host.
"""

import collections
import logging
import math

import fixtures
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import testtools

from scheduler import nova_bridge
from scheduler.nova_bridge import runtime
from scheduler.nova_bridge import to_nova
from scheduler.weighers import engine
from tests.compat.filters import generators as gen
from tests.compat.filters import nova_env
from tests.compat.filters import sides
from tests.compat.filters import specs
from tests.compat.weighers import test_weigher_parity as weigher_parity

NOVA_FILTERS = tuple(f'nova.scheduler.filters.{path}' for path in (
    'affinity_filter.DifferentHostFilter', 'affinity_filter.SameHostFilter',
    'affinity_filter.SimpleCIDRAffinityFilter',
    'affinity_filter.ServerGroupAntiAffinityFilter',
    'affinity_filter.ServerGroupAffinityFilter',
    'aggregate_image_properties_isolation.'
    'AggregateImagePropertiesIsolation',
    'aggregate_instance_extra_specs.AggregateInstanceExtraSpecsFilter',
    'aggregate_multitenancy_isolation.AggregateMultiTenancyIsolation',
    'all_hosts_filter.AllHostsFilter',
    'compute_capabilities_filter.ComputeCapabilitiesFilter',
    'compute_filter.ComputeFilter',
    'image_props_filter.ImagePropertiesFilter',
    'io_ops_filter.IoOpsFilter', 'io_ops_filter.AggregateIoOpsFilter',
    'isolated_hosts_filter.IsolatedHostsFilter',
    'json_filter.JsonFilter', 'metrics_filter.MetricsFilter',
    'num_instances_filter.NumInstancesFilter',
    'num_instances_filter.AggregateNumInstancesFilter',
    'numa_topology_filter.NUMATopologyFilter',
    'pci_passthrough_filter.PciPassthroughFilter',
    'type_filter.AggregateTypeAffinityFilter'))
NOVA_WEIGHERS = tuple(f'nova.scheduler.weights.{path}' for path in (
    'affinity.ServerGroupSoftAffinityWeigher',
    'affinity.ServerGroupSoftAntiAffinityWeigher',
    'compute.BuildFailureWeigher', 'cpu.CPUWeigher',
    'cross_cell.CrossCellWeigher', 'disk.DiskWeigher',
    'hypervisor_version.HypervisorVersionWeigher', 'io_ops.IoOpsWeigher',
    'metrics.MetricsWeigher', 'num_instances.NumInstancesWeigher',
    'pci.PCIWeigher', 'ram.RAMWeigher'))
# Derandomized: the coverage checks below must not depend on luck.
SETTINGS = settings(max_examples=200, deadline=None, derandomize=True,
                    database=None, suppress_health_check=[
                        HealthCheck.too_slow, HealthCheck.data_too_large])
# HostState fields the bridge fills, compared as they are.
HOST_FIELDS = (
    'host', 'nodename', 'uuid', 'cell_uuid', 'total_usable_ram_mb',
    'free_ram_mb', 'total_usable_disk_gb', 'disk_mb_used', 'free_disk_mb',
    'vcpus_total', 'vcpus_used', 'cpu_allocation_ratio',
    'ram_allocation_ratio', 'disk_allocation_ratio', 'num_instances',
    'num_io_ops', 'failed_builds', 'cpu_info', 'host_ip', 'hypervisor_type',
    'hypervisor_version', 'hypervisor_hostname', 'updated', 'limits')


@st.composite
def cases(draw):
    world = draw(gen.worlds())
    names = [h.name for h in world.hosts]
    hints = st.one_of(specs.instance_hints(), specs.cidr_hints(),
                      specs.query_hints())
    return (world, draw(specs.filter_request_spec(
        names, hints=hints, extra_specs=st.one_of(
            specs.extra_specs(), specs.aggregate_extra_specs()))),
        draw(specs.filter_config()))


def _outcome(call):
    try:
        return bool(call())
    except Exception as exc:  # the same nova code must fail the same way
        return type(exc).__name__


def _without_changes(value):
    if isinstance(value, dict):
        return {k: _without_changes(v) for k, v in value.items()
                if k != 'nova_object.changes'}
    if isinstance(value, (list, tuple)):
        return [_without_changes(v) for v in value]
    return value


def _pools(state):
    """PCI pools, numa_node None and unset alike (nova reads them with
    .get; our host state does not tell them apart, so the order nova
    sorts pools in by key count may differ: compared as a multiset)."""
    pools = state.pci_stats.pools if state.pci_stats else []
    return sorted(sorted((k, str(v)) for k, v in pool.items()
                         if not (k == 'numa_node' and v is None))
                  for pool in pools)


def _primitive(obj):
    """The object's fields and values (not which ones were changed)."""
    return _without_changes(obj.obj_to_primitive()) if obj else None


class BridgeParityTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(name='nova',
                                            level=logging.WARNING))
        # nova's CONF is set by the cases' fixtures; do not load files.
        self.useFixture(fixtures.MockPatchObject(runtime, '_PREPARED', True))
        self.tally = collections.Counter()

    def assertSameHost(self, nova_host, converted):
        for name in HOST_FIELDS:
            self.assertEqual(getattr(nova_host, name),
                             getattr(converted, name), name)
        self.assertEqual(dict(nova_host.stats), converted.stats)
        self.assertEqual([list(s) for s in nova_host.supported_instances],
                         converted.supported_instances)
        for key in ('host', 'binary', 'disabled', 'disabled_reason',
                    'forced_down', 'last_seen_up', 'version', 'updated_at',
                    'created_at'):
            self.assertEqual(nova_host.service[key], converted.service[key])
        self.assertEqual(
            [(a.uuid, a.name, sorted(a.hosts), a.metadata)
             for a in nova_host.aggregates],
            [(a.uuid, a.name, sorted(a.hosts), a.metadata)
             for a in converted.aggregates])
        self.assertEqual(
            {u: i.project_id for u, i in nova_host.instances.items()},
            {u: i.project_id for u, i in converted.instances.items()})
        self.assertEqual(
            sorted((m.name, m.value, m.source)
                   for m in nova_host.metrics or []),
            sorted((m.name, m.value, m.source) for m in converted.metrics))
        self.assertEqual(_primitive(nova_host.numa_topology),
                         _primitive(converted.numa_topology))
        self.assertEqual(_pools(nova_host), _pools(converted))

    def test_filters_decide_alike(self):
        bridged = [nova_bridge.load_plugin(p, 'filter') for p in NOVA_FILTERS]
        natives = [b.nova_class for b in bridged]

        @SETTINGS
        @given(case=cases())
        def check(case):
            world, nova_spec_in, overrides = case
            with sides.configured(overrides) as conf:
                nova_spec, spec = sides.spec_pair(nova_spec_in)
                for nova_host, our_host in sides.host_pairs(world, conf):
                    self.assertSameHost(nova_host,
                                        to_nova.host_state(our_host))
                    for native, ours in zip(natives, bridged, strict=True):
                        expected = _outcome(lambda: native()._filter_one(
                            nova_host, nova_spec))
                        got = _outcome(lambda: ours(conf).host_passes(
                            our_host, spec) is None)
                        self.assertEqual(expected, got, native.__name__)
                        self.tally[f'{native.__name__} {expected}'] += 1
            self.tally['cases'] += 1

        check()
        print(f'bridge filter parity: {self.tally["cases"]} cases passed '
              f'({len(NOVA_FILTERS)} filters): {dict(self.tally)}')
        # The cases must make most filters reject some hosts.
        rejecting = {n.__name__ for n in natives
                     if self.tally[f'{n.__name__} False']}
        self.assertGreaterEqual(len(rejecting), 12, sorted(rejecting))

    def test_weighers_weigh_alike(self):
        bridged = [nova_bridge.load_plugin(p, 'weigher')
                   for p in NOVA_WEIGHERS]

        @settings(SETTINGS, max_examples=100)
        @given(case=cases())
        def check(case):
            world, nova_spec_in, overrides = case
            with sides.configured(overrides) as conf:
                nova_spec, spec = sides.spec_pair(nova_spec_in)
                pairs = sides.host_pairs(world, conf)
                handler = nova_env.nova_weights.HostWeightHandler()
                for ours in bridged:
                    native = ours.nova_class
                    try:
                        nova_weighed = handler.get_weighed_objects(
                            [native()], [n for n, _ in pairs], nova_spec)
                    except nova_env.nova_exception.ComputeHostMetricNotFound:
                        self.assertRaises(
                            nova_env.nova_exception.ComputeHostMetricNotFound,
                            engine.weigh_sorted, [ours(conf)],
                            [o for _, o in pairs], spec)
                        self.tally['metric not found'] += 1
                        continue
                    weighed = engine.weigh_sorted(
                        [ours(conf)], [o for _, o in pairs], spec)
                    weigher_parity.WeigherParityTest.assertSameWeighing(
                        self, nova_weighed, weighed)
                    spread = {round(w, 6) for w in weighed[1]}
                    if len(spread) > 1 and all(
                            math.isfinite(w) for w in weighed[1]):
                        self.tally[native.__name__] += 1
            self.tally['cases'] += 1

        check()
        print(f'bridge weigher parity: {self.tally["cases"]} cases passed '
              f'({len(NOVA_WEIGHERS)} weighers): {dict(self.tally)}')
        # Most weighers must tell the hosts apart in some cases.
        distinct = [p for p in NOVA_WEIGHERS
                    if self.tally[p.rsplit('.', 1)[1]]]
        self.assertGreaterEqual(len(distinct), 9, distinct)

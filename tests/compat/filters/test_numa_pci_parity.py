"""NUMATopologyFilter, PciPassthroughFilter and NUMA/PCI consumption
against nova 34 on generated hosts and requests.

Each case is one compute node (NUMA cells, PCI pools), its allocation
candidates and a request (instance NUMA topology, PCI requests, CPU
policies, network affinity). Both sides build their host state from the
same rows and the request from the same primitive, then must agree on:

* numa_fit_instance_to_host, candidate by candidate on one copy of the
  request: which host cells, which pinning, which page sizes, which CPUs
  reserved for emulator threads, and how the copy was left;
* each filter: pass or fail, the surviving candidates, the limits;
* consuming the host for two instances of a multi-create, each after
  running both filters: the host cells' usage (CPUs, memory, pinned CPUs,
  pages, even the order in which free threads are listed, which decides
  the next pinning), the PCI pools (in order) and the request's NUMA
  topology as nova leaves it for the next instance.

PciAffinityParityTest drives PciDeviceStats.apply_requests directly, on
generated cases and on hand-made ones for paths the generators reach
rarely (PCI-NUMA policy corners, Placement providers).

Deliberate difference, checked as such: a host listing no CPU thread
siblings makes nova fail the whole request with ValueError when pinning;
we reject that host only.
"""

import collections
import copy
import dataclasses
import json
import logging
import warnings

import fixtures
from hypothesis import example
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from oslo_serialization import jsonutils
import testtools

from scheduler.hoststate import compute_node_columns
from scheduler.pipeline import consumption
from scheduler.codec import limits as codec_limits
from scheduler.codec import pci as pci_codec
from scheduler.codec import values as codec_values
from scheduler.filters import numa_topology_filter
from scheduler.filters import pci_passthrough_filter
from scheduler.hoststate import host_state
from scheduler.numa import fit
from scheduler.numa import instance
from scheduler.numa import pinning
from scheduler.numa import topology
from scheduler.objects import numa as numa_obj
from scheduler.pci import pools as pci_pools
from scheduler.pci import stats as pci_stats
from tests.compat.filters import generators as gen
from tests.compat.filters import numa_cases
from tests.compat.filters import nova_env
from tests.compat.filters import sides

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    from nova.scheduler.filters import numa_topology_filter as nova_numa
    from nova.pci import stats as nova_stats_mod
    from nova.scheduler.filters import pci_passthrough_filter as nova_pci
    from nova.virt import hardware

# Derandomized: the same 200 cases every run, so the checks below that
# both outcomes occur do not depend on luck.
SETTINGS = settings(max_examples=200, deadline=None, derandomize=True,
                    database=None, suppress_health_check=[
                        HealthCheck.too_slow, HealthCheck.data_too_large,
                        HealthCheck.filter_too_much])


def _overrides(case):
    return {'compute': {
        'packing_host_numa_cells_allocation_strategy': case.pack}}


def _world(case):
    return gen.World([case.rows], [])


def _cells(cells):
    """What is compared of instance cells (nova's or ours): where they
    went, their pinning, page size and emulator thread CPUs."""
    return [(c.id, dict(c.cpu_pinning or {}), c.pagesize,
             set(c.cpuset_reserved or ()))
            for c in cells]


def _usage(topo):
    """What is compared of host cells (nova's or ours); the free sibling
    lists in iteration order, as the next pinning reads them."""
    return [(c.id, c.cpu_usage, c.memory_usage, set(c.pinned_cpus),
             [(p.size_kb, p.total, p.used, p.reserved) for p in c.mempages],
             [list(s) for s in c.free_siblings])
            for c in topo.cells]


def _limits(nova_limits):
    return (nova_limits.cpu_allocation_ratio,
            nova_limits.ram_allocation_ratio,
            set(nova_limits.network_metadata.physnets),
            nova_limits.network_metadata.tunneled)


def _our_limits(limits):
    return (limits.cpu_allocation_ratio, limits.ram_allocation_ratio,
            set(limits.network_metadata.physnets),
            limits.network_metadata.tunneled)


class NumaPciParityTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(name='nova',
                                            level=logging.ERROR))
        self.useFixture(fixtures.FakeLogger(name='scheduler',
                                            level=logging.ERROR))
        self.tally = collections.Counter()

    def test_nova_did_not_monkey_patch_us(self):
        self.assertFalse(nova_env.eventlet_patched())

    def _sides(self, case, conf):
        nova_spec, spec = sides.spec_pair(case.spec)
        nova_host = sides.nova_host_state(_world(case), case.rows)
        ours = sides.our_host_state(_world(case), case.rows, conf)
        nova_host.allocation_candidates = copy.deepcopy(case.candidates)
        ours = host_state.with_candidates(ours, copy.deepcopy(
            case.candidates))
        return nova_spec, spec, nova_host, ours

    # numa_fit_instance_to_host

    def _check_fit(self, case):
        with sides.configured(_overrides(case)) as conf:
            nova_spec, spec, nova_host, ours = self._sides(case, conf)
            if nova_spec.numa_topology is None:
                self.tally['no_instance_topology'] += 1
                return
            nova_work = nova_spec.numa_topology.obj_clone()
            work = instance.WorkTopology(spec.numa_topology)
            our_topo = topology.host_topology(ours.numa_topology)
            limits = numa_obj.NUMATopologyLimits(
                cpu_allocation_ratio=ours.cpu_allocation_ratio,
                ram_allocation_ratio=ours.ram_allocation_ratio,
                network_metadata=spec.network_metadata)
            nova_limits = nova_env.objects.NUMATopologyLimits(
                cpu_allocation_ratio=nova_host.cpu_allocation_ratio,
                ram_allocation_ratio=nova_host.ram_allocation_ratio,
                network_metadata=nova_spec.network_metadata)
            requests = spec.pci_requests.requests
            for candidate in case.candidates:
                try:
                    expected = hardware.numa_fit_instance_to_host(
                        nova_host.numa_topology, nova_work,
                        provider_mapping=candidate['mappings'],
                        limits=nova_limits,
                        pci_requests=nova_spec.pci_requests.requests,
                        pci_stats=nova_host.pci_stats)
                except ValueError:
                    self.assertRaises(
                        pinning.NoSiblingInformation, fit.fit_instance,
                        our_topo, work,
                        provider_mapping=candidate['mappings'],
                        limits=limits, pci_requests=requests,
                        pci_pools=ours.pci_pools, pack=case.pack)
                    self.tally['no_siblings'] += 1
                    return
                got = fit.fit_instance(
                    our_topo, work, provider_mapping=candidate['mappings'],
                    limits=limits, pci_requests=requests,
                    pci_pools=ours.pci_pools, pack=case.pack)
                if expected is None:
                    self.assertIsNone(got)
                    self.tally['not_fit'] += 1
                else:
                    self.assertIsNotNone(got)
                    self.assertEqual(_cells(expected.cells),
                                     _cells(got))
                    self.tally['fit'] += 1
                # Both copies of the request were changed alike.
                self.assertEqual(_cells(nova_work.cells),
                                 _cells(work.cells))

    def test_numa_fit_instance_to_host(self):
        count = 0

        @SETTINGS
        @given(case=numa_cases.cases(('numa', 'numa', 'both', 'prune',
                                      'affinity', 'isolate', 'network')))
        def check(case):
            nonlocal count
            self._check_fit(case)
            count += 1

        check()
        sides.record_examples(self.id(), count, self.tally)
        self.assertGreater(self.tally['fit'], 40, self.tally)
        self.assertGreater(self.tally['not_fit'], 40, self.tally)

    # the filters

    def _run_filter(self, nova_filter, ours_filter, nova_host, ours,
                    nova_spec, spec):
        """Run both; compare; return (nova host, our refined host) or
        None when the host failed."""
        try:
            expected = nova_filter.host_passes(nova_host, nova_spec)
        except ValueError:
            result = ours_filter.refine(ours, spec)
            self.assertEqual(numa_topology_filter.NO_SIBLINGS,
                             getattr(result, 'reason', None))
            self.tally['no_siblings'] += 1
            return None
        result = ours_filter.refine(ours, spec)
        name = type(ours_filter).__name__
        if not expected:
            self.assertNotIsInstance(result, host_state.HostState, name)
            self.tally[f'{name} rejected'] += 1
            self.tally[f'{name}: {result.reason}'] += 1
            return None
        self.assertIsInstance(result, host_state.HostState, name)
        self.assertEqual(list(nova_host.allocation_candidates),
                         list(result.allocation_candidates), name)
        nova_limits = nova_host.limits.get('numa_topology')
        if nova_limits is None:
            self.assertIsNone(result.limits.numa_topology)
        else:
            self.assertEqual(_limits(nova_limits),
                             _our_limits(result.limits.numa_topology))
        if len(result.allocation_candidates) < len(ours.allocation_candidates):
            self.tally[f'{name} pruned'] += 1
        self.tally[f'{name} passed'] += 1
        return nova_host, result

    def _check_filters_and_consume(self, case):
        with sides.configured(_overrides(case)) as conf:
            nova_spec, spec, nova_host, ours = self._sides(case, conf)
            filters_ = [
                (nova_numa.NUMATopologyFilter(),
                 numa_topology_filter.NUMATopologyFilter(conf)),
                (nova_pci.PciPassthroughFilter(),
                 pci_passthrough_filter.PciPassthroughFilter(conf))]
            for instance_index in range(2):
                for nova_filter, ours_filter in filters_:
                    passed = self._run_filter(nova_filter, ours_filter,
                                              nova_host, ours, nova_spec,
                                              spec)
                    if passed is None:
                        return
                    nova_host, ours = passed
                if not ours.allocation_candidates:
                    return
                nova_spec, spec, nova_host, ours = self._consume(
                    case, nova_spec, spec, nova_host, ours, conf)
                self.tally[f'consumed {instance_index}'] += 1

    def _consume(self, case, nova_spec, spec, nova_host, ours, conf):
        chosen = ours.allocation_candidates[0]
        for group in nova_spec.requested_resources:
            group.provider_uuids = chosen['mappings'][group.requester_id]
        spec = spec.replace(requested_resources=tuple(
            dataclasses.replace(g, provider_uuids=tuple(
                chosen['mappings'][g.requester_id]))
            for g in spec.requested_resources))
        io_ops = nova_host.num_io_ops
        nova_host.consume_from_request(nova_spec)
        ours, spec = consumption.consume_request(
            ours, spec, gen.NOW, numa_packing=case.pack)
        # nova counts the IO operation only when consuming went through.
        self.assertEqual(nova_host.num_io_ops, ours.num_io_ops)
        if nova_host.num_io_ops == io_ops:
            self.tally['consume failed'] += 1
        nova_topo = nova_host.numa_topology
        our_topo = topology.host_topology(ours.numa_topology)
        if nova_topo is None:
            self.assertIsNone(our_topo)
        else:
            self.assertEqual(_usage(nova_topo), _usage(our_topo))
        self.assertEqual([dict(p) for p in nova_host.pci_stats.pools],
                         pci_pools.to_dicts(ours.pci_pools))
        if nova_spec.numa_topology is None:
            self.assertIsNone(spec.numa_topology)
        else:
            self.assertEqual(_cells(nova_spec.numa_topology.cells),
                             _cells(spec.numa_topology.cells))
        # The next instance starts from the candidates the filters kept.
        self.assertEqual(list(nova_host.allocation_candidates),
                         list(ours.allocation_candidates))
        return nova_spec, spec, nova_host, ours

    def _check_one_filter(self, case, index):
        with sides.configured(_overrides(case)) as conf:
            nova_spec, spec, nova_host, ours = self._sides(case, conf)
            nova_filter, ours_filter = [
                (nova_numa.NUMATopologyFilter(),
                 numa_topology_filter.NUMATopologyFilter(conf)),
                (nova_pci.PciPassthroughFilter(),
                 pci_passthrough_filter.PciPassthroughFilter(conf))][index]
            self._run_filter(nova_filter, ours_filter, nova_host, ours,
                             nova_spec, spec)

    def _filter_property(self, index, name, scenarios):
        count = 0

        @SETTINGS
        @given(case=numa_cases.cases(scenarios))
        def check(case):
            nonlocal count
            self._check_one_filter(case, index)
            count += 1

        check()
        sides.record_examples(self.id(), count, self.tally)
        self.assertGreater(self.tally[f'{name} passed'], 40, self.tally)
        self.assertGreater(self.tally[f'{name} rejected'], 40, self.tally)
        self.assertGreater(self.tally[f'{name} pruned'], 3, self.tally)

    def test_numa_topology_filter(self):
        # NUMA alone, and with PCI devices whose NUMA affinity counts.
        self._filter_property(0, 'NUMATopologyFilter',
                              ('numa', 'numa', 'both', 'prune', 'prune',
                               'affinity', 'isolate', 'network'))

    def test_pci_passthrough_filter(self):
        self._filter_property(1, 'PciPassthroughFilter',
                              ('pci', 'both', 'prune'))

    def test_filters_and_multi_create_consumption(self):
        count = 0

        @SETTINGS
        @given(case=numa_cases.cases(('numa', 'both', 'pci', 'prune',
                                      'affinity', 'affinity', 'isolate')))
        def check(case):
            nonlocal count
            self._check_filters_and_consume(case)
            count += 1

        check()
        sides.record_examples(self.id(), count, self.tally)
        self.assertGreater(self.tally['NUMATopologyFilter rejected'], 30,
                           self.tally)
        self.assertGreater(self.tally['consumed 1'], 20, self.tally)
        self.assertGreater(self.tally['consume failed'], 3, self.tally)

    def test_pci_numa_affinity_policies(self):
        # Devices spread over the NUMA nodes, every policy: which cells
        # fit, which pools serve and which are consumed.
        count = 0

        @SETTINGS
        @given(case=numa_cases.cases(('affinity',)))
        def check(case):
            nonlocal count
            self._check_filters_and_consume(case)
            count += 1

        check()
        sides.record_examples(self.id(), count, self.tally)
        self.assertGreater(self.tally['NUMATopologyFilter passed'], 40,
                           self.tally)
        self.assertGreater(self.tally['NUMATopologyFilter rejected'], 40,
                           self.tally)
        self.assertGreater(self.tally['consumed 1'], 20, self.tally)


@st.composite
def _pci_case(draw, affinity=True):
    """Host cells, pools, requests, instance cells and a provider mapping;
    ``affinity``: one kind of device over the NUMA nodes, else devices
    with tags and Placement providers."""
    cells = draw(st.integers(1, 4))
    sockets = draw(st.sampled_from(['all', 'none', 'some']))
    host = nova_env.objects.NUMATopology(cells=[
        nova_env.objects.NUMACell(
            id=i, cpuset={i}, pcpuset=set(), memory=1024, cpu_usage=0,
            memory_usage=0, pinned_cpus=set(), siblings=[{i}], mempages=[],
            socket=(None if sockets == 'none'
                    or sockets == 'some' and i == cells - 1 else i // 2))
        for i in range(cells)])
    pools = draw(numa_cases.pci_pools(cells, affinity=affinity))
    requests = draw(numa_cases.pci_requests(pools, affinity=affinity))
    cell_ids = draw(st.one_of(st.none(), st.lists(
        st.integers(0, cells - 1), unique=True, max_size=2)))
    mapping = None
    if not affinity:
        mapping = draw(numa_cases.candidates(
            'root', requests, pools, draw(st.booleans())))[0]['mappings']
    return host, pools, requests, cell_ids, mapping


def _hand_case(sockets, pools, count, policy=None, cell_ids=None,
               spec=None, mapping=None):
    """A hand-made case. ``pools``: (numa_node, count[, tags]) triples;
    one request of ``count`` devices like ``spec`` under ``policy``."""
    objects = nova_env.objects
    host = objects.NUMATopology(cells=[objects.NUMACell(
        id=i, cpuset={i}, pcpuset=set(), memory=1024, cpu_usage=0,
        memory_usage=0, pinned_cpus=set(), siblings=[{i}], mempages=[],
        socket=socket) for i, socket in enumerate(sockets)])
    return (host, [objects.PciDevicePool(
        vendor_id='8086', product_id='1520', numa_node=pool[0],
        count=pool[1],
        tags={'dev_type': 'type-PCI', **(pool[2] if len(pool) > 2 else {})})
        for pool in pools],
        [objects.InstancePCIRequest(
            count=count, spec=[{'vendor_id': '8086', 'product_id': '1520',
                                **(spec or {})}],
            alias_name='a1', numa_policy=policy, is_new=False,
            request_id=numa_cases.REQUEST_IDS[0])], cell_ids, mapping)


_RP1, _RP2 = numa_cases.RPS[:2]
_GROUP = numa_cases.REQUEST_IDS[0]
HAND_CASES = (
    # 'preferred' without enough local devices: local ones go first.
    _hand_case([0, 0], [(1, 2), (0, 1)], 2, 'preferred', [0]),
    # 'socket' needs every host cell to know its socket.
    _hand_case([None, None], [(1, 2)], 1, 'socket', [0]),
    _hand_case([0, 0, 1], [(1, 1), (2, 2)], 1, 'socket', [0]),
    # Live-migratability is matched case-sensitively, unlike other tags.
    _hand_case([0], [(0, 2, {'live_migratable': 'False'})], 1,
               spec={'live_migratable': 'false'}),
    # One provider split over two pools: nova refuses.
    _hand_case([0], [(0, 2, {'rp_uuid': _RP1}),
                     (0, 2, {'rp_uuid': _RP1, 'physical_network': 'p'})],
               1, mapping={f'{_GROUP}-0': [_RP1]}),
    # A device allocated from a provider whose pool is empty: that pool
    # is left out, the others still serve the request.
    _hand_case([0], [(0, 3, {'rp_uuid': _RP1}), (0, 0, {'rp_uuid': _RP2})],
               2, mapping={f'{_GROUP}-0': [_RP1], f'{_GROUP}-1': [_RP2]}),
)


class PciAffinityParityTest(testtools.TestCase):
    """nova's PciDeviceStats.apply_requests against ours, directly: every
    PCI-NUMA policy, with and without socket information."""

    def test_apply_requests_numa_policies(self):
        self._check_apply(affinity=True)

    def test_apply_requests_tags_and_providers(self):
        self._check_apply(affinity=False)

    def _check_apply(self, affinity):
        tally = collections.Counter()

        @SETTINGS
        @given(case=_pci_case(affinity))
        def check(case):
            host, pools, requests, cell_ids, mapping = case
            nova_stats = nova_stats_mod.PciDeviceStats(
                host, stats=nova_env.objects.PciDevicePoolList(
                    objects=pools))
            nova_cells = (None if cell_ids is None else
                          [nova_env.objects.InstanceNUMACell(id=i)
                           for i in cell_ids])
            nova_requests = [r.obj_clone() for r in requests]
            # As the host builder reads the compute node's pci_stats.
            ours = pci_pools.to_dicts(compute_node_columns.pci_pools(
                'node', jsonutils.dumps(nova_env.objects.PciDevicePoolList(
                    objects=pools).obj_to_primitive())))
            our_topo = topology.host_topology(
                json.loads(host._to_json()))
            spec = [pci_codec.read_pci_request(
                codec_values.Path('request', codec_limits.DEFAULT_LIMITS),
                json.loads(jsonutils.dumps(r.obj_to_primitive())))
                for r in requests]
            try:
                nova_stats.apply_requests(nova_requests, mapping,
                                          nova_cells)
                nova_ok = True
            except nova_env.nova_exception.PciDeviceRequestFailed:
                nova_ok = False
            try:
                pci_stats.apply_requests(ours, spec, mapping, cell_ids,
                                         our_topo.cells)
                ok = True
            except pci_stats.PciRequestFailed:
                ok = False
            self.assertEqual(nova_ok, ok)
            self.assertEqual([dict(p) for p in nova_stats.pools], ours)
            tally['applied' if ok else 'failed'] += 1

        for case in HAND_CASES:
            check = example(case=case)(check)
        check()
        sides.record_examples(self.id(), sum(tally.values()), tally)
        self.assertGreater(tally['applied'], 40, tally)
        self.assertGreater(tally['failed'], 20, tally)

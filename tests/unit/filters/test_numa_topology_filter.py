"""NUMATopologyFilter."""

import testtools

from scheduler.hoststate import host_state
from scheduler.filters import base
from scheduler.filters import numa_topology_filter as nf
from scheduler.objects import flavor
from scheduler.objects import image
from scheduler.objects import network
from scheduler.objects import pci
from scheduler.pci import pools as pools_mod
from tests.unit import fakes
from tests.unit.filters import conf_fixture
from tests.unit.numa import builders as b

REQUEST_ID = '00000001-3333-4333-8333-000000000001'
RP1 = '00000001-7777-4777-8777-000000000001'
RP2 = '00000002-7777-4777-8777-000000000002'


def _candidate(name, rp=None):
    mappings = {'': ['root']}
    if rp:
        mappings[f'{REQUEST_ID}-0'] = [rp]
    return {'allocations': {name: {}}, 'mappings': mappings}


def _host(*cells, candidates=(_candidate('c1'),), **fields):
    return fakes.host('a', numa_topology=b.topology(*cells) if cells
                      else None, candidates=candidates,
                      cpu_allocation_ratio=2.0, ram_allocation_ratio=1.5,
                      **fields)


def _spec(numa=None, extra=None, props=None, **fields):
    return fakes.spec(
        flavor=flavor.Flavor(memory_mb=1024, vcpus=2, root_gb=1,
                             ephemeral_gb=0, swap=0,
                             extra_specs=extra or {}),
        image=image.ImageMeta(properties=image.ImageProperties(
            props or {})),
        numa_topology=numa, **fields)


class NUMATopologyFilterTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.filter = nf.NUMATopologyFilter(conf_fixture.make_conf())

    def test_no_instance_topology_passes_unchanged(self):
        host = _host(b.cell(0, cpus=[0]))
        self.assertIs(host, self.filter.refine(host, _spec()))

    def test_instance_topology_needs_a_host_topology(self):
        result = self.filter.refine(_host(), _spec(b.inst(b.shared())))
        self.assertEqual(nf.NO_HOST_TOPOLOGY, result.reason)
        no_cells = fakes.host('a', numa_topology=b.topology())
        self.assertEqual(nf.NO_HOST_TOPOLOGY, self.filter.refine(
            no_cells, _spec(b.inst(b.shared()))).reason)

    def test_require_threads_needs_smt(self):
        host = _host(b.cell(0, pcpus=[0, 1]))
        for extra, props in (
                ({'hw:cpu_policy': 'dedicated',
                  'hw:cpu_thread_policy': 'require'}, {}),
                ({'hw:cpu_thread_policy': 'require'},
                 {'hw_cpu_policy': 'dedicated'})):
            result = self.filter.refine(host, _spec(extra=extra,
                                                    props=props))
            self.assertEqual(nf.NO_THREADS, result.reason)
        smt = _host(b.cell(0, pcpus=[0, 1], siblings=[[0, 1]]))
        self.assertIs(smt, self.filter.refine(smt, _spec(extra={
            'hw:cpu_policy': 'dedicated',
            'hw:cpu_thread_policy': 'require'})))

    def test_fits_and_sets_the_limits(self):
        host = _host(b.cell(0, cpus=[0, 1]))
        spec = _spec(b.inst(b.shared(2)), network_metadata=(
            network.NetworkMetadata(physnets=frozenset({'foo'}))))
        result = self.filter.refine(host, spec)
        self.assertIsInstance(result, host_state.HostState)
        limits = result.limits.numa_topology
        self.assertEqual((2.0, 1.5, frozenset({'foo'})),
                         (limits.cpu_allocation_ratio,
                          limits.ram_allocation_ratio,
                          limits.network_metadata.physnets))
        self.assertIsNone(host.limits.numa_topology)

    def test_does_not_fit(self):
        host = _host(b.cell(0, cpus=[0]))
        result = self.filter.refine(host, _spec(b.inst(b.shared(2))))
        self.assertEqual(nf.DOES_NOT_FIT, result.reason)

    def test_candidates_whose_devices_are_on_other_cells_are_dropped(self):
        pools = (pools_mod.PciPool('8086', '1520', 1, numa_node=1,
                                    tags={'rp_uuid': RP1}),
                 pools_mod.PciPool('8086', '1520', 1, numa_node=0,
                                    tags={'rp_uuid': RP2}))
        candidates = (_candidate('c1', RP1), _candidate('c2', RP2))
        host = _host(b.cell(0, cpus=[0], memory=8192),
                     b.cell(1, cpus=[1], memory=512),
                     candidates=candidates, pci_pools=pools)
        spec = _spec(b.inst(b.shared(1, memory=1024)),
                     pci_requests=pci.PCIRequests(requests=(pci.PCIRequest(
                         count=1, alias_name='a1', request_id=REQUEST_ID,
                         numa_policy='required',
                         spec=({'vendor_id': '8086',
                                'product_id': '1520'},)),)))
        result = self.filter.refine(host, spec)
        self.assertEqual((candidates[1],), result.allocation_candidates)

    def test_a_host_without_candidates_fails(self):
        host = _host(b.cell(0, cpus=[0, 1]), candidates=())
        self.assertEqual(nf.DOES_NOT_FIT, self.filter.refine(
            host, _spec(b.inst(b.shared()))).reason)

    def test_no_thread_siblings_rejects_the_host(self):
        host = _host(b.cell(0, pcpus=[0, 1], siblings=[]))
        self.assertEqual(nf.NO_SIBLINGS, self.filter.refine(
            host, _spec(b.inst(b.dedicated()))).reason)

    def test_unreadable_topology(self):
        host = fakes.host('a', numa_topology={'cells': []})
        self.assertEqual(nf.UNREADABLE, self.filter.refine(
            host, _spec(b.inst(b.shared()))).reason)

    def test_packing_option_and_nova_keeping_the_page_size(self):
        # Cell 0 has huge pages but too few CPUs; cell 1 small pages only.
        # nova records the page size the first cell tried offered, even
        # though that cell then fails, and asks the next cell for it: so
        # the order the cells are tried in decides.
        host = _host(
            b.cell(0, cpus=[0], memory=8192,
                   mempages=[b.small_pages(8192), b.pages(2048, 1024)]),
            b.cell(1, cpus=[1, 2], memory=2048))
        spec = _spec(b.inst(b.shared(2, memory=512, pagesize=-3)))
        spread = self.filter.refine(host, spec)
        self.assertEqual(nf.DOES_NOT_FIT, spread.reason)
        conf = conf_fixture.make_conf(compute={
            'packing_host_numa_cells_allocation_strategy': True})
        packed = nf.NUMATopologyFilter(conf).refine(host, spec)
        self.assertIsInstance(packed, host_state.HostState)

    def test_does_not_run_on_rebuild(self):
        self.assertFalse(nf.NUMATopologyFilter.RUN_ON_REBUILD)
        self.assertTrue(issubclass(nf.NUMATopologyFilter,
                                   base.RefiningHostFilter))

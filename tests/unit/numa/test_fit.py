"""An instance NUMA topology on a host's: which cells, in which order."""

import testtools

from scheduler.numa import fit
from scheduler.numa import instance
from scheduler.numa import topology
from scheduler.objects import network
from scheduler.objects import numa
from scheduler.objects import pci
from scheduler.pci import pools as pools_mod
from tests.unit.numa import builders as b


def _fit(host, inst, **kwargs):
    kwargs.setdefault('provider_mapping', None)
    work = instance.WorkTopology(inst)
    got = fit.fit_instance(topology.host_topology(host), work, **kwargs)
    return None if got is None else [c.id for c in got]


def _two_cells(**second):
    return b.topology(
        b.cell(0, cpus=range(4), pcpus=range(4, 8), memory=4096,
               memory_usage=3000),
        b.cell(1, cpus=range(8, 12), pcpus=range(12, 16), memory=4096,
               **second))


class SpreadOrPackTest(testtools.TestCase):

    def test_spread_takes_the_emptier_cell(self):
        self.assertEqual([1], _fit(_two_cells(), b.inst(b.shared())))

    def test_pack_takes_the_fuller_cell(self):
        self.assertEqual([0], _fit(_two_cells(), b.inst(b.shared()),
                                   pack=True))

    def test_shared_cpu_usage_decides_over_memory(self):
        host = _two_cells(cpu_usage=3)
        self.assertEqual([0], _fit(host, b.inst(b.shared())))

    def test_free_dedicated_cpus_decide_for_pinned_instances(self):
        host = _two_cells(pinned=[12, 13, 14])
        self.assertEqual([0], _fit(host, b.inst(b.dedicated())))

    def test_all_cells_used_keeps_the_host_order(self):
        host = _two_cells()
        inst = b.inst(b.shared(id_=0), b.shared(id_=1))
        self.assertEqual([0, 1], _fit(host, inst))

    def test_later_permutations_when_the_first_does_not_fit(self):
        inst = b.inst(b.shared(memory=3500, id_=0),
                      b.shared(memory=1024, id_=1))
        host = b.topology(b.cell(0, cpus=[0], memory=2048),
                          b.cell(1, cpus=[1], memory=4096))
        self.assertEqual([1, 0], _fit(host, inst))

    def test_more_instance_cells_than_host_cells(self):
        inst = b.inst(b.shared(id_=0), b.shared(id_=1), b.shared(id_=2))
        self.assertIsNone(_fit(_two_cells(), inst))

    def test_no_topology(self):
        self.assertIsNone(_fit(b.topology(), b.inst(b.shared())))


class RequestCellsTest(testtools.TestCase):

    def test_the_request_cells_are_changed_as_nova_changes_them(self):
        work = instance.WorkTopology(b.inst(b.dedicated(2)))
        got = fit.fit_instance(topology.host_topology(_two_cells()), work,
                               provider_mapping=None)
        self.assertIs(work.cells[0], got[0])
        self.assertEqual((1, {0: 12, 1: 13}),
                         (work.cells[0].id, work.cells[0].cpu_pinning))
        # Frozen again, the request carries where it went.
        frozen = work.freeze()
        self.assertEqual(1, frozen.cells[0].id)
        self.assertEqual({0: 12, 1: 13}, dict(frozen.cells[0].cpu_pinning))

    def test_emulator_threads_get_a_cpu_next_to_the_first_cell(self):
        host = b.topology(b.cell(0, pcpus=[0, 1]), b.cell(1, pcpus=[2, 3]))
        inst = b.inst(b.dedicated(1, id_=0), b.dedicated(1, id_=1),
                      emulator='isolate')
        work = instance.WorkTopology(inst)
        got = fit.fit_instance(topology.host_topology(host), work,
                               provider_mapping=None)
        self.assertEqual([frozenset({1}), None],
                         [c.cpuset_reserved for c in got])


class NetworkAffinityTest(testtools.TestCase):

    def _limits(self, physnets=(), tunneled=False):
        return numa.NUMATopologyLimits(
            cpu_allocation_ratio=16.0, ram_allocation_ratio=1.5,
            network_metadata=network.NetworkMetadata(
                physnets=frozenset(physnets), tunneled=tunneled))

    def test_a_physnet_local_to_another_cell_moves_the_instance(self):
        host = b.topology(b.cell(0, cpus=[0], memory=8192, physnets=[]),
                          b.cell(1, cpus=[1], memory=2048,
                                 physnets=['foo']))
        inst = b.inst(b.shared())
        self.assertEqual([0], _fit(host, inst, limits=self._limits()))
        self.assertEqual([1], _fit(host, inst,
                                   limits=self._limits(['foo'])))

    def test_a_physnet_without_affinity_goes_anywhere(self):
        host = b.topology(b.cell(0, cpus=[0], memory=8192),
                          b.cell(1, cpus=[1], memory=2048))
        self.assertEqual([0], _fit(host, b.inst(b.shared()),
                                   limits=self._limits(['bar'])))

    def test_tunnel_affinity(self):
        host = b.topology(b.cell(0, cpus=[0], memory=8192, physnets=[]),
                          b.cell(1, cpus=[1], memory=2048, physnets=[],
                                 tunneled=True))
        self.assertEqual([1], _fit(host, b.inst(b.shared()),
                                   limits=self._limits(tunneled=True)))

    def test_no_cell_can_satisfy_two_physnets_on_two_cells(self):
        host = b.topology(b.cell(0, cpus=[0], physnets=['foo']),
                          b.cell(1, cpus=[1], physnets=['bar']))
        self.assertIsNone(_fit(host, b.inst(b.shared()),
                               limits=self._limits(['foo', 'bar'])))


class PciTest(testtools.TestCase):

    POOLS = (pools_mod.PciPool('8086', '1520', count=1, numa_node=0),)

    def _request(self, policy=None):
        return pci.PCIRequest(
            count=1, spec=({'vendor_id': '8086', 'product_id': '1520'},),
            alias_name='a1', numa_policy=policy,
            request_id='00000001-3333-4333-8333-000000000001')

    def test_cells_with_devices_first_when_devices_are_wanted(self):
        # Spreading alone would take cell 1 (more free memory).
        self.assertEqual([0], _fit(_two_cells(), b.inst(b.shared()),
                                   pci_requests=(self._request(),),
                                   pci_pools=self.POOLS))

    def test_cells_with_devices_last_otherwise(self):
        host = b.topology(b.cell(0, cpus=[0]), b.cell(1, cpus=[1]))
        self.assertEqual([1], _fit(host, b.inst(b.shared()),
                                   pci_pools=self.POOLS))

    def test_required_affinity_rules_out_cells_without_devices(self):
        host = b.topology(b.cell(0, cpus=[0], memory=512),
                          b.cell(1, cpus=[1], memory=8192))
        inst = b.inst(b.shared(memory=1024))
        self.assertIsNone(_fit(host, inst, pci_requests=(
            self._request('required'),), pci_pools=self.POOLS))
        self.assertEqual([1], _fit(host, inst, pci_requests=(
            self._request('preferred'),), pci_pools=self.POOLS))

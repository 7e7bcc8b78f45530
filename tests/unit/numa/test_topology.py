"""Reading the host NUMA topology primitive."""

import testtools

from scheduler.numa import pages
from scheduler.numa import topology
from tests.unit.numa import builders as b


class HostTopologyTest(testtools.TestCase):

    def _topo(self, *cells):
        return topology.host_topology(b.topology(*cells))

    def test_none_is_no_topology(self):
        self.assertIsNone(topology.host_topology(None))

    def test_cells_are_read(self):
        topo = self._topo(b.cell(
            0, cpus=[0, 1], pcpus=[2, 3], memory=2048, cpu_usage=1,
            memory_usage=512, pinned=[3], siblings=[[0, 1], [2, 3]],
            mempages=[b.pages(4, 1000, 10), b.pages(2048, 8, 2, 1)],
            socket=1, physnets=['foo'], tunneled=True))
        cell = topo.cells[0]
        self.assertEqual((0, {0, 1}, {2, 3}, 2048, 1, 512, {3}),
                         (cell.id, cell.cpuset, cell.pcpuset, cell.memory,
                          cell.cpu_usage, cell.memory_usage,
                          cell.pinned_cpus))
        self.assertEqual(({0, 1}, {2, 3}), cell.siblings)
        self.assertEqual((pages.PageSize(4, 1000, 10, 0),
                          pages.PageSize(2048, 8, 2, 1)), cell.mempages)
        self.assertEqual(1, cell.socket)
        self.assertEqual((frozenset({'foo'}), True),
                         (cell.network_metadata.physnets,
                          cell.network_metadata.tunneled))

    def test_fields_an_old_compute_did_not_send_read_as_empty(self):
        primitive = b.cell(0, cpus=[0])
        for key in ('pcpuset', 'socket', 'pinned_cpus', 'mempages'):
            del primitive['nova_object.data'][key]
        cell = self._topo(primitive).cells[0]
        self.assertEqual((set(), None, set(), ()),
                         (cell.pcpuset, cell.socket, cell.pinned_cpus,
                          cell.mempages))
        self.assertIsNone(cell.network_metadata)

    def test_free_dedicated_cpus_and_siblings(self):
        cell = self._topo(b.cell(0, pcpus=[0, 1, 2, 3], pinned=[1],
                                 siblings=[[0, 1], [2, 3]])).cells[0]
        self.assertEqual({0, 2, 3}, cell.free_pcpus)
        self.assertEqual([{0}, {2, 3}], cell.free_siblings)
        self.assertEqual(3, cell.avail_pcpus)

    def test_threads(self):
        self.assertTrue(self._topo(
            b.cell(0, cpus=[0]), b.cell(1, pcpus=[1, 2],
                                        siblings=[[1, 2]])).has_threads)
        self.assertFalse(self._topo(b.cell(0, pcpus=[1, 2])).has_threads)

    def test_reads_as_the_primitive_it_was_read_from(self):
        primitive = b.topology(b.cell(0, cpus=[0, 1], pcpus=[2],
                                      physnets=['foo']))
        topo = topology.host_topology(primitive)
        self.assertEqual('NUMATopology', topo['nova_object.name'])
        again = topology.host_topology(dict(topo))
        self.assertEqual(topo.cells[0].cpuset, again.cells[0].cpuset)
        self.assertEqual(topo.cells[0].network_metadata,
                         again.cells[0].network_metadata)
        # A typed topology is used as it is, not read again.
        self.assertIs(topo, topology.host_topology(topo))

    def test_malformed_primitive(self):
        self.assertRaises(topology.InvalidTopology,
                          topology.host_topology, {'cells': []})
        self.assertRaises(topology.InvalidTopology, topology.host_topology,
                          b.topology({'nova_object.data': {'cpuset': []}}))

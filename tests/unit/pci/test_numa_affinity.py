"""PCI-NUMA affinity policies."""

import dataclasses

import testtools

from scheduler.pci import numa_affinity


@dataclasses.dataclass
class Cell:
    id: int
    socket: int | None


HOST = [Cell(0, 0), Cell(1, 0), Cell(2, 1)]


def _pools(*nodes_counts):
    return [{'numa_node': node, 'count': count}
            for node, count in nodes_counts]


def _nodes(pools):
    return [p['numa_node'] for p in pools]


class PolicyTest(testtools.TestCase):

    POOLS = _pools((0, 1), (None, 1), (1, 1), (2, 1))

    def _filter(self, count, policy, cells=(0,), host=HOST):
        return _nodes(numa_affinity.filter_pools(
            list(self.POOLS), count, policy, list(cells), host))

    def test_no_instance_cells_means_no_affinity(self):
        self.assertEqual([0, None, 1, 2], _nodes(numa_affinity.filter_pools(
            list(self.POOLS), 4, 'required', None, HOST)))

    def test_local_devices_when_there_are_enough(self):
        for policy in (None, 'legacy', 'preferred', 'socket', 'required'):
            self.assertEqual([0], self._filter(1, policy), policy)

    def test_required_never_settles_for_less(self):
        self.assertEqual([0], self._filter(2, 'required'))

    def test_legacy_accepts_devices_on_no_node(self):
        self.assertEqual([0, None], self._filter(2, 'legacy'))
        self.assertEqual([0, None], self._filter(3, None))

    def test_socket_accepts_devices_on_the_same_socket(self):
        self.assertEqual([0, 1], self._filter(2, 'socket'))
        self.assertEqual([2], self._filter(2, 'socket', cells=[2]))

    def test_socket_needs_socket_information_for_every_cell(self):
        host = [Cell(0, 0), Cell(1, None)]
        self.assertEqual([], self._filter(2, 'socket', host=host))
        self.assertRaises(numa_affinity.NoHostTopology, self._filter, 2,
                          'socket', host=None)

    def test_preferred_takes_anything_local_first(self):
        pools = _pools((2, 1), (1, 1), (0, 1))
        self.assertEqual([0, 2, 1], _nodes(numa_affinity.filter_pools(
            pools, 3, 'preferred', [0], HOST)))

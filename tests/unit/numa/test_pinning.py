"""Pinning dedicated vCPUs onto host threads (nova's packing rules)."""

import testtools

from scheduler.numa import instance
from scheduler.numa import pinning
from scheduler.numa import topology
from tests.unit.numa import builders as b

SMT_SIBLINGS = [[0, 4], [1, 5], [2, 6], [3, 7]]


def _host_cell(**kwargs):
    return topology.host_topology(b.topology(b.cell(3, **kwargs))).cells[0]


def _pack(host_cell, vcpus, thread_policy=None, reserved=0):
    cell = instance.WorkCell(b.dedicated(vcpus, thread_policy=thread_policy))
    return pinning.pack(host_cell, cell, num_cpu_reserved=reserved)


class PackTest(testtools.TestCase):

    def test_prefer_fills_whole_cores_first(self):
        host = _host_cell(pcpus=range(8), siblings=SMT_SIBLINGS)
        cell = _pack(host, 2)
        self.assertEqual({0: 0, 1: 4}, cell.cpu_pinning)
        self.assertEqual(3, cell.id)  # the host cell's id now
        self.assertIsNone(cell.cpuset_reserved)

    def test_prefer_falls_back_to_single_threads(self):
        host = _host_cell(pcpus=range(8), siblings=SMT_SIBLINGS,
                          pinned=[4, 5, 6, 7])
        self.assertEqual({0: 0, 1: 1}, _pack(host, 2).cpu_pinning)

    def test_require_needs_smt(self):
        host = _host_cell(pcpus=range(4))
        self.assertIsNone(_pack(host, 1, 'require'))

    def test_require_takes_free_sibling_pairs_only(self):
        host = _host_cell(pcpus=[0, 1, 4, 5], siblings=[[0, 4], [1, 5]],
                          pinned=[4])
        self.assertEqual({0: 1, 1: 5}, _pack(host, 2, 'require').cpu_pinning)
        self.assertIsNone(_pack(host, 3, 'require'))

    def test_isolate_refused_on_smt_hosts_with_cpu_dedicated_set(self):
        host = _host_cell(cpus=[8], pcpus=range(8), siblings=SMT_SIBLINGS)
        self.assertIsNone(_pack(host, 1, 'isolate'))

    def test_isolate_one_thread_per_free_core_on_vcpu_pin_set_hosts(self):
        host = _host_cell(cpus=[0, 1, 4, 5], pcpus=[0, 1, 4, 5],
                          siblings=[[0, 4], [1, 5]])
        self.assertEqual({0: 0, 1: 1}, _pack(host, 2, 'isolate').cpu_pinning)
        # Only fully free cores count.
        busy = _host_cell(cpus=[0, 1, 4, 5], pcpus=[0, 1, 4, 5],
                          siblings=[[0, 4], [1, 5]], pinned=[5])
        self.assertIsNone(_pack(busy, 2, 'isolate'))

    def test_isolate_without_smt_is_plain_pinning(self):
        host = _host_cell(pcpus=range(3))
        self.assertEqual({0: 0, 1: 1}, _pack(host, 2, 'isolate').cpu_pinning)

    def test_a_cpu_is_reserved_for_emulator_threads_when_asked(self):
        host = _host_cell(pcpus=range(3))
        cell = _pack(host, 2, reserved=1)
        self.assertEqual(({0: 0, 1: 1}, frozenset({2})),
                         (cell.cpu_pinning, cell.cpuset_reserved))
        self.assertIsNone(_pack(_host_cell(pcpus=range(2)), 2, reserved=1))

    def test_only_dedicated_vcpus_are_pinned(self):
        host = _host_cell(pcpus=range(4))
        cell = instance.WorkCell(b.inst_cell(0, cpus=[0], pcpus=[1, 2],
                                             policy='mixed'))
        self.assertEqual({1: 0, 2: 1}, pinning.pack(host, cell).cpu_pinning)

    def test_a_failed_pack_leaves_the_cell_alone(self):
        host = _host_cell(pcpus=range(4))
        cell = instance.WorkCell(b.dedicated(2, thread_policy='require'))
        self.assertIsNone(pinning.pack(host, cell))
        self.assertEqual((0, None), (cell.id, cell.cpu_pinning))

    def test_no_sibling_information(self):
        host = _host_cell(pcpus=range(4), siblings=[])
        self.assertRaises(pinning.NoSiblingInformation, _pack, host, 1)

"""Recording an instance's NUMA usage on the host cells."""

import testtools

from scheduler.numa import instance
from scheduler.numa import pages
from scheduler.numa import topology
from scheduler.numa import usage
from tests.unit.numa import builders as b


def _host(*cells):
    return topology.host_topology(b.topology(*cells))


def _placed(cell, host_cell_id, pinning=None, reserved=None):
    work = instance.WorkCell(cell)
    work.id = host_cell_id
    work.cpu_pinning = pinning
    work.cpuset_reserved = reserved
    return work


class AddUsageTest(testtools.TestCase):

    def test_shared_cells_use_cpus_memory_and_pages(self):
        host = _host(b.cell(0, cpus=range(4), memory=4096),
                     b.cell(1, cpus=range(4, 8), memory=4096, cpu_usage=1))
        after = usage.add_usage(host, [_placed(b.shared(2, 1024), 1)])
        untouched, used = after.cells
        self.assertEqual((0, 0), (untouched.cpu_usage,
                                  untouched.memory_usage))
        self.assertEqual((3, 1024, set()), (used.cpu_usage, used.memory_usage,
                                            used.pinned_cpus))
        self.assertEqual(1024 * 256, used.mempages[0].used)
        # The host topology it came from is not changed.
        self.assertEqual(1, host.cells[1].cpu_usage)

    def test_huge_pages(self):
        host = _host(b.cell(0, cpus=[0], mempages=[b.small_pages(4096),
                                                   b.pages(2048, 512)]))
        cell = b.shared(1, 512, pagesize=2048)
        after = usage.add_usage(host, [_placed(cell, 0)])
        self.assertEqual([0, 256], [p.used for p in after.cells[0].mempages])

    def test_dedicated_cpus_and_emulator_cpus_are_pinned(self):
        host = _host(b.cell(0, pcpus=range(4)))
        placed = _placed(b.dedicated(2), 0, {0: 2, 1: 3}, frozenset({0}))
        after = usage.add_usage(host, [placed])
        self.assertEqual({0, 2, 3}, after.cells[0].pinned_cpus)
        self.assertEqual({1}, after.cells[0].free_pcpus)

    def test_isolate_pins_the_whole_core(self):
        host = _host(b.cell(0, cpus=range(4), pcpus=range(4),
                            siblings=[[0, 2], [1, 3]]))
        placed = _placed(b.dedicated(1, thread_policy='isolate'), 0, {0: 0})
        after = usage.add_usage(host, [placed])
        self.assertEqual({0, 2}, after.cells[0].pinned_cpus)

    def test_pinning_a_pinned_cpu_fails(self):
        host = _host(b.cell(0, pcpus=range(4), pinned=[1]))
        placed = _placed(b.dedicated(1), 0, {0: 1})
        self.assertRaises(usage.PinningError, usage.add_usage, host,
                          [placed])

    def test_pinning_a_cpu_that_is_not_dedicated_fails(self):
        # 'isolate' would take a sibling that is a shared CPU.
        host = _host(b.cell(0, cpus=[2], pcpus=[0, 1],
                            siblings=[[0, 2], [1]]))
        placed = _placed(b.dedicated(1, thread_policy='isolate'), 0, {0: 0})
        self.assertRaises(usage.PinningError, usage.add_usage, host,
                          [placed])

    def test_a_cell_without_page_sizes(self):
        host = _host(b.cell(0, cpus=[0], mempages=[]))
        self.assertRaises(pages.NoPageSizes, usage.add_usage, host,
                          [_placed(b.shared(), 0)])

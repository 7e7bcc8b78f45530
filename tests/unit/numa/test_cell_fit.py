"""One instance cell on one host cell: memory, CPUs, limits."""

import testtools

from scheduler.numa import cell_fit
from scheduler.numa import instance
from scheduler.numa import pages
from scheduler.numa import topology
from scheduler.objects import numa
from tests.unit.numa import builders as b


def _host_cell(**kwargs):
    return topology.host_topology(b.topology(b.cell(1, **kwargs))).cells[0]


def _fit(host_cell, cell, limits=None, reserved=0):
    return cell_fit.fit_cell(host_cell, instance.WorkCell(cell), limits,
                             reserved)


class MemoryTest(testtools.TestCase):

    def test_unpinned_may_use_memory_others_use(self):
        host = _host_cell(cpus=range(4), memory=4096, memory_usage=4000,
                          mempages=[b.small_pages(4096, used_mb=4000)])
        self.assertIsNotNone(_fit(host, b.shared(1, 1024)))
        # ... but never more than the cell has.
        self.assertIsNone(_fit(host, b.shared(1, 8192)))

    def test_pinned_needs_free_memory(self):
        host = _host_cell(pcpus=range(4), memory=4096, memory_usage=4000,
                          mempages=[b.small_pages(4096, used_mb=4000)])
        self.assertIsNone(_fit(host, b.dedicated(1, 1024)))
        no_pages = _host_cell(pcpus=range(4), memory=4096,
                              memory_usage=4000, mempages=[])
        self.assertIsNone(_fit(no_pages, b.dedicated(1, 1024)))
        self.assertIsNotNone(_fit(no_pages, b.dedicated(1, 96)))

    def test_page_size_is_recorded(self):
        host = _host_cell(cpus=range(2), mempages=[
            b.small_pages(4096), b.pages(2048, 1024)])
        got = _fit(host, b.shared(1, 1024, pagesize=pages.LARGE))
        self.assertEqual((1, 2048), (got.id, got.pagesize))

    def test_page_size_is_kept_even_when_cpus_do_not_fit(self):
        # nova updates the request's cell before checking CPUs.
        host = _host_cell(pcpus=[0], mempages=[
            b.small_pages(4096), b.pages(2048, 1024)])
        cell = instance.WorkCell(b.dedicated(2, 1024, pagesize=pages.ANY))
        self.assertIsNone(cell_fit.fit_cell(host, cell))
        self.assertEqual(2048, cell.pagesize)


class CpuTest(testtools.TestCase):

    def test_shared_cpus_of_the_cell(self):
        host = _host_cell(cpus=range(2))
        self.assertIsNotNone(_fit(host, b.shared(2)))
        self.assertIsNone(_fit(host, b.shared(3)))

    def test_shared_cpu_and_memory_limits(self):
        host = _host_cell(cpus=range(2), cpu_usage=3, memory=4096,
                          memory_usage=3072)
        tight = numa.NUMATopologyLimits(cpu_allocation_ratio=2.0,
                                        ram_allocation_ratio=1.0)
        self.assertIsNone(_fit(host, b.shared(2, 512), tight))  # 5 > 4
        roomy = numa.NUMATopologyLimits(cpu_allocation_ratio=4.0,
                                        ram_allocation_ratio=1.0)
        self.assertIsNotNone(_fit(host, b.shared(2, 512), roomy))
        self.assertIsNone(_fit(host, b.shared(2, 2048), roomy))  # RAM

    def test_dedicated_needs_free_pcpus_and_emulator_overhead(self):
        host = _host_cell(pcpus=range(3), pinned=[0])
        self.assertIsNotNone(_fit(host, b.dedicated(2)))
        self.assertIsNone(_fit(host, b.dedicated(2), reserved=1))
        self.assertIsNone(_fit(host, b.dedicated(3)))

    def test_limits_do_not_apply_to_dedicated_cpus(self):
        host = _host_cell(pcpus=range(2), memory=4096, memory_usage=0)
        limits = numa.NUMATopologyLimits(cpu_allocation_ratio=0.0,
                                         ram_allocation_ratio=0.0)
        self.assertIsNotNone(_fit(host, b.dedicated(2), limits))

    def test_mixed_needs_both_kinds(self):
        host = _host_cell(cpus=[0], pcpus=[1, 2])
        mixed = b.inst_cell(0, cpus=[0], pcpus=[1, 2], policy='mixed')
        got = _fit(host, mixed)
        self.assertEqual({1: 1, 2: 2}, got.cpu_pinning)
        two_shared = b.inst_cell(0, cpus=[0, 1], pcpus=[2], policy='mixed')
        self.assertIsNone(_fit(host, two_shared))

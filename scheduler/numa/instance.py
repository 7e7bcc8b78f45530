"""The instance NUMA cells while they are being fitted.

nova fits by mutating the request's InstanceNUMACell objects: a cell takes
the id of the host cell it was last fitted on, the page size it got and
its CPU pinning, and keeps them through the following permutations and
allocation candidates (its caches are keyed by those changing ids). The
NUMATopologyFilter works on a copy per host, while consuming a host for a
multi-create changes the request itself for the later instances. To give
the same answers, fitting works on these mutable mirrors of nova's cells,
made from and turned back into the frozen request objects.
"""

from collections.abc import Mapping
import types

from scheduler.objects import numa

DEDICATED = 'dedicated'
SHARED = 'shared'
MIXED = 'mixed'
PINNED_POLICIES = (DEDICATED, MIXED)
UNPINNED_POLICIES = (SHARED, MIXED, None)
THREAD_REQUIRE = 'require'
THREAD_ISOLATE = 'isolate'
THREAD_PREFER = 'prefer'
EMULATOR_ISOLATE = 'isolate'


class WorkCell:
    """A mutable mirror of nova's InstanceNUMACell."""

    __slots__ = ('id', 'cpuset', 'pcpuset', 'memory', 'pagesize',
                 'cpu_pinning', 'cpuset_reserved', 'cpu_policy',
                 'cpu_thread_policy', 'cpu_topology')

    def __init__(self, cell: numa.InstanceNUMACell) -> None:
        self.id: int = cell.id
        self.cpuset: frozenset[int] = cell.cpuset
        self.pcpuset: frozenset[int] = cell.pcpuset
        self.memory: int = cell.memory
        self.pagesize: int | None = cell.pagesize
        self.cpu_pinning: dict[int, int] | None = (
            None if cell.cpu_pinning is None else dict(cell.cpu_pinning))
        self.cpuset_reserved: frozenset[int] | None = cell.cpuset_reserved
        self.cpu_policy: str | None = cell.cpu_policy
        self.cpu_thread_policy: str | None = cell.cpu_thread_policy
        self.cpu_topology: numa.VirtCPUTopology | None = cell.cpu_topology

    def pin_vcpus(self, pairs: list[tuple[int, int]]) -> None:
        """nova's pin_vcpus: only dedicated vCPUs are pinned, merged into
        whatever pinning the cell already had."""
        for vcpu, pcpu in pairs:
            if vcpu not in self.pcpuset:
                continue
            pinning = dict(self.cpu_pinning or {})
            pinning[vcpu] = pcpu
            self.cpu_pinning = pinning

    def freeze(self) -> numa.InstanceNUMACell:
        pinning: Mapping[int, int] | None = (
            None if self.cpu_pinning is None
            else types.MappingProxyType(dict(self.cpu_pinning)))
        return numa.InstanceNUMACell(
            id=self.id, cpuset=self.cpuset, pcpuset=self.pcpuset,
            memory=self.memory, cpuset_reserved=self.cpuset_reserved,
            pagesize=self.pagesize, cpu_topology=self.cpu_topology,
            cpu_pinning=pinning, cpu_policy=self.cpu_policy,
            cpu_thread_policy=self.cpu_thread_policy)


class WorkTopology:
    """A mutable mirror of nova's InstanceNUMATopology."""

    __slots__ = ('cells', 'emulator_threads_policy')

    def __init__(self, topology: numa.InstanceNUMATopology) -> None:
        self.cells = [WorkCell(cell) for cell in topology.cells]
        self.emulator_threads_policy = topology.emulator_threads_policy

    @property
    def emulator_threads_isolated(self) -> bool:
        return self.emulator_threads_policy == EMULATOR_ISOLATE

    def freeze(self) -> numa.InstanceNUMATopology:
        return numa.InstanceNUMATopology(
            cells=tuple(cell.freeze() for cell in self.cells),
            emulator_threads_policy=self.emulator_threads_policy)

"""Instance NUMA topology and the NUMA limits we hand back."""

from collections.abc import Mapping
import dataclasses

from scheduler.objects import network


@dataclasses.dataclass(frozen=True, slots=True)
class VirtCPUTopology:
    sockets: int | None = None
    cores: int | None = None
    threads: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class InstanceNUMACell:
    id: int
    cpuset: frozenset[int] = frozenset()
    pcpuset: frozenset[int] = frozenset()
    memory: int = 0
    cpuset_reserved: frozenset[int] | None = None
    pagesize: int | None = None
    cpu_topology: VirtCPUTopology | None = None
    cpu_pinning: Mapping[int, int] | None = None
    cpu_policy: str | None = None
    cpu_thread_policy: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class InstanceNUMATopology:
    cells: tuple[InstanceNUMACell, ...] = ()
    emulator_threads_policy: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class NUMATopologyLimits:
    cpu_allocation_ratio: float
    ram_allocation_ratio: float
    network_metadata: network.NetworkMetadata = network.NetworkMetadata()

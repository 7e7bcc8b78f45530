"""The host's NUMA topology (nova's NUMATopology / NUMACell 1.x).

HostState.numa_topology holds the NUMATopology primitive read from the
compute node. ``HostTopology`` is that topology read into typed cells; it
is also a read-only ``Mapping`` presenting the same primitive, so a host
whose usage was consumed keeps a ``numa_topology`` of the same shape while
the CPU sets inside stay the very set objects nova's copies would be (see
``cpusets``). Nothing here is ever mutated after construction.
"""

from collections.abc import Iterator, Mapping, Sequence
import dataclasses
from typing import Any

from scheduler.numa import cpusets
from scheduler.numa import pages
from scheduler.objects import network


class InvalidTopology(ValueError):
    """The host primitive is not a NUMATopology nova could read."""


@dataclasses.dataclass(frozen=True, eq=False)
class HostCell:
    id: int
    # Sets built by ``cpusets`` and never mutated (plain sets, not
    # frozensets: converting would change their iteration order).
    cpuset: set[int]
    pcpuset: set[int]
    memory: int
    cpu_usage: int
    memory_usage: int
    pinned_cpus: set[int]
    siblings: tuple[set[int], ...]
    mempages: tuple[pages.PageSize, ...]
    # None when the cell does not set network_metadata at all.
    network_metadata: network.NetworkMetadata | None = None
    socket: int | None = None

    @property
    def free_pcpus(self) -> set[int]:
        # nova's very set operations: the order of the result matters.
        return self.pcpuset - self.pinned_cpus or set()

    @property
    def free_siblings(self) -> list[set[int]]:
        return [sibling & self.free_pcpus for sibling in self.siblings]

    @property
    def avail_pcpus(self) -> int:
        return len(self.free_pcpus)

    @property
    def avail_memory(self) -> int:
        return self.memory - self.memory_usage

    @property
    def has_threads(self) -> bool:
        return any(len(sibling) > 1 for sibling in self.siblings)

    def to_primitive(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            'id': self.id,
            'cpuset': list(self.cpuset),
            'pcpuset': list(self.pcpuset),
            'memory': self.memory,
            'cpu_usage': self.cpu_usage,
            'memory_usage': self.memory_usage,
            'pinned_cpus': list(self.pinned_cpus),
            'siblings': [list(s) for s in self.siblings],
            'mempages': [p.to_primitive() for p in self.mempages],
            'socket': self.socket,
        }
        if self.network_metadata is not None:
            data['network_metadata'] = {
                'nova_object.name': 'NetworkMetadata',
                'nova_object.namespace': 'nova',
                'nova_object.version': '1.0',
                'nova_object.data': {
                    'physnets': sorted(self.network_metadata.physnets),
                    'tunneled': self.network_metadata.tunneled}}
        return {'nova_object.name': 'NUMACell',
                'nova_object.namespace': 'nova',
                'nova_object.version': '1.5',
                'nova_object.data': data}


class HostTopology(Mapping[str, Any]):
    """The host's NUMA cells; reads as the NUMATopology primitive."""

    __slots__ = ('cells', '_primitive')

    def __init__(self, cells: Sequence[HostCell]) -> None:
        self.cells: tuple[HostCell, ...] = tuple(cells)
        self._primitive: dict[str, Any] | None = None

    @property
    def has_threads(self) -> bool:
        return any(cell.has_threads for cell in self.cells)

    def __len__(self) -> int:
        return len(self._as_primitive())

    def __iter__(self) -> Iterator[str]:
        return iter(self._as_primitive())

    def __getitem__(self, key: str) -> Any:
        return self._as_primitive()[key]

    def _as_primitive(self) -> dict[str, Any]:
        if self._primitive is None:
            self._primitive = {
                'nova_object.name': 'NUMATopology',
                'nova_object.namespace': 'nova',
                'nova_object.version': '1.2',
                'nova_object.data': {
                    'cells': [c.to_primitive() for c in self.cells]}}
        return self._primitive


def host_topology(raw: Mapping[str, Any] | None) -> HostTopology | None:
    """The typed topology of HostState.numa_topology (None: no topology).

    nova reads a topology without cells as no topology at all (it tests
    the object's length), and so does every caller here.
    """
    if raw is None:
        return None
    if isinstance(raw, HostTopology):
        return raw
    try:
        data = raw['nova_object.data']
        cells = tuple(_cell(c) for c in data.get('cells') or ())
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidTopology(str(exc)) from None
    return HostTopology(cells)


def _cell(primitive: Mapping[str, Any]) -> HostCell:
    data = primitive['nova_object.data']
    # Fields an old compute did not send read as empty (nova would fail
    # on them, a pre-Victoria compute being long unsupported).
    return HostCell(
        id=int(data['id']),
        cpuset=cpusets.from_primitive(data.get('cpuset') or ()),
        pcpuset=cpusets.from_primitive(data.get('pcpuset') or ()),
        memory=int(data.get('memory') or 0),
        cpu_usage=int(data.get('cpu_usage') or 0),
        memory_usage=int(data.get('memory_usage') or 0),
        pinned_cpus=cpusets.from_primitive(data.get('pinned_cpus') or ()),
        siblings=tuple(cpusets.from_primitive(s)
                       for s in data.get('siblings') or ()),
        mempages=tuple(pages.from_primitive(p)
                       for p in data.get('mempages') or ()),
        network_metadata=_network_metadata(data.get('network_metadata')),
        socket=(None if data.get('socket') is None
                else int(data['socket'])),
    )


def _network_metadata(primitive: Any) -> network.NetworkMetadata | None:
    if primitive is None:
        return None
    data = primitive['nova_object.data']
    return network.NetworkMetadata(
        physnets=frozenset(str(p) for p in data.get('physnets') or ()),
        tunneled=bool(data.get('tunneled', False)))

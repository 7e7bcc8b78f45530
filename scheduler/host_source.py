"""Where host states come from: one immutable snapshot per request.

A ``HostSource`` hands out the current ``HostSnapshot``. A request takes
one snapshot when it starts and uses only that, so a refresh that swaps in
a new snapshot never shows a request half of the old state and half of the
new. ``InMemoryHostSource`` holds a snapshot given to it (tests, embedding,
the simulator); the database-backed cache implements the same protocol.
"""

from collections.abc import Iterable, Mapping, Sequence
import dataclasses
import threading
import types
from typing import Protocol

from scheduler import host_state
from scheduler.objects import aggregate as aggregate_obj


@dataclasses.dataclass(frozen=True, slots=True)
class HostSnapshot:
    hosts: Mapping[str, host_state.HostState] = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({}))
    aggregates: tuple[aggregate_obj.Aggregate, ...] = ()
    # Cells whose hosts could not be read for this snapshot.
    unavailable_cells: frozenset[str] = frozenset()
    # Compute nodes left out because their data is incomplete or invalid:
    # node uuid -> why (no service record, never updated, bad column).
    incomplete_nodes: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: types.MappingProxyType({}))
    # Minimum nova-compute service version across all cells (nova's
    # get_minimum_version_all_cells), read when the snapshot is built;
    # None when the source does not know it (owner_nova_filter estimates).
    min_compute_version: int | None = None

    @classmethod
    def of(cls, hosts: Iterable[host_state.HostState],
           aggregates: Sequence[aggregate_obj.Aggregate] = (),
           unavailable_cells: Iterable[str] = ()) -> 'HostSnapshot':
        return cls(types.MappingProxyType({h.uuid: h for h in hosts}),
                   tuple(aggregates), frozenset(unavailable_cells))

    def by_uuids(self, uuids: Iterable[str]
                 ) -> tuple[list[host_state.HostState], int]:
        """Hosts for these provider uuids, and how many were unknown."""
        found: list[host_state.HostState] = []
        missing = 0
        for uuid in uuids:
            state = self.hosts.get(uuid)
            if state is None:
                missing += 1
            else:
                found.append(state)
        return found, missing

    def in_cells(self, cell_uuids: frozenset[str] | None
                 ) -> list[host_state.HostState]:
        return [h for h in self.hosts.values()
                if cell_uuids is None or h.cell_uuid in cell_uuids]

    def find_nodes(self, host: str | None, node: str | None
                   ) -> list[str]:
        """Compute node uuids matching a host and/or node name.

        As nova's get_compute_nodes_by_host_or_node: host alone, node
        alone, or both.
        """
        return [h.uuid for h in self.hosts.values()
                if (host is None or h.host == host)
                and (node is None or h.nodename == node)
                and (host is not None or node is not None)]


class HostSource(Protocol):
    def snapshot(self) -> HostSnapshot:
        """The current snapshot; cheap, never blocks on I/O."""
        ...


class InMemoryHostSource:
    """A host source over snapshots handed to it."""

    def __init__(self, snapshot: HostSnapshot | None = None) -> None:
        self._lock = threading.Lock()
        self._snapshot = snapshot or HostSnapshot()

    def snapshot(self) -> HostSnapshot:
        return self._snapshot

    def replace(self, snapshot: HostSnapshot) -> None:
        # Rebinding one attribute is atomic; the lock orders writers.
        with self._lock:
            self._snapshot = snapshot

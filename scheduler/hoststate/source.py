"""Where host states come from: one immutable snapshot per request.

A ``HostSource`` hands out the current ``HostSnapshot``. A request takes
one snapshot when it starts and uses only that, so a refresh that swaps in
a new snapshot never shows a request half of the old state and half of the
new. ``InMemoryHostSource`` holds a snapshot given to it (tests, embedding,
the simulator); the database-backed cache implements the same protocol.

The request takes its snapshot with ``fresh_snapshot()``: every change
committed before the call is in it (the database-backed cache reads what
changed since its last read). Once Placement answered, ``with_providers``
adds the candidate providers the snapshot did not know, if they turn out
to be compute nodes. Both are optional for a source (``FreshHostSource``):
the module functions of the same names fall back to ``snapshot()`` for a
source that only has that.
"""

from collections.abc import Iterable, Mapping, Sequence
import dataclasses
import itertools
import threading
import types
from typing import Protocol
from typing import runtime_checkable

from scheduler.hoststate import host_state
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
        # Looked up at C speed: this runs for every candidate.
        states = list(map(self.hosts.get, uuids))
        missing = states.count(None)
        if missing:
            return [s for s in states if s is not None], missing
        return states, 0  # type: ignore[return-value]

    def in_cells(self, cell_uuids: frozenset[str] | None
                 ) -> list[host_state.HostState]:
        return [h for h in self.hosts.values()
                if cell_uuids is None or h.cell_uuid in cell_uuids]

    def with_nodes(self, hosts: Iterable[host_state.HostState],
                   incomplete: Mapping[str, str]) -> 'HostSnapshot':
        """This snapshot with more hosts and left-out nodes added."""
        added = {h.uuid: h for h in hosts}
        if not added and not incomplete:
            return self
        return dataclasses.replace(
            self,
            hosts=types.MappingProxyType({**self.hosts, **added}),
            incomplete_nodes=types.MappingProxyType(
                {**self.incomplete_nodes, **incomplete}))

    def unknown(self, uuids: Iterable[str]) -> list[str]:
        """The uuids that are neither hosts nor left-out nodes here."""
        return list(itertools.filterfalse(
            self.incomplete_nodes.__contains__, itertools.filterfalse(
                self.hosts.__contains__, uuids)))

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


@runtime_checkable
class FreshHostSource(HostSource, Protocol):
    def fresh_snapshot(self) -> HostSnapshot:
        """A snapshot with every change committed before this call.

        May read a database (briefly, bounded by its timeout); never
        raises for a database that cannot be read: the cached state is
        returned instead.
        """
        ...

    def with_providers(self, snapshot: HostSnapshot,
                       uuids: Sequence[str]) -> HostSnapshot:
        """``snapshot`` with these providers added if they are nodes.

        For candidate providers ``snapshot`` does not know: the nodes
        found are added (as hosts or left-out nodes); the others are not
        compute nodes. Never raises for a database that cannot be read.
        """
        ...


def fresh_snapshot(source: HostSource) -> HostSnapshot:
    """``source.fresh_snapshot()``, or its snapshot if it has no such."""
    if isinstance(source, FreshHostSource):
        return source.fresh_snapshot()
    return source.snapshot()


def with_providers(source: HostSource, snapshot: HostSnapshot,
                   uuids: Sequence[str]) -> HostSnapshot:
    """``source.with_providers(...)`` for the uuids ``snapshot`` lacks."""
    unknown = snapshot.unknown(uuids)
    if not unknown or not isinstance(source, FreshHostSource):
        return snapshot
    return source.with_providers(snapshot, unknown)


class InMemoryHostSource:
    """A host source over snapshots handed to it."""

    def __init__(self, snapshot: HostSnapshot | None = None) -> None:
        self._lock = threading.Lock()
        self._snapshot = snapshot or HostSnapshot()

    def snapshot(self) -> HostSnapshot:
        return self._snapshot

    def fresh_snapshot(self) -> HostSnapshot:
        # What it was handed is all there is.
        return self._snapshot

    def with_providers(self, snapshot: HostSnapshot,
                       uuids: Sequence[str]) -> HostSnapshot:
        return snapshot

    def replace(self, snapshot: HostSnapshot) -> None:
        # Rebinding one attribute is atomic; the lock orders writers.
        with self._lock:
            self._snapshot = snapshot

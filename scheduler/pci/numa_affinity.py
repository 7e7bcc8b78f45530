"""PCI-NUMA affinity: which pools may serve a request for the instance's
NUMA cells (nova's _filter_pools_for_numa_cells and socket affinity).

Policies, strictest first: 'required' (devices on the instance's cells),
'socket' (devices on a cell of the same socket), 'legacy' (on the cells,
or on no NUMA node at all) and 'preferred' (anything, local ones first).
Even a lax policy gets the strictest affinity that has enough devices.
"""

from collections.abc import Sequence
from typing import Protocol

from scheduler.pci import pools as pools_mod

REQUIRED = 'required'
SOCKET = 'socket'
LEGACY = 'legacy'
PREFERRED = 'preferred'


class NoHostTopology(LookupError):
    """The socket policy was applied on a host without NUMA topology
    (nova fails with AttributeError there)."""


class HostCellLike(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def socket(self) -> int | None: ...


def _on_nodes(pools: Sequence[pools_mod.Pool],
              nodes: Sequence[int | None]) -> list[pools_mod.Pool]:
    return [pool for pool in pools
            if any(pools_mod.prop_match(pool, [{'numa_node': node}])
                   for node in nodes)]


def _socket_pools(pools: Sequence[pools_mod.Pool], cell_ids: Sequence[int],
                  host_cells: Sequence[HostCellLike] | None
                  ) -> list[pools_mod.Pool]:
    if host_cells is None:
        raise NoHostTopology()
    if any(cell.socket is None for cell in host_cells):
        return []
    sockets = {host_cell.socket for guest in cell_ids
               for host_cell in host_cells if guest == host_cell.id}
    nodes = [host_cell.id for host_cell in host_cells
             if host_cell.socket in sockets]
    return _on_nodes(pools, nodes)


def filter_pools(pools: list[pools_mod.Pool], count: int,
                 policy: str | None, cell_ids: Sequence[int] | None,
                 host_cells: Sequence[HostCellLike] | None
                 ) -> list[pools_mod.Pool]:
    """The pools usable under ``policy`` for instance cells ``cell_ids``
    (host cell ids); every pool when the instance has no cells."""
    if not cell_ids:
        return pools
    policy = policy or LEGACY
    nodes: list[int | None] = list(cell_ids)
    local = _on_nodes(pools, nodes)
    if policy == REQUIRED or pools_mod.total(local) >= count:
        return local
    if policy == SOCKET:
        return _socket_pools(pools, cell_ids, host_cells)
    # Devices reporting no NUMA node count as local for 'legacy'.
    nodes.append(None)
    local = _on_nodes(pools, nodes)
    if policy == LEGACY or pools_mod.total(local) >= count:
        return local
    return sorted(pools, key=lambda pool: pool.get('numa_node') not in nodes)

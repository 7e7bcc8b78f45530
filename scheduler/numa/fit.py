"""Fit an instance NUMA topology onto a host's (numa_fit_instance_to_host).

Host cells are ordered (spread or pack, then by PCI devices), every
permutation of host cells is tried for the instance cells with nova's
fit/no-fit caches, and a permutation is accepted when its cells also
serve the PCI requests and the network NUMA affinity.
"""

from collections.abc import Mapping, Sequence
import itertools

from scheduler.numa import cell_fit
from scheduler.numa import instance
from scheduler.numa import pages
from scheduler.numa import topology
from scheduler.objects import network
from scheduler.objects import numa
from scheduler.objects import pci
from scheduler.pci import pools as pools_mod
from scheduler.pci import stats as pci_stats

ProviderMapping = Mapping[str, Sequence[str]]


def _ordered_cells(host: topology.HostTopology,
                   work: instance.WorkTopology, pack: bool,
                   pci_pools: Sequence[pools_mod.PciPool],
                   pci_requested: bool) -> Sequence[topology.HostCell]:
    cells: Sequence[topology.HostCell] = host.cells
    if len(host.cells) <= len(work.cells):
        return cells
    # Spread: emptier cells first; pack ([compute]
    # packing_host_numa_cells_allocation_strategy): fuller cells first.
    cells = sorted(cells, reverse=not pack, key=lambda c: c.avail_memory)
    if work.cells[0].cpu_policy in (None, instance.SHARED):
        cells = sorted(cells, reverse=pack, key=lambda c: c.cpu_usage)
    else:
        cells = sorted(cells, reverse=not pack,
                       key=lambda c: len(c.free_pcpus))
    devices: dict[int | None, int] = {}
    for pool in pci_pools:
        devices[pool.numa_node] = devices.get(pool.numa_node, 0) + pool.count
    # Cells with PCI devices first when the instance wants devices, last
    # when it does not.
    return sorted(cells, reverse=pci_requested,
                  key=lambda c: devices.get(c.id, 0))


def fit_instance(
        host: topology.HostTopology | None,
        work: instance.WorkTopology | None, *,
        provider_mapping: ProviderMapping | None,
        limits: numa.NUMATopologyLimits | None = None,
        pci_requests: Sequence[pci.PCIRequest] = (),
        pci_pools: Sequence[pools_mod.PciPool] = (),
        pack: bool = False) -> list[instance.WorkCell] | None:
    """The instance cells placed on host cells, or None when they do not
    fit. ``work`` is updated the way nova updates the request's cells."""
    if not host or not host.cells or not work or not work.cells:
        return None
    if len(host.cells) < len(work.cells):
        return None
    metadata = limits.network_metadata if limits is not None else None
    cells = _ordered_cells(host, work, pack, pci_pools, bool(pci_requests))
    # (host cell id, instance cell id) pairs known not to fit / to fit; the
    # instance cell id is the one it has *now*, as in nova.
    not_fit: set[tuple[int, int]] = set()
    fit: set[tuple[int, int]] = set()
    for permutation in itertools.permutations(cells, len(work.cells)):
        chosen_cells: list[instance.WorkCell] = []
        chosen_hosts: list[topology.HostCell] = []
        for host_cell, cell in zip(permutation, work.cells, strict=False):
            pair = (host_cell.id, cell.id)
            if pair in not_fit:
                break
            if pair in fit:
                chosen_hosts.append(host_cell)
                cell.id = host_cell.id
                chosen_cells.append(cell)
                continue
            # Emulator threads get their CPU next to the first guest cell.
            reserved = (1 if work.emulator_threads_isolated
                        and not chosen_cells else 0)
            try:
                got = cell_fit.fit_cell(host_cell, cell, limits, reserved)
            except pages.PageSizeNotSupported:
                got = None
            if got is None:
                not_fit.add(pair)
                break
            chosen_hosts.append(host_cell)
            chosen_cells.append(got)
            fit.add(pair)
        if len(chosen_cells) != len(permutation):
            continue
        if pci_requests and not pci_stats.support_requests(
                pci_pools, pci_requests, provider_mapping,
                numa_cells=[c.id for c in chosen_cells],
                host_cells=host.cells):
            continue
        if metadata is not None and not network_affinity_ok(
                host, chosen_hosts, metadata):
            continue
        return chosen_cells
    return None


def network_affinity_ok(host: topology.HostTopology,
                        chosen: Sequence[topology.HostCell],
                        metadata: network.NetworkMetadata) -> bool:
    """The requested physnets and tunnel have no NUMA affinity to a cell
    outside ``chosen`` (nova's _numa_cells_support_network_metadata)."""
    physnets = set(metadata.physnets)
    if physnets:
        for cell in chosen:
            if cell.network_metadata is not None:
                physnets -= cell.network_metadata.physnets
        for cell in host.cells:
            if (cell.network_metadata is not None
                    and physnets & cell.network_metadata.physnets):
                return False
    if metadata.tunneled:
        for cell in chosen:
            if (cell.network_metadata is not None
                    and cell.network_metadata.tunneled):
                return True
        for cell in host.cells:
            if (cell.network_metadata is not None
                    and cell.network_metadata.tunneled):
                return False
    return True

"""The NUMA and PCI part of consuming a host for one instance.

nova's HostState._locked_consume_from_request fits the request's NUMA
topology on the host again (with the limits NUMATopologyFilter set and the
providers of the claimed allocation), replaces the request's topology with
the fitted one (cell ids of host cells, pinning, page sizes) for the later
instances of a multi-create, adds its usage to the host cells, and takes
the PCI devices out of the pools. When a step fails nova logs, keeps what
was done before it and skips the rest (nor does it count the IO operation
or refresh ``updated``); ``complete`` says whether that happened.
"""

from collections.abc import Mapping, Sequence
import dataclasses
import logging
from typing import Any

from oslo_config import cfg

from scheduler.hoststate import host_state
from scheduler import redaction
from scheduler.numa import fit
from scheduler.numa import instance
from scheduler.numa import pages
from scheduler.numa import pinning
from scheduler.numa import topology
from scheduler.numa import usage
from scheduler.objects import numa
from scheduler.objects import request_spec
from scheduler.pci import numa_affinity
from scheduler.pci import pools as pools_mod
from scheduler.pci import stats as pci_stats

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, slots=True)
class NumaPciUsage:
    numa_topology: Mapping[str, Any] | None
    pci_pools: tuple[pools_mod.PciPool, ...]
    # The request's NUMA topology as nova leaves it for the next instance.
    instance_topology: numa.InstanceNUMATopology | None
    complete: bool = True


def provider_mapping(spec: request_spec.RequestSpec
                     ) -> dict[str, Sequence[str]]:
    """Request group -> providers, as nova's get_request_group_mapping."""
    return {group.requester_id or '': group.provider_uuids
            for group in spec.requested_resources}


def _host_topology(host: host_state.HostState
                   ) -> topology.HostTopology | None:
    try:
        return topology.host_topology(host.numa_topology)
    except topology.InvalidTopology:
        return None  # nova could not have built this host at all


def consume_numa_pci(host: host_state.HostState,
                     spec: request_spec.RequestSpec, *,
                     pack: bool = False) -> NumaPciUsage:
    """The host's NUMA and PCI state once an instance of ``spec`` is on
    it (``pack``: [compute]packing_host_numa_cells_allocation_strategy).
    """
    requests = (spec.pci_requests.requests
                if spec.pci_requests is not None else ())
    mapping = provider_mapping(spec)
    host_topo = _host_topology(host)
    wanted = spec.numa_topology
    numa_topology = host.numa_topology
    pools = host.pci_pools
    if (host_topo is not None and host_topo.cells
            and wanted is not None and wanted.cells):
        work = instance.WorkTopology(wanted)
        try:
            fitted = fit.fit_instance(
                host_topo, work, provider_mapping=mapping,
                limits=host.limits.numa_topology, pci_requests=requests,
                pci_pools=pools, pack=pack)
        except pinning.NoSiblingInformation:
            LOG.warning('Host %s: no CPU sibling information to pin on',
                        redaction.host(host.host))
            # nova changed the request's cells in place before failing.
            return NumaPciUsage(numa_topology, pools, work.freeze(), False)
        wanted = work.freeze() if fitted is not None else None
        if fitted is not None:
            try:
                numa_topology = usage.add_usage(host_topo, fitted)
            except (usage.PinningError, pages.NoPageSizes) as exc:
                LOG.warning('Host %s: NUMA usage not recorded: %s',
                            redaction.host(host.host), exc)
                return NumaPciUsage(numa_topology, pools, wanted, False)
    if requests:
        working = pools_mod.to_dicts(pools)
        cell_ids = ([c.id for c in wanted.cells]
                    if wanted is not None else None)
        try:
            pci_stats.apply_requests(
                working, requests, mapping, cell_ids,
                host_topo.cells if host_topo is not None else None)
        except (pci_stats.PciRequestFailed,
                numa_affinity.NoHostTopology):
            LOG.warning('Host %s: PCI devices not consumed',
                        redaction.host(host.host))
            return NumaPciUsage(numa_topology, pools_mod.from_dicts(working),
                                wanted, False)
        pools = pools_mod.from_dicts(working)
    return NumaPciUsage(numa_topology, pools, wanted)


def numa_packing(conf: cfg.ConfigOpts) -> bool:
    """[compute]packing_host_numa_cells_allocation_strategy (nova's
    default, False, when the option is not registered)."""
    try:
        return bool(conf.compute.packing_host_numa_cells_allocation_strategy)
    except (cfg.NoSuchOptError, cfg.NoSuchGroupError, AttributeError):
        return False

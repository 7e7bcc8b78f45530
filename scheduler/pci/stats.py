"""Whether a host's PCI pools serve an instance's PCI requests, and the
pools once they did (nova's PciDeviceStats.support_requests and
apply_requests, as the scheduler uses them).

A request is served from the pools matching its spec, with the NUMA
affinity its policy asks for, that are neither PFs, vDPA nor
remote-managed devices unless asked for, that are in the Placement
allocation when one exists, and that match its live-migratability.
"""

from collections.abc import Mapping, Sequence
import collections

from oslo_utils import strutils

from scheduler.objects import pci
from scheduler.pci import numa_affinity
from scheduler.pci import pools as pools_mod

ProviderMapping = Mapping[str, Sequence[str]]
SRIOV_PF = 'type-PF'
VDPA = 'vdpa'
REMOTE_MANAGED = 'remote_managed'
# Matched by Placement, or specially below; nova ignores them when matching
# specs (its two ignore lists are one list object, hence all four).
_IGNORED_SPEC_KEYS = frozenset({'resource_class', 'traits', 'rp_uuids',
                                'rp_uuid'})


class PciRequestFailed(Exception):
    """The pools cannot serve the requests (PciDeviceRequestFailed)."""


def _for_spec(pools: list[pools_mod.Pool],
              request: pci.PCIRequest) -> list[pools_mod.Pool]:
    specs = [{k: v for k, v in spec.items() if k not in _IGNORED_SPEC_KEYS}
             for spec in request.spec]
    return [pool for pool in pools if pools_mod.prop_match(pool, specs)]


def _without_unrequested(pools: list[pools_mod.Pool],
                         request: pci.PCIRequest,
                         dev_type: str) -> list[pools_mod.Pool]:
    if all(spec.get('dev_type') != dev_type for spec in request.spec):
        return [pool for pool in pools if pool.get('dev_type') != dev_type]
    return pools


def _remote_managed(value: object) -> bool:
    return strutils.bool_from_string(value)


def _without_unrequested_remote_managed(
        pools: list[pools_mod.Pool],
        request: pci.PCIRequest) -> list[pools_mod.Pool]:
    if all(not _remote_managed(spec.get(REMOTE_MANAGED))
           for spec in request.spec):
        return [pool for pool in pools
                if not _remote_managed(pool.get(REMOTE_MANAGED))]
    return pools


def _in_allocation(pools: list[pools_mod.Pool],
                   rp_uuids: Sequence[str]) -> list[pools_mod.Pool]:
    if not rp_uuids:
        return pools
    wanted = collections.Counter(rp_uuids)
    # A pool without a provider is not reported to Placement (devices
    # with a physical_network tag) and cannot be in the allocation.
    return [pool for pool in pools
            if pool.get('rp_uuid') is not None
            and pool['rp_uuid'] in wanted
            and pool['count'] >= wanted[pool['rp_uuid']]]


def _live_migratable(pools: list[pools_mod.Pool],
                     request: pci.PCIRequest) -> list[pools_mod.Pool]:
    # An empty spec counts as asking for live-migratable devices (all()).
    for wanted in ('true', 'false'):
        if all(spec.get('live_migratable') == wanted
               for spec in request.spec):
            return [pool for pool in pools
                    if pool.get('live_migratable')
                    and pool['live_migratable'] == wanted]
    return pools


def filter_pools(pools: list[pools_mod.Pool], request: pci.PCIRequest,
                 cell_ids: Sequence[int] | None, rp_uuids: Sequence[str],
                 host_cells: Sequence[numa_affinity.HostCellLike] | None
                 ) -> list[pools_mod.Pool] | None:
    """The pools that may serve ``request``, or None when they hold too
    few devices (nova's _filter_pools, same checks in the same order)."""
    pools = _for_spec(pools, request)
    if pools_mod.total(pools) < request.count:
        return None
    pools = numa_affinity.filter_pools(pools, request.count,
                                       request.numa_policy, cell_ids,
                                       host_cells)
    if pools_mod.total(pools) < request.count:
        return None
    pools = _without_unrequested(pools, request, SRIOV_PF)
    if pools_mod.total(pools) < request.count:
        return None
    pools = _without_unrequested(pools, request, VDPA)
    pools = _without_unrequested_remote_managed(pools, request)
    pools = _in_allocation(pools, rp_uuids)
    pools = _live_migratable(pools, request)
    if pools_mod.total(pools) < request.count:
        return None
    return pools


def rp_uuids_for(request: pci.PCIRequest,
                 provider_mapping: ProviderMapping | None) -> list[str]:
    """The providers Placement allocated this request's devices from, one
    entry per device; empty when the request is not in Placement."""
    if request.alias_name is None:
        return []  # neutron port requests are not tracked in Placement
    if not provider_mapping:
        # After the claim nova records the providers in the spec.
        spec_rps = request.spec[0].get('rp_uuids') if request.spec else None
        return spec_rps.split(',') if spec_rps else []
    if request.request_id is None:
        return []  # no group can be named after it (nova: TypeError)
    # The PCI prefilter names each device's group "<request_id>-<n>".
    return [rps[0] for group, rps in provider_mapping.items()
            if group.startswith(request.request_id) and rps]


def _one_pool_per_provider(pools: Sequence[pools_mod.Pool]) -> bool:
    per_rp = collections.Counter(pool['rp_uuid'] for pool in pools
                                 if 'rp_uuid' in pool)
    return all(n == 1 for n in per_rp.values())


def _apply(pools: list[pools_mod.Pool], request: pci.PCIRequest,
           rp_uuids: Sequence[str], cell_ids: Sequence[int] | None,
           host_cells: Sequence[numa_affinity.HostCellLike] | None) -> bool:
    usable = filter_pools(pools, request, cell_ids, rp_uuids, host_cells)
    if not usable:
        return False
    if not rp_uuids:
        count = request.count
        for pool in usable:
            if pool['count'] > count:
                pool['count'] -= count
                count = 0
            else:
                count -= pool['count']
                pools.remove(pool)  # the first equal pool, as nova
            if not count:
                break
        return True
    if not _one_pool_per_provider(pools):
        return False
    wanted = collections.Counter(rp_uuids)
    for pool in usable:
        pool['count'] -= wanted[pool['rp_uuid']]
        wanted.pop(pool['rp_uuid'], None)
        if pool['count'] == 0:
            pools.remove(pool)
    return True


def apply_requests(pools: list[pools_mod.Pool],
                   requests: Sequence[pci.PCIRequest],
                   provider_mapping: ProviderMapping | None,
                   cell_ids: Sequence[int] | None = None,
                   host_cells: (Sequence[numa_affinity.HostCellLike]
                                | None) = None) -> None:
    """Take the requested devices out of ``pools`` (changed in place).

    Raises PciRequestFailed at the first request that cannot be served;
    the requests before it stay applied, as in nova.
    """
    for request in requests:
        rp_uuids = rp_uuids_for(request, provider_mapping)
        if not _apply(pools, request, rp_uuids, cell_ids, host_cells):
            raise PciRequestFailed()


def support_requests(pools: Sequence[pools_mod.PciPool],
                     requests: Sequence[pci.PCIRequest],
                     provider_mapping: ProviderMapping | None, *,
                     numa_cells: Sequence[int] | None = None,
                     host_cells: Sequence[numa_affinity.HostCellLike] | None
                     = None) -> bool:
    """Whether the pools can serve every request (applied to a copy).

    ``numa_cells`` are the host cell ids the instance's NUMA cells were
    placed on; ``host_cells`` the host's cells (for the socket policy).
    """
    try:
        apply_requests(pools_mod.to_dicts(pools), requests, provider_mapping,
                       numa_cells, host_cells)
    except (PciRequestFailed, numa_affinity.NoHostTopology):
        return False
    return True

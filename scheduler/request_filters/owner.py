"""owner_nova_filter: only resource providers nova-compute owns.

Once every nova-compute reports version 73 or later (they then tag their
providers OWNER_NOVA), the root provider and the providers of flavor PCI
devices must carry OWNER_NOVA, so that providers created by others (e.g.
Cyborg) are never picked for nova's resources.

nova reads the minimum nova-compute version from every cell database on
every request. We read it from the host snapshot: the database-backed
cache fills ``HostSnapshot.min_compute_version`` when it refreshes. When
that is unknown, it is estimated from the snapshot's hosts (see
:func:`min_compute_version`).
"""

import collections
import dataclasses

from oslo_log import log as logging
import os_traits

from scheduler.hoststate import source as host_source
from scheduler.objects import request_spec
from scheduler.request_filters.base import FilterEnv
from scheduler.request_filters import edits

LOG = logging.getLogger(__name__)

MIN_COMPUTE_VERSION_OWNER_TRAIT = 73


def min_compute_version(snapshot: host_source.HostSnapshot) -> int:
    """The minimum nova-compute service version, as nova computes it.

    The snapshot's cached value when the cache provides one. Otherwise an
    approximation from the snapshot's hosts: per cell, the lowest version
    of the services that are not forced down (unset versions ignored);
    cells whose lowest is 0 are ignored, as nova ignores them across
    cells; 0 when nothing is known. Unlike nova's query it cannot see
    nova-compute services that have no compute node in the snapshot (a
    service still starting, or in a cell that could not be read).
    """
    if snapshot.min_compute_version is not None:
        return snapshot.min_compute_version
    by_cell: dict[str, int] = collections.defaultdict(lambda: -1)
    for host in snapshot.hosts.values():
        service = host.service
        if service.forced_down or service.version is None:
            continue
        lowest = by_cell[host.cell_uuid]
        by_cell[host.cell_uuid] = (service.version if lowest < 0
                                   else min(lowest, service.version))
    relevant = [version for version in by_cell.values() if version > 0]
    return min(relevant) if relevant else 0


def _flavor_pci_request_ids(spec: request_spec.RequestSpec) -> set[str]:
    """Request ids of PCI requests from flavor aliases (not ports)."""
    if spec.pci_requests is None:
        return set()
    # nova's InstancePCIRequest.source: a request without an alias name
    # comes from a Neutron port.
    return {req.request_id for req in spec.pci_requests.requests
            if req.alias_name is not None and req.request_id}


def owner_nova_filter(spec: request_spec.RequestSpec, env: FilterEnv
                      ) -> request_spec.RequestSpec | None:
    if os_traits.OWNER_NOVA in spec.request_level_params.root_required:
        # Already required (a reschedule): nothing to check or add.
        return None
    version = min_compute_version(env.snapshot)
    if version < MIN_COMPUTE_VERSION_OWNER_TRAIT:
        LOG.warning('OWNER_NOVA trait not added to scheduling request: not '
                    'all nova-compute services are upgraded (min_version='
                    '%d, need %d).', version,
                    MIN_COMPUTE_VERSION_OWNER_TRAIT)
        return None
    spec = edits.require_root_traits(spec, (os_traits.OWNER_NOVA,))
    pci_ids = _flavor_pci_request_ids(spec)
    if not pci_ids or not spec.requested_resources:
        return spec
    groups = tuple(
        dataclasses.replace(
            group, required_traits=group.required_traits
            | {os_traits.OWNER_NOVA})
        if group.requester_id
        and group.requester_id.rsplit('-', 1)[0] in pci_ids else group
        for group in spec.requested_resources)
    return spec.replace(requested_resources=groups)

"""What choosing a host for one instance changes for the next ones.

Within one multi-create, each chosen host is consumed virtually (its
free resources, instance count and NUMA cells), the request keeps the
NUMA topology fitted there and the server group gains the host, as in
nova; the providers Placement mapped to each request group are recorded.
"""

from collections.abc import Mapping
import dataclasses
from typing import Any

from scheduler import host_state
from scheduler.objects import request_spec


def consume(spec: request_spec.RequestSpec,
            ordered: list[host_state.HostState],
            host: host_state.HostState, now: Any, *, numa_packing: bool
            ) -> tuple[request_spec.RequestSpec, list[host_state.HostState]]:
    """The request and hosts the next instance is placed with."""
    consumed, spec = host_state.consume_request(
        host, spec, now, numa_packing=numa_packing)
    ordered = [consumed if h.uuid == host.uuid else h for h in ordered]
    group = spec.instance_group
    if group is not None:
        spec = spec.replace(instance_group=dataclasses.replace(
            group, hosts=group.hosts + (host.host,)))
    return spec, ordered


def with_provider_mappings(spec: request_spec.RequestSpec,
                           alloc_req: Mapping[str, Any]
                           ) -> request_spec.RequestSpec:
    """Record which providers serve each requested group, as nova does."""
    if not spec.requested_resources:
        return spec
    mappings = alloc_req.get('mappings', {})
    groups = tuple(
        dataclasses.replace(
            g, provider_uuids=tuple(mappings.get(g.requester_id, ())))
        for g in spec.requested_resources)
    return spec.replace(requested_resources=groups)

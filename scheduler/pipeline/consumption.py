"""What choosing a host for one instance changes for the next ones.

Within one multi-create, each chosen host is consumed virtually (its
free resources, instance count and NUMA cells), the request keeps the
NUMA topology fitted there and the server group gains the host, as in
nova; the providers Placement mapped to each request group are recorded.
"""

from collections.abc import Mapping
import dataclasses
import datetime
import types
from typing import Any

from scheduler.hoststate import host_state
from scheduler.numa import consume as numa_consume
from scheduler.objects import request_spec


def consume(spec: request_spec.RequestSpec,
            ordered: list[host_state.HostState],
            host: host_state.HostState, now: Any, *, numa_packing: bool
            ) -> tuple[request_spec.RequestSpec, list[host_state.HostState]]:
    """The request and hosts the next instance is placed with."""
    consumed, spec = consume_request(
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


def _utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


def consume_host(host: host_state.HostState,
                 spec: request_spec.RequestSpec, now: datetime.datetime, *,
                 numa_packing: bool = False) -> host_state.HostState:
    """The host after one instance of ``spec`` was placed on it.

    Mirrors nova's HostState.consume_from_request so the next instance of
    a multi-create sees the usage. Like nova, vcpus_used grows by
    flavor.vcpus whether the guest gets shared (VCPU) or dedicated (PCPU)
    CPUs: nova's HostState has a single vCPU counter. See consume_request
    for the NUMA and PCI usage.
    """
    return consume_request(host, spec, now, numa_packing=numa_packing)[0]


def consume_request(host: host_state.HostState,
                    spec: request_spec.RequestSpec, now: datetime.datetime, *,
                    numa_packing: bool = False
                    ) -> tuple[host_state.HostState, request_spec.RequestSpec]:
    """The host after one instance of ``spec``, and the request as nova
    leaves it for the next instance.

    NUMA and PCI usage is recorded as nova does (scheduler.numa.consume):
    the request's NUMA topology is fitted again on the host (honouring
    the limits NUMATopologyFilter set and the providers of the claimed
    allocation, already in ``spec.requested_resources``), and nova keeps
    that fitted topology in the request for the later instances. When
    that fails part-way nova keeps what it did, and neither counts the IO
    operation nor refreshes ``updated``. ``numa_packing`` is
    [compute]packing_host_numa_cells_allocation_strategy.
    """
    flavor = spec.flavor
    instances = host.instances
    instance_images = host.instance_images
    if spec.instance_uuid:
        instances = types.MappingProxyType(
            {**instances, spec.instance_uuid: spec.project_id})
        # nova puts the new instance on the host only for server groups, and
        # ImagePropertiesWeigher then reads its image (the requested one).
        if (spec.instance_group is not None and spec.image is not None
                and spec.instance_uuid not in instance_images):
            instance_images = types.MappingProxyType({
                **instance_images,
                spec.instance_uuid: types.MappingProxyType({
                    name: host_state.render_image_property(value)
                    for name, value in spec.image.properties.values.items()
                })})
    usage = numa_consume.consume_numa_pci(host, spec, pack=numa_packing)
    consumed = dataclasses.replace(
        host,
        free_ram_mb=host.free_ram_mb - flavor.memory_mb,
        free_disk_mb=(host.free_disk_mb
                      - (flavor.root_gb + flavor.ephemeral_gb) * 1024),
        vcpus_used=host.vcpus_used + flavor.vcpus,
        num_instances=host.num_instances + 1,
        # nova counts every placement as an IO operation.
        num_io_ops=host.num_io_ops + (1 if usage.complete else 0),
        updated=_utc(now) if usage.complete else host.updated,
        instances=instances,
        instance_images=instance_images,
        numa_topology=usage.numa_topology,
        pci_pools=usage.pci_pools)
    if usage.instance_topology is not spec.numa_topology:
        spec = spec.replace(numa_topology=usage.instance_topology)
    return consumed, spec

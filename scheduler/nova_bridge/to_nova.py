"""Our frozen domain objects as the nova objects a nova plugin expects.

A nova filter or weigher reads nova.scheduler.host_manager.HostState and
nova.objects.RequestSpec; these are built from our HostState and
RequestSpec field by field. Values nova would hold but we do not keep
(e.g. the whole Instance objects of a host) are filled as far as our
fields allow: instances carry their uuid and project only.
"""

from collections.abc import Mapping
import importlib
from typing import Any

from scheduler.hoststate import host_state as host_state_mod
from scheduler.nova_bridge import runtime
from scheduler.objects import image as image_obj
from scheduler.objects import numa as numa_obj
from scheduler.objects import request_spec as spec_obj

_HOST_FIELDS = (
    'total_usable_ram_mb', 'free_ram_mb', 'total_usable_disk_gb',
    'disk_mb_used', 'free_disk_mb', 'vcpus_total', 'vcpus_used',
    'cpu_allocation_ratio', 'ram_allocation_ratio', 'disk_allocation_ratio',
    'num_instances', 'num_io_ops', 'failed_builds', 'cpu_info', 'host_ip',
    'hypervisor_type', 'hypervisor_version', 'hypervisor_hostname',
    'updated')
_SERVICE_FIELDS = (
    'id', 'uuid', 'host', 'binary', 'topic', 'disabled', 'disabled_reason',
    'forced_down', 'last_seen_up', 'version', 'report_count', 'created_at',
    'updated_at')


def plain(value: Any) -> Any:
    """Mappings, tuples and frozensets as the dicts/lists/sets nova has."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, frozenset):
        return set(value)
    return value


def _set(obj: Any, **values: Any) -> Any:
    """Set the values; None only on nullable fields (others stay unset).

    We do not know whether a None of ours was unset or null in nova's
    object; null is what a plugin can read without an error.
    """
    for name, value in values.items():
        if value is not None or obj.fields[name].nullable:
            setattr(obj, name, value)
    return obj


def host_state(host: host_state_mod.HostState) -> Any:
    objects = runtime.objects()
    manager = runtime.nova('scheduler.host_manager')
    state = manager.HostState(host.host, host.nodename, host.cell_uuid)
    state.uuid = host.uuid
    for name in _HOST_FIELDS:
        setattr(state, name, getattr(host, name))
    if host.host_ip:
        # nova's ComputeNode.host_ip is an IPAddressField.
        state.host_ip = importlib.import_module('netaddr').IPAddress(
            host.host_ip)
    state.stats = dict(host.stats)
    state.supported_instances = [list(t) for t in host.supported_instances]
    state.service = manager.ReadOnlyDict(
        {name: getattr(host.service, name) for name in _SERVICE_FIELDS})
    state.aggregates = [
        objects.Aggregate(id=agg.id, uuid=agg.uuid, name=agg.name,
                          hosts=sorted(agg.hosts), metadata=dict(agg.metadata))
        for agg in host.aggregates]
    state.instances = {
        uuid: _set(objects.Instance(uuid=uuid), project_id=project)
        for uuid, project in host.instances.items()}
    state.metrics = objects.MonitorMetricList(objects=[
        _set(objects.MonitorMetric(name=m.name, value=int(m.value)),
             source=m.source, timestamp=m.timestamp)
        for m in host.metrics])
    if host.numa_topology:
        state.numa_topology = objects.NUMATopology.obj_from_primitive(
            plain(host.numa_topology))
    state.pci_stats = _pci_stats(host, state.numa_topology)
    state.limits = _limits(host.limits)
    state.allocation_candidates = [plain(c)
                                   for c in host.allocation_candidates]
    return state


def _pci_stats(host: host_state_mod.HostState, numa_topology: Any) -> Any:
    if not host.pci_pools:
        return None
    objects = runtime.objects()
    # numa_node always set (None without NUMA affinity), as the pools a
    # compute reports have it.
    pools = objects.PciDevicePoolList(objects=[
        objects.PciDevicePool(
            vendor_id=p.vendor_id, product_id=p.product_id, count=p.count,
            numa_node=p.numa_node,
            tags={k: v for k, v in p.tags.items() if v is not None})
        for p in host.pci_pools])
    return runtime.nova('pci.stats').PciDeviceStats(numa_topology,
                                                    stats=pools)


def _limits(limits: Any) -> dict[str, Any]:
    objects = runtime.objects()
    result: dict[str, Any] = {}
    for name in ('vcpu', 'disk_gb', 'memory_mb'):
        if getattr(limits, name) is not None:
            result[name] = getattr(limits, name)
    numa = limits.numa_topology
    if numa is not None:
        result['numa_topology'] = objects.NUMATopologyLimits(
            cpu_allocation_ratio=numa.cpu_allocation_ratio,
            ram_allocation_ratio=numa.ram_allocation_ratio,
            network_metadata=objects.NetworkMetadata(
                physnets=set(numa.network_metadata.physnets),
                tunneled=numa.network_metadata.tunneled))
    return result


def _image(image: image_obj.ImageMeta) -> Any:
    objects = runtime.objects()
    props = objects.ImageMetaProps()
    for name, value in image.properties.values.items():
        if name in props.fields:
            setattr(props, name, plain(value))
    meta = _set(objects.ImageMeta(properties=props), id=image.id,
                name=image.name, status=image.status,
                visibility=image.visibility, owner=image.owner,
                checksum=image.checksum,
                container_format=image.container_format,
                disk_format=image.disk_format, size=image.size,
                virtual_size=image.virtual_size, min_ram=image.min_ram,
                min_disk=image.min_disk)
    meta.tags = list(image.tags)
    return meta


def _numa(topology: numa_obj.InstanceNUMATopology) -> Any:
    objects = runtime.objects()
    cells = []
    for cell in topology.cells:
        nova_cell = _set(
            objects.InstanceNUMACell(
                id=cell.id, cpuset=set(cell.cpuset),
                pcpuset=set(cell.pcpuset), memory=cell.memory),
            cpuset_reserved=(None if cell.cpuset_reserved is None
                             else set(cell.cpuset_reserved)),
            pagesize=cell.pagesize, cpu_policy=cell.cpu_policy,
            cpu_thread_policy=cell.cpu_thread_policy)
        if cell.cpu_topology is not None:
            nova_cell.cpu_topology = objects.VirtCPUTopology(
                sockets=cell.cpu_topology.sockets,
                cores=cell.cpu_topology.cores,
                threads=cell.cpu_topology.threads)
        if cell.cpu_pinning is not None:
            nova_cell.cpu_pinning = dict(cell.cpu_pinning)
        cells.append(nova_cell)
    return _set(objects.InstanceNUMATopology(cells=cells),
                emulator_threads_policy=topology.emulator_threads_policy)


def _destination(spec: spec_obj.RequestSpec) -> Any:
    dest = spec.requested_destination
    if dest is None:
        return None
    objects = runtime.objects()
    nova_dest = _set(objects.Destination(), host=dest.host, node=dest.node,
                     aggregates=plain(dest.aggregates),
                     forbidden_aggregates=plain(dest.forbidden_aggregates))
    nova_dest.allow_cross_cell_move = dest.allow_cross_cell_move
    if dest.cell is not None:
        # The uuid and name only: we never keep a cell's URLs.
        nova_dest.cell = _set(objects.CellMapping(uuid=dest.cell.uuid),
                              name=dest.cell.name)
    return nova_dest


def _retry(spec: spec_obj.RequestSpec) -> Any:
    if spec.retry is None:
        return None
    objects = runtime.objects()
    return objects.SchedulerRetries(
        num_attempts=spec.retry.num_attempts,
        hosts=objects.ComputeNodeList(objects=[
            _set(objects.ComputeNode(host=host), hypervisor_hostname=node)
            for host, node in spec.retry.hosts]))


def _group(spec: spec_obj.RequestSpec) -> Any:
    group = spec.instance_group
    if group is None:
        return None
    policies = list(group.policies) or ([group.policy] if group.policy
                                        else [])
    return _set(runtime.objects().InstanceGroup(
        policies=policies, members=list(group.members),
        hosts=list(group.hosts), rules=dict(group.rules)),
        uuid=group.uuid, name=group.name, user_id=group.user_id,
        project_id=group.project_id, policy=group.policy)


def _pci_requests(spec: spec_obj.RequestSpec) -> Any:
    if spec.pci_requests is None:
        return None
    objects = runtime.objects()
    return _set(objects.InstancePCIRequests(requests=[
        _set(objects.InstancePCIRequest(
            count=req.count, spec=plain(req.spec), is_new=req.is_new),
            alias_name=req.alias_name, request_id=req.request_id,
            requester_id=req.requester_id, numa_policy=req.numa_policy)
        for req in spec.pci_requests.requests]),
        instance_uuid=spec.pci_requests.instance_uuid)


def _request_groups(spec: spec_obj.RequestSpec) -> list[Any]:
    objects = runtime.objects()
    return [
        _set(objects.RequestGroup(
            use_same_provider=g.use_same_provider,
            resources=dict(g.resources),
            required_traits=set(g.required_traits),
            forbidden_traits=set(g.forbidden_traits),
            aggregates=plain(g.aggregates),
            forbidden_aggregates=set(g.forbidden_aggregates),
            provider_uuids=list(g.provider_uuids)),
            requester_id=g.requester_id, in_tree=g.in_tree)
        for g in spec.requested_resources]


def request_spec(spec: spec_obj.RequestSpec) -> Any:
    """A nova.objects.RequestSpec with our spec's content."""
    objects = runtime.objects()
    flavor = spec.flavor
    nova_flavor = _set(
        objects.Flavor(
            memory_mb=flavor.memory_mb, vcpus=flavor.vcpus,
            root_gb=flavor.root_gb, ephemeral_gb=flavor.ephemeral_gb,
            swap=flavor.swap, disabled=flavor.disabled,
            is_public=flavor.is_public,
            extra_specs=dict(flavor.extra_specs)),
        id=flavor.id, flavorid=flavor.flavorid, name=flavor.name,
        rxtx_factor=flavor.rxtx_factor, vcpu_weight=flavor.vcpu_weight,
        description=flavor.description)
    params = spec.request_level_params
    nova_spec = objects.RequestSpec(
        flavor=nova_flavor, num_instances=spec.num_instances,
        is_bfv=spec.is_bfv,
        scheduler_hints={k: list(v) for k, v in spec.scheduler_hints.items()},
        network_metadata=objects.NetworkMetadata(
            physnets=set(spec.network_metadata.physnets),
            tunneled=spec.network_metadata.tunneled),
        requested_resources=_request_groups(spec),
        request_level_params=objects.RequestLevelParams(
            root_required=set(params.root_required),
            root_forbidden=set(params.root_forbidden),
            same_subtree=plain(params.same_subtree)),
        requested_networks=objects.NetworkRequestList(objects=[
            _set(objects.NetworkRequest(), **{
                name: getattr(nic, name) for name in (
                    'network_id', 'address', 'port_id', 'pci_request_id',
                    'tag', 'arq_uuid', 'device_profile')})
            for nic in spec.requested_networks]))
    # Nullable fields are set even when None, as the spec nova's scheduler
    # decodes has them: nova raises when reading an unset one.
    nullable = dict(
        image=None if spec.image is None else _image(spec.image),
        numa_topology=(None if spec.numa_topology is None
                       else _numa(spec.numa_topology)),
        pci_requests=_pci_requests(spec), project_id=spec.project_id,
        user_id=spec.user_id, availability_zone=spec.availability_zone,
        ignore_hosts=plain(spec.ignore_hosts),
        force_hosts=plain(spec.force_hosts),
        force_nodes=plain(spec.force_nodes),
        requested_destination=_destination(spec), retry=_retry(spec),
        limits=None, instance_group=_group(spec))
    for name, value in nullable.items():
        setattr(nova_spec, name, value)
    return _set(nova_spec, instance_uuid=spec.instance_uuid, id=spec.id)

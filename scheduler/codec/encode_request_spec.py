"""RequestSpec 1.15 primitives: what a nova 34 conductor sends.

The inverse of ``request_spec.decode_request_spec``: every field our
decoder reads is written, in the shape nova 34's serializer gives it
(child versions of RequestSpec 1.15's manifest, sets as lists, nullable
fields as null, non-nullable ones left out when unknown), so that
``decode_request_spec(encode_request_spec(spec)) == spec`` and nova's
``RequestSpec.obj_from_primitive`` reads the same values.

What we never decoded is not sent: SchedulerLimits (our decoder drops
them), security groups, and the CellMapping's database and MQ URLs (a
cell is sent by uuid and name only; nothing is invented to fill it).
"""

from typing import Any

from scheduler.codec import encode_hardware as hardware
from scheduler.codec import encode_image
from scheduler.codec import encode_primitive as prim
from scheduler.objects import destination as destination_obj
from scheduler.objects import flavor as flavor_obj
from scheduler.objects import instance_group as group_obj
from scheduler.objects import network as network_obj
from scheduler.objects import request_group as request_group_obj
from scheduler.objects import request_spec as spec_obj

REQUEST_SPEC_VERSION = '1.15'


def _optional(data: dict[str, Any], name: str, value: Any) -> None:
    """Set a non-nullable field only when we know it."""
    if value is not None:
        data[name] = value


def encode_flavor(flavor: flavor_obj.Flavor) -> prim.Primitive:
    data: dict[str, Any] = {
        'name': flavor.name,
        'memory_mb': flavor.memory_mb,
        'vcpus': flavor.vcpus,
        'root_gb': flavor.root_gb,
        'ephemeral_gb': flavor.ephemeral_gb,
        'swap': flavor.swap,
        'vcpu_weight': flavor.vcpu_weight,
        'disabled': flavor.disabled,
        'is_public': flavor.is_public,
        'extra_specs': prim.str_dict(flavor.extra_specs),
        'description': flavor.description,
    }
    _optional(data, 'id', flavor.id)
    _optional(data, 'flavorid', flavor.flavorid)
    # Nullable in nova, but a null rxtx_factor reads back as 1.0.
    _optional(data, 'rxtx_factor', flavor.rxtx_factor)
    return prim.obj('Flavor', '1.2', data)


def encode_cell(cell: destination_obj.CellRef) -> prim.Primitive:
    return prim.obj('CellMapping', '1.1', {'uuid': cell.uuid,
                                           'name': cell.name})


def encode_destination(dest: destination_obj.Destination) -> prim.Primitive:
    data: dict[str, Any] = {
        'node': dest.node,
        'cell': prim.or_null(dest.cell, encode_cell),
        'aggregates': prim.or_null(dest.aggregates, list),
        'allow_cross_cell_move': dest.allow_cross_cell_move,
        'forbidden_aggregates': prim.or_null(dest.forbidden_aggregates,
                                             prim.sorted_set),
    }
    _optional(data, 'host', dest.host)
    return prim.obj('Destination', '1.4', data)


def encode_retry(retry: spec_obj.SchedulerRetries) -> prim.Primitive:
    # nova fills only host and hypervisor_hostname of these ComputeNodes.
    nodes = [prim.obj('ComputeNode', '1.19', {
        'host': host, 'hypervisor_hostname': node})
        for host, node in retry.hosts]
    return prim.obj('SchedulerRetries', '1.1', {
        'num_attempts': retry.num_attempts,
        'hosts': prim.obj_list('ComputeNodeList', '1.17', nodes)})


def encode_instance_group(group: group_obj.InstanceGroup) -> prim.Primitive:
    data: dict[str, Any] = {
        'name': group.name,
        'user_id': group.user_id,
        'project_id': group.project_id,
        'policy': group.policy,
        # Read-only since 1.11; nova still sends it as [policy].
        'policies': list(group.policies),
        'members': list(group.members),
        'hosts': list(group.hosts),
        '_rules': prim.str_dict(group.rules),
    }
    _optional(data, 'uuid', group.uuid)
    return prim.obj('InstanceGroup', '1.11', data)


def encode_network_metadata(meta: network_obj.NetworkMetadata,
                            ) -> prim.Primitive:
    return prim.obj('NetworkMetadata', '1.0', {
        'physnets': prim.sorted_set(meta.physnets),
        'tunneled': meta.tunneled})


def encode_network_request(req: network_obj.NetworkRequest,
                           ) -> prim.Primitive:
    return prim.obj('NetworkRequest', '1.3', {
        'network_id': req.network_id, 'address': req.address,
        'port_id': req.port_id, 'pci_request_id': req.pci_request_id,
        'tag': req.tag, 'arq_uuid': req.arq_uuid,
        'device_profile': req.device_profile})


def encode_request_group(group: request_group_obj.RequestGroup,
                         ) -> prim.Primitive:
    return prim.obj('RequestGroup', '1.3', {
        'use_same_provider': group.use_same_provider,
        'resources': prim.str_dict(group.resources),
        'required_traits': prim.sorted_set(group.required_traits),
        'forbidden_traits': prim.sorted_set(group.forbidden_traits),
        'aggregates': prim.str_lists(group.aggregates),
        'forbidden_aggregates': prim.sorted_set(group.forbidden_aggregates),
        'requester_id': group.requester_id,
        'provider_uuids': list(group.provider_uuids),
        'in_tree': group.in_tree,
    })


def encode_request_level_params(
        params: request_group_obj.RequestLevelParams) -> prim.Primitive:
    return prim.obj('RequestLevelParams', '1.1', {
        'root_required': prim.sorted_set(params.root_required),
        'root_forbidden': prim.sorted_set(params.root_forbidden),
        'same_subtree': prim.str_lists(params.same_subtree),
    })


def encode_request_spec(spec: spec_obj.RequestSpec) -> prim.Primitive:
    """A RequestSpec 1.15 primitive, ready for oslo.messaging."""
    data: dict[str, Any] = {
        'image': prim.or_null(spec.image, encode_image.encode_image_meta),
        'numa_topology': prim.or_null(spec.numa_topology,
                                      hardware.encode_numa_topology),
        'pci_requests': prim.or_null(spec.pci_requests,
                                     hardware.encode_pci_requests),
        'project_id': spec.project_id,
        'user_id': spec.user_id,
        'availability_zone': spec.availability_zone,
        'flavor': encode_flavor(spec.flavor),
        'num_instances': spec.num_instances,
        'ignore_hosts': prim.or_null(spec.ignore_hosts, list),
        'force_hosts': prim.or_null(spec.force_hosts, list),
        'force_nodes': prim.or_null(spec.force_nodes, list),
        'requested_destination': prim.or_null(spec.requested_destination,
                                              encode_destination),
        'retry': prim.or_null(spec.retry, encode_retry),
        'instance_group': prim.or_null(spec.instance_group,
                                       encode_instance_group),
        'scheduler_hints': {name: list(values) for name, values
                            in spec.scheduler_hints.items()},
        'network_metadata': encode_network_metadata(spec.network_metadata),
        'is_bfv': spec.is_bfv,
        'requested_resources': [encode_request_group(group)
                                for group in spec.requested_resources],
        'request_level_params': encode_request_level_params(
            spec.request_level_params),
        'requested_networks': prim.obj_list(
            'NetworkRequestList', '1.1',
            [encode_network_request(req)
             for req in spec.requested_networks]),
    }
    _optional(data, 'id', spec.id)
    _optional(data, 'instance_uuid', spec.instance_uuid)
    return prim.obj('RequestSpec', REQUEST_SPEC_VERSION, data)

"""RequestSpec 1.x primitives: the ``spec_obj`` of select_destinations.

Any 1.x minor is accepted: fields a version does not carry are simply
absent and take nova's lazy defaults (``requested_destination`` None,
empty network metadata, request-level params and requested networks);
fields of newer minors that nova 34 does not know are ignored.
"""

from collections.abc import Mapping
import types

from scheduler.codec import destination
from scheduler.codec import flavor
from scheduler.codec import image
from scheduler.codec import instance_group
from scheduler.codec import limits as limits_mod
from scheduler.codec import network
from scheduler.codec import numa
from scheduler.codec import pci
from scheduler.codec import primitive as envelope
from scheduler.codec import request_group
from scheduler.codec import scheduler_limits
from scheduler.codec import values as v
from scheduler.objects import network as network_obj
from scheduler.objects import request_group as group_obj
from scheduler.objects import request_spec as spec_obj


def hint_values(path: v.Path, value: object) -> tuple[str, ...]:
    """A hint's values; a scalar becomes a 1-tuple, as nova's _from_hints."""
    if isinstance(value, (list, tuple)):
        return v.as_list(path, value, v.as_str)
    return (v.as_str(path, value),)


# Hints whose values are instance uuids, compared with the host's.
_UUID_HINTS = frozenset({'same_host', 'different_host'})


def hints(path: v.Path, value: object) -> Mapping[str, tuple[str, ...]]:
    decoded: Mapping[str, tuple[str, ...]] = v.as_dict(
        path, value, hint_values)
    if _UUID_HINTS.isdisjoint(decoded):
        return decoded
    return types.MappingProxyType({
        name: (tuple(v.as_uuid_or_str(path, x) for x in values)
               if name in _UUID_HINTS else values)
        for name, values in decoded.items()})


def _strs(path: v.Path, value: object) -> tuple[str, ...]:
    return v.as_list(path, value, v.as_str)


def num_instances(path: v.Path, value: object) -> int:
    count = v.as_int(path, value)
    if count < 1:
        path.fail('must be at least 1')
    if count > path.limits.max_num_instances:
        path.fail(f'more than {path.limits.max_num_instances} instances')
    return count


def _request_groups(path: v.Path, value: object,
                    ) -> tuple[group_obj.RequestGroup, ...]:
    return v.as_list(path, value, request_group.read_request_group)


def decode_spec(obj: envelope.Obj) -> spec_obj.RequestSpec:
    """Decode an opened RequestSpec envelope."""
    # Validated for type and size, then dropped: the limits we return come
    # from our own host states, never from the request.
    obj.get('limits', scheduler_limits.read_scheduler_limits)
    return spec_obj.RequestSpec(
        id=obj.get('id', v.as_int, null=envelope.FAIL),
        flavor=obj.req('flavor', flavor.read_flavor),
        image=obj.get('image', image.read_image_meta),
        numa_topology=obj.get('numa_topology', numa.read_numa_topology),
        pci_requests=obj.get('pci_requests', pci.read_pci_requests),
        project_id=obj.get('project_id', v.as_str),
        user_id=obj.get('user_id', v.as_str),
        availability_zone=obj.get('availability_zone', v.as_str),
        num_instances=obj.req('num_instances', num_instances,
                              absent=1, null=1),
        ignore_hosts=obj.get('ignore_hosts', _strs),
        force_hosts=obj.get('force_hosts', _strs),
        force_nodes=obj.get('force_nodes', _strs),
        requested_destination=obj.get('requested_destination',
                                      destination.read_destination),
        retry=obj.get('retry', destination.read_retry),
        instance_group=obj.get('instance_group',
                               instance_group.read_instance_group),
        scheduler_hints=obj.req('scheduler_hints', hints,
                                absent=spec_obj.EMPTY_HINTS,
                                null=spec_obj.EMPTY_HINTS),
        instance_uuid=obj.get('instance_uuid', v.as_uuid,
                              null=envelope.FAIL),
        network_metadata=obj.req('network_metadata',
                                 network.read_network_metadata,
                                 absent=network_obj.NetworkMetadata()),
        is_bfv=obj.req('is_bfv', v.as_bool, absent=False),
        requested_resources=obj.req('requested_resources', _request_groups,
                                    absent=(), null=()),
        request_level_params=obj.req(
            'request_level_params', request_group.read_request_level_params,
            absent=group_obj.RequestLevelParams()),
        requested_networks=obj.req('requested_networks',
                                   network.read_network_requests,
                                   absent=()),
    )


read_request_spec = envelope.object_reader('RequestSpec', decode_spec)


def decode_request_spec(
        primitive: object,
        limits: limits_mod.DecodeLimits = limits_mod.DEFAULT_LIMITS,
        *, root: str = 'spec_obj') -> spec_obj.RequestSpec:
    """Decode a RequestSpec primitive; only ValidationError escapes."""
    path = v.Path(root, limits)
    return envelope.guarded(
        path, lambda: read_request_spec(path, primitive))

"""Legacy ``request_spec`` / ``filter_properties`` dicts (RPC 4.0-4.2).

Mirrors nova's RequestSpec.from_primitives and its _from_* helpers. No
supported peer still sends these, but they are part of the RPC contract.
Nested objects may arrive as primitives (the serializer walks dicts) and,
for ``instance_properties.numa_topology``, as a JSON string of one.
"""

from collections.abc import Mapping
import dataclasses
import json

from scheduler.codec import destination
from scheduler.codec import flavor
from scheduler.codec import instance_group
from scheduler.codec import legacy_image
from scheduler.codec import limits as limits_mod
from scheduler.codec import numa
from scheduler.codec import pci
from scheduler.codec import primitive
from scheduler.codec import request_spec as spec_codec
from scheduler.codec import scheduler_limits
from scheduler.codec import values as v
from scheduler.objects import flavor as flavor_obj
from scheduler.objects import instance_group as group_obj
from scheduler.objects import numa as numa_obj
from scheduler.objects import pci as pci_obj
from scheduler.objects import request_spec as spec_obj

def _mapping(path: v.Path, value: object) -> dict[str, object]:
    if not isinstance(value, dict):
        v.expected(path, 'dict', value)
    if len(value) > path.limits.max_list_length:
        path.fail(f'more than {path.limits.max_list_length} items')
    return value


def _strs(path: v.Path, value: object) -> tuple[str, ...]:
    return v.as_list(path, value, v.as_str)


def _flavor(path: v.Path, value: object) -> flavor_obj.Flavor:
    """instance_type: a Flavor primitive or Flavor(**dict)'s dict."""
    if value is None:
        path.fail('required field is missing')
    if isinstance(value, dict) and primitive.NAME in value:
        return flavor.read_flavor(path, value)
    data = _mapping(path, value)
    return flavor.decode_flavor(
        primitive.Obj('Flavor', (1, 2), path.enter(), data))


def _numa_topology(path: v.Path,
                   value: object) -> numa_obj.InstanceNUMATopology:
    if isinstance(value, str):
        # nova accepts the JSON text of a primitive here.
        text = v.as_str(path, value)
        try:
            value = json.loads(text)
        except ValueError:
            path.fail('expected JSON of an InstanceNUMATopology')
    return numa.read_numa_topology(path, value)


@dataclasses.dataclass(frozen=True)
class _InstanceFields:
    numa_topology: numa_obj.InstanceNUMATopology | None = None
    pci_requests: pci_obj.PCIRequests | None = None
    instance_uuid: str | None = None
    project_id: str | None = None
    user_id: str | None = None
    availability_zone: str | None = None


def _instance(path: v.Path, value: object) -> _InstanceFields:
    """instance_properties: a dict, or an Instance primitive."""
    if value is None:
        return _InstanceFields()
    if isinstance(value, dict) and primitive.NAME in value:
        obj = primitive.open_object(path, value, 'Instance', major=2)
        path, source = obj.path, obj.data
    else:
        source = _mapping(path, value)
        path = path.enter()

    def get(field: str, reader: v.Reader[v.T]) -> v.T | None:
        raw = source.get(field)
        return None if raw is None else reader(path.field(field), raw)

    return _InstanceFields(
        numa_topology=get('numa_topology', _numa_topology),
        pci_requests=get('pci_requests', pci.read_pci_requests),
        instance_uuid=get('uuid', v.as_uuid),
        project_id=get('project_id', v.as_str),
        user_id=get('user_id', v.as_str),
        availability_zone=get('availability_zone', v.as_str),
    )


def _retry(path: v.Path, value: object) -> spec_obj.SchedulerRetries | None:
    if not value:
        return None
    retry = _mapping(path, value)
    if 'hosts' not in retry:
        # nova's SchedulerRetries.from_dict returns an empty object here.
        return spec_obj.SchedulerRetries()
    inner = path.enter()

    def pair(p: v.Path, x: object) -> tuple[str, str | None]:
        items = v.as_list(p, x, v.nullable(v.as_str))
        if len(items) != 2 or items[0] is None:
            p.fail('expected a [host, node] pair')
        return items[0], items[1]

    num = retry.get('num_attempts')
    return spec_obj.SchedulerRetries(
        num_attempts=0 if num is None else v.as_int(
            inner.field('num_attempts'), num),
        hosts=v.as_list(inner.field('hosts'), retry['hosts'], pair))


def _check_limits(path: v.Path, value: object) -> None:
    """Validate and drop, like the spec_obj path (limits are ours)."""
    if not value:
        return
    if isinstance(value, dict) and primitive.NAME in value:
        scheduler_limits.read_scheduler_limits(path, value)
        return
    data = {k: x for k, x in _mapping(path, value).items()
            if k in ('numa_topology', 'vcpu', 'disk_gb', 'memory_mb')}
    scheduler_limits.decode_scheduler_limits(
        primitive.Obj('SchedulerLimits', (1, 0), path.enter(), data))


def _group(path: v.Path,
           props: Mapping[str, object]) -> group_obj.InstanceGroup | None:
    if props.get('instance_group'):
        return instance_group.read_instance_group(
            path.field('instance_group'), props['instance_group'])
    if props.get('group_updated') is not True:
        return None
    # Old-style keys; the sets were serialized as lists.
    policies = _strs(path.field('group_policies'),
                     props.get('group_policies') or ())
    uuid = props.get('group_uuid')
    return group_obj.InstanceGroup(
        uuid=v.as_uuid(path.field('group_uuid'), uuid) if uuid else None,
        policy=policies[0] if policies else None,
        policies=policies[:1],
        hosts=_strs(path.field('group_hosts'), props.get('group_hosts') or ()),
        members=instance_group.members(path.field('group_members'),
                                       props.get('group_members') or ()),
    )


def _optional(path: v.Path, props: Mapping[str, object], field: str,
              reader: v.Reader[v.T]) -> v.T | None:
    value = props.get(field)
    return None if value is None else reader(path.field(field), value)


def _decode(spec_path: v.Path, spec_value: object, props_path: v.Path,
            props_value: object) -> spec_obj.RequestSpec:
    spec = _mapping(spec_path, spec_value)
    props = _mapping(props_path, props_value)
    spec_in, props_in = spec_path.enter(), props_path.enter()
    count = spec.get('num_instances', 1)
    instance = _instance(spec_in.field('instance_properties'),
                         spec.get('instance_properties'))
    _check_limits(props_in.field('limits'), props.get('limits'))
    return spec_obj.RequestSpec(
        num_instances=spec_codec.num_instances(
            spec_in.field('num_instances'), 1 if count is None else count),
        image=legacy_image.decode_legacy_image(spec_in.field('image'),
                                               spec.get('image')),
        flavor=_flavor(spec_in.field('instance_type'),
                       spec.get('instance_type')),
        numa_topology=instance.numa_topology,
        pci_requests=instance.pci_requests,
        instance_uuid=instance.instance_uuid,
        project_id=instance.project_id,
        user_id=instance.user_id,
        availability_zone=instance.availability_zone,
        ignore_hosts=_optional(props_in, props, 'ignore_hosts', _strs),
        force_hosts=_optional(props_in, props, 'force_hosts', _strs),
        force_nodes=_optional(props_in, props, 'force_nodes', _strs),
        retry=_retry(props_in.field('retry'), props.get('retry')),
        instance_group=_group(props_in, props),
        scheduler_hints=_optional(props_in, props, 'scheduler_hints',
                                  spec_codec.hints)
        or spec_obj.EMPTY_HINTS,
        requested_destination=_optional(props_in, props,
                                        'requested_destination',
                                        destination.read_destination),
    )


def decode_legacy_request(
        request_spec: object, filter_properties: object,
        limits: limits_mod.DecodeLimits = limits_mod.DEFAULT_LIMITS,
) -> spec_obj.RequestSpec:
    """Decode legacy request_spec + filter_properties dicts."""
    spec_path = v.Path('request_spec', limits)
    props_path = v.Path('filter_properties', limits)
    return primitive.guarded(spec_path, lambda: _decode(
        spec_path, request_spec, props_path, filter_properties))

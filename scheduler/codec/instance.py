"""InstanceList 2.x / Instance 2.x and instance uuid lists.

Computes send whole Instance objects (user_data, key_data, metadata,
system_metadata, info_cache with IPs ...). Only uuid, host, node and
project_id are read; nothing else is looked at or kept.
"""

from scheduler.codec import limits as limits_mod
from scheduler.codec import primitive
from scheduler.codec import values as v
from scheduler.objects import instance as instance_obj


def decode_instance_fields(obj: primitive.Obj) -> instance_obj.InstanceInfo:
    return instance_obj.InstanceInfo(
        uuid=obj.req('uuid', v.as_uuid),
        host=obj.get('host', v.as_str),
        node=obj.get('node', v.as_str),
        project_id=obj.get('project_id', v.as_str),
    )


read_instance = primitive.object_reader('Instance', decode_instance_fields,
                                        major=2)
read_instance_list = primitive.list_object_reader('InstanceList',
                                                  read_instance, major=2)


def _instances(path: v.Path, value: object,
               ) -> tuple[instance_obj.InstanceInfo, ...]:
    if isinstance(value, (list, tuple)):
        return v.as_list(path, value, read_instance)
    if isinstance(value, dict) and value.get(primitive.NAME) == 'Instance':
        return (read_instance(path, value),)
    return read_instance_list(path, value)


def decode_instance_list(
        payload: object,
        limits: limits_mod.DecodeLimits = limits_mod.DEFAULT_LIMITS,
        *, root: str = 'instance_info',
) -> tuple[instance_obj.InstanceInfo, ...]:
    """Decode an InstanceList, an Instance or a list of Instances."""
    path = v.Path(root, limits)
    return primitive.guarded(path, lambda: _instances(path, payload))


def decode_instance_uuids(
        payload: object,
        limits: limits_mod.DecodeLimits = limits_mod.DEFAULT_LIMITS,
        *, root: str = 'instance_uuids') -> tuple[str, ...]:
    """Decode the uuid list of sync_instance_info."""
    path = v.Path(root, limits)
    return primitive.guarded(
        path, lambda: v.as_list(path, payload, v.as_uuid))

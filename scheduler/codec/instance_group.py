"""InstanceGroup 1.x primitives (server groups)."""

from collections.abc import Mapping

from scheduler.codec import primitive
from scheduler.codec import values as v
from scheduler.objects import instance_group as group_obj


def _strs(path: v.Path, value: object) -> tuple[str, ...]:
    return v.as_list(path, value, v.as_str)


def members(path: v.Path, value: object) -> tuple[str, ...]:
    """Instance uuids in a String list: canonical, like every uuid."""
    return v.as_list(path, value, v.as_uuid_or_str)


def _rules(path: v.Path, value: object) -> Mapping[str, str]:
    return v.as_dict(path, value, v.as_str)


def decode_instance_group(obj: primitive.Obj) -> group_obj.InstanceGroup:
    # Since 1.11 ``policy`` is the truth and ``policies`` its read-only
    # echo; older senders only set ``policies`` (one entry in practice).
    policies: tuple[str, ...] = obj.req('policies', _strs, absent=(),
                                        null=())
    policy = obj.get('policy', v.as_str)
    if policy is None and policies:
        policy = policies[0]
    if not policies and policy is not None:
        policies = (policy,)
    return group_obj.InstanceGroup(
        uuid=obj.get('uuid', v.as_uuid, null=primitive.FAIL),
        name=obj.get('name', v.as_str),
        user_id=obj.get('user_id', v.as_str),
        project_id=obj.get('project_id', v.as_str),
        policy=policy,
        policies=policies,
        members=obj.req('members', members, absent=(), null=()),
        hosts=obj.req('hosts', _strs, absent=(), null=()),
        rules=obj.req('_rules', _rules, absent=group_obj.EMPTY),
    )


read_instance_group = primitive.object_reader('InstanceGroup',
                                              decode_instance_group)

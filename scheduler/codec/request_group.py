"""RequestGroup 1.x and RequestLevelParams 1.x."""

from collections.abc import Mapping

from scheduler.codec import primitive
from scheduler.codec import values as v
from scheduler.objects import request_group as group_obj


def _str_set(path: v.Path, value: object) -> frozenset[str]:
    return v.as_set(path, value, v.as_str)


def _str_lists(path: v.Path, value: object) -> tuple[tuple[str, ...], ...]:
    return v.as_list(path, value, lambda p, x: v.as_list(p, x, v.as_str))


def _resources(path: v.Path, value: object) -> Mapping[str, int]:
    return v.as_dict(path, value, v.as_int)


def decode_request_group(obj: primitive.Obj) -> group_obj.RequestGroup:
    # RequestGroup is ephemeral: nova sets every default at construction.
    return group_obj.RequestGroup(
        use_same_provider=obj.req('use_same_provider', v.as_bool,
                                  absent=True, null=True),
        resources=obj.req('resources', _resources, absent=group_obj.EMPTY,
                          null=group_obj.EMPTY),
        required_traits=obj.req('required_traits', _str_set,
                                absent=frozenset(), null=frozenset()),
        forbidden_traits=obj.req('forbidden_traits', _str_set,
                                 absent=frozenset(), null=frozenset()),
        aggregates=obj.req('aggregates', _str_lists, absent=(), null=()),
        forbidden_aggregates=obj.req('forbidden_aggregates', _str_set,
                                     absent=frozenset(), null=frozenset()),
        requester_id=obj.get('requester_id', v.as_str),
        provider_uuids=obj.req(
            'provider_uuids', lambda p, x: v.as_list(p, x, v.as_uuid),
            absent=(), null=()),
        in_tree=obj.get('in_tree', v.as_uuid),
    )


read_request_group = primitive.object_reader('RequestGroup',
                                             decode_request_group)


def decode_request_level_params(obj: primitive.Obj,
                                ) -> group_obj.RequestLevelParams:
    return group_obj.RequestLevelParams(
        root_required=obj.req('root_required', _str_set, absent=frozenset(),
                              null=frozenset()),
        root_forbidden=obj.req('root_forbidden', _str_set,
                               absent=frozenset(), null=frozenset()),
        same_subtree=obj.req('same_subtree', _str_lists, absent=(), null=()),
    )


read_request_level_params = primitive.object_reader(
    'RequestLevelParams', decode_request_level_params)

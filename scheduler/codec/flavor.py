"""Flavor primitives (Flavor 1.x)."""

from collections.abc import Mapping

from scheduler.codec import primitive
from scheduler.codec import values as v
from scheduler.objects import flavor as flavor_obj


def str_dict(path: v.Path, value: object) -> Mapping[str, str]:
    return v.as_dict(path, value, v.as_str)


def decode_flavor(obj: primitive.Obj) -> flavor_obj.Flavor:
    return flavor_obj.Flavor(
        memory_mb=obj.req('memory_mb', v.as_int),
        vcpus=obj.req('vcpus', v.as_int),
        root_gb=obj.req('root_gb', v.as_int),
        ephemeral_gb=obj.req('ephemeral_gb', v.as_int),
        swap=obj.req('swap', v.as_int),
        id=obj.get('id', v.as_int, null=primitive.FAIL),
        flavorid=obj.get('flavorid', v.as_str, null=primitive.FAIL),
        name=obj.get('name', v.as_str),
        # nova's default for a null rxtx_factor is 1.0.
        rxtx_factor=obj.get('rxtx_factor', v.as_float, null=1.0),
        vcpu_weight=obj.get('vcpu_weight', v.as_int),
        disabled=obj.req('disabled', v.as_bool, absent=False),
        is_public=obj.req('is_public', v.as_bool, absent=True),
        extra_specs=obj.req('extra_specs', str_dict,
                            absent=flavor_obj.EMPTY),
        description=obj.get('description', v.as_str),
    )


read_flavor = primitive.object_reader('Flavor', decode_flavor)

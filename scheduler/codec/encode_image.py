"""ImageMeta 1.8 and ImageMetaProps 1.44 primitives (encode side).

Every ImageMeta field is non-nullable in nova, so only the ones we know
are sent; ``tags`` and ``properties`` always are, as glance always has
them. Properties keep their decoded wire form: lists for list fields,
lists of lists for ``hw_numa_cpus`` (a list of sets in nova).
"""

from collections.abc import Mapping
from typing import Any

from scheduler.codec import encode_primitive as prim
from scheduler.objects import image as image_obj

IMAGE_META_VERSION = '1.8'
IMAGE_META_PROPS_VERSION = '1.44'
_OPTIONAL = ('id', 'name', 'status', 'visibility', 'owner', 'checksum',
             'container_format', 'disk_format', 'size', 'virtual_size',
             'min_ram', 'min_disk')


def _wire(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return prim.sorted_set(value)
    if isinstance(value, (list, tuple)):
        return [_wire(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _wire(item) for key, item in value.items()}
    return value


def encode_image_props(props: image_obj.ImageProperties) -> prim.Primitive:
    return prim.obj('ImageMetaProps', IMAGE_META_PROPS_VERSION,
                    {name: _wire(value)
                     for name, value in props.values.items()})


def encode_image_meta(image: image_obj.ImageMeta) -> prim.Primitive:
    data: dict[str, Any] = {
        name: getattr(image, name) for name in _OPTIONAL
        if getattr(image, name) is not None}
    data['tags'] = list(image.tags)
    data['properties'] = encode_image_props(image.properties)
    return prim.obj('ImageMeta', IMAGE_META_VERSION, data)

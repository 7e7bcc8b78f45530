"""The image properties of an instance, from its system_metadata.

nova's ImagePropertiesWeigher reads each instance's image as
ImageMeta.from_instance builds it: the ``image_*`` system_metadata keys
(prefix stripped, the structured ``*mappings`` keys skipped) go through
ImageMetaProps.from_dict, which knows legacy names, ``trait:*`` and
``hw_numa_*.N`` keys. The legacy-image codec does that same conversion;
the values are then rendered as nova's str() of each typed value.

Unlike nova, soft-deleted system_metadata rows (keys an image no longer
has, e.g. after a rebuild) are not read: the weigher sees the instance's
current image.
"""

from collections.abc import Mapping
import types

from scheduler.hoststate import host_state
from scheduler.codec import errors as codec_errors
from scheduler.codec import legacy_image
from scheduler.codec import limits
from scheduler.codec import values

PREFIX = 'image_'
# Large structured values nova never loads from system_metadata.
SKIPPED = frozenset({'mappings', 'block_device_mapping', 'img_mappings',
                     'img_block_device_mapping'})
# ImageMeta fields (not properties) nova keeps in system_metadata.
INHERITED = frozenset({'min_ram', 'min_disk', 'disk_format',
                       'container_format'})


class InvalidImageMetadata(ValueError):
    """system_metadata image keys nova could not turn into an image."""


def image_properties(system_metadata: Mapping[str, str | None]
                     ) -> Mapping[str, str]:
    """property name -> str() of nova's typed value, for one instance.

    Raises InvalidImageMetadata (naming the key, never its value) when a
    property does not convert; nova's weigher would fail the request.
    """
    properties: dict[str, str] = {}
    for key, value in system_metadata.items():
        if value is None:
            continue
        name = key[len(PREFIX):] if key.startswith(PREFIX) else key
        if name in SKIPPED or name in INHERITED:
            continue
        properties[name] = value
    if not properties:
        return types.MappingProxyType({})
    path = values.Path('system_metadata', limits.DEFAULT_LIMITS)
    try:
        meta = legacy_image.decode_legacy_image(
            path, {'properties': properties})
    except codec_errors.ValidationError as exc:
        raise InvalidImageMetadata(str(exc)) from None
    assert meta is not None  # a dict always decodes to an image
    return types.MappingProxyType({
        name: host_state.render_image_property(value)
        for name, value in meta.properties.values.items()})

"""Reading a setting that a flavor extra spec or an image property sets.

Most hardware options exist twice: ``hw:foo`` in the flavor's extra specs
and ``hw_foo`` in the image properties. These helpers read both the way
nova.virt.hardware does, so conflicts are detected identically.
"""

from typing import Any

from oslo_utils import strutils

from scheduler.objects import flavor as flavor_obj
from scheduler.objects import image as image_obj
from scheduler.placement import errors

NO_IMAGE = image_obj.ImageMeta()


def image_or_empty(image: image_obj.ImageMeta | None) -> image_obj.ImageMeta:
    return image if image is not None else NO_IMAGE


def flavor_and_image(key: str, flavor: flavor_obj.Flavor,
                     image: image_obj.ImageMeta, default: Any = None,
                     prefix: str = 'hw') -> tuple[Any, Any]:
    """(flavor value, image value) of ``prefix:key`` / ``prefix_key``."""
    flavor_value = flavor.extra_specs.get(f'{prefix}:{key}', default)
    image_value = image.properties.get(f'{prefix}_{key}', default)
    return flavor_value, image_value


def unique_flavor_or_image(key: str, flavor: flavor_obj.Flavor,
                           image: image_obj.ImageMeta,
                           prefix: str = 'hw') -> Any:
    """The one value set by flavor and/or image; both set and different
    is a FlavorImageConflict."""
    flavor_value, image_value = flavor_and_image(
        key, flavor, image, prefix=prefix)
    if image_value and flavor_value and image_value != flavor_value:
        raise errors.InvalidFlavorImageRequest(
            'FlavorImageConflict',
            f'Flavor {flavor.name} has {prefix}:{key} extra spec explicitly '
            f'set to {flavor_value}, conflicting with image {image.name} '
            f'which has {prefix}_{key} explicitly set to {image_value}.')
    # nova's ``flavor_value or image_value``: '' from the flavor and an
    # unset image property give None, an unset flavor spec and '' give ''.
    return flavor_value or image_value


def image_bool(value: Any) -> bool | None:
    """An image FlexibleBoolean property as nova coerces it."""
    if value is None or isinstance(value, bool):
        return value
    return strutils.bool_from_string(value)


def invalid(message: str, kind: str = 'Invalid') -> (
        errors.InvalidFlavorImageRequest):
    return errors.InvalidFlavorImageRequest(kind, message)

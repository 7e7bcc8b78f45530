"""Request filters for guest features that only some computes offer.

Virtio packed rings, ephemeral storage encryption, virtio sound and the
vTPM secret security mode: each read from the flavor extra spec and/or
image property as nova.virt.hardware reads it (same conflicts, same
errors), adding the trait the capable computes report.
"""

from typing import Any

from oslo_utils import strutils
import os_traits

from scheduler import errors
from scheduler.objects import flavor as flavor_obj
from scheduler.objects import image as image_obj
from scheduler.objects import request_spec
from scheduler.placement import feature_constraints
from scheduler.placement import flavor_image
from scheduler.request_filters.base import FilterEnv
from scheduler.request_filters import edits

EPHEMERAL_ENCRYPTION_FORMATS = ('plain', 'luks', 'luksv2')
SOUND_MODELS = ('sb16', 'es1370', 'pcspk', 'ac97', 'ich6', 'ich9', 'usb',
                'virtio')
TPM_SECRET_SECURITY_TRAITS = {
    'user': os_traits.COMPUTE_SECURITY_TPM_SECRET_SECURITY_USER,
    'host': os_traits.COMPUTE_SECURITY_TPM_SECRET_SECURITY_HOST,
    'deployment': os_traits.COMPUTE_SECURITY_TPM_SECRET_SECURITY_DEPLOYMENT,
}


def _optional_bool(value: Any) -> bool | None:
    """nova's strutils.bool_from_string of a value that may be unset."""
    return None if value is None else strutils.bool_from_string(value)


def packed_ring_requested(flavor: flavor_obj.Flavor,
                          image: image_obj.ImageMeta) -> bool:
    """hw:virtio_packed_ring / hw_virtio_packed_ring (get_packed_virtqueue_
    constraint)."""
    flavor_raw, image_raw = flavor_image.flavor_and_image(
        'virtio_packed_ring', flavor, image)
    flavor_value = _optional_bool(flavor_raw)
    image_value = _optional_bool(image_raw)
    if (flavor_value is not None and image_value is not None
            and flavor_value != image_value):
        raise flavor_image.invalid(
            f'Flavor has hw:virtio_packed_ring extra spec explicitly set to '
            f'{flavor_value}, conflicting with image which has '
            f'hw_virtio_packed_ring explicitly set to {image_value}.',
            'FlavorImageConflict')
    return bool(flavor_value or image_value)


def ephemeral_encryption_requested(flavor: flavor_obj.Flavor,
                                   image: image_obj.ImageMeta) -> bool:
    """hw:ephemeral_encryption / hw_ephemeral_encryption."""
    flavor_raw, image_raw = flavor_image.flavor_and_image(
        'ephemeral_encryption', flavor, image)
    flavor_value = _optional_bool(flavor_raw)
    image_value = flavor_image.image_bool(image_raw)
    if (flavor_value is not None and image_value is not None
            and flavor_value != image_value):
        raise flavor_image.invalid(
            f'Flavor {flavor.name} has hw:ephemeral_encryption extra spec '
            f'explicitly set to {flavor_raw}, conflicting with image '
            f'{image.name} which has hw_eph_encryption property explicitly '
            f'set to {image_value}', 'FlavorImageConflict')
    return bool(flavor_value or image_value)


def ephemeral_encryption_format(flavor: flavor_obj.Flavor,
                                image: image_obj.ImageMeta) -> str | None:
    value = flavor_image.unique_flavor_or_image(
        'ephemeral_encryption_format', flavor, image)
    if not value:
        return None
    if value not in EPHEMERAL_ENCRYPTION_FORMATS:
        raise flavor_image.invalid(
            f'Invalid ephemeral encryption format {value}. Allowed values: '
            f'{", ".join(EPHEMERAL_ENCRYPTION_FORMATS)}')
    return str(value)


def sound_model(flavor: flavor_obj.Flavor,
                image: image_obj.ImageMeta) -> str | None:
    model = flavor_image.unique_flavor_or_image('sound_model', flavor, image)
    if model and model not in SOUND_MODELS:
        raise flavor_image.invalid(
            f'Invalid sound device model {model!r}. Allowed values: '
            f'{", ".join(SOUND_MODELS)}.')
    return None if model is None else str(model)


def packed_virtqueue_filter(spec: request_spec.RequestSpec, env: FilterEnv
                            ) -> request_spec.RequestSpec | None:
    image = flavor_image.image_or_empty(spec.image)
    if not packed_ring_requested(spec.flavor, image):
        return None
    return edits.require_root_traits(
        spec, (os_traits.COMPUTE_NET_VIRTIO_PACKED,))


def ephemeral_encryption_filter(spec: request_spec.RequestSpec,
                                env: FilterEnv
                                ) -> request_spec.RequestSpec | None:
    image = flavor_image.image_or_empty(spec.image)
    if not ephemeral_encryption_requested(spec.flavor, image):
        return None
    wanted = [os_traits.COMPUTE_EPHEMERAL_ENCRYPTION]
    fmt = ephemeral_encryption_format(spec.flavor, image)
    if fmt:
        wanted.append(f'COMPUTE_EPHEMERAL_ENCRYPTION_{fmt.upper()}')
    return edits.require_root_traits(spec, wanted)


def virtio_sound_filter(spec: request_spec.RequestSpec, env: FilterEnv
                        ) -> request_spec.RequestSpec | None:
    image = flavor_image.image_or_empty(spec.image)
    if sound_model(spec.flavor, image) != 'virtio':
        return None
    return edits.require_root_traits(
        spec, (os_traits.COMPUTE_SOUND_MODEL_VIRTIO,))


def tpm_secret_security_filter(spec: request_spec.RequestSpec,
                               env: FilterEnv
                               ) -> request_spec.RequestSpec | None:
    """The vTPM secret security mode (flavor only; 'user' by default)."""
    image = flavor_image.image_or_empty(spec.image)
    if feature_constraints.vtpm(spec.flavor, image) is None:
        return None
    security = spec.flavor.extra_specs.get('hw:tpm_secret_security') or 'user'
    trait = TPM_SECRET_SECURITY_TRAITS.get(security)
    if trait is None:
        # Passed the API's extra spec validation, unknown to this release.
        raise errors.RequestFilterFailed(
            f"TPM secret security '{security}' is not supported.")
    return edits.require_root_traits(spec, (trait,))

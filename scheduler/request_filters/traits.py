"""Request filters that add root traits for image and flavor requests."""

from oslo_log import log as logging
import os_traits

from scheduler.objects import request_spec
from scheduler.request_filters.base import FilterEnv
from scheduler.request_filters import edits

LOG = logging.getLogger(__name__)

# Image property -> trait prefix (nova's transform_image_metadata).
IMAGE_PROPERTY_TRAITS = (
    ('hw_cdrom_bus', 'COMPUTE_STORAGE_BUS'),
    ('hw_disk_bus', 'COMPUTE_STORAGE_BUS'),
    ('hw_video_model', 'COMPUTE_GRAPHICS_MODEL'),
    ('hw_vif_model', 'COMPUTE_NET_VIF_MODEL'),
    ('hw_architecture', 'HW_ARCH'),
    ('hw_emulation_architecture', 'COMPUTE_ARCH'),
    # os-traits says COMPUTE_VIOMMU_MODEL_*: in nova 34 (and here) any
    # hw_viommu_model makes the filter add nothing. Kept for parity.
    ('hw_viommu_model', 'COMPUTE_VIOMMU'),
)


def is_known_trait(name: str) -> bool:
    """Whether os-traits defines ``name`` (nova's hasattr check)."""
    return isinstance(getattr(os_traits, name, None), str)


def require_image_type_support(spec: request_spec.RequestSpec,
                               env: FilterEnv
                               ) -> request_spec.RequestSpec | None:
    """Only hosts whose driver supports the image's disk format."""
    if not env.conf.scheduler.query_placement_for_image_type_support:
        return None
    if spec.is_bfv:
        # Booting from a volume: the image's disk format is irrelevant.
        return None
    disk_format = spec.image.disk_format if spec.image else None
    if not disk_format:
        # nova fails with an AttributeError here; nothing to require.
        return None
    trait = f'COMPUTE_IMAGE_TYPE_{disk_format.upper()}'
    if not is_known_trait(trait):
        LOG.error('Computed trait name %r is not valid; is os-traits up '
                  'to date?', trait)
        return None
    return edits.require_root_traits(spec, (trait,))


def compute_status_filter(spec: request_spec.RequestSpec, env: FilterEnv
                          ) -> request_spec.RequestSpec | None:
    """Never offer compute nodes whose service is disabled."""
    return edits.forbid_root_traits(spec, (os_traits.COMPUTE_STATUS_DISABLED,))


def transform_image_metadata(spec: request_spec.RequestSpec, env: FilterEnv
                             ) -> request_spec.RequestSpec | None:
    """Image hardware properties as required traits.

    As nova: one property that maps to a trait os-traits does not know
    makes the whole filter add nothing.
    """
    if not env.conf.scheduler.image_metadata_prefilter or spec.image is None:
        return None
    props = spec.image.properties
    wanted = []
    for key, prefix in IMAGE_PROPERTY_TRAITS:
        if key not in props:
            continue
        value = str(props.get(key)).replace('-', '_').upper()
        trait = f'{prefix}_{value}'
        if not is_known_trait(trait):
            LOG.error('Computed trait name %r is not valid; is os-traits '
                      'up to date?', trait)
            return None
        wanted.append(trait)
    if not wanted:
        return None
    return edits.require_root_traits(spec, wanted)


def accelerators_filter(spec: request_spec.RequestSpec, env: FilterEnv
                        ) -> request_spec.RequestSpec | None:
    """Hosts whose compute can handle Cyborg device profiles."""
    if not spec.flavor.extra_specs.get('accel:device_profile'):
        return None
    return edits.require_root_traits(spec, (os_traits.COMPUTE_ACCELERATORS,))

"""Running the request filters in nova's order."""

from collections.abc import Sequence

from scheduler.objects import request_spec
from scheduler.request_filters import aggregates
from scheduler.request_filters import base
from scheduler.request_filters import features
from scheduler.request_filters import network
from scheduler.request_filters import owner
from scheduler.request_filters import traits


def default_filters() -> tuple[base.RequestFilter, ...]:
    """All fourteen, in nova 34's order."""
    return (
        aggregates.require_tenant_aggregate,
        aggregates.map_az_to_placement_aggregate,
        traits.require_image_type_support,
        traits.compute_status_filter,
        aggregates.isolate_aggregates,
        traits.transform_image_metadata,
        traits.accelerators_filter,
        features.packed_virtqueue_filter,
        network.routed_networks_filter,
        network.remote_managed_ports_filter,
        features.ephemeral_encryption_filter,
        features.virtio_sound_filter,
        features.tpm_secret_security_filter,
        owner.owner_nova_filter,
    )


def process(spec: request_spec.RequestSpec, env: base.FilterEnv,
            filters: Sequence[base.RequestFilter]
            ) -> tuple[request_spec.RequestSpec, tuple[str, ...]]:
    """Run every filter; return the final spec and who changed it."""
    applied = []
    for request_filter in filters:
        changed = request_filter(spec, env)
        if changed is not None:
            spec = changed
            applied.append(request_filter.__name__)
    return spec, tuple(applied)

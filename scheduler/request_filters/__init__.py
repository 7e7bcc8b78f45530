"""Request filters: rewrite the RequestSpec before Placement is asked.

Each filter is a function ``(spec, env) -> RequestSpec | None``: it returns
a new spec when it changed something and None when it did not apply. A
filter that must refuse the request raises ``errors.RequestFilterFailed``
with nova's wording (and an id-free wording for users); a flavor or image
that asks for something impossible raises the query builder's
``InvalidFlavorImageRequest``. They run in nova 34's order
(nova/scheduler/request_filter.py ALL_REQUEST_FILTERS).
"""

from collections.abc import Callable, Mapping, Sequence
import dataclasses
from typing import Any, Protocol

from oslo_config import cfg

from scheduler import host_source
from scheduler.objects import context as context_obj
from scheduler.objects import request_spec


class NeutronReader(Protocol):
    """The Neutron reads of :class:`scheduler.neutron.client.NeutronClient`.
    """

    def show_port(self, context: context_obj.RequestContext,
                  port_id: str) -> Mapping[str, Any]: ...

    def segment_ids_for_network(self, context: context_obj.RequestContext,
                                network_id: str) -> list[str]: ...

    def segment_id_for_subnet(self, context: context_obj.RequestContext,
                              subnet_id: str) -> str | None: ...


class ProviderAggregates(Protocol):
    """Placement's ``GET /resource_providers/{uuid}/aggregates``."""

    def get_provider_aggregates(
            self, rp_uuid: str,
            global_request_id: str | None = None) -> frozenset[str]: ...


@dataclasses.dataclass(frozen=True, slots=True)
class FilterEnv:
    conf: cfg.ConfigOpts
    context: context_obj.RequestContext
    snapshot: host_source.HostSnapshot
    # Only the network filters use these; None where no filter needs them.
    neutron: NeutronReader | None = None
    placement: ProviderAggregates | None = None


RequestFilter = Callable[[request_spec.RequestSpec, FilterEnv],
                         request_spec.RequestSpec | None]


def default_filters() -> tuple[RequestFilter, ...]:
    """All fourteen, in nova 34's order."""
    from scheduler.request_filters import aggregates
    from scheduler.request_filters import features
    from scheduler.request_filters import network
    from scheduler.request_filters import owner
    from scheduler.request_filters import traits
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


def process(spec: request_spec.RequestSpec, env: FilterEnv,
            filters: Sequence[RequestFilter]
            ) -> tuple[request_spec.RequestSpec, tuple[str, ...]]:
    """Run every filter; return the final spec and who changed it."""
    applied = []
    for request_filter in filters:
        changed = request_filter(spec, env)
        if changed is not None:
            spec = changed
            applied.append(request_filter.__name__)
    return spec, tuple(applied)

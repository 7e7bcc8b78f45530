"""What a request filter is given and returns (the plugin interface)."""

from collections.abc import Callable, Mapping
import dataclasses
from typing import Any, Protocol

from oslo_config import cfg

from scheduler.hoststate import source as host_source
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

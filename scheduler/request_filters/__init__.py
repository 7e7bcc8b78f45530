"""Request filters: rewrite the RequestSpec before Placement is asked.

Each filter is a function ``(spec, env) -> RequestSpec | None``: it returns
a new spec when it changed something and None when it did not apply. A
filter that must refuse the request raises ``errors.RequestFilterFailed``
with nova's wording. They run in nova's order.
"""

from collections.abc import Callable, Sequence
import dataclasses

from oslo_config import cfg

from scheduler import host_source
from scheduler.objects import context as context_obj
from scheduler.objects import request_spec


@dataclasses.dataclass(frozen=True, slots=True)
class FilterEnv:
    conf: cfg.ConfigOpts
    context: context_obj.RequestContext
    snapshot: host_source.HostSnapshot


RequestFilter = Callable[[request_spec.RequestSpec, FilterEnv],
                         request_spec.RequestSpec | None]


def default_filters() -> tuple[RequestFilter, ...]:
    from scheduler.request_filters import aggregates
    from scheduler.request_filters import traits
    return (
        aggregates.require_tenant_aggregate,
        aggregates.map_az_to_placement_aggregate,
        traits.compute_status_filter,
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

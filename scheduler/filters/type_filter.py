"""AggregateTypeAffinityFilter: aggregates that admit only some flavors.

An aggregate's ``instance_type`` metadata is a comma-separated list of
flavor names. A host with no such metadata passes; otherwise the flavor's
name must be in the list of one of its aggregates.
"""

from scheduler.hoststate import host_state
from scheduler.filters import aggregate_metadata
from scheduler.filters import base
from scheduler.objects import request_spec

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.AGGREGATE

KEY = 'instance_type'
FLAVOR_NOT_ALLOWED = 'flavor not allowed by aggregate instance_type'


class AggregateTypeAffinityFilter(base.BaseHostFilter):
    """The flavor named in the host's aggregates' instance_type, if any."""

    run_filter_once_per_request = True
    RUN_ON_REBUILD = False

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        values = aggregate_metadata.values_for_key(host, KEY)
        if not values:
            return None
        name = spec.flavor.name
        for value in values:
            if name is not None and name in [
                    part.strip() for part in value.split(',')]:
                return None
        return self.reject(FLAVOR_NOT_ALLOWED, CODE)

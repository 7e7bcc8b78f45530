"""AggregateMultiTenancyIsolation: aggregates reserved for projects.

Metadata keys starting with ``filter_tenant_id`` (``filter_tenant_id``,
``filter_tenant_id_2``...) list project ids, comma-separated. A host in
such aggregates takes only those projects; other hosts take anyone.
"""

from scheduler.hoststate import host_state
from scheduler.filters import aggregate_metadata
from scheduler.filters import base
from scheduler.objects import request_spec

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.AGGREGATE

KEY_PREFIX = 'filter_tenant_id'
# No project id in the reason: it is shown (counted) to the requester.
PROJECT_NOT_ALLOWED = 'project not allowed by aggregate filter_tenant_id'


class AggregateMultiTenancyIsolation(base.BaseHostFilter):
    """The request's project among the host's filter_tenant_id values."""

    run_filter_once_per_request = True
    RUN_ON_REBUILD = False

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        allowed: set[str] = set()
        for key, values in aggregate_metadata.metadata_by_key(host).items():
            if key.startswith(KEY_PREFIX):
                allowed.update(values)
        if not allowed or spec.project_id in allowed:
            return None
        return self.reject(PROJECT_NOT_ALLOWED, CODE)

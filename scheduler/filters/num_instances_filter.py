"""NumInstancesFilter and AggregateNumInstancesFilter: hosts not full.

A host passes while it has fewer instances than the limit:
[filter_scheduler]max_instances_per_host, or for
AggregateNumInstancesFilter the smallest ``max_instances_per_host`` its
aggregates set (the option when none does or one is not an integer).
"""

from scheduler.hoststate import host_state
from scheduler.filters import aggregate_metadata
from scheduler.filters import base
from scheduler.objects import request_spec

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.INSUFFICIENT_RESOURCES

KEY = 'max_instances_per_host'
TOO_MANY_INSTANCES = 'too many instances on host'


class NumInstancesFilter(base.BaseHostFilter):
    """num_instances below [filter_scheduler]max_instances_per_host."""

    RUN_ON_REBUILD = False

    def max_instances(self, host: host_state.HostState) -> int:
        return int(self.conf.filter_scheduler.max_instances_per_host)

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        if host.num_instances < self.max_instances(host):
            return None
        return self.reject(TOO_MANY_INSTANCES, CODE)

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck | None:
        limit = int(self.conf.filter_scheduler.max_instances_per_host)
        too_many = self.reject(TOO_MANY_INSTANCES, CODE)

        def check(host: host_state.HostState
                  ) -> host_state.HostState | base.Rejection:
            return host if host.num_instances < limit else too_many
        return check


class AggregateNumInstancesFilter(NumInstancesFilter):
    """num_instances below the aggregates' max_instances_per_host."""

    # The limit depends on each host's aggregates.
    host_check = base.BaseHostFilter.host_check

    def max_instances(self, host: host_state.HostState) -> int:
        return aggregate_metadata.int_limit(host, KEY,
                                            super().max_instances(host))

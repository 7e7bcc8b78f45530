"""IoOpsFilter and AggregateIoOpsFilter: hosts not too busy with IO.

A host passes while its count of instances in an IO-heavy task state
(num_io_ops) is below the limit: [filter_scheduler]max_io_ops_per_host,
or for AggregateIoOpsFilter the smallest ``max_io_ops_per_host`` its
aggregates set (the option when none does or one is not an integer).
"""

from scheduler.hoststate import host_state
from scheduler.filters import aggregate_metadata
from scheduler.filters import base
from scheduler.objects import request_spec

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.INSUFFICIENT_RESOURCES

KEY = 'max_io_ops_per_host'
TOO_MANY_IO_OPS = 'too many IO operations in progress'


class IoOpsFilter(base.BaseHostFilter):
    """num_io_ops below [filter_scheduler]max_io_ops_per_host."""

    RUN_ON_REBUILD = False

    def max_io_ops(self, host: host_state.HostState) -> int:
        return int(self.conf.filter_scheduler.max_io_ops_per_host)

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        if host.num_io_ops < self.max_io_ops(host):
            return None
        return self.reject(TOO_MANY_IO_OPS, CODE)

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck | None:
        limit = int(self.conf.filter_scheduler.max_io_ops_per_host)
        too_many = self.reject(TOO_MANY_IO_OPS, CODE)

        def check(host: host_state.HostState
                  ) -> host_state.HostState | base.Rejection:
            return host if host.num_io_ops < limit else too_many
        return check


class AggregateIoOpsFilter(IoOpsFilter):
    """num_io_ops below the aggregates' max_io_ops_per_host."""

    # The limit depends on each host's aggregates.
    host_check = base.BaseHostFilter.host_check

    def max_io_ops(self, host: host_state.HostState) -> int:
        return aggregate_metadata.int_limit(host, KEY,
                                            super().max_io_ops(host))

"""IoOpsWeigher: by the number of IO-heavy operations on the host.

The default multiplier (-1.0) prefers lightly loaded hosts.
"""

from scheduler import host_state
from scheduler import weighers
from scheduler.objects import request_spec


class IoOpsWeigher(weighers.BaseWeigher):
    minval = 0
    multiplier_option = 'io_ops_weight_multiplier'

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        return host.num_io_ops

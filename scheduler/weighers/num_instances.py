"""NumInstancesWeigher: by the number of instances on the host.

Disabled by default (multiplier 0.0); negative spreads, positive packs.
"""

from scheduler import host_state
from scheduler import weighers
from scheduler.objects import request_spec


class NumInstancesWeigher(weighers.BaseWeigher):
    multiplier_option = 'num_instances_weight_multiplier'

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        return host.num_instances

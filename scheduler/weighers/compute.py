"""BuildFailureWeigher: push back hosts with recent failed builds."""

from scheduler import host_state
from scheduler import weighers
from scheduler.objects import request_spec


class BuildFailureWeigher(weighers.BaseWeigher):
    multiplier_option = 'build_failure_weight_multiplier'

    def weight_multiplier(self, host: host_state.HostState) -> float:
        # Negated: more failures, lower weight.
        return -1 * super().weight_multiplier(host)

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        return host.failed_builds

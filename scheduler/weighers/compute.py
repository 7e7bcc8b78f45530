"""BuildFailureWeigher: push back hosts with recent failed builds."""

from scheduler.hoststate import host_state
from scheduler.weighers import base


class BuildFailureWeigher(base.BaseWeigher):
    multiplier_option = 'build_failure_weight_multiplier'
    weight_attribute = 'failed_builds'
    # The negation below still reads only the aggregates.
    multiplier_from_aggregates = True

    def weight_multiplier(self, host: host_state.HostState) -> float:
        # Negated: more failures, lower weight.
        return -1 * super().weight_multiplier(host)

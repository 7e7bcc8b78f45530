"""HypervisorVersionWeigher: prefer newer hypervisors by default."""

from scheduler import host_state
from scheduler import weighers
from scheduler.objects import request_spec


class HypervisorVersionWeigher(weighers.BaseWeigher):
    multiplier_option = 'hypervisor_version_weight_multiplier'

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        return host.hypervisor_version or 0

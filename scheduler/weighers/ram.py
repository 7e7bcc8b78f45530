"""RAMWeigher: prefer hosts with more free RAM (spread) by default."""

from scheduler import host_state
from scheduler import weighers
from scheduler.objects import request_spec


class RAMWeigher(weighers.BaseWeigher):
    minval = 0
    multiplier_option = 'ram_weight_multiplier'

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        return host.free_ram_mb

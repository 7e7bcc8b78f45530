"""DiskWeigher: prefer hosts with more free disk (spread) by default."""

from scheduler import host_state
from scheduler import weighers
from scheduler.objects import request_spec


class DiskWeigher(weighers.BaseWeigher):
    minval = 0
    multiplier_option = 'disk_weight_multiplier'

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        return host.free_disk_mb

"""CPUWeigher: prefer hosts with more free vCPUs (spread) by default."""

from collections.abc import Sequence

from scheduler.hoststate import host_state
from scheduler.objects import request_spec
from scheduler.weighers import base


class CPUWeigher(base.BaseWeigher):
    minval = 0
    multiplier_option = 'cpu_weight_multiplier'

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        return host.vcpus_total * host.cpu_allocation_ratio - host.vcpus_used

    def weigh_many(self, hosts: Sequence[host_state.HostState],
                   spec: request_spec.RequestSpec) -> list[float]:
        # weigh() of every host in one comprehension (no call per host).
        return [h.vcpus_total * h.cpu_allocation_ratio - h.vcpus_used
                for h in hosts]

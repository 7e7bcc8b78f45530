"""HypervisorVersionWeigher: prefer newer hypervisors by default."""

from collections.abc import Sequence

from scheduler.hoststate import host_state
from scheduler.objects import request_spec
from scheduler.weighers import base


class HypervisorVersionWeigher(base.BaseWeigher):
    multiplier_option = 'hypervisor_version_weight_multiplier'

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        return host.hypervisor_version or 0

    def weigh_many(self, hosts: Sequence[host_state.HostState],
                   spec: request_spec.RequestSpec) -> list[float]:
        # weigh() of every host in one comprehension (no call per host).
        return [h.hypervisor_version or 0 for h in hosts]

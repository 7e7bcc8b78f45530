"""Soft (anti-)affinity weighers for server groups.

Soft affinity prefers hosts already running more members of the group;
soft anti-affinity prefers hosts running fewer.
"""

from typing import ClassVar

from scheduler.hoststate import host_state
from scheduler.objects import request_spec
from scheduler.weighers import base


class _SoftAffinityWeigherBase(base.BaseWeigher):
    policy_name: ClassVar[str] = ''

    def members_on_host(self, host: host_state.HostState,
                        spec: request_spec.RequestSpec) -> int:
        group = spec.instance_group
        if group is None or group.policy != self.policy_name:
            return 0
        return len(set(host.instances).intersection(group.members))

    def constant_weight(self, spec: request_spec.RequestSpec
                        ) -> float | None:
        group = spec.instance_group
        if group is None or group.policy != self.policy_name:
            return 0.0  # not this weigher's group policy: no member counts
        return None


class ServerGroupSoftAffinityWeigher(_SoftAffinityWeigherBase):
    policy_name = 'soft-affinity'
    multiplier_option = 'soft_affinity_weight_multiplier'

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        return self.members_on_host(host, spec)


class ServerGroupSoftAntiAffinityWeigher(_SoftAffinityWeigherBase):
    policy_name = 'soft-anti-affinity'
    multiplier_option = 'soft_anti_affinity_weight_multiplier'

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        return -1 * self.members_on_host(host, spec)

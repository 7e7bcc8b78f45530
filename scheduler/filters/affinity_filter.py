"""Server group (anti-)affinity filters.

Both read the group's ``policy``. nova's ServerGroupAffinityFilter still
reads the deprecated ``policies`` list; the codec keeps the two consistent
(one policy per group since InstanceGroup 1.11), so the result is the same.
"""

from scheduler import filters
from scheduler import host_state
from scheduler.objects import request_spec

NOT_GROUP_HOST = 'not a host of the affinity group'
GROUP_FULL = 'anti-affinity group members on host at max_server_per_host'


class ServerGroupAntiAffinityFilter(filters.BaseHostFilter):
    """At most max_server_per_host members of the group on a host."""

    RUN_ON_REBUILD = False
    policy_name = 'anti-affinity'

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> filters.Rejection | None:
        group = spec.instance_group
        if group is None or group.policy != self.policy_name:
            return None
        # A move (resize to the same host...) may check the host the
        # instance is already on: that host stays a valid destination.
        if spec.instance_uuid in host.instances:
            return None
        on_host = set(host.instances).intersection(group.members)
        if len(on_host) < group.max_server_per_host:
            return None
        return self.reject(GROUP_FULL)


class ServerGroupAffinityFilter(filters.BaseHostFilter):
    """Once the group has hosts, only those hosts."""

    RUN_ON_REBUILD = False
    policy_name = 'affinity'

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> filters.Rejection | None:
        group = spec.instance_group
        if group is None or group.policy != self.policy_name:
            return None
        if not group.hosts or host.host in group.hosts:
            return None
        return self.reject(NOT_GROUP_HOST)

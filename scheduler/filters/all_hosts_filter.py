"""AllHostsFilter: passes every host (nova's no-op filter)."""

from scheduler.hoststate import host_state
from scheduler.filters import base
from scheduler.objects import request_spec


class AllHostsFilter(base.BaseHostFilter):
    """Every host passes."""

    run_filter_once_per_request = True
    RUN_ON_REBUILD = False

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        return None

    def host_check(self, spec: request_spec.RequestSpec) -> None:
        return None

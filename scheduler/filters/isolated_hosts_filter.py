"""IsolatedHostsFilter: some images only on some hosts.

With [filter_scheduler]isolated_images (image ids) and isolated_hosts
(host names), isolated images run only on isolated hosts; when
restrict_isolated_hosts_to_isolated_images is set (the default), the
isolated hosts also run nothing else. A request without an image id
(boot from volume) counts as a non-isolated image. With no isolated
images, isolated hosts take nothing under the restriction and anything
without it.
"""

from scheduler.hoststate import host_state
from scheduler.filters import base
from scheduler.objects import request_spec

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.IMAGE

ISOLATED_HOST = 'isolated host, image not isolated'
NOT_ISOLATED_HOST = 'isolated image, host not isolated'


class IsolatedHostsFilter(base.BaseHostFilter):
    """Isolated images on isolated hosts (and, if restricted, only them)."""

    run_filter_once_per_request = True
    RUN_ON_REBUILD = True

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        check = self.host_check(spec)
        result = host if check is None else check(host)
        return result if isinstance(result, base.Rejection) else None

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck | None:
        group = self.conf.filter_scheduler
        restrict = group.restrict_isolated_hosts_to_isolated_images
        isolated_hosts = group.isolated_hosts
        image_id = spec.image.id if spec.image is not None else None
        image_isolated = (bool(group.isolated_images)
                          and image_id in group.isolated_images)
        if not image_isolated and not (restrict and isolated_hosts):
            return None  # no host can be turned down
        not_isolated = self.reject(NOT_ISOLATED_HOST, CODE)
        isolated = self.reject(ISOLATED_HOST, CODE)

        def check(host: host_state.HostState
                  ) -> host_state.HostState | base.Rejection:
            host_isolated = host.host in isolated_hosts
            if image_isolated and not host_isolated:
                return not_isolated
            if restrict and host_isolated and not image_isolated:
                return isolated
            return host
        return check

"""IsolatedHostsFilter: some images only on some hosts.

With [filter_scheduler]isolated_images (image ids) and isolated_hosts
(host names), isolated images run only on isolated hosts; when
restrict_isolated_hosts_to_isolated_images is set (the default), the
isolated hosts also run nothing else. A request without an image id
(boot from volume) counts as a non-isolated image. With no isolated
images, isolated hosts take nothing under the restriction and anything
without it.
"""

from scheduler import filters
from scheduler import host_state
from scheduler.objects import request_spec

ISOLATED_HOST = 'isolated host, image not isolated'
NOT_ISOLATED_HOST = 'isolated image, host not isolated'


class IsolatedHostsFilter(filters.BaseHostFilter):
    """Isolated images on isolated hosts (and, if restricted, only them)."""

    run_filter_once_per_request = True
    RUN_ON_REBUILD = True

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> filters.Rejection | None:
        group = self.conf.filter_scheduler
        restrict = group.restrict_isolated_hosts_to_isolated_images
        host_isolated = host.host in group.isolated_hosts
        image_id = spec.image.id if spec.image is not None else None
        image_isolated = (bool(group.isolated_images)
                          and image_id in group.isolated_images)
        if image_isolated and not host_isolated:
            return self.reject(NOT_ISOLATED_HOST)
        if restrict and host_isolated and not image_isolated:
            return self.reject(ISOLATED_HOST)
        return None

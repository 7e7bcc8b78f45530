"""AggregateImagePropertiesIsolation: aggregates that admit some images.

For every metadata key of the host's aggregates that is also a set image
property, the property's value (as nova prints it) must be one of the
comma-separated values the aggregates give that key. Properties that are
unset or false-like (False, 0, empty) do not restrict.

With the deprecated [filter_scheduler]
aggregate_image_properties_isolation_namespace set, only keys starting
with ``<namespace><separator>`` are considered, and they are looked up as
image properties with the prefix included: as in nova, such keys then
name no image property and restrict nothing.
"""

import logging

from oslo_config import cfg

from scheduler.hoststate import host_state
from scheduler.filters import aggregate_metadata
from scheduler.filters import base
from scheduler.objects import request_spec

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.AGGREGATE

LOG = logging.getLogger(__name__)


class AggregateImagePropertiesIsolation(base.BaseHostFilter):
    """Image properties among the host's aggregates' allowed values."""

    run_filter_once_per_request = True
    RUN_ON_REBUILD = True

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        # nova warns on every host of every request; once is enough.
        group = conf.filter_scheduler
        if group.aggregate_image_properties_isolation_namespace:
            LOG.warning(
                '[filter_scheduler] aggregate_image_properties_isolation_'
                'namespace is set: namespaced aggregate metadata keys name '
                'no image property, so AggregateImagePropertiesIsolation '
                'ignores them. Unset it and consider [scheduler] '
                'enable_isolated_aggregate_filtering instead.')

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        group = self.conf.filter_scheduler
        namespace = group.aggregate_image_properties_isolation_namespace
        separator = group.aggregate_image_properties_isolation_separator
        prefix = namespace + separator if namespace else ''
        props = spec.image.properties if spec.image is not None else None
        for key, allowed in aggregate_metadata.metadata_by_key(host).items():
            if not key.startswith(prefix):
                continue
            value = props.get(key) if props is not None else None
            if (value and host_state.render_image_property(value)
                    not in allowed):
                return self.reject(f'image property {key} not allowed by '
                                   'aggregate', CODE)
        return None

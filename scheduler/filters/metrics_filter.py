"""MetricsFilter: hosts reporting every metric the MetricsWeigher uses.

The metric names are those of [metrics]weight_setting (invalid entries
dropped, as the weigher does), read once when the filter is built.
"""

from oslo_config import cfg

from scheduler.hoststate import host_state
from scheduler.filters import base
from scheduler.objects import request_spec
from scheduler.weighers import base as weighers_base

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.METRICS

MISSING_METRICS = 'host does not report every weighed metric'


class MetricsFilter(base.BaseHostFilter):
    """The host reports all metrics named in [metrics]weight_setting."""

    RUN_ON_REBUILD = False

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        self.names = frozenset(
            name for name, _ratio in weighers_base.parse_weight_setting(
                conf.metrics.weight_setting, 'metrics.weight_setting'))

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        if self.names.issubset(metric.name for metric in host.metrics):
            return None
        return self.reject(MISSING_METRICS, CODE)

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck | None:
        # No weighed metric: every host reports all of none.
        return super().host_check(spec) if self.names else None

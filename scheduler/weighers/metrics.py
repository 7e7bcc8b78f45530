"""MetricsWeigher: weigh hosts by the metrics their computes report.

``[metrics]weight_setting = name1=1.0, name2=-1.0`` gives the weight
name1 * 1.0 + name2 * -1.0. A host missing a configured metric raises
``MetricNotFound`` when ``[metrics]required`` is set (the pipeline turns
that into a reason); otherwise it weighs ``weight_of_unavailable``, unless
that metric's ratio or the host's multiplier is 0.
"""

from oslo_config import cfg

from scheduler.hoststate import host_state
from scheduler.objects import request_spec
from scheduler.weighers import base


class MetricNotFound(Exception):
    """A required metric is missing on a host being weighed."""

    def __init__(self, name: str, host: str, nodename: str) -> None:
        self.name = name
        self.host = host
        self.nodename = nodename
        super().__init__(f'Metric {name} is not reported by a compute node '
                         f'being weighed')


class MetricsWeigher(base.BaseWeigher):
    multiplier_group = 'metrics'
    multiplier_option = 'weight_multiplier'
    aggregate_key = 'metrics_weight_multiplier'

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        self.setting = base.parse_weight_setting(
            conf.metrics.weight_setting, 'metrics.weight_setting')

    def constant_weight(self, spec: request_spec.RequestSpec
                        ) -> float | None:
        return None if self.setting else 0.0  # no metric weighed

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        by_name = {metric.name: metric for metric in host.metrics}
        value = 0.0
        for name, ratio in self.setting:
            metric = by_name.get(name)
            if metric is not None:
                value += metric.value * ratio
                continue
            if self.conf.metrics.required:
                raise MetricNotFound(name, host.host, host.nodename)
            # The most negative weight puts the host last, unless this
            # metric cannot count anyway.
            if ratio * self.weight_multiplier(host) != 0:
                return float(self.conf.metrics.weight_of_unavailable)
        return value

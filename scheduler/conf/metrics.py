"""The ``[metrics]`` group: the MetricsWeigher (nova 34's options)."""

from oslo_config import cfg

GROUP_NAME = 'metrics'


def opt_group() -> cfg.OptGroup:
    """A fresh group object, never shared (see scheduler.conf)."""
    return cfg.OptGroup(
        GROUP_NAME,
        title='Metrics weigher options',
        help='How MetricsWeigher turns the metrics computes report into host '
             'weights.')


OPTS: list[cfg.Opt] = [
    cfg.FloatOpt(
        'weight_multiplier',
        default=1.0,
        help='Multiplier applied to the combined metric weight. Negative '
             'values reverse the preference; 0 makes every host weigh '
             'weight_of_unavailable.'),
    cfg.ListOpt(
        'weight_setting',
        default=[],
        help='Metrics to weigh, as comma-separated name=ratio pairs, for '
             'example "cpu.frequency=1.0, cpu.percent=-1.3". The host '
             'weight is the sum of value * ratio.'),
    cfg.BoolOpt(
        'required',
        default=True,
        help='Treat a host that lacks one of the weighed metrics as an '
             'error (pair with MetricsFilter to drop such hosts first). '
             'When false, such a host weighs weight_of_unavailable.'),
    cfg.FloatOpt(
        'weight_of_unavailable',
        default=-10000.0,
        help='Weight used for a host when a metric is missing and '
             'required is false, or when a ratio or weight_multiplier '
             'is 0.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(opt_group())
    conf.register_opts(OPTS, group=GROUP_NAME)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {opt_group(): OPTS}

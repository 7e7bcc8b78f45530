"""The ``[workarounds]`` options the scheduler reads (nova 34's)."""

from oslo_config import cfg

GROUP_NAME = 'workarounds'


def opt_group() -> cfg.OptGroup:
    """A fresh group object, never shared (see scheduler.conf)."""
    return cfg.OptGroup(
        GROUP_NAME,
        title='Workarounds',
        help='Switches that relax a check or skip a step for a known '
             'deployment problem. Leave them alone unless you have that '
             'problem.')


OPTS: list[cfg.Opt] = [
    cfg.BoolOpt(
        'disable_fallback_pcpu_query',
        default=False,
        deprecated_for_removal=True,
        deprecated_since='20.0.0',
        deprecated_reason='The fallback only helps computes that do not '
                          'report PCPU inventory yet.',
        help='Do not send the second Placement query that looks for '
             'VCPU-based candidates for CPU-pinned requests; ask for PCPU '
             'only. Safe once every compute reports PCPU inventory.'),
    cfg.BoolOpt(
        'disable_compute_service_check_for_ffu',
        default=False,
        help='Only warn, instead of refusing to start, when compute '
             'services older than the oldest supported version are found. '
             'Meant for fast-forward upgrades, where control services '
             'start before the computes are updated.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(opt_group())
    conf.register_opts(OPTS, group=GROUP_NAME)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {opt_group(): OPTS}

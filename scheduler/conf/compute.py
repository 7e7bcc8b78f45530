"""The ``[compute]`` option the scheduler reads (nova 34's)."""

from oslo_config import cfg

GROUP_NAME = 'compute'


def opt_group() -> cfg.OptGroup:
    """A fresh group object, never shared (see scheduler.conf)."""
    return cfg.OptGroup(
        GROUP_NAME,
        title='Compute',
        help='Options of nova\'s [compute] group that also steer where the '
             'scheduler places instances.')


OPTS: list[cfg.Opt] = [
    cfg.BoolOpt(
        'packing_host_numa_cells_allocation_strategy',
        default=False,
        help='How instances with a NUMA topology are placed on a host\'s '
             'NUMA cells. False spreads them: cells with more free memory '
             'and CPUs are tried first. True packs them: the most used '
             'cells are filled first. Read by NUMATopologyFilter and when '
             'a multi-create consumes a host; set it as on the computes.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(opt_group())
    conf.register_opts(OPTS, group=GROUP_NAME)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {opt_group(): OPTS}

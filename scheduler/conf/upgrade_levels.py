"""The ``[upgrade_levels]`` option the scheduler reads (nova 34's)."""

from oslo_config import cfg

GROUP_NAME = 'upgrade_levels'


def opt_group() -> cfg.OptGroup:
    """A fresh group object, never shared (see scheduler.conf)."""
    return cfg.OptGroup(
        GROUP_NAME,
        title='RPC version caps',
        help='Caps on the RPC versions used between services during rolling '
             'upgrades.')


OPTS: list[cfg.Opt] = [
    cfg.StrOpt(
        'scheduler',
        help='Highest scheduler RPC API version clients send: a version '
             'such as "4.5" or a release name in lower case. Unset means '
             'the newest version the client knows.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(opt_group())
    conf.register_opts(OPTS, group=GROUP_NAME)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {opt_group(): OPTS}

"""The ``[upgrade_levels]`` option the scheduler reads (nova 34's)."""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    'upgrade_levels',
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
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {GROUP: OPTS}

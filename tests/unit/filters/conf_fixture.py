"""A registered ConfigOpts for filter and weigher tests."""

from oslo_config import cfg

from scheduler import conf as conf_pkg


def make_conf(**groups):
    """ConfigOpts with every option; ``groups`` maps group -> overrides.

    ``DEFAULT`` overrides go under the key 'DEFAULT'.
    """
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    conf([])
    for group, overrides in groups.items():
        for name, value in overrides.items():
            conf.set_override(name, value,
                              None if group == 'DEFAULT' else group)
    return conf

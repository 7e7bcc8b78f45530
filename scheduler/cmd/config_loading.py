"""Loading and validating the service configuration (nova.conf)."""

from collections.abc import Sequence

from oslo_config import cfg
from oslo_log import log as logging

from scheduler import conf as conf_pkg
from scheduler import plugins
from scheduler import redaction


def load(argv: Sequence[str], prog: str,
         conf: cfg.ConfigOpts | None = None) -> cfg.ConfigOpts:
    """Parse command-line arguments and config files into a ConfigOpts."""
    conf = conf or cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    logging.register_options(conf)
    # project='nova' makes the default config files /etc/nova/nova.conf,
    # the file an operator already has.
    conf(list(argv), project='nova', prog=prog)
    logging.setup(conf, 'hardened-scheduler')
    # Before anything logs, and (for the service) before workers fork, so
    # all of them share the random identifier key if none is configured.
    redaction.install(conf)
    return conf


def validate(conf: cfg.ConfigOpts) -> list[str]:
    """Problems that would stop the service from starting, as text."""
    problems = []
    for loader in (plugins.load_filters, plugins.load_weighers):
        try:
            loader(conf)
        except plugins.UnknownPluginError as exc:
            problems.append(str(exc))
    return problems

"""The ``[database]`` and ``[api_database]`` groups.

nova registers oslo.db's option set in both groups; so do we, from
oslo.db itself, so names, defaults and secret flags (every connection URL
is secret) are identical. ``[database]`` is the cell database nova's
services use (and the template for cell URLs); ``[api_database]`` is the
API database holding cell mappings and aggregates.
"""

import copy

from oslo_config import cfg
from oslo_db import options as oslo_db_options

# nova drops this one: reconnecting on a lost connection is unsupported.
_DROPPED = frozenset({'use_db_reconnect'})

_GROUP_HELP = {
    'database': (
        'Cell database options',
        'The cell database (nova\'s [database] section). Its connection '
        'URL also serves as the template for cell database URLs.'),
    'api_database': (
        'API database options',
        'The nova API database, which holds the cell and host mappings '
        'and the host aggregates.'),
}


def opt_group(name: str) -> cfg.OptGroup:
    """A new group object for ``database`` or ``api_database``.

    New each time: see scheduler.conf for why OptGroups are not shared.
    """
    title, help_text = _GROUP_HELP[name]
    return cfg.OptGroup(name, title=title, help=help_text)


def _oslo_db_opts() -> list[cfg.Opt]:
    # Each group gets its own copies: one Opt object shared by two groups
    # confuses oslo.config when an option is deprecated or renamed.
    return [copy.deepcopy(opt) for opt in oslo_db_options.database_opts
            if opt.name not in _DROPPED]


DATABASE_OPTS: list[cfg.Opt] = _oslo_db_opts()
API_DATABASE_OPTS: list[cfg.Opt] = _oslo_db_opts()


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(opt_group('database'))
    conf.register_opts(DATABASE_OPTS, group='database')
    conf.register_group(opt_group('api_database'))
    conf.register_opts(API_DATABASE_OPTS, group='api_database')


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {opt_group('database'): DATABASE_OPTS,
            opt_group('api_database'): API_DATABASE_OPTS}

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

DATABASE_GROUP = cfg.OptGroup(
    'database',
    title='Cell database options',
    help='The cell database (nova\'s [database] section). Its connection '
         'URL also serves as the template for cell database URLs.')

API_DATABASE_GROUP = cfg.OptGroup(
    'api_database',
    title='API database options',
    help='The nova API database, which holds the cell and host mappings '
         'and the host aggregates.')


def _oslo_db_opts() -> list[cfg.Opt]:
    # Each group gets its own copies: one Opt object shared by two groups
    # confuses oslo.config when an option is deprecated or renamed.
    return [copy.deepcopy(opt) for opt in oslo_db_options.database_opts
            if opt.name not in _DROPPED]


DATABASE_OPTS: list[cfg.Opt] = _oslo_db_opts()
API_DATABASE_OPTS: list[cfg.Opt] = _oslo_db_opts()


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(DATABASE_GROUP)
    conf.register_opts(DATABASE_OPTS, group=DATABASE_GROUP)
    conf.register_group(API_DATABASE_GROUP)
    conf.register_opts(API_DATABASE_OPTS, group=API_DATABASE_GROUP)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {DATABASE_GROUP: DATABASE_OPTS,
            API_DATABASE_GROUP: API_DATABASE_OPTS}

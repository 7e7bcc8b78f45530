"""Configuration options, one module per option group.

There is deliberately no module-level ``CONF``: callers create a
``cfg.ConfigOpts`` and pass it to :func:`register_opts`, then pass the
object on to whatever needs configuration (as placement does).

Every module in this package that defines ``register_opts(conf)`` and
``list_opts()`` is picked up automatically.

Modules build a new ``OptGroup`` for every registration instead of sharing
one module-level object: ``ConfigOpts.register_group`` keeps only a shallow
copy, whose option table is the original's, so a shared group would leak
options registered on one ``ConfigOpts`` (e.g. keystoneauth's plugin
options) into every other one.
"""

import importlib
import pkgutil
from types import ModuleType

from oslo_config import cfg
from oslo_policy import opts as policy_opts

_NOT_GROUP_MODULES = frozenset({'opts'})


def option_modules() -> list[ModuleType]:
    """The option-group modules of this package, in name order."""
    modules = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in _NOT_GROUP_MODULES or info.name.startswith('_'):
            continue
        modules.append(importlib.import_module(f'{__name__}.{info.name}'))
    return modules


def register_opts(conf: cfg.ConfigOpts) -> None:
    """Register every option this service reads on ``conf``."""
    for module in option_modules():
        module.register_opts(conf)
    # [oslo_policy]: read before any Enforcer exists (tests, overrides).
    for group, opts in policy_opts.list_opts():
        conf.register_opts(opts, group=group)

"""nova, imported only when an out-of-tree nova plugin is configured.

nova is never a dependency of ours: this module imports it with
importlib the first time a plugin needs it. Out-of-tree plugins read
their options from oslo.config's global ``cfg.CONF`` (which is nova's
``nova.conf.CONF``), so that object is loaded from the same configuration
files as ours, once, unless something already did.
"""

import importlib
import os
import threading
from types import ModuleType
from typing import Any

from oslo_config import cfg

_LOCK = threading.Lock()
_PREPARED = False


def native_threads() -> None:
    """Before importing nova, or a module that may: no eventlet patching.

    nova's test packages (nova.tests.functional, nova.tests.unit) call
    nova's monkey_patch.patch() when imported; with this it keeps native
    threads, as nova 34's scheduler binary does by default.
    """
    os.environ.setdefault('OS_NOVA_DISABLE_EVENTLET_PATCHING', '1')


def nova(module: str) -> ModuleType:
    """Import ``nova.<module>`` (native threads: no eventlet patching)."""
    native_threads()
    return importlib.import_module(f'nova.{module}')


def objects() -> Any:
    return nova('objects')


def _option(conf: cfg.ConfigOpts, name: str) -> list[str]:
    try:
        value = conf[name]
    except (cfg.NoSuchOptError, cfg.NotInitializedError):
        return []
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def prepare(conf: cfg.ConfigOpts) -> None:
    """Register nova's objects and load nova's CONF from our files."""
    global _PREPARED
    with _LOCK:
        if _PREPARED:
            return
        nova('objects').register_all()
        nova_conf = nova('conf').CONF
        # A ConfigOpts that was never called has no parsed arguments.
        if getattr(nova_conf, '_args', None) is None:
            nova_conf(args=[], project='nova',
                      default_config_files=_option(conf, 'config_file'),
                      default_config_dirs=_option(conf, 'config_dir'))
        _PREPARED = True

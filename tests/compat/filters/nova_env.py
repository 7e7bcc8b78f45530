"""Import nova for the filter/weigher compat tests without patching us.

Importing nova's objects does not monkey-patch by itself; nova's
monkey_patch.patch() would if something called it, and the env var makes
that a no-op (native threading), as nova 34's scheduler runs by default.
"""

import os
import sys
import warnings

os.environ.setdefault('OS_NOVA_DISABLE_EVENTLET_PATCHING', '1')

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    from nova import context as nova_context
    import nova.conf
    from nova import exception as nova_exception
    from nova import objects
    from nova.objects import base as nova_base
    from nova.scheduler import host_manager
    from nova.scheduler import weights as nova_weights

objects.register_all()

CONF = nova.conf.CONF


def admin_context():
    return nova_context.get_admin_context()


def eventlet_patched():
    patcher = sys.modules.get('eventlet.patcher')
    if patcher is None:
        return False
    return any(patcher.is_monkey_patched(m)
               for m in ('socket', 'thread', 'time', 'select', 'os'))


__all__ = ['host_manager', 'nova_base', 'nova_context', 'nova_exception',
           'nova_weights', 'objects']

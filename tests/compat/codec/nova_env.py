"""Import nova for the codec compat tests without letting it patch us.

Importing nova's objects does not monkey-patch by itself, but nova's
monkey_patch.patch() would if anything called it; the env var makes it a
no-op (native threading), as nova 34's scheduler binary runs by default.
"""

import json
import os
import warnings

os.environ.setdefault('OS_NOVA_DISABLE_EVENTLET_PATCHING', '1')

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    from nova import context as nova_context
    from nova.network import model as network_model
    from nova import objects
    from nova.objects import base as nova_base
    from nova import rpc as nova_rpc
    from oslo_serialization import jsonutils
    from oslo_versionedobjects import base as ovo_base

objects.register_all()

SERIALIZER = nova_rpc.RequestContextSerializer(
    nova_base.NovaObjectSerializer())


def context(**kwargs):
    kwargs.setdefault('is_admin', False)  # else nova consults policy
    return nova_context.RequestContext('fake-user', 'fake-project', **kwargs)


def to_wire(entity, ctxt=None):
    """What our RPC server receives: nova's serializer, then JSON."""
    ctxt = ctxt or context()
    return json.loads(jsonutils.dumps(
        SERIALIZER.serialize_entity(ctxt, entity)))


def from_wire(prim, ctxt=None):
    return SERIALIZER.deserialize_entity(ctxt or context(), prim)


def manifest(**versions):
    """RequestSpec's child-version manifest, with some versions changed."""
    result = dict(ovo_base.obj_tree_get_versions('RequestSpec'))
    result.update(versions)
    return result


def eventlet_patched():
    import sys
    patcher = sys.modules.get('eventlet.patcher')
    if patcher is None:
        return False
    return any(patcher.is_monkey_patched(m)
               for m in ('socket', 'thread', 'time', 'select', 'os'))


__all__ = ['jsonutils', 'network_model', 'nova_base', 'objects',
           'ovo_base']

"""The RPC edge: nova's scheduler API on oslo.messaging.

``endpoints`` decodes what nova sends and encodes what nova expects back;
``dispatcher`` bounds, sanitizes and logs every message; ``remote_errors``
shapes failures as nova's exceptions; ``inflight`` tracks running requests
so a shutdown can drain them; ``transport`` and ``server`` bind it all to
the bus; ``workers`` runs it in worker processes.
"""

import sys

# Importing oslo_messaging imports oslo_service.service, which selects
# oslo.service's default backend, eventlet, unless one was chosen; and
# futurist imports eventlet whenever it can. Unless the embedding process
# already loaded eventlet, do what the entry points do: refuse eventlet
# and choose native threads.
if 'eventlet' not in sys.modules:
    from scheduler import cmd as _cmd  # noqa: F401
else:
    from oslo_service import backend as _backend

    if _backend.get_backend_type() is None:
        _backend.init_backend(_backend.BackendType.THREADING)

"""The RPC edge: nova's scheduler API on oslo.messaging.

``endpoints`` decodes what nova sends and encodes what nova expects back;
``dispatcher`` bounds, sanitizes and logs every message; ``remote_errors``
shapes failures as nova's exceptions; ``inflight`` tracks running requests
so a shutdown can drain them; ``transport`` and ``server`` bind it all to
the bus; ``workers`` runs it in worker processes.
"""

# Before oslo_messaging (see threading_backend); no import hook here.
from scheduler import threading_backend

threading_backend.prefer_threading()

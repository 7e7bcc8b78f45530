# Import what the entry points import first (the service processes these
# tests start begin with it too): it refuses eventlet and picks
# oslo.service's threading backend before anything imports oslo_messaging
# or futurist, which would load eventlet.
from scheduler import cmd  # noqa: F401

"""Command-line entry points.

Importing this package selects oslo.service's threading backend before any
other oslo module can pick the eventlet default: the scheduler runs on
native threads only and never imports eventlet.
"""

from oslo_service import backend as _backend

# A no-op if something already chose threading; BackendAlreadySelected
# (another backend chosen first) is a deployment error we let surface.
_backend.init_backend(_backend.BackendType.THREADING)

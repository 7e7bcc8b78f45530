"""oslo.service's threading backend, chosen for the library's importers.

Importing oslo_messaging imports oslo_service.service, which selects
oslo.service's default backend, eventlet, unless one was chosen first.
``prefer_threading()`` chooses native threads when nothing chose a
backend yet, and leaves an embedding process's own choice alone. It
installs no import hook: refusing eventlet for the whole process is the
entry points' job (``scheduler.cmd``), not the library's.
"""

from oslo_service import backend


def prefer_threading() -> backend.BackendType:
    """Threading unless a backend was already chosen; the backend in use.
    """
    if backend.get_backend_type() is None:
        backend.init_backend(backend.BackendType.THREADING)
    chosen: backend.BackendType = backend.get_backend_type()
    return chosen

"""Command-line entry points.

Importing this package, before any oslo library, does two things:

- it makes ``import eventlet`` fail in this process. eventlet stays
  installed (oslo.service requires it) and oslo.messaging imports it
  opportunistically when it can; refusing the import keeps every library
  on native threads;
- it selects oslo.service's threading backend, whose default is still
  eventlet.

It does not make the process the scheduler's own
(``scheduler.hoststate.gc_settle``):
test runners, nova's tests and other embedders import ``scheduler.cmd.check``
and the other commands as a library. Only the service's worker processes
opt in (``scheduler.cmd.scheduler.default_build``).

Only the entry points (``hardened-scheduler``, ``hardened-scheduler-manage``)
import it. The library installs no import hook: importing
``scheduler.rpc`` or ``scheduler.service`` only chooses the threading
backend if nothing chose one yet (``scheduler.threading_backend``), so a
process embedding the service keeps its own imports.
"""

import importlib.abc
import sys


class _RefuseEventlet(importlib.abc.MetaPathFinder):
    """A meta path finder that refuses eventlet and its submodules."""

    def find_spec(self, fullname, path, target=None):  # type: ignore[no-untyped-def]
        if fullname == 'eventlet' or fullname.startswith('eventlet.'):
            raise ImportError(
                f'{fullname} is not allowed in hardened-scheduler: it runs '
                'on native threads only')
        return None


def _monkey_patched() -> bool:
    patcher = sys.modules.get('eventlet.patcher')
    is_patched = getattr(patcher, 'is_monkey_patched', None)
    return is_patched is not None and any(
        is_patched(name) for name in ('os', 'select', 'socket', 'thread',
                                      'time'))


def refuse_eventlet() -> None:
    """Refuse every later eventlet import in this process.

    eventlet already loaded but patching nothing (futurist and
    oslo.messaging import it when they can, e.g. when a test imported the
    library first) changes nothing for native threads; eventlet's monkey
    patches do, and are refused with a RuntimeError.
    """
    if _monkey_patched():
        raise RuntimeError('eventlet monkey-patched this process before '
                           'hardened-scheduler could refuse it')
    if not any(isinstance(f, _RefuseEventlet) for f in sys.meta_path):
        sys.meta_path.insert(0, _RefuseEventlet())


refuse_eventlet()

from oslo_service import backend as _backend  # noqa: E402

# A no-op if threading was already chosen; BackendAlreadySelected (another
# backend chosen first) is a deployment error we let surface.
_backend.init_backend(_backend.BackendType.THREADING)

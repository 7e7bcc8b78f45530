"""Run ``hardened-scheduler-manage`` with the RPC path traced.

``python -m tests.functional.simulate_traced OUT.json simulate ...`` runs
the command as its entry point does and writes to OUT.json how many
messages the service's RPC dispatcher handled, by method, and how many
SchedulerManager.select_destinations calls ran inside a dispatched
message and outside one. test_simulator uses it to prove that the
workload reaches the scheduler only through the transport.
"""

import json
import sys
import threading

from scheduler import cmd  # noqa: F401  (first, as the entry point)
from scheduler.cmd import manage  # noqa: H306
from scheduler import manager  # noqa: H306
from scheduler.rpc import dispatcher  # noqa: H306

COUNTS = {'dispatched': {}, 'manager_in_dispatch': 0,
          'manager_outside_dispatch': 0}
_LOCK = threading.Lock()
_LOCAL = threading.local()


def _traced_dispatch(original):
    def dispatch(self, incoming):
        method = incoming.message.get('method', '?')
        with _LOCK:
            seen = COUNTS['dispatched']
            seen[method] = seen.get(method, 0) + 1
        _LOCAL.dispatching = True
        try:
            return original(self, incoming)
        finally:
            _LOCAL.dispatching = False
    return dispatch


def _traced_select(original):
    def select_destinations(self, *args, **kwargs):
        key = ('manager_in_dispatch' if getattr(_LOCAL, 'dispatching', False)
               else 'manager_outside_dispatch')
        with _LOCK:
            COUNTS[key] += 1
        return original(self, *args, **kwargs)
    return select_destinations


def main():
    out, argv = sys.argv[1], sys.argv[2:]
    dispatcher.Dispatcher.dispatch = _traced_dispatch(
        dispatcher.Dispatcher.dispatch)
    manager.SchedulerManager.select_destinations = _traced_select(
        manager.SchedulerManager.select_destinations)
    code = manage.main(argv)
    with open(out, 'w') as f:
        json.dump(COUNTS, f)
    return code


if __name__ == '__main__':
    sys.exit(main())

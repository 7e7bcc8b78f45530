"""Load nova-derived plugins as the service does, in a process of its own.

nova's test packages (nova.tests.fixtures, nova.tests.unit) run nova's
monkey_patch.patch() on import, which refuses to run once eventlet has
been imported; a test process has imported it (oslo.service's default
backend), the service never does. So this module, run as
``python -m tests.compat.bridge.service_process CONFIG_FILE CASE``,
starts as the service starts (scheduler.cmd first: eventlet refused,
threading backend), loads CONFIG_FILE with the service's loader, builds
the SchedulerManager, which loads the configured filters and weighers,
has it filter and weigh five hosts and prints what happened as JSON.
"""

import importlib
import json
import random
import sys

import scheduler.cmd  # noqa: F401,I100  (first, as the service)

from scheduler import explanation  # noqa: E402,I100
from scheduler.hoststate import source as host_source  # noqa: E402
from scheduler import manager  # noqa: E402
from scheduler.pipeline import choosing  # noqa: E402
from scheduler.weighers import engine  # noqa: E402
from scheduler.cmd import config_loading  # noqa: E402
from scheduler.nova_bridge import runtime  # noqa: E402
from tests.compat.bridge import site_plugins  # noqa: E402
from tests.unit import fakes  # noqa: E402

HOSTS = ('h1', 'h2', 'h3', 'h4', 'h5')
# HostNameWeigherFixture's weights: a name order no other weigher has.
WEIGHTS = {'h4': 100, 'h1': 50, 'h5': 10, 'h3': 5, 'h2': 1}


def run(config_file: str, case: str) -> dict[str, object]:
    conf = config_loading.load(['--config-file', config_file],
                               prog='hardened-scheduler')
    result: dict[str, object] = {
        'eventlet': 'eventlet' in sys.modules}
    if case == 'validate':
        result['problems'] = config_loading.validate(
            conf, builds_clients=False)
        return result
    # As the bridge does before importing a plugin's module.
    runtime.native_threads()
    # (importlib: the package's star import hides the module's name.)
    nova_fixtures = importlib.import_module('nova.tests.fixtures.nova')
    with nova_fixtures.HostNameWeigherFixture(WEIGHTS):
        sched = manager.SchedulerManager(
            conf, placement=None, hosts=host_source.InMemoryHostSource(),
            rng=random.Random(0))
        recorder = explanation.Recorder('req-1', 1)
        hosts = [fakes.host(name, free_ram_mb=4096 * (i + 1))
                 for i, name in enumerate(HOSTS)]
        # What the service does for the first instance of a request.
        run = choosing.Run(None, None, host_source.HostSnapshot(),
                           recorder, engine.WeighingMemo())
        ordered = sched.chooser.order(run, fakes.spec(project_id='proj'),
                                      hosts, 0, False)
    result.update(
        filters=[f.name for f in sched.filters],
        filter_classes=[_class_path(getattr(f, 'plugin', f))
                        for f in sched.filters],
        weighers=[w.name for w in sched.weighers],
        weigher_classes=[_class_path(getattr(w, 'plugin', w))
                         for w in sched.weighers],
        weights=WEIGHTS,
        hosts=[h.host for h in ordered],
        remaining={c.name: c.hosts_out for c in recorder.filters},
        probe_saw=[_class_path(seen) for seen in site_plugins.Probe.seen
                   or ()],
        eventlet_after='eventlet' in sys.modules)
    return result


def _class_path(obj: object) -> str:
    return f'{type(obj).__module__}.{type(obj).__name__}'


if __name__ == '__main__':
    # The last line of stdout (logs may come first).
    print(json.dumps(run(sys.argv[1], sys.argv[2])))

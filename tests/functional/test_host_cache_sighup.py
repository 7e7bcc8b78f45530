"""A SIGHUP storm through the worker's real reload path, requests running.

The service is the real one (``scheduler.service.create_service`` over
the database-backed host cache, real Placement, oslo.messaging's fake://
transport) run by the real ``scheduler.rpc.workers.WorkerService``.
SIGHUPs reach ``Worker.reload()`` the way cotyledon's worker delivers
them: each on a thread of its own, under the worker's signal lock, which
SIGTERM waits for and which drops a SIGHUP that finds it held.

The first reload is held (a slow cell database: it has read the cells
and waits before swapping them in) while the test, in a fixed order:
writes a new generation that only a full reload can see (timestamps older
than the cache's watermark, as with a compute's skewed clock: the
requests' incremental reads miss it), sends the rest of the storm, puts
requests and casts in flight and waits until they are inside the cache.
Then it lets the reload go. Every step waits on an event or a count,
bounded; nothing is timed, so a starved machine only runs it slower.

Asserted: every reload() returned while a reload ran; no request failed;
each request saw the hosts of one generation; casts applied during the
reload survived it; the storm cost exactly two full reloads (the running
one and one after it), and the second one ended the cache at the new
generation.
"""

import datetime
import threading
import uuid

# First: the package under test picks oslo.service's threading backend
# (the workers' ServiceWrapper) before oslo_messaging would pick eventlet.
import scheduler.rpc  # noqa: F401,H306
import oslo_messaging  # noqa: H306
import testtools

from scheduler.hoststate import cache as host_cache
from scheduler import plugins
from scheduler import service as service_mod
from scheduler.db import tables as t
from scheduler.filters import base as filters_base
from scheduler.rpc import server as server_mod
from scheduler.rpc import workers
from tests.functional import placement_service
from tests.functional.rpc import test_service as rpc_tests
from tests.unit.db import fake_nova_db
from tests.unit.rpc import fakes

HOSTS = 4
SIGNALS = 50
CALLERS = 4           # request threads
CALLS = 3             # requests per thread: one held by the reload
CASTS = 3
LONG = 120.0          # bound of every wait; never reached when it passes
BIG = {'VCPU': {'total': 100000}, 'MEMORY_MB': {'total': 10 ** 7},
       'DISK_GB': {'total': 10 ** 6}}
# Before any watermark the cache can hold: only a full read sees rows
# stamped so.
OLD = datetime.datetime(2000, 1, 1)


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class GenerationProbe(filters_base.BaseHostFilter):
    """Records, per request (instance uuid), the generations it saw."""

    def __init__(self, conf):
        super().__init__(conf)
        self.lock = threading.Lock()
        self.seen = {}

    def host_passes(self, host, spec):
        with self.lock:
            self.seen.setdefault(spec.instance_uuid, set()).add(
                host.stats.get('generation'))
        return None


class Counter:
    """A count the test can wait for (bounded)."""

    def __init__(self):
        self.cond = threading.Condition()
        self.value = 0

    def add(self):
        with self.cond:
            self.value += 1
            self.cond.notify_all()

    def wait_for(self, n):
        with self.cond:
            return self.cond.wait_for(lambda: self.value >= n, LONG)


class ReloadProbe:
    """Counts the cache's full reloads; holds the first one once armed.

    The held reload has read the cells and waits before swapping them
    in, holding its turn among the cache's reads, as a slow one would.
    """

    def __init__(self, cache):
        self.lock = threading.Lock()
        self.reloads = 0
        self.armed = False
        self.held = threading.Event()
        self.release = threading.Event()
        self.local = threading.local()
        real_refresh = cache.refresh
        real_read_cells = cache._loader.read_cells

        def refresh():
            with self.lock:
                self.reloads += 1
                self.local.hold, self.armed = self.armed, False
            try:
                real_refresh()
            finally:
                self.local.hold = False

        def read_cells(*args, **kwargs):
            outcome = real_read_cells(*args, **kwargs)
            if getattr(self.local, 'hold', False):
                self.held.set()
                if not self.release.wait(LONG):
                    raise AssertionError('the held reload was not released')
            return outcome

        cache.refresh = refresh
        cache._loader.read_cells = read_cells

    def arm(self):
        with self.lock:
            self.reloads = 0
            self.armed = True


class CotyledonSighup:
    """cotyledon's ServiceWorker on SIGHUP (``_on_signal_received``):
    ``reload()`` on a new thread, under the signal lock taken without
    blocking (a SIGHUP that finds it held is dropped)."""

    def __init__(self, wrapper):
        self.wrapper = wrapper
        self.signal_lock = threading.Lock()
        self.dropped = 0

    def __call__(self):
        """Deliver one SIGHUP; whether its handling ended (bounded)."""
        thread = threading.Thread(target=self._reload, daemon=True)
        thread.start()
        thread.join(LONG)
        return not thread.is_alive()

    def _reload(self):
        if not self.signal_lock.acquire(blocking=False):
            self.dropped += 1
            return
        try:
            self.wrapper.reload()
        finally:
            self.signal_lock.release()


class SighupStressTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.topic = f'scheduler-{uuid.uuid4().hex[:12]}'
        self.placement = self.useFixture(placement_service.PlacementService(
            '[DEFAULT]\nhost = sched-sighup\n'
            # However slowly a loaded machine runs the test, the
            # services stay up for ComputeFilter.
            'service_down_time = 86400\n'
            f'[hardened_scheduler]\nrpc_topic = {self.topic}\n'
            # Only SIGHUP reloads; requests read the changes.
            'host_state_resync_interval = 86400\n'
            'host_state_full_resync_interval = 0\n'))
        self.dbs = self.useFixture(fake_nova_db.FakeNovaDatabases())
        conf = self.conf = self.placement.conf
        conf.set_override('connection', self.dbs.api_url, 'api_database')
        conf.set_override('connection', self.dbs.cell_url('cell1'),
                          'database')
        admin = self.placement.admin
        for index in range(HOSTS):
            name = f'host{index}'
            rp = admin.provider(name, BIG)
            # Computes new enough (our services say 74) tag OWNER_NOVA.
            admin.call('PUT', f'/resource_providers/{rp}/traits', {
                'resource_provider_generation': admin.generation(rp),
                'traits': ['OWNER_NOVA']})
            self.dbs.add_compute(
                'cell1', name, uuid=rp, vcpus=100000, memory_mb=10 ** 7,
                free_ram_mb=10 ** 7, local_gb=10 ** 6, free_disk_gb=10 ** 6)
        self.write_generation('0', _now())
        self.dbs.update_service('cell1', None, last_seen_up=_now())

        server_mod.set_lib_defaults()
        server_mod.register_opts(conf)
        self.transport = oslo_messaging.get_rpc_transport(conf, url='fake:/')
        self.addCleanup(self.transport.cleanup)
        self.cache = host_cache.HostStateCache.from_conf(conf)
        self.reloads = ReloadProbe(self.cache)
        self.probe = GenerationProbe(conf)
        self.in_cache = Counter()
        self.casts_applied = Counter()
        real_fresh = self.cache.fresh_snapshot
        real_update = self.cache.update_instance_info

        def fresh_snapshot():
            self.in_cache.add()
            return real_fresh()

        def update_instance_info(*args, **kwargs):
            real_update(*args, **kwargs)
            self.casts_applied.add()

        self.cache.fresh_snapshot = fresh_snapshot
        self.cache.update_instance_info = update_instance_info

        def build(conf):
            return service_mod.create_service(
                conf, self.transport, hosts=self.cache,
                filters=[*plugins.load_filters(conf), self.probe],
                notification_transport=self.transport)

        self.worker = workers.WorkerService(conf, build)
        self.addCleanup(self.worker.wait)
        self.addCleanup(self.worker.stop)
        self.worker.start()
        self.assertTrue(self.cache.loaded)
        self.sighup = CotyledonSighup(workers.Worker(0, self.worker))
        self.errors = []

    def write_generation(self, generation, stamp):
        with self.dbs.engines['cell1'].begin() as conn:
            conn.execute(t.compute_nodes.update().values(
                stats=f'{{"generation": "{generation}"}}',
                created_at=stamp, updated_at=stamp))

    def select(self):
        inst = str(uuid.uuid4())
        client = oslo_messaging.get_rpc_client(
            self.transport, oslo_messaging.Target(
                topic=self.topic, version='4.5')).prepare(timeout=LONG)
        rows = client.call(
            rpc_tests.CONTEXT, 'select_destinations',
            spec_obj=rpc_tests.spec(instance_uuid=inst),
            instance_uuids=[inst], return_objects=True,
            return_alternates=False)
        return inst, rows

    def caller(self, results):
        for _ in range(CALLS):
            try:
                inst, rows = self.select()
            except Exception as exc:  # any failure fails the test
                self.errors.append(repr(exc))
                return
            results.append((inst, rows))

    def cast_instance(self, host, instance):
        client = oslo_messaging.get_rpc_client(
            self.transport, oslo_messaging.Target(
                topic=self.topic, version='4.2')).prepare(fanout=True)
        client.cast(rpc_tests.CONTEXT, 'update_instance_info',
                    host_name=host, instance_info=fakes.instance_list(
                        fakes.instance(instance, host=host)))

    def instances_of(self, host):
        snap = self.cache.snapshot()
        [state] = [h for h in snap.hosts.values() if h.host == host]
        return set(state.instances)

    def test_storm_is_coalesced_and_requests_never_fail(self):
        before = self.instances_of('host0')
        self.reloads.arm()
        self.assertTrue(self.sighup(), 'reload() blocked')
        self.assertTrue(self.reloads.held.wait(LONG))
        # Reload 1 read the cells before this write: only a reload that
        # starts after it can see generation 1.
        self.write_generation('1', OLD)
        for _ in range(SIGNALS - 1):
            self.assertTrue(self.sighup(), 'reload() blocked')

        results = []
        callers = [threading.Thread(target=self.caller, args=(results,),
                                    daemon=True) for _ in range(CALLERS)]
        for thread in callers:
            thread.start()
        cast = [str(uuid.uuid4()) for _ in range(CASTS)]
        for instance in cast:
            # nova commits the instance, then casts.
            self.dbs.add_instance('cell1', 'host0', project='p1',
                                  instance_uuid=instance)
            self.cast_instance('host0', instance)
        # In flight while the reload runs: each caller's first request
        # waits inside the cache, the casts are applied already.
        self.assertTrue(self.in_cache.wait_for(CALLERS))
        self.assertTrue(self.casts_applied.wait_for(CASTS))
        self.assertEqual(before | set(cast), self.instances_of('host0'))
        self.assertEqual(1, self.reloads.reloads)

        self.reloads.release.set()
        for thread in callers:
            thread.join(LONG)
            self.assertFalse(thread.is_alive())
        self.assertTrue(self.worker.wait_reloaded(LONG))

        self.assertEqual([], self.errors)
        self.assertEqual(CALLERS * CALLS, len(results))
        self.assertEqual(0, self.sighup.dropped)
        # 50 signals, 2 full reloads: the held one, one after it.
        self.assertEqual(2, self.reloads.reloads)
        self.assertEqual(2, self.worker.reloads)
        snap = self.cache.snapshot()
        self.assertEqual({'1'}, {h.stats.get('generation')
                                 for h in snap.hosts.values()})
        self.assertEqual(HOSTS, len(snap.hosts))
        self.assertEqual(frozenset(), snap.unavailable_cells)
        # The casts survived the reloads (their instances are in the
        # database too, as nova commits before it casts).
        self.assertEqual(before | set(cast), self.instances_of('host0'))
        # Requests keep being served, from the new state now.
        inst, rows = self.select()
        self.assertEqual(1, len(rows))
        self.assertEqual({'1'}, self.probe.seen[inst])
        for inst, rows in results:
            self.assertEqual(1, len(rows))
            self.assertEqual(1, len(self.probe.seen[inst]),
                             self.probe.seen[inst])

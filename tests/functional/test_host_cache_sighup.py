"""SIGHUP storms while requests run: every request sees one generation.

A writer keeps rewriting every compute node in one transaction, stamping
each with the same generation number. Real SIGHUPs arrive in a tight
loop and each one reloads the cache (the handler the service installs),
while the background resync runs too and several threads schedule
through SchedulerManager against the real Placement service. No request
may fail, and each must see the hosts of exactly one generation.
"""

import collections
import datetime
import os
import signal
import threading
import time
import uuid

import testtools

from scheduler import filters as filters_mod
from scheduler import host_cache
from scheduler import manager
from scheduler import plugins
from scheduler import reload_signal
from scheduler.db import tables as t
from scheduler.placement import client as client_mod
from tests.functional import cloud as cloud_mod
from tests.functional import placement_service
from tests.unit.db import fake_nova_db

HOSTS = 4
WORKERS = 4
SECONDS = 3.0
BIG = {'VCPU': {'total': 100000}, 'MEMORY_MB': {'total': 10 ** 7},
       'DISK_GB': {'total': 10 ** 6}}


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class GenerationProbe(filters_mod.BaseHostFilter):
    """Records, per request (thread), the generations of the hosts seen."""

    def __init__(self, conf):
        super().__init__(conf)
        self.local = threading.local()

    def host_passes(self, host, spec):
        self.local.seen.add(host.stats.get('generation'))
        return None


class RecordingSource:
    def __init__(self, cache):
        self.cache = cache
        self.local = threading.local()

    def snapshot(self):
        self.local.snapshot = self.cache.snapshot()
        return self.local.snapshot


class SighupStressTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.service = self.useFixture(placement_service.PlacementService(
            '[hardened_scheduler]\nhost_state_resync_interval = 1\n'))
        self.dbs = self.useFixture(fake_nova_db.FakeNovaDatabases())
        conf = self.conf = self.service.conf
        conf.set_override('connection', self.dbs.api_url, 'api_database')
        conf.set_override('connection', self.dbs.cell_url('cell1'),
                          'database')
        for index in range(HOSTS):
            name = f'host{index}'
            rp = self.service.admin.provider(name, BIG)
            # Standard traits exist already (provider() would create them);
            # computes new enough (our services say 74) tag OWNER_NOVA.
            self.service.admin.call(
                'PUT', f'/resource_providers/{rp}/traits', {
                    'resource_provider_generation':
                        self.service.admin.generation(rp),
                    'traits': ['OWNER_NOVA']})
            self.dbs.add_compute(
                'cell1', name, uuid=rp, vcpus=100000, memory_mb=10 ** 7,
                free_ram_mb=10 ** 7, local_gb=10 ** 6, free_disk_gb=10 ** 6,
                stats='{"generation": "0"}')
        self.dbs.update_service('cell1', None, last_seen_up=_now())
        self.cache = host_cache.HostStateCache.from_conf(conf)
        self.addCleanup(self.cache.stop)
        self.cache.start()

    def write_generation(self, generation):
        stamp = _now()
        with self.dbs.engines['cell1'].begin() as conn:
            conn.execute(t.compute_nodes.update().values(
                stats=f'{{"generation": "{generation}"}}',
                updated_at=stamp))
            conn.execute(t.services.update().values(
                last_seen_up=stamp, updated_at=stamp))

    def test_requests_never_see_mixed_generations(self):
        probe = GenerationProbe(self.conf)
        source = RecordingSource(self.cache)
        sched = manager.SchedulerManager(
            self.conf, placement=client_mod.PlacementClient(self.conf),
            hosts=source, filters=[*plugins.load_filters(self.conf), probe])
        refresher = reload_signal.install_sighup_refresh(self.cache,
                                                         self.conf)
        self.addCleanup(refresher.stop)
        deadline = time.monotonic() + SECONDS
        stop = threading.Event()
        errors = []
        seen = collections.Counter()
        mixed = []

        def schedule():
            while time.monotonic() < deadline and not errors:
                probe.local.seen = set()
                try:
                    [[chosen]] = sched.select_destinations(
                        cloud_mod.CONTEXT, cloud_mod.spec(),
                        [str(uuid.uuid4())])
                except Exception as exc:  # any failure fails the test
                    errors.append(repr(exc))
                    return
                snap = source.local.snapshot
                generations = {s.stats['generation']
                               for s in snap.hosts.values()}
                if len(probe.local.seen) != 1 or generations != (
                        probe.local.seen) or (chosen.compute_node_uuid
                                              not in snap.hosts):
                    mixed.append((probe.local.seen, generations))
                seen.update(probe.local.seen)

        def write():
            generation = 0
            while not stop.is_set():
                generation += 1
                self.write_generation(generation)
                stop.wait(0.02)

        threads = [threading.Thread(target=schedule)
                   for _ in range(WORKERS)]
        writer = threading.Thread(target=write)
        writer.start()
        for thread in threads:
            thread.start()
        signals = 0
        while any(thread.is_alive() for thread in threads):
            os.kill(os.getpid(), signal.SIGHUP)
            signals += 1
            time.sleep(0.001)
        stop.set()
        writer.join(30)
        for thread in threads:
            thread.join(30)
        refresher.stop()
        self.assertEqual([], errors)
        self.assertEqual([], mixed)
        requests = sum(seen.values())
        self.assertGreater(requests, WORKERS)
        # The data did change under the requests, through the reloads.
        self.assertGreater(refresher.refreshes, 1)
        self.assertGreater(len(seen), 1, seen)
        self.assertGreater(signals, refresher.refreshes)
        self.assertEqual(frozenset(),
                         self.cache.snapshot().unavailable_cells)

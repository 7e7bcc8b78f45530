"""The very next select_destinations sees what nova just committed.

Real Placement, a real (SQLite) API database and cell database, the
database-backed host cache started as the service starts it, with its
background resync an hour away: only the per-request read (and the
lookup of unknown candidates by uuid) can explain what a request sees.
"""

import datetime
import uuid

import fixtures
import testtools

from scheduler import errors
from scheduler.hoststate import cache as host_cache
from scheduler import manager
from scheduler.placement import client as client_mod
from tests.functional import cloud as cloud_mod
from tests.functional import placement_service
from tests.unit.db import fake_nova_db

BIG = {'VCPU': {'total': 1000}, 'MEMORY_MB': {'total': 10 ** 6},
       'DISK_GB': {'total': 10 ** 5}}


def _now():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)


class FreshnessTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.service = self.useFixture(placement_service.PlacementService(
            '[hardened_scheduler]\nhost_state_resync_interval = 3600\n'
            'host_state_full_resync_interval = 0\n'))
        self.dbs = self.useFixture(fake_nova_db.FakeNovaDatabases())
        conf = self.conf = self.service.conf
        conf.set_override('connection', self.dbs.api_url, 'api_database')
        conf.set_override('connection', self.dbs.cell_url('cell1'),
                          'database')
        self.add_compute('host0')
        self.cache = host_cache.HostStateCache.from_conf(conf)
        self.addCleanup(self.cache.stop)
        self.cache.start()
        self.sched = manager.SchedulerManager(
            conf, placement=client_mod.PlacementClient(conf),
            hosts=self.cache)
        self.lookups = []
        read_nodes = self.cache._loader.read_nodes

        def counting(*args, **kwargs):
            self.lookups.append(args)
            return read_nodes(*args, **kwargs)
        self.useFixture(fixtures.MonkeyPatch(
            'scheduler.hoststate.loader.Loader.read_nodes',
            lambda loader, *a, **k: counting(*a, **k)))

    def add_provider(self, name):
        admin = self.service.admin
        rp = admin.provider(name, BIG)
        # nova-compute (version 74 here) tags its provider so.
        admin.call('PUT', f'/resource_providers/{rp}/traits', {
            'resource_provider_generation': admin.generation(rp),
            'traits': ['OWNER_NOVA']})
        return rp

    def add_compute(self, name, rp=None):
        """What nova-compute and discover_hosts commit for a new host."""
        rp = rp or self.add_provider(name)
        now = _now()
        self.dbs.add_service('cell1', name, last_seen_up=now,
                             created_at=now, updated_at=now)
        self.dbs.add_compute(
            'cell1', name, service=False, uuid=rp, vcpus=1000,
            memory_mb=10 ** 6, free_ram_mb=10 ** 6, local_gb=10 ** 5,
            free_disk_gb=10 ** 5, created_at=now, updated_at=now)
        return rp

    def update_service(self, name, **values):
        now = _now()
        self.dbs.update_service('cell1', name, updated_at=now,
                                last_seen_up=now, **values)

    def select(self):
        [[chosen]] = self.sched.select_destinations(
            cloud_mod.CONTEXT, cloud_mod.spec(), [str(uuid.uuid4())])
        return chosen.service_host

    def test_started_disabled_and_forced_down_seen_at_once(self):
        self.assertEqual('host0', self.select())
        # A compute starts (service, node, host mapping) and host0 is
        # disabled: the very next request places on host1, and the new
        # host came from the request's read, not a lookup by uuid.
        self.add_compute('host1')
        self.update_service('host0', disabled=True)
        self.assertEqual('host1', self.select())
        self.assertEqual([], self.lookups)
        # host1 is forced down: nowhere to go.
        self.update_service('host1', forced_down=True)
        exc = self.assertRaises(errors.NoValidHost, self.select)
        self.assertNotIn('unknown', exc.message)
        # host0 enabled again.
        self.update_service('host0', disabled=False)
        self.assertEqual('host0', self.select())
        self.assertEqual([], self.lookups)
        # The background resync never ran: no read explains it but the
        # per-request one.
        self.assertGreaterEqual(self.cache._fresh.reads, 4)

    def test_candidate_added_after_the_read_is_looked_up_by_uuid(self):
        self.update_service('host0', disabled=True)
        rp = self.add_provider('late')
        fresh = self.cache.fresh_snapshot

        def then_commit():
            snapshot = fresh()
            # Committed after the request's read, before Placement
            # answers with its provider.
            self.add_compute('late', rp=rp)
            return snapshot
        self.useFixture(fixtures.MockPatchObject(
            self.cache, 'fresh_snapshot', then_commit))
        records = self.useFixture(fixtures.FakeLogger(
            name='scheduler.decision_record'))
        self.assertEqual('late', self.select())
        self.assertEqual(1, len(self.lookups))
        self.assertIn('hosts_found', records.output)
        self.assertNotIn('unknown to the scheduler', records.output)

    def test_nested_provider_is_not_looked_up_twice(self):
        self.assertEqual('host0', self.select())
        self.assertEqual([], self.lookups)
        # A provider that is no compute node, sharing its tree with host0:
        # Placement summarizes it; it is looked up once, then remembered.
        host0 = self.cache.snapshot().find_nodes('host0', None)[0]
        child = str(uuid.uuid4())
        self.service.admin.call('POST', '/resource_providers', {
            'name': 'host0-child', 'uuid': child,
            'parent_provider_uuid': host0})
        self.assertEqual('host0', self.select())
        self.assertEqual('host0', self.select())
        self.assertEqual(1, len(self.lookups))
        self.assertIn(child, self.cache._fresh.known_not_nodes())

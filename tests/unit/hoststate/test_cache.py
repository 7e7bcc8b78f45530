"""HostStateCache over nova-shaped SQLite databases (no nova)."""

import datetime
import logging
import os
import uuid as uuid_mod

import fixtures
import testtools

from scheduler.hoststate import cache as host_cache
from scheduler.db import tables as t
from scheduler.objects import aggregate as aggregate_obj
from scheduler.objects import instance as instance_obj
from tests.unit.db import fake_nova_db

NOW = fake_nova_db.NOW
SECRET = 'S3cr3t-canary-pw'


def info(uuid, project='p1'):
    return instance_obj.InstanceInfo(uuid=uuid, project_id=project)


class CacheTestBase(testtools.TestCase):
    cells = ('cell1', 'cell2')

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))
        self.dbs = self.useFixture(fake_nova_db.FakeNovaDatabases(
            self.cells))

    def cache(self, refresh=True, **groups):
        cache = host_cache.HostStateCache.from_conf(self.dbs.conf(**groups))
        self.addCleanup(cache.stop)
        if refresh:
            cache.refresh()
        return cache

    def by_host(self, cache):
        return {s.host: s for s in cache.snapshot().hosts.values()}


class RefreshTest(CacheTestBase):

    def test_hosts_of_schedulable_cells_with_aggregates_and_instances(self):
        h1 = self.dbs.add_compute('cell1', 'h1')
        h2 = self.dbs.add_compute('cell2', 'h2')
        self.dbs.add_cell('off', str(uuid_mod.uuid4()), disabled=True)
        self.dbs.add_compute('off', 'h3')
        agg = self.dbs.add_aggregate('a', ['h1'], {'availability_zone': 'z'})
        inst = self.dbs.add_instance('cell1', 'h1', project='p7')
        cache = self.cache()
        snap = cache.snapshot()
        self.assertEqual({h1['uuid'], h2['uuid']}, set(snap.hosts))
        one = snap.hosts[h1['uuid']]
        self.assertEqual(self.dbs.uuid('cell1'), one.cell_uuid)
        self.assertEqual([agg], [a.id for a in one.aggregates])
        self.assertEqual({inst: 'p7'}, dict(one.instances))
        self.assertEqual((), snap.hosts[h2['uuid']].aggregates)
        self.assertEqual([agg], [a.id for a in snap.aggregates])
        self.assertEqual(frozenset(), snap.unavailable_cells)
        self.assertTrue(cache.loaded)

    def test_incomplete_nodes_left_out_and_logged_once(self):
        self.dbs.add_compute('cell1', 'ok')
        fresh = self.dbs.add_compute('cell1', 'fresh', free_disk_gb=None)
        orphan = self.dbs.add_compute('cell1', 'orphan', service=False)
        bad = self.dbs.add_compute('cell1', 'bad', stats='{not json')
        self.dbs.add_compute('cell1', 'nouuid', uuid=None)
        cache = self.cache()
        cache.refresh()
        snap = cache.snapshot()
        self.assertEqual({'ok'}, {s.host for s in snap.hosts.values()})
        reasons = snap.incomplete_nodes
        self.assertIn('free_disk_gb NULL', reasons[fresh['uuid']])
        self.assertIn('no nova-compute service', reasons[orphan['uuid']])
        self.assertEqual('column stats is not valid', reasons[bad['uuid']])
        self.assertEqual(4, len(reasons))
        self.assertEqual(4, self.log.output.count('is left out of'))

    def test_min_compute_version_as_nova_counts_it(self):
        self.assertIsNone(self.cache(refresh=False).snapshot()
                          .min_compute_version)
        self.dbs.add_compute('cell1', 'h1')
        self.assertEqual(74, self.cache().snapshot().min_compute_version)
        self.dbs.add_service('cell2', 'old', version=72)
        self.dbs.add_service('cell2', 'zero', version=0)
        self.dbs.add_service('cell1', 'down', version=60, forced_down=True)
        self.dbs.add_service('cell1', 'gone', version=50, deleted=1)
        self.assertEqual(72, self.cache().snapshot().min_compute_version)

    def test_legacy_node_without_host_uses_its_service(self):
        service_id = self.dbs.add_service('cell1', 'h1')
        node = self.dbs.add_compute('cell1', 'h1', service=False, host=None,
                                    service_id=service_id)
        state = self.cache().snapshot().hosts[node['uuid']]
        self.assertEqual('h1', state.host)

    def test_ratio_defaults_come_from_the_configuration(self):
        node = self.dbs.add_compute('cell1', 'h1', cpu_allocation_ratio=0.0,
                                    ram_allocation_ratio=None)
        cache = self.cache(DEFAULT={'cpu_allocation_ratio': 3.0,
                                    'initial_ram_allocation_ratio': 2.0})
        state = cache.snapshot().hosts[node['uuid']]
        self.assertEqual((3.0, 2.0), (state.cpu_allocation_ratio,
                                      state.ram_allocation_ratio))

    def test_template_cell_url_filled_from_database_connection(self):
        cell = str(uuid_mod.uuid4())
        # cell1's URL with "-t" appended: a file of its own.
        self.dbs.add_cell('templ', cell, url='{scheme}:////{path}-t')
        self.dbs.engines['templ'] = self.dbs._engine(
            self.dbs.cell_url('cell1') + '-t', t.CELL)
        node = self.dbs.add_compute('templ', 'ht')
        snap = self.cache().snapshot()
        self.assertEqual(cell, snap.hosts[node['uuid']].cell_uuid)

    def test_api_database_failure_keeps_the_snapshot(self):
        self.dbs.add_compute('cell1', 'h1')
        cache = self.cache()
        before = cache.snapshot()
        os.rename(self.dbs.api_url[len('sqlite:///'):],
                  self.dbs.api_url[len('sqlite:///'):] + '.moved')
        exc = self.assertRaises(host_cache.HostCacheError, cache.refresh)
        self.assertIn('API database', str(exc))
        self.assertIs(before, cache.snapshot())

    def test_observer_hears_every_reload(self):
        self.dbs.add_compute('cell1', 'h1')
        cache = self.cache(refresh=False)
        heard = []
        cache.observer = lambda kind, ok: heard.append((kind, ok))
        cache.refresh()
        cache.resync()
        os.rename(self.dbs.api_url[len('sqlite:///'):],
                  self.dbs.api_url[len('sqlite:///'):] + '.moved')
        self.assertRaises(host_cache.HostCacheError, cache.refresh)
        self.assertEqual([('full', True), ('incremental', True),
                          ('full', False)], heard)

    def test_missing_api_connection(self):
        conf = self.dbs.conf()
        conf.clear_override('connection', 'api_database')
        cache = host_cache.HostStateCache.from_conf(conf)
        self.addCleanup(cache.stop)
        exc = self.assertRaises(host_cache.HostCacheError, cache.refresh)
        self.assertIn('[api_database]connection is not set', str(exc))


class UnavailableCellTest(CacheTestBase):

    def break_cell(self, cell, url):
        with self.dbs.api.begin() as conn:
            conn.execute(t.cell_mappings.update().where(
                t.cell_mappings.c.uuid == self.dbs.uuid(cell)).values(
                    database_connection=url))

    def test_dead_cell_keeps_its_hosts_and_is_named(self):
        self.dbs.add_compute('cell1', 'h1')
        kept = self.dbs.add_compute('cell2', 'h2')
        inst = self.dbs.add_instance('cell2', 'h2')
        cache = self.cache()
        self.break_cell('cell2', f'mysql+pymysql://nova:{SECRET}@'
                        '127.0.0.1:1/nova_cell2')
        cache.refresh()
        snap = cache.snapshot()
        self.assertEqual(frozenset({self.dbs.uuid('cell2')}),
                         snap.unavailable_cells)
        self.assertIn(kept['uuid'], snap.hosts)
        self.assertEqual({inst}, set(snap.hosts[kept['uuid']].instances))
        self.assertIn('is unavailable', self.log.output)
        self.assertNotIn(SECRET, self.log.output)
        # Back to a working URL: the next resync reads it again.
        self.break_cell('cell2', self.dbs.cell_url('cell2'))
        cache.refresh()
        self.assertEqual(frozenset(), cache.snapshot().unavailable_cells)
        self.assertIn('is available again', self.log.output)

    def test_cell_unreadable_from_the_start_has_no_hosts(self):
        self.dbs.add_compute('cell1', 'h1')
        self.break_cell('cell2', 'sqlite:////nonexistent/dir/cell2.sqlite')
        cache = self.cache()
        snap = cache.snapshot()
        self.assertEqual({'h1'}, {s.host for s in snap.hosts.values()})
        self.assertEqual(frozenset({self.dbs.uuid('cell2')}),
                         snap.unavailable_cells)
        # A resync that still fails keeps it listed.
        cache.resync()
        self.assertEqual(frozenset({self.dbs.uuid('cell2')}),
                         cache.snapshot().unavailable_cells)

    def test_template_without_database_connection(self):
        self.break_cell('cell2', '{scheme}://{hostname}/x')
        conf = self.dbs.conf()
        conf.clear_override('connection', 'database')
        cache = host_cache.HostStateCache.from_conf(conf)
        self.addCleanup(cache.stop)
        cache.refresh()
        self.assertIn(self.dbs.uuid('cell2'),
                      cache.snapshot().unavailable_cells)
        self.assertIn('template but [database]connection is not set',
                      self.log.output)


class ResyncTest(CacheTestBase):

    def test_changed_deleted_and_new_rows(self):
        h1 = self.dbs.add_compute('cell1', 'h1')
        h2 = self.dbs.add_compute('cell1', 'h2')
        cache = self.cache()
        before = cache.snapshot()
        later = NOW + datetime.timedelta(minutes=1)
        self.dbs.update_node('cell1', h1['id'], free_ram_mb=5,
                             updated_at=later)
        self.dbs.update_service('cell1', 'h2', disabled=True,
                                updated_at=later)
        h3 = self.dbs.add_compute('cell1', 'h3', created_at=later,
                                  updated_at=None)
        cache.resync()
        snap = cache.snapshot()
        self.assertEqual(5, snap.hosts[h1['uuid']].free_ram_mb)
        self.assertTrue(snap.hosts[h2['uuid']].service.disabled)
        self.assertIn(h3['uuid'], snap.hosts)
        # The snapshot a request held is untouched.
        self.assertEqual(7680, before.hosts[h1['uuid']].free_ram_mb)
        self.assertNotIn(h3['uuid'], before.hosts)
        even_later = later + datetime.timedelta(minutes=1)
        self.dbs.update_service('cell1', 'h2', deleted=1,
                                deleted_at=even_later)
        self.dbs.update_node('cell1', h1['id'], deleted=h1['id'],
                             deleted_at=even_later)
        cache.resync()
        snap = cache.snapshot()
        self.assertEqual({h3['uuid']}, set(snap.hosts))
        self.assertIn('no nova-compute service',
                      snap.incomplete_nodes[h2['uuid']])

    def test_unchanged_rows_keep_their_host_states(self):
        node = self.dbs.add_compute('cell1', 'h1')
        cache = self.cache()
        state = cache.snapshot().hosts[node['uuid']]
        cache.resync()
        self.assertIs(state, cache.snapshot().hosts[node['uuid']])

    def test_untracked_instances_reread_every_resync(self):
        node = self.dbs.add_compute('cell1', 'h1')
        cache = self.cache(filter_scheduler={
            'track_instance_changes': False})
        inst = self.dbs.add_instance('cell1', 'h1')
        cache.resync()
        self.assertEqual(('h1',), cache.pending_hosts)
        cache.reload_pending_hosts()
        self.assertEqual({inst}, set(
            cache.snapshot().hosts[node['uuid']].instances))


class CastTest(CacheTestBase):

    def setUp(self):
        super().setUp()
        self.h1 = self.dbs.add_compute('cell1', 'h1')
        self.h2 = self.dbs.add_compute('cell2', 'h2')
        self.inst = self.dbs.add_instance('cell1', 'h1')
        self.agg = self.dbs.add_aggregate('a', ['h1'])
        self.c = self.cache()

    def state(self, host):
        return self.by_host(self.c)[host]

    def test_update_aggregates_moves_membership(self):
        before = self.c.snapshot()
        moved = aggregate_obj.Aggregate(id=self.agg, uuid='u', name='a',
                                        hosts=frozenset({'h2'}),
                                        metadata={'k': 'v'})
        self.c.update_aggregates([moved])
        self.assertEqual((), self.state('h1').aggregates)
        self.assertEqual((moved,), self.state('h2').aggregates)
        self.assertEqual((moved,), self.c.snapshot().aggregates)
        self.assertEqual(1, len(before.hosts[self.h1['uuid']].aggregates))
        self.c.delete_aggregate(moved)
        self.assertEqual((), self.state('h2').aggregates)
        self.assertEqual((), self.c.snapshot().aggregates)

    def test_update_instance_info_on_a_known_host(self):
        self.c.update_instance_info('h1', [info('new', 'p2')])
        self.assertEqual({self.inst: 'project-a', 'new': 'p2'},
                         dict(self.state('h1').instances))
        self.assertEqual((), self.c.pending_hosts)

    def test_update_from_unknown_host(self):
        self.c.update_instance_info('h9', [info('a'), info('b')])
        self.assertEqual((), self.c.pending_hosts)
        self.assertEqual({'a', 'b'}, set(self.c.snapshot().hosts and
                                         self.c._state.instances['h9']))
        self.c.update_instance_info('h8', [info('c')])
        self.assertEqual(('h8',), self.c.pending_hosts)
        self.assertIn("Received an update from an unknown host 'h8'",
                      self.log.output)

    def test_delete_instance_info(self):
        self.c.delete_instance_info('h1', self.inst)
        self.assertEqual({}, dict(self.state('h1').instances))
        self.c.delete_instance_info('h7', 'x')
        self.assertEqual(('h7',), self.c.pending_hosts)

    def test_sync_matching_list_changes_nothing(self):
        before = self.c.snapshot()
        self.c.sync_instance_info('h1', [self.inst])
        self.assertIs(before, self.c.snapshot())
        self.assertEqual((), self.c.pending_hosts)

    def test_sync_mismatch_rereads_the_host_in_the_background(self):
        other = self.dbs.add_instance('cell1', 'h1', project='p5')
        self.c.sync_instance_info('h1', [self.inst, other])
        self.assertEqual(1, len(self.state('h1').instances))
        self.assertEqual(('h1',), self.c.pending_hosts)
        self.assertEqual(1, self.c.reload_pending_hosts())
        self.assertEqual({self.inst: 'project-a', other: 'p5'},
                         dict(self.state('h1').instances))
        self.assertEqual(0, self.c.reload_pending_hosts())

    def test_unmapped_host_is_not_tracked(self):
        self.c.sync_instance_info('ghost', ['x'])
        self.c.reload_pending_hosts()
        self.assertEqual({}, dict(self.c._state.instances['ghost']))
        self.assertIn('Host mapping not found for host ghost',
                      self.log.output)

    def test_newly_mapped_host_found_through_host_mappings(self):
        self.dbs.add_compute('cell2', 'late')
        inst = self.dbs.add_instance('cell2', 'late')
        self.c.sync_instance_info('late', [inst])
        self.c.reload_pending_hosts()
        self.assertEqual({inst: 'project-a'},
                         dict(self.c._state.instances['late']))

    def test_casts_during_a_host_reload_survive_it(self):
        read_hosts = self.c._loader.read_hosts

        def racing(*args, **kwargs):
            outcome = read_hosts(*args, **kwargs)
            # Arrives after the database was read, before the swap.
            self.c.update_instance_info('h1', [info('raced')])
            self.c.delete_instance_info('h1', self.inst)
            return outcome
        self.useFixture(fixtures.MonkeyPatch(
            'scheduler.hoststate.loader.Loader.read_hosts',
            lambda loader, *a, **k: racing(*a, **k)))
        self.c.sync_instance_info('h1', [])
        self.c.reload_pending_hosts()
        self.assertEqual({'raced': 'p1'}, dict(self.state('h1').instances))

    def test_casts_during_a_refresh_survive_it(self):
        read_cells = self.c._loader.read_cells
        moved = aggregate_obj.Aggregate(id=self.agg, uuid='u', name='a',
                                        hosts=frozenset({'h2'}))

        def racing(loader, *args, **kwargs):
            outcome = read_cells(*args, **kwargs)
            self.c.update_instance_info('h2', [info('raced')])
            self.c.update_aggregates([moved])
            return outcome
        self.useFixture(fixtures.MonkeyPatch(
            'scheduler.hoststate.loader.Loader.read_cells', racing))
        self.c.refresh()
        self.assertEqual({'raced'}, set(self.state('h2').instances))
        self.assertEqual((moved,), self.state('h2').aggregates)
        self.assertEqual((), self.state('h1').aggregates)
        self.assertEqual(0, len(self.c._journal))

    def test_refresh_heals_a_missed_cast(self):
        self.dbs.delete_instance('cell1', self.inst)
        self.c.refresh()
        self.assertEqual({}, dict(self.state('h1').instances))


class InstanceImagesTest(CacheTestBase):
    cells = ('cell1',)

    def test_images_loaded_only_when_the_weigher_is_on(self):
        node = self.dbs.add_compute('cell1', 'h1')
        inst = self.dbs.add_instance('cell1', 'h1', system_metadata={
            'image_hw_cpu_cores': '2', 'image_os_distro': 'ubuntu',
            'image_mappings': '[]'})
        off = self.cache().snapshot().hosts[node['uuid']]
        self.assertEqual({}, dict(off.instance_images))
        on = self.cache(filter_scheduler={
            'image_props_weight_multiplier': -1.0})
        state = on.snapshot().hosts[node['uuid']]
        self.assertEqual({'hw_cpu_cores': '2', 'os_distro': 'ubuntu'},
                         dict(state.instance_images[inst]))
        # A new instance from a cast gets its image read in the background.
        new = self.dbs.add_instance('cell1', 'h1', system_metadata={
            'image_os_distro': 'fedora'})
        on.update_instance_info('h1', [info(new)])
        self.assertEqual(('h1',), on.pending_hosts)
        on.reload_pending_hosts()
        state = on.snapshot().hosts[node['uuid']]
        self.assertEqual({'os_distro': 'fedora'},
                         dict(state.instance_images[new]))

    def test_bad_image_metadata_is_ignored_with_a_warning(self):
        node = self.dbs.add_compute('cell1', 'h1')
        inst = self.dbs.add_instance('cell1', 'h1', system_metadata={
            'image_hw_cpu_cores': 'many'})
        cache = self.cache(filter_scheduler={
            'image_props_weight_multiplier': 1.0})
        state = cache.snapshot().hosts[node['uuid']]
        self.assertEqual({}, dict(state.instance_images[inst]))
        self.assertIn('are not valid', self.log.output)


class LifecycleTest(CacheTestBase):
    cells = ('cell1',)

    def test_start_loads_and_stop_ends_the_thread(self):
        node = self.dbs.add_compute('cell1', 'h1')
        cache = self.cache(refresh=False)
        self.assertEqual({}, dict(cache.snapshot().hosts))
        cache.start()
        self.assertTrue(cache.loaded)
        self.assertIn(node['uuid'], cache.snapshot().hosts)
        cache.stop()
        self.assertIsNone(cache._background._thread)

    def test_is_the_cache_the_rpc_service_expects(self):
        from scheduler.rpc import cache_protocol as rpc_cache
        self.assertIsInstance(self.cache(refresh=False), rpc_cache.HostCache)

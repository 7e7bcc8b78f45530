"""The freshness guarantee: what a request's snapshot holds.

Every change committed before ``fresh_snapshot()`` is in what it returns,
with no background thread running: compute rows, instance locations, and
the API database's cells, host mappings and aggregates (which hard-delete
rows). Candidate providers unknown to the snapshot are looked up by uuid.
"""

import datetime
import os
import uuid as uuid_mod

import fixtures
import sqlalchemy as sa

from scheduler.hoststate import cache as host_cache
from scheduler.hoststate import source as host_source
from scheduler.db import tables as t
from tests.unit.hoststate import test_cache as base
from tests.unit.db import fake_nova_db

NOW = fake_nova_db.NOW
LATER = NOW + datetime.timedelta(minutes=1)


class FreshTestBase(base.CacheTestBase):

    def by_host(self, cache):
        return {s.host: s for s in cache.fresh_snapshot().hosts.values()}

    def count_reads(self, cache, name):
        calls = []
        real = getattr(cache._loader, name)

        def counting(*args, **kwargs):
            calls.append(args)
            return real(*args, **kwargs)
        self.useFixture(fixtures.MonkeyPatch(
            f'scheduler.hoststate.loader.Loader.{name}',
            lambda loader, *a, **k: counting(*a, **k)))
        return calls


class ComputeRowsTest(FreshTestBase):

    def test_started_disabled_forced_down_and_resized_computes(self):
        self.dbs.add_compute('cell1', 'h1')
        self.dbs.add_compute('cell1', 'h2')
        h3 = self.dbs.add_compute('cell2', 'h3')
        cache = self.cache()
        self.dbs.update_service('cell1', 'h1', disabled=True,
                                updated_at=LATER)
        self.dbs.update_service('cell1', 'h2', forced_down=True,
                                updated_at=LATER)
        self.dbs.update_node('cell2', h3['id'], free_ram_mb=5,
                             updated_at=LATER)
        new = self.dbs.add_compute('cell2', 'h4', created_at=LATER)
        # The periodic snapshot has not seen any of it.
        self.assertNotIn(new['uuid'], cache.snapshot().hosts)
        hosts = self.by_host(cache)
        self.assertTrue(hosts['h1'].service.disabled)
        self.assertTrue(hosts['h2'].service.forced_down)
        self.assertEqual(5, hosts['h3'].free_ram_mb)
        self.assertIn('h4', hosts)

    def test_deleted_rows_leave(self):
        h1 = self.dbs.add_compute('cell1', 'h1')
        self.dbs.add_compute('cell1', 'h2')
        cache = self.cache()
        self.dbs.update_node('cell1', h1['id'], deleted=h1['id'],
                             deleted_at=LATER)
        self.dbs.update_service('cell1', 'h2', deleted=1, deleted_at=LATER)
        snap = cache.fresh_snapshot()
        self.assertEqual({}, dict(snap.hosts))
        self.assertNotIn(h1['uuid'], snap.incomplete_nodes)

    def test_rows_read_again_rebuild_nothing(self):
        self.dbs.add_compute('cell1', 'h1')
        cache = self.cache()
        first = cache.fresh_snapshot()
        # The overlap reads h1's rows again on every request.
        self.assertIs(first, cache.fresh_snapshot())
        self.assertIs(first, cache.snapshot())

    def test_overlap_catches_a_late_commit_only_within_it(self):
        self.dbs.add_compute('cell1', 'h1')
        cache = self.cache(hardened_scheduler={
            'host_state_change_overlap': 2.0})
        # Stamped before the watermark (NOW), committed after the read.
        for name, seconds in (('late', 1), ('too-late', 5)):
            stamp = NOW - datetime.timedelta(seconds=seconds)
            self.dbs.add_service('cell1', name, created_at=stamp,
                                 updated_at=None)
            self.dbs.add_compute('cell1', name, service=False,
                                 created_at=stamp, updated_at=None)
        self.assertEqual({'h1', 'late'}, set(self.by_host(cache)))
        # The background resync (30 s of overlap) still finds it.
        cache.resync()
        self.assertIn('too-late', self.by_host(cache))

    def test_every_request_reads_the_cells_once(self):
        self.dbs.add_compute('cell1', 'h1')
        cache = self.cache()
        calls = self.count_reads(cache, 'read_deltas')
        cache.fresh_snapshot()
        cache.fresh_snapshot()
        self.assertEqual(2, len(calls))
        self.assertEqual(2, len(list(calls[0][0])))


class InstancesTest(FreshTestBase):

    def test_created_moved_and_deleted_instances(self):
        self.dbs.add_compute('cell1', 'h1')
        self.dbs.add_compute('cell1', 'h2')
        kept = self.dbs.add_instance('cell1', 'h1', created_at=NOW)
        moving = self.dbs.add_instance('cell1', 'h1', created_at=NOW)
        going = self.dbs.add_instance('cell1', 'h2', created_at=NOW)
        cache = self.cache()
        new = self.dbs.add_instance('cell1', 'h2', project='p9',
                                    created_at=LATER)
        self.dbs.update_instance('cell1', moving, host='h2', node='h2',
                                 updated_at=LATER)
        # As nova's delete paths: saved as DELETED, then soft-deleted
        # (which keeps updated_at).
        self.dbs.update_instance('cell1', going, updated_at=LATER)
        self.dbs.delete_instance('cell1', going, deleted_at=LATER)
        hosts = self.by_host(cache)
        self.assertEqual({kept: 'project-a'}, dict(hosts['h1'].instances))
        self.assertEqual({moving: 'project-a', new: 'p9'},
                         dict(hosts['h2'].instances))

    def test_unchanged_instance_rows_keep_the_snapshot(self):
        self.dbs.add_compute('cell1', 'h1')
        self.dbs.add_instance('cell1', 'h1', created_at=NOW)
        gone = self.dbs.add_instance('cell1', 'h1', created_at=NOW)
        self.dbs.delete_instance('cell1', gone, deleted_at=NOW)
        cache = self.cache()
        before = cache.snapshot()
        self.assertIs(before, cache.fresh_snapshot())

    def test_casts_during_the_read_survive_it(self):
        self.dbs.add_compute('cell1', 'h1')
        inst = self.dbs.add_instance('cell1', 'h1', created_at=NOW)
        cache = self.cache()
        self.dbs.update_instance('cell1', inst, project_id='p2',
                                 updated_at=LATER)
        read = cache._loader.read_deltas

        def racing(*args, **kwargs):
            outcome = read(*args, **kwargs)
            cache.delete_instance_info('h1', inst)
            return outcome
        self.useFixture(fixtures.MonkeyPatch(
            'scheduler.hoststate.loader.Loader.read_deltas',
            lambda loader, *a, **k: racing(*a, **k)))
        self.assertEqual({}, dict(self.by_host(cache)['h1'].instances))


class ApiDatabaseTest(FreshTestBase):

    def test_hard_deleted_aggregate_hosts_and_metadata(self):
        self.dbs.add_compute('cell1', 'h1')
        agg = self.dbs.add_aggregate('a', ['h1'], {'k': 'v', 'x': 'y'})
        cache = self.cache()
        with self.dbs.api.begin() as conn:
            conn.execute(t.aggregate_metadata.delete().where(
                t.aggregate_metadata.c.key == 'x'))
        [one] = self.by_host(cache)['h1'].aggregates
        self.assertEqual({'k': 'v'}, dict(one.metadata))
        with self.dbs.api.begin() as conn:
            conn.execute(t.aggregate_hosts.delete().where(
                t.aggregate_hosts.c.aggregate_id == agg))
        self.assertEqual((), self.by_host(cache)['h1'].aggregates)

    def test_unchanged_api_is_one_query(self):
        self.dbs.add_compute('cell1', 'h1')
        cache = self.cache()
        reads = self.count_reads(cache, 'read_api')
        cache.fresh_snapshot()
        self.assertEqual([], reads)
        with self.dbs.api.begin() as conn:
            conn.execute(t.host_mappings.delete().where(
                t.host_mappings.c.host == 'h1'))
        cache.fresh_snapshot()
        self.assertEqual(1, len(reads))
        self.assertNotIn('h1', cache._state.host_cells)

    def test_new_cell_is_read_and_a_disabled_one_leaves(self):
        self.dbs.add_compute('cell1', 'h1')
        cache = self.cache()
        full = self.count_reads(cache, 'read_cells')
        cell = self.dbs.add_cell('cell9', str(uuid_mod.uuid4()))
        self.dbs.add_compute('cell9', 'h9')
        snap = cache.fresh_snapshot()
        self.assertEqual({'h1', 'h9'}, {h.host for h in snap.hosts.values()})
        self.assertEqual([cell], [c.uuid for c in full[0][0]])
        with self.dbs.api.begin() as conn:
            conn.execute(t.cell_mappings.update().where(
                t.cell_mappings.c.uuid == cell).values(disabled=True,
                                                       updated_at=LATER))
        snap = cache.fresh_snapshot()
        self.assertEqual({'h1'}, {h.host for h in snap.hosts.values()})
        self.assertNotIn(cell, cache._state.rows)


class FailureTest(FreshTestBase):

    def test_dead_cell_marked_unavailable_request_goes_on(self):
        self.dbs.add_compute('cell1', 'h1')
        kept = self.dbs.add_compute('cell2', 'h2')
        cache = self.cache()
        path = self.dbs.cell_url('cell2')[len('sqlite:///'):]
        # Unreadable: not an SQLite database any more.
        os.rename(path, path + '.moved')
        with open(path, 'w') as f:
            f.write('not a database' * 100)
        cache._loader._cells.dispose()
        snap = cache.fresh_snapshot()
        self.assertEqual(frozenset({self.dbs.uuid('cell2')}),
                         snap.unavailable_cells)
        self.assertIn(kept['uuid'], snap.hosts)
        cache.fresh_snapshot()
        self.assertEqual(1, self.log.output.count('is unavailable'))
        observed = []
        cache.observer = lambda kind, ok: observed.append((kind, ok))
        cache.fresh_snapshot()
        os.rename(path + '.moved', path)
        cache._loader._cells.dispose()
        self.assertEqual(frozenset(), cache.fresh_snapshot()
                         .unavailable_cells)
        # Each request's read reaches the refresh metric.
        self.assertEqual([('request', False), ('request', True)], observed)

    def test_api_database_down_warns_once(self):
        self.dbs.add_compute('cell1', 'h1')
        cache = self.cache()
        before = cache.snapshot()
        api = self.dbs.api_url[len('sqlite:///'):]
        os.rename(api, api + '.moved')
        cache._loader._api().dispose()
        self.assertIs(before, cache.fresh_snapshot())
        self.assertIs(before, cache.fresh_snapshot())
        self.assertEqual(1, self.log.output.count(
            'Could not read the API database'))
        os.rename(api + '.moved', api)
        cache.fresh_snapshot()
        self.assertIn('The API database is readable again', self.log.output)

    def test_not_loaded_cache_reads_nothing(self):
        cache = self.cache(refresh=False)
        calls = self.count_reads(cache, 'read_deltas')
        self.assertEqual({}, dict(cache.fresh_snapshot().hosts))
        self.assertEqual([], calls)


class ProvidersByUuidTest(FreshTestBase):

    def test_node_added_after_the_snapshot_is_found(self):
        self.dbs.add_compute('cell1', 'h1')
        cache = self.cache()
        snap = cache.fresh_snapshot()
        # Stamped long ago: no change read would find it.
        late = self.dbs.add_compute(
            'cell2', 'late', created_at=NOW - datetime.timedelta(days=1),
            updated_at=None)
        self.dbs.update_service('cell2', 'late',
                                created_at=NOW - datetime.timedelta(days=1),
                                updated_at=None)
        nested = str(uuid_mod.uuid4())
        found = host_source.with_providers(
            cache, snap, [late['uuid'], nested])
        self.assertIn(late['uuid'], found.hosts)
        self.assertNotIn(late['uuid'], snap.hosts)
        self.assertIn(late['uuid'], cache.snapshot().hosts)
        self.assertEqual(frozenset({nested}),
                         cache._fresh.known_not_nodes())
        lookups = self.count_reads(cache, 'read_nodes')
        self.assertIs(found, host_source.with_providers(
            cache, found, [late['uuid'], nested]))
        self.assertEqual([], lookups)

    def test_incomplete_node_is_reported_as_such(self):
        cache = self.cache()
        fresh = self.dbs.add_compute(
            'cell1', 'fresh', free_disk_gb=None,
            created_at=NOW - datetime.timedelta(days=1), updated_at=None)
        found = cache.with_providers(cache.snapshot(), [fresh['uuid']])
        self.assertIn('free_disk_gb NULL',
                      found.incomplete_nodes[fresh['uuid']])

    def test_batches_uuids(self):
        self.dbs.add_compute('cell1', 'h1')
        cache = self.cache()
        statements = []
        engine = cache._loader._engine(cache._state.cells[
            self.dbs.uuid('cell1')])
        sa.event.listen(engine, 'before_cursor_execute',
                        lambda *a: statements.append(a[2]))
        unknown = [str(uuid_mod.uuid4()) for _ in range(1200)]
        cache.with_providers(cache.snapshot(), unknown)
        node_queries = [s for s in statements if 'compute_nodes' in s]
        self.assertEqual(3, len(node_queries))


class CellUrlTest(FreshTestBase):
    cells = ('cell1',)

    def test_embedder_derives_cell_urls(self):
        node = self.dbs.add_compute('cell1', 'h1')
        # As nova's functional tests: the mapping holds the cell uuid.
        with self.dbs.api.begin() as conn:
            conn.execute(t.cell_mappings.update().values(
                database_connection=t.cell_mappings.c.uuid))
        urls = {self.dbs.uuid('cell1'): self.dbs.cell_url('cell1')}
        seen = []

        def cell_url(cell):
            seen.append(cell.uuid)
            return urls.get(cell.uuid, 'sqlite:////nonexistent/x.db')
        cache = host_cache.HostStateCache.from_conf(
            self.dbs.conf(), cell_database_url=cell_url)
        self.addCleanup(cache.stop)
        cache.refresh()
        self.assertIn(node['uuid'], cache.fresh_snapshot().hosts)
        self.assertIn(self.dbs.uuid('cell1'), seen)

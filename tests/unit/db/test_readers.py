"""The SELECTs of the API and cell readers."""

import datetime

import sqlalchemy as sa
import testtools

from scheduler.db import api_reader
from scheduler.db import cell_reader
from scheduler.db import engines
from scheduler.db import tables as t
from tests.unit.db import fake_nova_db

NOW = fake_nova_db.NOW


class ReadersTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dbs = self.useFixture(fake_nova_db.FakeNovaDatabases(
            cells=('cell1', 'cell2')))

    def read_api(self, read):
        engine = engines.create_reader_engine(self.dbs.api_url)
        self.addCleanup(engine.dispose)
        with engine.connect() as conn:
            return read(conn)

    def read_cell(self, read, cell='cell1'):
        engine = engines.create_reader_engine(self.dbs.cell_url(cell))
        self.addCleanup(engine.dispose)
        with engine.connect() as conn:
            return read(conn)

    def test_cells_and_schedulable_cells(self):
        self.dbs.add_cell('off', 'aaaaaaaa-0000-0000-0000-000000000000',
                          disabled=True)
        cells = self.read_api(api_reader.read_cells)
        self.assertEqual(['cell0', 'cell1', 'cell2', 'off'],
                         [c.name for c in cells])
        self.assertTrue(cells[0].is_cell0)
        self.assertEqual(['cell1', 'cell2'], [
            c.name for c in api_reader.schedulable_cells(cells)])
        # The URL never shows in repr (logs, tracebacks).
        self.assertNotIn('sqlite', repr(cells[1]))
        self.assertEqual(f'{cells[1].uuid}(cell1)', cells[1].identity)

    def test_aggregates_with_hosts_and_metadata(self):
        first = self.dbs.add_aggregate('a1', ['h1', 'h2'],
                                       {'availability_zone': 'az1'})
        self.dbs.add_aggregate('a2')
        with self.dbs.api.begin() as conn:
            conn.execute(t.aggregates.insert().values(name='old', uuid=None))
        aggs = self.read_api(api_reader.read_aggregates)
        self.assertEqual(['a1', 'a2'], [a.name for a in aggs])
        self.assertEqual(first, aggs[0].id)
        self.assertEqual(frozenset({'h1', 'h2'}), aggs[0].hosts)
        self.assertEqual('az1', aggs[0].availability_zone)
        self.assertEqual(frozenset(), aggs[1].hosts)

    def test_host_mappings(self):
        self.dbs.add_compute('cell2', 'h9')
        cell_id, cell_uuid = self.dbs.cells['cell2']
        self.assertEqual({'h9': cell_uuid}, self.read_api(
            lambda conn: api_reader.read_host_mappings(
                conn, {cell_id: cell_uuid})))
        self.assertEqual(cell_id, self.read_api(
            lambda conn: api_reader.read_host_cell(conn, 'h9')))
        self.assertIsNone(self.read_api(
            lambda conn: api_reader.read_host_cell(conn, 'nope')))

    def test_full_read_returns_live_compute_rows_only(self):
        kept = self.dbs.add_compute('cell1', 'h1')
        gone = self.dbs.add_compute('cell1', 'h2')
        self.dbs.update_node('cell1', gone['id'], deleted=gone['id'])
        self.dbs.add_service('cell1', 'sched', binary='nova-scheduler')
        rows = self.read_cell(cell_reader.read_compute_rows)
        self.assertEqual([kept['uuid']], [r['uuid'] for r in rows.nodes])
        self.assertEqual(['h1', 'h2'], [r['host'] for r in rows.services])
        self.assertEqual(NOW, rows.newest)
        # Only the columns we declared are read.
        self.assertEqual(set(t.compute_nodes.c.keys()), set(rows.nodes[0]))

    def test_incremental_read_includes_deletions(self):
        old = self.dbs.add_compute('cell1', 'h1')
        changed = self.dbs.add_compute('cell1', 'h2')
        later = NOW + datetime.timedelta(minutes=5)
        self.dbs.update_node('cell1', changed['id'], updated_at=later,
                             free_ram_mb=1)
        self.dbs.update_node('cell1', old['id'], deleted=old['id'],
                             deleted_at=later)
        self.dbs.update_service('cell1', 'h2', updated_at=later)
        rows = self.read_cell(lambda conn: cell_reader.read_compute_rows(
            conn, since=later))
        self.assertEqual({old['id']: old['id'], changed['id']: 0},
                         {r['id']: r['deleted'] for r in rows.nodes})
        self.assertEqual(['h2'], [r['host'] for r in rows.services])
        self.assertEqual(later, rows.newest)

    def test_incremental_read_leaves_out_known_rows(self):
        same = self.dbs.add_compute('cell1', 'h1')
        changed = self.dbs.add_compute('cell1', 'h2')
        gone = self.dbs.add_compute('cell1', 'h3')
        held = self.read_cell(cell_reader.read_compute_rows)
        known = ({r['id']: r for r in held.nodes},
                 {r['id']: r for r in held.services})
        later = NOW + datetime.timedelta(minutes=5)
        self.dbs.update_node('cell1', changed['id'], free_ram_mb=1)
        self.dbs.update_node('cell1', gone['id'], deleted=gone['id'],
                             deleted_at=later)
        # Deleted and never known: it changes nothing either.
        unknown = self.dbs.add_compute('cell1', 'h4', service=False)
        self.dbs.update_node('cell1', unknown['id'], deleted=unknown['id'])
        rows = self.read_cell(lambda conn: cell_reader.read_compute_rows(
            conn, NOW, known))
        self.assertEqual({changed['id']: 0, gone['id']: gone['id']},
                         {r['id']: r['deleted'] for r in rows.nodes})
        self.assertEqual([], list(rows.services))
        # Nodes h1 and h4, the three services.
        self.assertEqual(2 + 3, rows.unchanged)
        # The rows left out count for the watermark.
        self.assertEqual(later, rows.newest)
        self.assertNotIn(same['id'], {r['id'] for r in rows.nodes})
        # The same read without ``known`` returns them all.
        every = self.read_cell(lambda conn: cell_reader.read_compute_rows(
            conn, NOW))
        self.assertEqual(4, len(every.nodes))
        self.assertEqual(0, every.unchanged)
        # A full read ignores ``known`` (absent rows mean deleted there).
        full = self.read_cell(lambda conn: cell_reader.read_compute_rows(
            conn, None, known))
        self.assertEqual(2, len(full.nodes))

    def test_instances_by_host(self):
        uuids = [self.dbs.add_instance('cell1', 'h1', project=p)
                 for p in ('p1', 'p2')]
        self.dbs.add_instance('cell1', 'h2', deleted=1)
        self.dbs.add_instance('cell1', None)
        everything = self.read_cell(cell_reader.read_instances)
        self.assertEqual({'h1': dict(zip(uuids, ('p1', 'p2')))}, everything)
        some = self.read_cell(lambda conn: cell_reader.read_instances(
            conn, ['h2', 'h1']))
        self.assertEqual({'h1': dict(zip(uuids, ('p1', 'p2'))), 'h2': {}},
                         some)

    def test_instances_read_in_batches(self):
        hosts = [f'h{i}' for i in range(cell_reader.BATCH + 5)]
        for host in hosts[::100]:
            self.dbs.add_instance('cell1', host)
        found = self.read_cell(lambda conn: cell_reader.read_instances(
            conn, hosts))
        self.assertEqual(len(hosts), len(found))
        self.assertEqual(len(hosts[::100]),
                         sum(len(v) for v in found.values()))

    def test_live_system_metadata(self):
        inst = self.dbs.add_instance('cell1', 'h1', system_metadata={
            'image_os_distro': 'ubuntu', 'image_hw_cpu_cores': '2'})
        self.dbs.write('cell1', t.instance_system_metadata.update().where(
            t.instance_system_metadata.c.key == 'image_hw_cpu_cores'
        ).values(deleted=1))
        found = self.read_cell(lambda conn: cell_reader.read_system_metadata(
            conn, [inst, 'other']))
        self.assertEqual({inst: {'image_os_distro': 'ubuntu'}}, found)

    def test_readers_never_write(self):
        # Every reader on a read-only connection: any write would raise.
        self.dbs.add_compute('cell1', 'h1')
        engine = engines.create_reader_engine(self.dbs.cell_url('cell1'))
        self.addCleanup(engine.dispose)
        with engine.connect() as conn:
            cell_reader.read_compute_rows(conn)
            cell_reader.read_compute_rows(conn, NOW)
            cell_reader.read_instances(conn)
            cell_reader.read_system_metadata(conn, ['x'])
            self.assertRaises(sa.exc.OperationalError, conn.execute,
                              t.instances.insert().values(uuid='x'))

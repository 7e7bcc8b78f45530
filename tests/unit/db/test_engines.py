"""Reader engines: read-only at the connection, secrets never shown."""

import os

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
import testtools

from scheduler.db import engines
from scheduler.db import tables as t
from tests.unit.db import fake_nova_db

SECRET = 'S3cr3t-canary-pw'


class ReaderEngineTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dbs = self.useFixture(fake_nova_db.FakeNovaDatabases())

    def test_sqlite_reads_and_refuses_writes(self):
        engine = engines.create_reader_engine(self.dbs.api_url)
        self.addCleanup(engine.dispose)
        with engine.connect() as conn:
            self.assertTrue(engines.session_read_only(conn))
            self.assertEqual(2, len(conn.execute(
                sa.select(t.cell_mappings)).all()))
            exc = self.assertRaises(
                sa_exc.OperationalError, conn.execute,
                t.cell_mappings.delete())
            self.assertIn('readonly', str(exc.orig))
        with self.dbs.api.connect() as conn:
            self.assertEqual(2, len(conn.execute(
                sa.select(t.cell_mappings)).all()))

    def test_sqlite_connection_kept_between_reads_and_read_only(self):
        engine = engines.create_reader_engine(self.dbs.api_url)
        self.addCleanup(engine.dispose)
        opened = []
        sa.event.listen(engine, 'connect', lambda conn, _: opened.append(
            conn))
        for _ in range(3):
            with engine.connect() as conn:
                self.assertTrue(engines.session_read_only(conn))
                self.assertRaises(sa_exc.OperationalError, conn.execute,
                                  t.cell_mappings.delete())
        self.assertEqual(1, len(opened))
        # From another thread too (cell reads run in a thread pool).
        import threading
        seen = []
        thread = threading.Thread(target=lambda: seen.append(len(
            engine.connect().execute(sa.select(t.cell_mappings)).all())))
        thread.start()
        thread.join()
        self.assertEqual([2], seen)

    def test_sqlite_file_moved_or_replaced_opens_a_new_connection(self):
        engine = engines.create_reader_engine(self.dbs.api_url)
        self.addCleanup(engine.dispose)
        with engine.connect() as conn:
            conn.execute(sa.select(t.cell_mappings)).all()
        path = self.dbs.api_url[len('sqlite:///'):]
        os.rename(path, path + '.moved')
        with open(path, 'w') as f:
            f.write('not a database' * 100)
        with engine.connect() as conn:
            # The kept connection would still read the moved file.
            self.assertRaises(sa_exc.DatabaseError, conn.execute,
                              sa.select(t.cell_mappings))
        os.remove(path)
        os.rename(path + '.moved', path)
        with engine.connect() as conn:
            self.assertEqual(2, len(conn.execute(
                sa.select(t.cell_mappings)).all()))
            self.assertTrue(engines.session_read_only(conn))

    def test_sqlite_in_memory_url(self):
        for url in ('sqlite://', 'sqlite:///:memory:'):
            engine = engines.create_reader_engine(url)
            self.addCleanup(engine.dispose)
            with engine.connect() as conn:
                self.assertTrue(engines.session_read_only(conn))
                self.assertEqual(1, conn.exec_driver_sql(
                    'SELECT 1').scalar())

    def test_sqlite_missing_file_is_an_error_and_never_created(self):
        path = os.path.join(self.dbs.dir, 'sub dir', 'missing%#.sqlite')
        os.mkdir(os.path.dirname(path))
        urls = (f'sqlite:///{path}',
                f'sqlite:///file:{self.dbs.dir}/uri.sqlite?uri=true',
                f'sqlite:///file:{self.dbs.dir}/rwc.sqlite?mode=rwc&uri=true')
        for url in urls:
            engine = engines.create_reader_engine(url)
            self.addCleanup(engine.dispose)
            exc = self.assertRaises(sa_exc.OperationalError, engine.connect)
            self.assertIn('unable to open database file', str(exc.orig))
        self.assertEqual([], os.listdir(os.path.dirname(path)))
        self.assertEqual({'api.sqlite', 'cell0.sqlite', 'cell1.sqlite',
                          'sub dir'},
                         set(os.listdir(self.dbs.dir)))

    def test_sqlite_file_of_a_url(self):
        self.assertEqual(os.path.abspath('x.sqlite'),
                         engines.sqlite_file('sqlite:///x.sqlite'))
        for url in ('sqlite://', 'sqlite:///:memory:',
                    'sqlite:///file:x?uri=true', 'mysql+pymysql://db/x',
                    f'::{SECRET}'):
            self.assertIsNone(engines.sqlite_file(url))

    def test_unsupported_backends(self):
        for backend in ('oracle', 'mssql'):
            exc = self.assertRaises(
                engines.UnsupportedDatabase, engines.create_reader_engine,
                f'{backend}://nova:{SECRET}@db/nova')
            self.assertIn(f"'{backend}'", str(exc))
            self.assertNotIn(SECRET, str(exc))

    def test_unparsable_url_not_echoed(self):
        exc = self.assertRaises(
            engines.UnsupportedDatabase, engines.create_reader_engine,
            f'::{SECRET}')
        self.assertNotIn(SECRET, str(exc))

    def test_mysql_connect_arguments_bound_every_wait(self):
        engine = engines.create_reader_engine(
            f'mysql+pymysql://nova:{SECRET}@127.0.0.1:1/nova',
            engines.PoolOptions(max_pool_size=2, max_overflow=3),
            timeout=2.5)
        self.addCleanup(engine.dispose)
        self.assertEqual(2, engine.pool.size())
        self.assertNotIn(SECRET, repr(engine))
        # Nothing listens on port 1: the failure is quick and has no URL.
        exc = self.assertRaises(sa_exc.OperationalError, engine.connect)
        self.assertNotIn(SECRET, engines.__name__ + str(exc.orig))


class EngineSetTest(testtools.TestCase):

    def test_engine_kept_per_url_and_replaced_when_it_changes(self):
        dbs = self.useFixture(fake_nova_db.FakeNovaDatabases(
            cells=('cell1', 'cell2')))
        pool = engines.EngineSet(engines.PoolOptions(), None)
        self.addCleanup(pool.dispose)
        first = pool.get('a', dbs.cell_url('cell1'))
        self.assertIs(first, pool.get('a', dbs.cell_url('cell1')))
        second = pool.get('a', dbs.cell_url('cell2'))
        self.assertIsNot(first, second)
        pool.retain({})
        self.assertIsNot(second, pool.get('a', dbs.cell_url('cell2')))
        self.assertNotIn('sqlite', repr(pool))

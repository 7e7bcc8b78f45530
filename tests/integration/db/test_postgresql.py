"""The reader on PostgreSQL, as a SELECT-only role and as a superuser.

Our own tables (scheduler.db.tables) are created and filled by the
superuser in throwaway databases; the scheduler reads them as a role that
has SELECT on the tables the README lists and nothing else. The host
states must come through, every write must be refused by the server, and
check must report SELECT only, without any password.
"""

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
import testtools

from scheduler.cmd import check
from scheduler.db import api_reader
from scheduler.db import engines
from scheduler.db import tables as t
from tests.integration import POSTGRESQL
from tests.integration import require_service
from tests.integration.db import postgresql
from tests.unit.cmd import test_check

READ_ONLY_SQLSTATE = '25006'  # read_only_sql_transaction


class PostgreSQLReaderTest(testtools.TestCase):

    def setUp(self):
        require_service('PostgreSQL', POSTGRESQL)
        super().setUp()
        self.dbs = self.useFixture(postgresql.PostgreSQLDatabases(
            cells=('cell1',)))
        self.dbs.grant_reader()
        self.dbs.add_compute('cell1', 'cmp1')
        self.dbs.add_compute('cell1', 'cmp2')
        self.dbs.add_instance('cell1', 'cmp1')
        self.dbs.add_aggregate('agg', ['cmp2'], {'ssd': 'true'})

    def reader(self, url):
        engine = engines.create_reader_engine(url, timeout=10)
        self.addCleanup(engine.dispose)
        return engine

    def test_select_only_role_reads_and_cannot_write(self):
        with self.reader(self.dbs.reader_url('api')).connect() as conn:
            self.assertTrue(engines.session_read_only(conn))
            cells = api_reader.read_cells(conn)
            self.assertEqual({'cell0', 'cell1'}, {c.name for c in cells})
            exc = self.assertRaises(sa_exc.DBAPIError, conn.execute,
                                    t.cell_mappings.delete())
            self.assertEqual(READ_ONLY_SQLSTATE, exc.orig.pgcode)
        with self.reader(self.dbs.reader_url('cell1')).connect() as conn:
            self.assertEqual(2, len(conn.execute(
                sa.select(t.compute_nodes.c.id)).all()))
            self.assertRaises(sa_exc.DBAPIError, conn.execute,
                              t.services.update().values(disabled=True))
        with self.dbs.engines['cell1'].connect() as conn:
            self.assertEqual(0, conn.execute(sa.select(sa.func.count()).where(
                t.services.c.disabled)).scalar())

    def test_read_only_session_even_for_a_superuser(self):
        # The same engine, pooled: a connection given back and taken
        # again (the pool rolls back in between) stays read-only.
        engine = self.reader(self.dbs.cell_url('cell1'))
        for _ in range(2):
            with engine.connect() as conn:
                self.assertTrue(engines.session_read_only(conn))
                exc = self.assertRaises(sa_exc.DBAPIError, conn.execute,
                                        t.services.delete())
                self.assertEqual(READ_ONLY_SQLSTATE, exc.orig.pgcode)
        with self.dbs.engines['cell1'].connect() as conn:
            self.assertEqual(2, conn.execute(
                sa.select(sa.func.count()).select_from(t.services)).scalar())

    def test_host_cache_builds_host_states(self):
        # Through check's import: scheduler.cmd must be imported before
        # host_cache (it refuses eventlet, which futurist would import).
        cache = check.host_cache.HostStateCache.from_conf(self.dbs.conf())
        self.addCleanup(cache.stop)
        cache.refresh()
        snap = cache.snapshot()
        self.assertEqual({'cmp1', 'cmp2'},
                         {s.host for s in snap.hosts.values()})
        self.assertEqual(set(), set(snap.unavailable_cells))
        by_host = {s.host: s for s in snap.hosts.values()}
        self.assertEqual(1, len(by_host['cmp1'].instances))

    def test_check_reports_select_only_without_secrets(self):
        lines = []
        code = check.run(self.dbs.conf(
            config_files=[test_check.service_conf_file(self)]),
            out=lines.append,
                         make_client=lambda conf: test_check.placement_ok(),
                         connect_broker=test_check.FakeBrokers())
        text = '\n'.join(lines)
        self.assertEqual(0, code, text)
        user, password = self.dbs.reader
        self.assertNotIn(password, text)
        self.assertIn(f'  database: postgresql://{user}:***@', text)
        self.assertIn('read-only session: yes', text)
        for table in (*t.API.tables, *t.CELL.tables):
            self.assertIn(f'    SELECT ON {table} TO {user}', text)
        self.assertNotIn('may write', text)
        self.assertNotIn('INSERT', text)

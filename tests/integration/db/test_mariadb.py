"""The host cache on MariaDB, as a SELECT-only user, against nova 34.

nova creates and fills the databases (its migrations, its objects) as a
writer; the scheduler reads them as a user that has SELECT on the tables
the README lists and nothing else. The host states must match nova's,
every write must be refused, and check must report the grants without
any password.
"""

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from scheduler.cmd import check
from scheduler.db import engines
from scheduler.db import tables as t
from tests.compat.db import test_host_cache_parity as parity
from tests.integration import MARIADB
from tests.integration import require_service
from tests.integration.db import mariadb
from tests.unit.cmd import test_check


class MariaDBMixin:
    def setUp(self):
        require_service('MariaDB', MARIADB)
        self.server = self.useFixture(mariadb.MariaDB())
        super().setUp()
        self.server.grant_reader()

    def make_backend(self):
        return self.server


class MariaDBHostStateParityTest(MariaDBMixin, parity.HostStateParityTest):
    # Every mapping a template: each service uses its own credentials.
    templated = parity.HostStateParityTest.cells


class MariaDBImagesParityTest(MariaDBMixin,
                              parity.InstanceImagesParityTest):
    templated = parity.InstanceImagesParityTest.cells


class ReadOnlyTest(MariaDBMixin, parity.ParityTestBase):
    cells = ('cell1',)
    templated = ('cell1',)

    def reader(self, name, reader=True):
        engine = engines.create_reader_engine(
            self.server.url(name, reader=reader), timeout=10)
        self.addCleanup(engine.dispose)
        return engine

    def test_select_only_user_reads_and_cannot_write(self):
        self.dbs.add_compute('cell1', 'cmp1')
        snapshot = self.ours().snapshot()
        self.assertEqual(['cmp1'], [s.host for s in snapshot.hosts.values()])
        with self.reader('api').connect() as conn:
            self.assertTrue(engines.session_read_only(conn))
            self.assertEqual(2, len(conn.execute(
                sa.select(t.cell_mappings.c.uuid)).all()))
            self.assertRaises(sa_exc.DBAPIError, conn.execute,
                              t.cell_mappings.delete())
        with self.reader('cell1').connect() as conn:
            self.assertRaises(sa_exc.DBAPIError, conn.execute,
                              t.services.update().values(disabled=True))
            # Tables we do not read are not even visible.
            self.assertRaises(sa_exc.DBAPIError, conn.exec_driver_sql,
                              'SELECT COUNT(*) FROM migrations')

    def test_read_only_session_even_for_a_user_that_may_write(self):
        with self.reader('cell1', reader=False).connect() as conn:
            self.assertTrue(engines.session_read_only(conn))
            exc = self.assertRaises(sa_exc.DBAPIError, conn.execute,
                                    t.services.delete())
            # ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
            self.assertEqual(1792, exc.orig.args[0])
        with self.dbs.target('cell1') as cctxt:
            services = parity.objects.ServiceList.get_all(cctxt)
        self.assertEqual(0, len(services))

    def test_check_reports_grants_without_secrets(self):
        self.dbs.add_compute('cell1', 'cmp1')
        lines = []
        code = check.run(self.dbs.our_conf(
            config_files=[test_check.service_conf_file(self)]),
            out=lines.append,
                         make_client=lambda conf: test_check.placement_ok(),
                         connect_broker=test_check.FakeBrokers())
        text = '\n'.join(lines)
        self.assertEqual(0, code, text)
        self.assertIn(f'TO `{self.server.reader[0]}`@`%`', text)
        self.assertIn('GRANT SELECT ON `', text)
        for _, password in (self.server.reader, self.server.writer):
            self.assertNotIn(password, text)
        self.assertIn(f'{self.server.reader[0]}:***@', text)
        # MariaDB shows the password hash; check masks it too.
        self.assertIn("IDENTIFIED BY PASSWORD '***'", text)
        self.assertNotIn('may write', text)


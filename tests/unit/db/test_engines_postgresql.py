"""PostgreSQL reader engines, without a server: URLs, arguments, hooks.

tests/integration/db/test_postgresql.py runs the same paths against the
machine's PostgreSQL.
"""

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
import testtools

from scheduler.db import engines

SECRET = 'S3cr3t-canary-pw'


class FakeCursor:
    def __init__(self, log):
        self.log = log

    def execute(self, statement):
        self.log.append(statement)

    def close(self):
        self.log.append('close')


class FakeDBAPIConnection:
    def __init__(self):
        self.log = []

    def cursor(self):
        return FakeCursor(self.log)

    def commit(self):
        self.log.append('commit')


class FakeResult:
    def __init__(self, value):
        self.value = value

    def scalar(self):
        return self.value


class FakeConnection:
    """A connection whose server answers SHOW with ``value``."""

    def __init__(self, value, dialect='postgresql'):
        self.dialect = type('Dialect', (), {'name': dialect})()
        self.value = value
        self.asked = []

    def exec_driver_sql(self, statement):
        self.asked.append(statement)
        return FakeResult(self.value)


class PostgreSQLEngineTest(testtools.TestCase):

    def test_both_url_schemes_are_supported(self):
        for scheme in ('postgresql', 'postgresql+psycopg2'):
            engine = engines.create_reader_engine(
                f'{scheme}://nova:{SECRET}@127.0.0.1:1/nova',
                engines.PoolOptions(max_pool_size=2, max_overflow=3))
            self.addCleanup(engine.dispose)
            self.assertEqual('postgresql', engine.dialect.name)
            self.assertEqual('psycopg2', engine.dialect.driver)
            self.assertEqual(2, engine.pool.size())
            self.assertTrue(event.contains(
                engine, 'connect', engines._postgresql_read_only))
            self.assertFalse(event.contains(
                engine, 'connect', engines._mysql_read_only))
            self.assertNotIn(SECRET, repr(engine))

    def test_other_postgresql_drivers_are_refused(self):
        exc = self.assertRaises(
            engines.UnsupportedDatabase, engines.create_reader_engine,
            f'postgresql+pg8000://nova:{SECRET}@db/nova')
        self.assertIn('psycopg2', str(exc))
        self.assertNotIn(SECRET, str(exc))

    def test_timeout_bounds_connecting_and_each_statement(self):
        self.assertEqual(
            {'connect_timeout': 3, 'options': '-c statement_timeout=3000'},
            engines._connect_args('postgresql', 2.5))
        self.assertEqual({}, engines._connect_args('postgresql', None))

    def test_unreachable_server_fails_quickly_without_the_url(self):
        engine = engines.create_reader_engine(
            f'postgresql://nova:{SECRET}@127.0.0.1:1/nova', timeout=2)
        self.addCleanup(engine.dispose)
        # Nothing listens on port 1.
        exc = self.assertRaises(sa_exc.OperationalError, engine.connect)
        self.assertNotIn(SECRET, str(exc.orig))

    def test_read_only_is_committed_so_a_rollback_keeps_it(self):
        conn = FakeDBAPIConnection()
        engines._postgresql_read_only(conn, None)
        self.assertEqual(
            ['SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY',
             'close', 'commit'], conn.log)

    def test_session_read_only_asks_the_server(self):
        for value, expected in (('on', True), ('off', False)):
            conn = FakeConnection(value)
            self.assertIs(expected, engines.session_read_only(conn))
            self.assertEqual(['SHOW transaction_read_only'], conn.asked)

    def test_unknown_dialect_is_unknown(self):
        self.assertIsNone(engines.session_read_only(
            FakeConnection('on', dialect='oracle')))

    def test_mask_applies_to_postgresql_urls(self):
        from scheduler.db import urls
        self.assertEqual(
            'postgresql+psycopg2://nova:***@db/nova?sslmode=***',
            urls.mask_url(f'postgresql+psycopg2://nova:{SECRET}@db/nova'
                          '?sslmode=require'))
        self.assertIsInstance(sa.make_url('postgresql://db/nova'), sa.URL)

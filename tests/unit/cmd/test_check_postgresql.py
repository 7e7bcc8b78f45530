"""check's PostgreSQL privilege report, against a fake server."""

import contextlib

import sqlalchemy as sa
import testtools

from scheduler.cmd import check
from scheduler.cmd import check_report
from scheduler.db import tables as t


class FakeResult:
    def __init__(self, value=None):
        self.value = value

    def scalar(self):
        return self.value

    def all(self):
        return []


class FakePostgreSQL:
    """Answers has_table_privilege from ``held``: {table: {privilege}}."""

    def __init__(self, user, held):
        self.dialect = type('Dialect', (), {'name': 'postgresql'})()
        self.url = sa.make_url(f'postgresql://{user}:S3cr3t@db/nova_api')
        self.user = user
        self.held = held

    def exec_driver_sql(self, statement):
        if statement == 'SELECT current_user':
            return FakeResult(self.user)
        if statement == 'SHOW transaction_read_only':
            return FakeResult('on')
        raise AssertionError(statement)

    def execute(self, statement, params=None):
        if statement is check._PG_HAS:
            return FakeResult(
                params['priv'] in self.held.get(params['table'], ()))
        return FakeResult()

    @contextlib.contextmanager
    def connect(self):
        yield self


class PostgreSQLGrantsTest(testtools.TestCase):

    def run_check(self, held):
        builder = check_report.CheckBuilder('API database')
        server = FakePostgreSQL('sched_delete_me', held)
        ok = check._check_database(builder, server,
                                   tuple(t.API.tables.values()))
        report = builder.result()
        return ok, report, '\n'.join(report.details)

    def test_select_only_is_reported_without_a_warning(self):
        ok, report, text = self.run_check(
            {name: {'SELECT'} for name in t.API.tables})
        self.assertTrue(ok)
        self.assertEqual(0, report.problems)
        self.assertEqual(check_report.Result.SUCCESS, report.result)
        self.assertIn('read-only session: yes', text)
        for name in t.API.tables:
            self.assertIn(f'  SELECT ON {name} TO sched_delete_me', text)
        # A write word in the user's name is not a write privilege.
        self.assertNotIn('WARNING', text)

    def test_write_privileges_are_listed_and_warned_about(self):
        held = {name: {'SELECT'} for name in t.API.tables}
        held['aggregates'] = {'SELECT', 'UPDATE', 'TRUNCATE'}
        del held['host_mappings']
        _, report, text = self.run_check(held)
        self.assertEqual(check_report.Result.WARNING, report.result)
        self.assertIn('SELECT, UPDATE, TRUNCATE ON aggregates TO', text)
        self.assertIn('no privileges ON host_mappings TO', text)
        self.assertIn('WARNING: this user may write', text)

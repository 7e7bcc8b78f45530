"""hardened-scheduler-manage check, on nova-shaped SQLite databases."""

import uuid as uuid_mod

import testtools

from scheduler.cmd import check
from scheduler.cmd import manage
from scheduler.placement import client as client_mod
from tests.unit.db import fake_nova_db
from tests.unit.placement import fake_placement

SECRET = 'S3cr3t-canary-pw'
ROOT = {'versions': [{'id': 'v1.0', 'max_version': '1.39',
                      'min_version': '1.0', 'status': 'CURRENT'}]}


def placement_ok():
    return client_mod.PlacementClient(adapter=fake_placement.FakeAdapter(
        fake_placement.FakeResponse(200, ROOT),
        fake_placement.FakeResponse(200, {'resource_providers': []})),
        retry_attempts=1)


class CheckTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dbs = self.useFixture(fake_nova_db.FakeNovaDatabases(
            cells=('cell1', 'cell2')))
        self.dbs.add_compute('cell1', 'h1')
        self.dbs.add_instance('cell1', 'h1')
        self.dbs.add_compute('cell2', 'h2')
        self.dbs.add_aggregate('a', ['h1'])
        self.lines = []

    def run_check(self, client=None, **groups):
        code = check.run(self.dbs.conf(**groups), out=self.lines.append,
                         make_client=lambda conf: client or placement_ok())
        return code, '\n'.join(self.lines)

    def test_reports_what_it_finds(self):
        code, text = self.run_check()
        self.assertEqual(0, code, text)
        self.assertIn('API database: sqlite:///', text)
        self.assertIn('cells: 3 (2 schedulable), host mappings: 2, '
                      'aggregates: 1', text)
        self.assertIn('read-only session: yes', text)
        self.assertIn('grants: not applicable (SQLite)', text)
        self.assertIn('compute services: 1 (0 disabled), compute nodes: 1, '
                      'instances: 1', text)
        self.assertIn('skipped (cell0)', text)
        self.assertIn('Host states: 2 usable compute nodes', text)
        self.assertIn('Placement: reachable, max microversion 1.39', text)
        self.assertEqual('OK', self.lines[-1])

    def test_left_out_node_is_a_warning(self):
        self.dbs.add_compute('cell1', 'h3', free_disk_gb=None)
        code, text = self.run_check()
        self.assertEqual(0, code, text)
        self.assertIn('WARNING: compute node', text)
        self.assertIn('free_disk_gb NULL', text)

    def test_unreachable_cell_is_a_problem_and_its_password_masked(self):
        self.dbs.add_cell('far', str(uuid_mod.uuid4()), create=False,
                          url=f'mysql+pymysql://nova:{SECRET}@127.0.0.1:1/'
                          'nova_far')
        code, text = self.run_check(
            hardened_scheduler={'cell_database_timeout': 5})
        self.assertEqual(1, code, text)
        self.assertNotIn(SECRET, text)
        self.assertIn('mysql+pymysql://nova:***@127.0.0.1:1/nova_far', text)
        self.assertIn('cannot connect', text)
        self.assertIn('could not be read', text)
        self.assertTrue(self.lines[-1].startswith('FAILED'))

    def test_placement_failure(self):
        client = client_mod.PlacementClient(
            adapter=fake_placement.FakeAdapter(
                fake_placement.FakeResponse(200, ROOT),
                fake_placement.error(
                    401, None, f'token {fake_placement.CANARY} rejected')),
            retry_attempts=1)
        code, text = self.run_check(client)
        self.assertEqual(1, code)
        self.assertIn('ERROR: Placement GET /resource_providers failed: '
                      'HTTP 401', text)
        self.assertNotIn(fake_placement.CANARY, text)

    def test_missing_api_connection(self):
        conf = self.dbs.conf()
        conf.clear_override('connection', 'api_database')
        code = check.run(conf, out=self.lines.append,
                         make_client=lambda conf: placement_ok())
        self.assertEqual(1, code)
        self.assertIn('ERROR: [api_database]connection is not set',
                      self.lines)

    def test_registered_as_a_manage_command(self):
        self.assertIn('check', manage.COMMANDS)


class MaskGrantTest(testtools.TestCase):

    def test_password_hashes_masked(self):
        line = ("GRANT USAGE ON *.* TO `sched`@`%` IDENTIFIED BY PASSWORD "
                "'*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19'")
        self.assertEqual("GRANT USAGE ON *.* TO `sched`@`%` IDENTIFIED BY "
                         "PASSWORD '***'", check.mask_grant(line))
        line = ("GRANT ALL ON *.* TO 'u'@'h' IDENTIFIED VIA ed25519 USING "
                "'abc' OR unix_socket")
        self.assertNotIn('abc', check.mask_grant(line))
        plain = 'GRANT SELECT ON `nova_api`.`aggregates` TO `sched`@`%`'
        self.assertEqual(plain, check.mask_grant(plain))

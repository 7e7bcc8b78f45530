"""hardened-scheduler-manage check, on nova-shaped SQLite databases."""

import argparse
import json
import os
import ssl
import uuid as uuid_mod

import fixtures
import testtools
import yaml

from scheduler.cmd import check
from scheduler.cmd import check_bus
from scheduler.cmd import check_report
from scheduler.cmd import outcome
from scheduler.placement import client as client_mod
from tests.unit.db import fake_nova_db
from tests.unit.placement import fake_placement

SECRET = 'S3cr3t-canary-pw'
ROOT = {'versions': [{'id': 'v1.0', 'max_version': '1.39',
                      'min_version': '1.0', 'status': 'CURRENT'}]}
CELL1 = f'Cell {uuid_mod.UUID(int=1)}(cell1)'


def placement_ok():
    return client_mod.PlacementClient(adapter=fake_placement.FakeAdapter(
        fake_placement.FakeResponse(200, ROOT),
        fake_placement.FakeResponse(200, {'resource_providers': []})),
        retry_attempts=1)


def service_conf_file(test):
    """A nova.conf with what the Configuration check needs besides the
    databases (which the tests set as overrides)."""
    path = test.useFixture(fixtures.TempDir()).join('nova.conf')
    with open(path, 'w') as f:
        f.write('[placement]\nauth_type = admin_token\ntoken = t\n'
                'endpoint_override = http://127.0.0.1:1/\n')
    return path


class FakeBrokers:
    """check_bus.connect's stand-in: refuses the hosts in ``down``."""

    def __init__(self, down=()):
        self.down = set(down)
        self.seen = []

    def __call__(self, broker):
        self.seen.append(broker)
        if broker.hostname in self.down:
            # An error that echoes the password, as a driver's might.
            raise ConnectionRefusedError(
                f'refused for {broker.username}:{broker.password}')


class CheckTestBase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dbs = self.useFixture(fake_nova_db.FakeNovaDatabases(
            cells=('cell1', 'cell2')))
        self.dbs.add_compute('cell1', 'h1')
        self.dbs.add_instance('cell1', 'h1')
        self.dbs.add_compute('cell2', 'h2')
        self.dbs.add_aggregate('a', ['h1'])
        self.lines = []
        self.brokers = FakeBrokers()
        self.nova_conf = service_conf_file(self)

    def conf(self, **groups):
        """The fixture's configuration with oslo.messaging's options."""
        late = {group: groups.pop(group) for group in (
            'DEFAULT', 'oslo_messaging_rabbit') if group in groups}
        conf = self.dbs.conf(config_files=[self.nova_conf], **groups)
        check_bus.register_opts(conf)
        for group, values in late.items():
            for name, value in values.items():
                conf.set_override(name, value,
                                  None if group == 'DEFAULT' else group)
        return conf

    def run_check(self, client=None, fmt='table', conf=None, **groups):
        self.lines = []
        code = check.run(conf or self.conf(**groups), fmt=fmt,
                         out=self.lines.append,
                         make_client=lambda conf: client or placement_ok(),
                         connect_broker=self.brokers)
        return code, '\n'.join(self.lines)

    def run_json(self, **kwargs):
        code, text = self.run_check(fmt='json', **kwargs)
        return code, json.loads(text)


class CheckTest(CheckTestBase):

    def test_reports_each_check_with_its_result(self):
        code, text = self.run_check()
        self.assertEqual(outcome.OK, code, text)
        self.assertIn('API database: Success\n'
                      '  database: sqlite:///', text)
        self.assertIn('  cells: 3 (2 schedulable), host mappings: 2, '
                      'aggregates: 1', text)
        self.assertIn('  read-only session: yes', text)
        self.assertIn('  grants: not applicable (SQLite)', text)
        self.assertIn(f'{CELL1}: Success\n', text)
        self.assertIn('  compute services: 1 (0 disabled), compute nodes: '
                      '1, instances: 1', text)
        self.assertIn('(cell0): Success\n  skipped (cell0)', text)
        self.assertIn('Host states: Success\n  2 usable compute nodes', text)
        self.assertIn('Placement: Success\n'
                      '  reachable, max microversion 1.39', text)
        self.assertIn('Message bus: Success\n', text)
        self.assertIn('  rabbit://guest:***@localhost:5672/: reachable', text)
        self.assertEqual('Result: Success', self.lines[-1])

    def test_json_document(self):
        code, doc = self.run_json()
        self.assertEqual(outcome.OK, code)
        # Only the document: one print.
        self.assertEqual(1, len(self.lines))
        self.assertEqual({'result', 'checks'}, set(doc))
        self.assertEqual('Success', doc['result'])
        self.assertEqual(
            ['Configuration', 'API database',
             'Cell 00000000-0000-0000-0000-000000000000'
             '(cell0)', CELL1, f'Cell {uuid_mod.UUID(int=2)}(cell2)',
             'Host states', 'Placement', 'Message bus'],
            [c['check'] for c in doc['checks']])
        self.assertEqual([f'files: {self.nova_conf}'],
                         doc['checks'][0]['details'])
        for item in doc['checks']:
            self.assertEqual({'check', 'result', 'details'}, set(item))
            self.assertEqual('Success', item['result'])
            self.assertIsInstance(item['details'], list)
        self.assertIn('reachable, max microversion 1.39',
                      doc['checks'][6]['details'])

    def test_yaml_document_is_the_json_document(self):
        _, doc = self.run_json()
        code, text = self.run_check(fmt='yaml')
        self.assertEqual(outcome.OK, code)
        self.assertEqual(1, len(self.lines))
        self.assertEqual(doc, yaml.safe_load(text))

    def test_left_out_node_is_a_warning_exit_1(self):
        self.dbs.add_compute('cell1', 'h3', free_disk_gb=None)
        code, text = self.run_check()
        self.assertEqual(outcome.WARNING, code, text)
        self.assertIn('Host states: Warning', text)
        self.assertIn('  WARNING: compute node', text)
        self.assertIn('free_disk_gb NULL', text)
        self.assertEqual('Result: Warning (1 warning)', self.lines[-1])
        _, doc = self.run_json()
        self.assertEqual('Warning', doc['result'])

    def test_unreachable_cell_is_a_failure_exit_2_password_masked(self):
        self.dbs.add_cell('far', str(uuid_mod.uuid4()), create=False,
                          url=f'mysql+pymysql://nova:{SECRET}@127.0.0.1:1/'
                          'nova_far')
        code, text = self.run_check(
            hardened_scheduler={'cell_database_timeout': 5})
        self.assertEqual(outcome.FAILURE, code, text)
        self.assertNotIn(SECRET, text)
        self.assertIn('(far): Failure\n  database: '
                      'mysql+pymysql://nova:***@127.0.0.1:1/nova_far', text)
        self.assertIn('  ERROR: cannot connect', text)
        self.assertIn('could not be read', text)
        self.assertTrue(self.lines[-1].startswith('Result: Failure (2 '
                                                  'problems'))
        code, text = self.run_check(
            fmt='json', hardened_scheduler={'cell_database_timeout': 5})
        self.assertEqual(outcome.FAILURE, code)
        self.assertNotIn(SECRET, text)
        self.assertEqual('Failure', json.loads(text)['result'])

    def test_placement_failure(self):
        client = client_mod.PlacementClient(
            adapter=fake_placement.FakeAdapter(
                fake_placement.FakeResponse(200, ROOT),
                fake_placement.error(
                    401, None, f'token {fake_placement.CANARY} rejected')),
            retry_attempts=1)
        code, text = self.run_check(client)
        self.assertEqual(outcome.FAILURE, code)
        self.assertIn('Placement: Failure\n  ERROR: Placement GET '
                      '/resource_providers failed: HTTP 401', text)
        self.assertNotIn(fake_placement.CANARY, text)

    def test_missing_api_connection(self):
        conf = self.dbs.conf(config_files=[self.nova_conf])
        conf.clear_override('connection', 'api_database')
        code, doc = self.run_json(conf=conf)
        self.assertEqual(outcome.FAILURE, code)
        configuration, api, host_states = doc['checks'][:3]
        # The service would refuse to start, and says the same.
        self.assertEqual(
            ['ERROR: [api_database] connection is not set: the host states '
             "are read from nova's databases"],
            configuration['details'][1:])
        self.assertEqual({'check': 'API database', 'result': 'Failure',
                          'details': ['ERROR: [api_database]connection is '
                                      'not set']}, api)
        self.assertEqual('Host states', host_states['check'])
        self.assertEqual('Failure', host_states['result'])
        # Placement and the message bus are checked all the same.
        self.assertEqual(['Placement', 'Message bus'],
                         [c['check'] for c in doc['checks'][3:]])


class MissingSQLiteFileTest(CheckTestBase):

    def test_missing_api_database_file_is_reported_not_created(self):
        path = os.path.join(self.dbs.dir, 'gone', 'api.sqlite')
        os.mkdir(os.path.dirname(path))
        code, text = self.run_check(
            api_database={'connection': f'sqlite:///{path}'})
        self.assertEqual(outcome.FAILURE, code, text)
        self.assertIn(f'API database: Failure\n  database: sqlite:///{path}'
                      f'\n  ERROR: database file {path} does not exist', text)
        self.assertEqual([], os.listdir(os.path.dirname(path)))

    def test_missing_cell_database_file_is_reported_not_created(self):
        path = os.path.join(self.dbs.dir, 'far.sqlite')
        self.dbs.add_cell('far', str(uuid_mod.uuid4()), create=False,
                          url=f'sqlite:///{path}')
        code, text = self.run_check()
        self.assertEqual(outcome.FAILURE, code, text)
        self.assertIn(f'ERROR: database file {path} does not exist', text)
        # The host-state build (the service's own readers) fails on it
        # too, without creating it either.
        self.assertIn('could not be read', text)
        self.assertFalse(os.path.exists(path))


class MessageBusTest(CheckTestBase):

    def bus(self, **default):
        conf = self.conf(DEFAULT=default)
        result = check_bus.check_message_bus(conf, self.brokers)
        self.assertNotIn(SECRET, repr(result))
        return result

    def test_default_transport_url_is_guest_on_localhost(self):
        result = self.bus()
        self.assertEqual(check_report.Result.SUCCESS, result.result)
        [broker] = self.brokers.seen
        self.assertEqual(('localhost', 5672, 'guest', 'guest', '', None),
                         (broker.hostname, broker.port, broker.username,
                          broker.password, broker.virtual_host, broker.tls))
        self.assertEqual('AMQPLAIN', broker.login_method)

    def test_every_host_checked_with_its_credentials_masked(self):
        result = self.bus(transport_url=(
            f'rabbit://nova:{SECRET}@mq1:5671,nova:{SECRET}@[::1]/vhost'))
        self.assertEqual(check_report.Result.SUCCESS, result.result)
        self.assertEqual(
            [('mq1', 5671, 'nova', SECRET, 'vhost'),
             ('::1', 5672, 'nova', SECRET, 'vhost')],
            [(b.hostname, b.port, b.username, b.password, b.virtual_host)
             for b in self.brokers.seen])
        self.assertEqual(
            ('rabbit://nova:***@mq1:5671/vhost: reachable, logged in',
             'rabbit://nova:***@[::1]:5672/vhost: reachable, logged in'),
            result.details)
        self.assertNotIn(SECRET, repr(self.brokers.seen))

    def test_one_host_down_is_a_warning_all_down_a_failure(self):
        url = f'rabbit://nova:{SECRET}@mq1,nova:{SECRET}@mq2/'
        self.brokers.down = {'mq1'}
        result = self.bus(transport_url=url)
        self.assertEqual(check_report.Result.WARNING, result.result)
        self.assertIn('WARNING: rabbit://nova:***@mq1:5672/: cannot connect:'
                      ' ConnectionRefusedError: refused for nova:***',
                      result.details)
        self.brokers.down = {'mq1', 'mq2'}
        result = self.bus(transport_url=url)
        self.assertEqual(check_report.Result.FAILURE, result.result)
        self.assertEqual(2, result.problems)
        code, text = self.run_check(DEFAULT={'transport_url': url})
        self.assertEqual(outcome.FAILURE, code)
        self.assertIn('Message bus: Failure', text)
        self.assertNotIn(SECRET, text)

    def test_other_drivers_are_not_checked_a_warning(self):
        result = self.bus(transport_url='fake://')
        self.assertEqual(check_report.Result.WARNING, result.result)
        self.assertEqual(("WARNING: transport_url driver 'fake' not checked "
                          "(only rabbit is)",), result.details)
        self.assertEqual([], self.brokers.seen)
        code, _ = self.run_check(DEFAULT={'transport_url': 'fake://'})
        self.assertEqual(outcome.WARNING, code)

    def test_unknown_driver_and_invalid_url_are_failures(self):
        result = self.bus(transport_url=f'nope://u:{SECRET}@h/')
        self.assertEqual(check_report.Result.FAILURE, result.result)
        self.assertIn("'nope' is not an oslo.messaging driver",
                      result.details[0])
        result = self.bus(transport_url=f'//u:{SECRET}@h/')
        self.assertEqual(check_report.Result.FAILURE, result.result)
        self.assertIn('not a valid transport URL', result.details[0])

    def test_tls_options(self):
        conf = self.conf(
            oslo_messaging_rabbit={'ssl': True, 'ssl_ca_file': '/etc/ca.pem',
                                   'ssl_version': 'TLSv1_2'},
            DEFAULT={'transport_url': 'rabbit://u:p@mq1:5671/'})
        result = check_bus.check_message_bus(conf, self.brokers)
        self.assertEqual(('rabbit://u:***@mq1:5671/ (TLS): reachable, '
                          'logged in',), result.details)
        [broker] = self.brokers.seen
        self.assertEqual({'ca_certs': '/etc/ca.pem',
                          'cert_reqs': ssl.CERT_REQUIRED,
                          'server_hostname': 'mq1',
                          'ssl_version': ssl.PROTOCOL_TLSv1_2},
                         broker.tls.for_kombu(broker.hostname))
        conf.set_override('ssl_version', 'TLSv9', 'oslo_messaging_rabbit')
        result = check_bus.check_message_bus(conf, self.brokers)
        self.assertEqual(check_report.Result.FAILURE, result.result)
        self.assertIn("ssl_version 'TLSv9' is not available",
                      result.details[0])
        conf.clear_override('ssl_version', 'oslo_messaging_rabbit')
        conf.clear_override('ssl_ca_file', 'oslo_messaging_rabbit')
        self.assertTrue(check_bus.brokers(
            conf, check_bus.oslo_messaging.TransportURL.parse(conf)
        )[0].tls.for_kombu('mq1'))

    def test_describe_error_masks_the_password(self):
        self.assertEqual(
            'OSError: bad *** login',
            check_bus.describe_error(OSError(f'bad {SECRET} login'), SECRET))
        self.assertEqual('TimeoutError',
                         check_bus.describe_error(TimeoutError(), SECRET))


class CommandTest(testtools.TestCase):

    def test_format_argument_and_exit_codes_documented(self):
        parser = argparse.ArgumentParser()
        check.add_arguments(parser)
        self.assertEqual('table', parser.parse_args([]).format)
        self.assertEqual('yaml', parser.parse_args(['-f', 'yaml']).format)
        self.assertIn('0 every check succeeded, 1 warnings only, 2 a check '
                      'failed', ' '.join(check.DESCRIPTION.split()))
        self.assertIn('255 an unexpected error', check.DESCRIPTION)
        self.assertNotIn('\n', check.HELP)


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

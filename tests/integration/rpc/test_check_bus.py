"""check's message bus check against the machine's RabbitMQ.

guest/guest on 127.0.0.1:5672, RabbitMQ's defaults: the bus is reported
reachable; a wrong password and a closed port are failures, and the
password is never printed.
"""

import json
import socket

import testtools

from scheduler.cmd import check
from scheduler.cmd import check_bus
from scheduler.cmd import check_report
from scheduler.cmd import outcome
from tests import integration
from tests.unit.cmd import test_check
from tests.unit.db import fake_nova_db

WRONG = 'Wr0ng-canary-pw'


def closed_port():
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class MessageBusCheckTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        integration.require_service('RabbitMQ', integration.RABBITMQ)
        self.dbs = self.useFixture(fake_nova_db.FakeNovaDatabases())
        self.dbs.add_compute('cell1', 'cmp1')

    def conf(self, transport_url=None):
        conf = self.dbs.conf(
            config_files=[test_check.service_conf_file(self)])
        check_bus.register_opts(conf)
        if transport_url is not None:
            conf.set_override('transport_url', transport_url)
        return conf

    def run_check(self, conf, fmt='table'):
        lines = []
        code = check.run(conf, fmt=fmt, out=lines.append,
                         make_client=lambda conf: test_check.placement_ok())
        return code, '\n'.join(lines)

    def test_reachable(self):
        url = 'rabbit://guest:guest@127.0.0.1:5672/'
        code, text = self.run_check(self.conf(url))
        self.assertEqual(outcome.OK, code, text)
        self.assertIn('Message bus: Success\n'
                      '  rabbit://guest:***@127.0.0.1:5672/: reachable, '
                      'logged in', text)

    def test_default_transport_url_is_localhost(self):
        result = check_bus.check_message_bus(self.conf())
        self.assertEqual(check_report.Result.SUCCESS, result.result,
                         result.details)
        self.assertIn('rabbit://guest:***@localhost:5672/: reachable, '
                      'logged in', result.details)

    def test_wrong_password_is_a_failure_without_the_password(self):
        url = f'rabbit://guest:{WRONG}@127.0.0.1:5672/'
        for fmt in ('table', 'json', 'yaml'):
            code, text = self.run_check(self.conf(url), fmt)
            self.assertEqual(outcome.FAILURE, code, text)
            self.assertNotIn(WRONG, text)
        bus = json.loads(self.run_check(self.conf(url), 'json')[1])[
            'checks'][-1]
        self.assertEqual('Message bus', bus['check'])
        self.assertEqual('Failure', bus['result'])
        [detail] = bus['details']
        self.assertTrue(detail.startswith(
            'ERROR: rabbit://guest:***@127.0.0.1:5672/: cannot connect: '
            'AccessRefused'), detail)

    def test_closed_port_is_a_failure(self):
        port = closed_port()
        url = f'rabbit://guest:{WRONG}@127.0.0.1:{port}/'
        result = check_bus.check_message_bus(self.conf(url))
        self.assertEqual(check_report.Result.FAILURE, result.result)
        self.assertEqual(
            (f'ERROR: rabbit://guest:***@127.0.0.1:{port}/: cannot connect: '
             'ConnectionRefusedError: [Errno 111] Connection refused',),
            result.details)
        self.assertNotIn(WRONG, repr(result))

    def test_one_host_down_of_two_is_a_warning(self):
        url = (f'rabbit://guest:guest@127.0.0.1:5672,'
               f'guest:guest@127.0.0.1:{closed_port()}/')
        code, text = self.run_check(self.conf(url))
        self.assertEqual(outcome.WARNING, code, text)
        self.assertIn('Message bus: Warning', text)

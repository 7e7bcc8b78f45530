"""The functional suites themselves, run with canary secrets planted.

test_canary_scan drives one service through every outcome; this runs the
other functional suites unchanged (their own assertions must still pass)
with canaries planted in their request contexts, in the configuration
every test's service reads, and in every error body Placement returns,
with logging at DEBUG through the production redaction filter. Every log
line, every RPC reply and every decision notification handed to
oslo.messaging is captured and scanned: no canary may appear.
"""

import dataclasses
import json
import logging
import unittest

import fixtures
from oslo_config import cfg
from oslo_messaging._drivers import impl_fake
from oslo_messaging._drivers import common as rpc_common
from oslo_serialization import jsonutils
import testtools

from scheduler import conf as conf_pkg
from scheduler import decision_record
from scheduler import redaction
from tests.functional import cloud as cloud_mod
from tests.functional import placement_service
from tests.functional import test_authorization
from tests.functional.rpc import test_service as rpc_test_service

CANARY = 'CANARYsuites9b2'
TOKEN = f'gAAAAAB{CANARY}token'
SUITES = (
    'tests.functional.test_scheduling',
    'tests.functional.test_authorization',
    'tests.functional.test_decision_record',
    'tests.functional.test_metrics',
    'tests.functional.test_routed_networks',
    'tests.functional.rpc.test_service',
    'tests.functional.rpc.test_decision_notification',
)
# Options every test's service reads or could log; none is needed by
# the tests themselves (their transports and databases are explicit).
CANARY_CONFIG = (
    '\n[DEFAULT]\n'
    f'transport_url = rabbit://nova:{CANARY}mq@mq.invalid:5672/\n'
    '[oslo_messaging_notifications]\n'
    f'transport_url = rabbit://nova:{CANARY}notif@mq.invalid:5672/\n'
    f'[hardened_scheduler]\nlog_identifier_key = {CANARY}key\n')


def canary_errors(app):
    """Placement, with a canary in the detail of every error body."""
    def wrapped(environ, start_response):
        captured = {}

        def capture(status, headers, exc_info=None):
            captured['status'], captured['headers'] = status, headers
            return lambda data: None

        body = b''.join(app(environ, capture))
        status, headers = captured['status'], captured['headers']
        if int(status.split()[0]) >= 400 and body.startswith(b'{'):
            data = json.loads(body)
            for error in data.get('errors', []):
                error['detail'] = (f'{error.get("detail", "")} token '
                                   f'{TOKEN} at mysql://u:{CANARY}db@h/p')
            body = json.dumps(data).encode()
            headers = [(k, v) for k, v in headers
                       if k.lower() != 'content-length']
            headers.append(('Content-Length', str(len(body))))
        start_response(status, headers)
        return [body]
    return wrapped


class CanarySuitesTest(testtools.TestCase):

    def plant(self):
        for name in ('CONTEXT', 'MEMBER'):
            context = getattr(cloud_mod, name)
            self.useFixture(fixtures.MonkeyPatch(
                f'tests.functional.cloud.{name}',
                dataclasses.replace(context, auth_token=TOKEN)))
        member = test_authorization.member

        def member_with_canary(*args, **kwargs):
            return dataclasses.replace(member(*args, **kwargs),
                                       auth_token=TOKEN)
        self.useFixture(fixtures.MonkeyPatch(
            'tests.functional.test_authorization.member', member_with_canary))
        self.useFixture(fixtures.MonkeyPatch(
            'tests.functional.rpc.test_service.CONTEXT',
            {**rpc_test_service.CONTEXT, 'auth_token': TOKEN}))
        init = placement_service.PlacementService.__init__

        def init_with_canaries(service, extra_config='', wrap_app=None):
            def wrap(app):
                app = canary_errors(app)
                return wrap_app(app) if wrap_app else app
            init(service, extra_config + CANARY_CONFIG, wrap_app=wrap)
        self.useFixture(fixtures.MonkeyPatch(
            'tests.functional.placement_service.PlacementService.__init__',
            init_with_canaries))

    def capture(self):
        self.replies, self.notifications = [], []
        deliver = impl_fake.FakeIncomingMessage.reply

        def reply(incoming, reply=None, failure=None):
            self.replies.append(jsonutils.dumps({
                'result': reply, 'failure': (
                    rpc_common.serialize_remote_exception(failure)
                    if failure else None)}))
            deliver(incoming, reply=reply, failure=failure)
        self.useFixture(fixtures.MonkeyPatch(
            'oslo_messaging._drivers.impl_fake.FakeIncomingMessage.reply',
            reply))
        send = decision_record.DecisionLog._send

        def notify(log, ctxt, payload):
            self.notifications.append(jsonutils.dumps([ctxt, payload]))
            send(log, ctxt, payload)
        self.useFixture(fixtures.MonkeyPatch(
            'scheduler.decision_record.DecisionLog._send', notify))
        # Set up by hand, not with useFixture: the DEBUG output of the
        # suites run below is several MB, more than one subunit packet
        # holds, and the assertions quote what they find.
        self.log = fixtures.FakeLogger(
            level=logging.DEBUG, format='%(levelname)s %(name)s %(message)s')
        self.log.setUp()
        self.addCleanup(self.log.cleanUp)
        conf = cfg.ConfigOpts()
        conf_pkg.register_opts(conf)
        conf([], default_config_files=[])
        redaction.install(conf)
        self.addCleanup(redaction.uninstall)

    def test_functional_suites_leak_no_canary(self):
        self.plant()
        self.capture()
        suite = unittest.defaultTestLoader.loadTestsFromNames(SUITES)
        result = unittest.TestResult()
        suite.run(result)
        problems = [(str(test), text[-600:])
                    for test, text in result.errors + result.failures]
        self.assertEqual([], problems)
        self.assertGreater(result.testsRun, 60)
        # The capture sees every logger's lines: a line that names a
        # canary outside any secret shape would be found (and is left out
        # of the scan below); the same canary in a URL is masked.
        probe = logging.getLogger('scheduler.canary_probe')
        probe.debug('probe %s', CANARY)
        probe.debug('probe mysql+pymysql://u:%s@db/nova', CANARY)
        lines = self.log.output.splitlines()
        self.assertIn(f'DEBUG scheduler.canary_probe probe {CANARY}', lines)
        self.assertIn('DEBUG scheduler.canary_probe probe '
                      'mysql+pymysql://u:***@db/nova', lines)
        log_text = '\n'.join(line for line in lines
                             if 'canary_probe' not in line)
        self.assertIn('Decision: ', log_text)
        self.assertGreater(len(self.replies), 10)
        self.assertGreater(len(self.notifications), 0)
        leaks = {name: _around(text) for name, text in (
            ('log', log_text),
            ('replies', '\n'.join(self.replies)),
            ('notifications', '\n'.join(self.notifications)))
            if CANARY in text}
        self.assertEqual({}, leaks)


def _around(text, width=200):
    found, at = [], text.find(CANARY)
    while at >= 0 and len(found) < 5:
        found.append(text[max(0, at - width):at + 60])
        at = text.find(CANARY, at + 1)
    return found

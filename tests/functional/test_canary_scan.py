"""Canary secrets planted everywhere must not come out anywhere.

The running service (real Placement, in-process transport, notifications
on, DEBUG logging through the production redaction filter) is driven
through every outcome: scheduled, NoValidHost per stage, refused
(authorization and validation), Placement errors whose bodies carry
secrets, casts carrying instance user data, and moves whose CellMapping
carries database and MQ credentials. Canaries sit in the contexts' tokens,
in the request specs, in configuration values and in Placement error
bodies. Every log line, every RPC reply (as serialized for the wire) and
every notification is scanned; none may contain a canary.
"""

import json
import logging
import queue
import uuid

import fixtures
from oslo_messaging._drivers import common as rpc_common
from oslo_messaging._drivers import impl_fake
from oslo_serialization import jsonutils
import oslo_messaging
import testtools

from scheduler import redaction
from tests.functional.rpc import service_fixture
from tests.unit.codec import wire

CANARY = 'CANARY7f3e'
CANARIES = {
    'context_token': f'gAAAAAB{CANARY}ctxtoken',
    'conf_db': f'{CANARY}confdb',
    'conf_api_db': f'{CANARY}confapidb',
    'conf_mq': f'{CANARY}confmq',
    'conf_key': f'{CANARY}confkey',
    'cell_db': f'{CANARY}celldb',
    'cell_mq': f'{CANARY}cellmq',
    'user_data': f'{CANARY}userdata',
    'key_data': f'{CANARY}keydata',
    'placement_body': f'{CANARY}placementbody',
    'placement_claim_body': f'{CANARY}claimbody',
}
CONFIG = (
    '[DEFAULT]\n'
    f'transport_url = rabbit://nova:{CANARIES["conf_mq"]}@mq.invalid:5672/\n'
    '[database]\n'
    'connection = mysql+pymysql://nova:'
    f'{CANARIES["conf_db"]}@db.invalid/nova\n'
    '[api_database]\n'
    'connection = mysql+pymysql://nova:'
    f'{CANARIES["conf_api_db"]}@db.invalid/nova_api\n'
    '[oslo_messaging_notifications]\ndriver = messaging\n'
    f'[hardened_scheduler]\nlog_identifier_key = {CANARIES["conf_key"]}\n')
# A flavor with this many VCPUs makes Placement answer 500 with secrets.
BROKEN_VCPUS = 7
CLAIM_REFUSED = 'c1a1c1a1-0000-4000-8000-00000000dead'


def broken_placement(app):
    """Placement, except two requests answer errors carrying secrets."""
    def wrapped(environ, start_response):
        query = environ.get('QUERY_STRING', '')
        path = environ.get('PATH_INFO', '')
        if f'VCPU%3A{BROKEN_VCPUS}' in query or f'VCPU:{BROKEN_VCPUS}' in (
                query):
            body = json.dumps({'errors': [{
                'status': 500, 'title': 'Internal Server Error',
                'detail': 'database failure at mysql+pymysql://placement:'
                          f'{CANARIES["placement_body"]}@db/placement'}]})
            start_response('500 Internal Server Error',
                           [('Content-Type', 'application/json')])
            return [body.encode()]
        if path.endswith(f'/allocations/{CLAIM_REFUSED}'):
            body = json.dumps({'errors': [{
                'status': 400, 'title': 'Bad Request',
                'detail': f'token {CANARIES["placement_claim_body"]} '
                          'rejected'}]})
            start_response('400 Bad Request',
                           [('Content-Type', 'application/json')])
            return [body.encode()]
        return app(environ, start_response)
    return wrapped


def context(project='p1', roles=('member', 'reader'), **extra):
    return {'request_id': f'req-{uuid.uuid4()}', 'user_id': 'u1',
            'project_id': project, 'roles': list(roles),
            'is_admin': 'admin' in roles,
            'auth_token': CANARIES['context_token'],
            'service_catalog': [{'type': 'placement', 'endpoints': [{
                'url': f'https://u:{CANARIES["context_token"]}@pl/'}]}],
            **extra}


def cell_with_credentials():
    return wire.obj('CellMapping', '1.1', {
        'uuid': str(uuid.UUID(int=1)), 'name': 'cell1',
        'transport_url': f'rabbit://nova:{CANARIES["cell_mq"]}@mq/',
        'database_connection':
            f'mysql+pymysql://nova:{CANARIES["cell_db"]}@db/nova'})


class Capture:
    """Everything the service sends out: replies and notifications."""

    def __init__(self):
        self.replies = []
        self.notifications = queue.Queue()

    def reply(self, incoming, reply=None, failure=None):
        wire_failure = (rpc_common.serialize_remote_exception(failure)
                        if failure else None)
        self.replies.append(jsonutils.dumps(
            {'result': reply, 'failure': wire_failure}))

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.notifications.put(jsonutils.dumps(
            [ctxt, publisher_id, event_type, payload]))


class CanaryScanTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(
            level=logging.DEBUG,
            format='%(levelname)s %(name)s %(message)s'))
        self.capture = Capture()
        capture = self.capture

        deliver = impl_fake.FakeIncomingMessage.reply

        def reply(incoming, reply=None, failure=None):
            capture.reply(incoming, reply, failure)
            deliver(incoming, reply=reply, failure=failure)
        self.useFixture(fixtures.MonkeyPatch(
            'oslo_messaging._drivers.impl_fake.FakeIncomingMessage.reply',
            reply))
        self.fx = self.useFixture(service_fixture.SchedulerService(
            extra_config=CONFIG, wrap_placement_app=broken_placement))
        # The production log setup: redaction on every handler.
        redaction.install(self.fx.conf)
        self.addCleanup(redaction.uninstall)
        listener = oslo_messaging.get_notification_listener(
            self.fx.transport,
            [oslo_messaging.Target(topic='notifications')], [self.capture])
        listener.start()
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)
        self.client = self.fx.client('4.5', timeout=30)

    def call(self, ctxt, **args):
        try:
            return self.client.call(ctxt, 'select_destinations', **args)
        except Exception as exc:  # the answer is scanned, whatever it is
            return exc

    def select(self, ctxt, spec, n=1, uuids=None):
        return self.call(ctxt, spec_obj=spec,
                         instance_uuids=uuids or [str(uuid.uuid4())
                                                  for _ in range(n)],
                         return_objects=True, return_alternates=True)

    def drive_everything(self):
        member, admin = context(), context(roles=('admin', 'member'))
        spec = wire.request_spec
        # Service start-up logs every option (secrets must be masked).
        self.fx.conf.log_opt_values(logging.getLogger('scheduler.cmd'),
                                    logging.DEBUG)
        results = [
            self.select(member, spec()),
            self.select(member, spec(), n=2),
            # NoValidHost: no capacity, filters, denied, invalid request.
            self.select(member, spec(flavor=wire.flavor(vcpus=64))),
            self.select(context(project='p2'), spec()),
            self.call(member, spec_obj=spec(flavor=wire.flavor(
                vcpus='x' + CANARIES['context_token']))),
            # Placement errors whose bodies carry secrets.
            self.select(member, spec(flavor=wire.flavor(
                vcpus=BROKEN_VCPUS))),
            self.select(member, spec(), uuids=[CLAIM_REFUSED]),
            # A move: conductor sends the cell with its credentials.
            self.select(admin, spec(requested_destination=wire.obj(
                'Destination', '1.4', {'cell': cell_with_credentials()}))),
            self.select(member, spec(requested_destination=wire.obj(
                'Destination', '1.4', {'host': 'host1',
                                       'cell': cell_with_credentials()}),
                scheduler_hints={'_nova_check_type': ['rebuild']})),
        ]
        instance = wire.obj('Instance', '2.8', {
            'uuid': str(uuid.uuid4()), 'host': 'host1', 'project_id': 'p1',
            'user_data': CANARIES['user_data'],
            'key_data': CANARIES['key_data']})
        for ctxt in (admin, member):
            self.client.cast(ctxt, 'update_instance_info', host_name='host1',
                             instance_info=wire.obj(
                                 'InstanceList', '2.6',
                                 {'objects': [instance]}))
        # A call after the casts: the service has handled them by then
        # (one dispatch thread per message, answered in order here).
        results.append(self.select(admin, spec()))
        return results

    def test_no_canary_escapes(self):
        results = self.drive_everything()
        notifications = []
        while True:
            try:
                notifications.append(
                    self.capture.notifications.get(timeout=3))
            except queue.Empty:
                break
        # The scenarios really ran: some scheduled, some failed, and the
        # Placement faults were hit.
        self.assertGreaterEqual(len(self.capture.replies), 9)
        self.assertGreaterEqual(len(notifications), 9)
        outcomes = ' '.join(str(r) for r in results)
        self.assertIn('Not authorized', outcomes)
        self.assertIn('Invalid request', outcomes)
        self.assertIn('Placement', outcomes)
        self.assertIn('Decision: ', self.log.output)
        streams = {
            'log': self.log.output,
            'replies': '\n'.join(self.capture.replies),
            'notifications': '\n'.join(notifications),
            'results': repr(results),
        }
        leaks = {name: _around(text, CANARY)
                 for name, text in streams.items() if CANARY in text}
        # Not assertNotIn: it would print every captured line.
        self.assertEqual({}, leaks)


def _around(text, needle, width=200):
    """Each leak with some context (at most five)."""
    found, at = [], text.find(needle)
    while at >= 0 and len(found) < 5:
        found.append(text[max(0, at - width):at + 60])
        at = text.find(needle, at + 1)
    return found

"""The decision record as a notification, through the running service."""

import queue

import oslo_messaging
import testtools

from tests.functional.rpc import service_fixture
from tests.unit.codec import wire

NOTIFICATIONS = '[oslo_messaging_notifications]\ndriver = messaging\n'


class Collector:
    def __init__(self):
        self.received = queue.Queue()

    def info(self, ctxt, publisher_id, event_type, payload, metadata):
        self.received.put((ctxt, publisher_id, event_type, payload))


def member_context():
    return {'request_id': 'req-4b7e21c9-a0d3-4f18-9c2e-6f1a2b3c4d5e',
            'user_id': 'u1', 'project_id': 'p1',
            'roles': ['member', 'reader'], 'is_admin': False,
            'auth_token': 'tok-canary-notification'}


class DecisionNotificationTest(testtools.TestCase):

    def start(self, extra_config):
        fx = self.useFixture(service_fixture.SchedulerService(
            extra_config=extra_config))
        collector = Collector()
        listener = oslo_messaging.get_notification_listener(
            fx.transport, [oslo_messaging.Target(topic='notifications')],
            [collector])
        listener.start()
        self.addCleanup(listener.wait)
        self.addCleanup(listener.stop)
        return fx, collector

    def select(self, fx, spec):
        return fx.client('4.5').call(
            member_context(), 'select_destinations', spec_obj=spec,
            instance_uuids=['c0000000-0000-4000-8000-000000000001'],
            return_objects=True, return_alternates=False)

    def test_one_notification_without_token(self):
        fx, collector = self.start(NOTIFICATIONS)
        self.select(fx, wire.request_spec(project_id='p1'))
        ctxt, publisher, event_type, payload = collector.received.get(
            timeout=30)
        self.assertEqual('scheduler.decision', event_type)
        self.assertEqual(f'scheduler.{service_fixture.SERVER_HOST}',
                         publisher)
        self.assertEqual('scheduled', payload['result'])
        self.assertEqual('p1', payload['project_id'])
        self.assertEqual(member_context()['request_id'],
                         payload['request_id'])
        # Ids only at most (oslo.messaging 18 even sends a dict context
        # as empty); the ids are in the payload.
        self.assertLessEqual(set(ctxt), {'request_id', 'global_request_id',
                                         'user_id', 'project_id'})
        self.assertNotIn('tok-canary', repr((ctxt, payload)))
        self.assertRaises(queue.Empty, collector.received.get, timeout=1)

    def test_disabled_by_default(self):
        fx, collector = self.start('')
        self.select(fx, wire.request_spec(project_id='p1'))
        self.assertRaises(queue.Empty, collector.received.get, timeout=2)

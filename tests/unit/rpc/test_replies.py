"""select_destinations replies: only to a caller, never pinning a worker."""

import threading

import cachetools
import testtools

from scheduler.placement import results
from scheduler.rpc import remote_errors
from tests.unit.codec import wire
from tests.unit.rpc import fakes

C1 = 'c0000000-0000-4000-8000-000000000001'
UNDO = results.ClaimUndo(C1, {'rp': {'resources': {'VCPU': 1}}})


class Releaser:
    def __init__(self):
        self.released = []
        self.done = threading.Event()

    def release(self, undo, *, global_request_id=None, why=''):
        self.released.append((undo, why))
        self.done.set()
        return True


class ObsoleteQueues:
    """The AMQP driver's record of reply queues it gave up on."""

    def __init__(self):
        # As oslo.messaging's: a TTL cache, not a dict.
        self._cache = cachetools.TTLCache(200, 60)


class AmqpIncoming(fakes.Incoming):
    """As the AMQP driver's message: a message id unless it is a cast."""

    def __init__(self, *args, msg_id='m1', **kwargs):
        super().__init__(*args, **kwargs)
        self.orig_msg_id = msg_id
        self.reply_q = 'reply_q1'
        self._obsolete_reply_queues = ObsoleteQueues()
        self.sending = threading.Event()
        self.gone = threading.Event()
        self.replies = []

    def reply(self, reply=None, failure=None):
        # Blocks as the driver does while the reply queue is missing, then
        # gives up and only records the queue as obsolete.
        self.sending.set()
        self.gone.wait(30)
        self._obsolete_reply_queues._cache[self.reply_q] = self.orig_msg_id


class ClaimingScheduler(fakes.FakeScheduler):
    """Claims through the ticket, as GuardedPlacement records a claim."""

    def __init__(self, inflight_of):
        super().__init__()
        self.inflight_of = inflight_of

    def select_destinations(self, context, spec, instance_uuids=None, **kw):
        inflight = self.inflight_of()
        inflight.record_claim(inflight.current(), UNDO)
        return super().select_destinations(context, spec, instance_uuids,
                                           **kw)


class RepliesTest(testtools.TestCase):

    def build(self):
        self.releaser = Releaser()
        holder = []
        sched = ClaimingScheduler(lambda: holder[0])
        disp, _, _, inflight = fakes.build(scheduler=sched,
                                           releaser=self.releaser)
        holder.append(inflight)
        return disp, sched, inflight

    def call(self, disp, incoming):
        return fakes.dispatch(disp, incoming)

    def test_select_destinations_as_a_cast_claims_nothing(self):
        disp, sched, _ = self.build()
        result = self.call(disp, AmqpIncoming(
            'select_destinations', {'spec_obj': wire.request_spec(),
                                    'instance_uuids': [C1]}, msg_id=None))
        self.assertIsInstance(result, remote_errors.NoValidHost)
        self.assertIn('sent as a cast', str(result))
        self.assertEqual([], sched.calls)

    def test_undeliverable_reply_releases_and_pins_no_worker(self):
        disp, sched, inflight = self.build()
        incoming = AmqpIncoming('select_destinations', {
            'spec_obj': wire.request_spec(), 'instance_uuids': [C1],
            'return_objects': True, 'return_alternates': True})
        result = self.call(disp, incoming)
        self.assertEqual(1, len(result))
        # oslo.messaging's server now replies: that returns at once, the
        # executor thread is free while the reply is being sent.
        incoming.reply(result)
        self.assertTrue(incoming.sending.wait(30))
        self.assertEqual([], self.releaser.released)
        self.assertEqual(1, inflight.count())  # the reply, in flight
        incoming.gone.set()  # the driver gives up on the queue
        self.assertTrue(self.releaser.done.wait(30))
        self.assertEqual([(UNDO, 'its reply could not be delivered')],
                         self.releaser.released)
        self.assertTrue(inflight.wait_idle(30))

    def test_delivered_reply_keeps_its_claims(self):
        disp, _, inflight = self.build()
        delivered = threading.Event()
        incoming = fakes.Incoming('select_destinations', {
            'spec_obj': wire.request_spec(), 'instance_uuids': [C1]})
        incoming.reply = lambda reply=None, failure=None: delivered.set()
        result = self.call(disp, incoming)
        incoming.reply(result)
        self.assertTrue(delivered.wait(30))
        self.assertTrue(inflight.wait_idle(30))
        self.assertEqual([], self.releaser.released)

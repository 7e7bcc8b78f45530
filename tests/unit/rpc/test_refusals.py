"""Every refusal goes through ``refusals``: nova's answer, one record.

For each way a select_destinations is refused before it is scheduled, the
reply is the one nova has always got, and exactly one decision record is
written, naming where it was refused. The records reach the decision log
only through the ``Refusals`` the dispatcher and the endpoint share: a
refusal answered anywhere else would leave none.
"""

import json
import logging

import fixtures
from oslo_messaging._drivers import common as rpc_common
import testtools

from scheduler import conf as conf_pkg
from scheduler import decision_record
from scheduler.codec import limits as limits_mod
from scheduler.rpc import refusals
from tests.unit.codec import wire
from tests.unit.rpc import fakes

SPEC_1 = {'spec_obj': wire.request_spec(),
          'instance_uuids': [fakes.UUID1]}


class Notifier:
    """The decision log's notifier: what it was handed."""

    def __init__(self):
        self.payloads = []

    def info(self, ctxt, event_type, payload):
        self.payloads.append((event_type, payload))


class CountingRefusals(refusals.Refusals):
    """Refusals that count the failures handed to them."""

    def __init__(self, decisions):
        super().__init__(decisions)
        self.answered = []

    def answer(self, exc, method, version, rid):
        self.answered.append(type(exc).__name__)
        return super().answer(exc, method, version, rid)


class RefusalTestBase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        conf = fakes._policy_conf()
        conf_pkg.register_opts(conf)
        self.notifier = Notifier()
        self.log = self.useFixture(fixtures.FakeLogger(
            name='scheduler.decision_record', level=logging.INFO))
        self.refusals = CountingRefusals(
            decision_record.DecisionLog(conf, self.notifier))

    def build(self, **kwargs):
        disp, sched, _, inflight = fakes.build(refusals=self.refusals,
                                               **kwargs)
        return disp, sched, inflight

    def refuse(self, incoming, **build_kwargs):
        """The reply as nova receives it, and the one record written."""
        disp, sched, _ = self.build(**build_kwargs)
        result = fakes.dispatch(disp, incoming)
        self.assertEqual([], sched.calls)
        return self.reply_and_record(result)

    def reply_and_record(self, result):
        reply = json.loads(rpc_common.serialize_remote_exception(
            (type(result), result, None)))
        lines = self.log.output.splitlines()
        self.assertEqual(1, len(lines), self.log.output)
        record = json.loads(lines[0][len('Decision: '):])
        # The same record as a notification: the decision log got it.
        self.assertEqual([('scheduler.decision', record)],
                         self.notifier.payloads)
        self.assertEqual(1, len(self.refusals.answered))
        self.assertEqual(fakes.REQUEST_ID, record['request_id'])
        return reply, record


class RefusalTest(RefusalTestBase):

    def assertNoValidHost(self, reply, reason):
        """nova's NoValidHost, exactly as it is sent today."""
        self.assertEqual(('nova.exception', 'NoValidHost'),
                         (reply['module'], reply['class']))
        self.assertEqual({'reason': reason, 'code': 500}, reply['kwargs'])
        self.assertEqual([f'No valid host was found. {reason}'],
                         reply['args'])

    def assertRecord(self, record, stage, reason, result='invalid'):
        self.assertEqual({'result': result, 'failed_stage': stage,
                          'request_id': fakes.REQUEST_ID, 'reason': reason},
                         record)

    def test_oversized_message(self):
        spec = wire.request_spec(scheduler_hints={'x': ['y' * 5000]})
        reply, record = self.refuse(fakes.Incoming(
            'select_destinations', {'spec_obj': spec}), max_bytes=4096)
        reason = 'Invalid request: message: larger than 4096 bytes'
        self.assertNoValidHost(reply, reason)
        self.assertRecord(record, 'message_size', reason)
        self.assertEqual(['Refused'], self.refusals.answered)

    def test_malformed_envelope(self):
        incoming = fakes.Incoming('select_destinations')
        incoming.message['args'] = ['spec_obj']
        reply, record = self.refuse(incoming)
        reason = 'Invalid request: args: expected a dict of named arguments'
        self.assertNoValidHost(reply, reason)
        self.assertRecord(record, 'envelope', reason)

    def test_sent_as_a_cast(self):
        incoming = fakes.Incoming('select_destinations', SPEC_1)
        incoming.orig_msg_id = None
        reply, record = self.refuse(incoming)
        reason = ('Invalid request: message: select_destinations sent as '
                  'a cast: nobody would receive the destinations, nothing '
                  'is claimed')
        self.assertNoValidHost(reply, reason)
        self.assertRecord(record, 'envelope', reason)

    def test_undecodable_payload(self):
        reply, record = self.refuse(fakes.Incoming(
            'select_destinations', {'spec_obj': wire.request_spec(
                flavor=wire.flavor(vcpus='many'))}, version='4.3'))
        reason = reply['kwargs']['reason']
        self.assertTrue(reason.startswith(
            'Invalid request: spec_obj.flavor.vcpus: '), reason)
        self.assertNotIn('many', reason)
        self.assertNoValidHost(reply, reason)
        self.assertRecord(record, 'request', reason)
        self.assertEqual(['ValidationError'], self.refusals.answered)

    def test_too_many_instances(self):
        reply, record = self.refuse(fakes.Incoming(
            'select_destinations', {
                'spec_obj': wire.request_spec(),
                'instance_uuids': [fakes.UUID1, fakes.UUID2,
                                   'a1b2c3d4-0000-4000-8000-000000000003']}),
            limits=limits_mod.DecodeLimits(max_num_instances=2))
        reason = 'Invalid request: instance_uuids: more than 2 instances'
        self.assertNoValidHost(reply, reason)
        self.assertRecord(record, 'request', reason)

    def test_bound_of_the_request_spec(self):
        reply, record = self.refuse(fakes.Incoming(
            'select_destinations', {
                'spec_obj': wire.request_spec(num_instances=3)}),
            limits=limits_mod.DecodeLimits(max_num_instances=2))
        reason = ('Invalid request: spec_obj.num_instances: more than 2 '
                  'instances')
        self.assertNoValidHost(reply, reason)
        self.assertRecord(record, 'request', reason)

    def test_unsupported_version(self):
        reply, record = self.refuse(fakes.Incoming(
            'select_destinations', SPEC_1, version='5.0'))
        self.assertEqual(
            ('oslo_messaging.rpc.dispatcher', 'UnsupportedVersion'),
            (reply['module'], reply['class']))
        self.assertEqual(['Endpoint does not support RPC version 5.0. '
                          'Attempted method: select_destinations'],
                         reply['args'])
        self.assertRecord(record, 'version', 'Unsupported version 5.0')

    def test_service_stopping(self):
        disp, sched, inflight = self.build()
        inflight.abort()
        reply, record = self.reply_and_record(fakes.dispatch(
            disp, fakes.Incoming('select_destinations', SPEC_1)))
        self.assertEqual(('hardened_scheduler', 'RequestAborted'),
                         (reply['module'], reply['class']))
        self.assertEqual([f'hardened-scheduler stopped before '
                          f'select_destinations (request {fakes.REQUEST_ID})'
                          f' finished; nothing was claimed for it'],
                         reply['args'])
        self.assertRecord(record, 'service', 'The service is stopping',
                          result='aborted')
        self.assertEqual([], sched.calls)


class NoRecordTest(RefusalTestBase):
    """What is not a refused select_destinations writes no record."""

    def no_record(self, incoming, **build_kwargs):
        disp, _, _ = self.build(**build_kwargs)
        result = fakes.dispatch(disp, incoming)
        self.assertEqual('', self.log.output)
        self.assertEqual([], self.notifier.payloads)
        return result

    def test_refused_casts_and_calls_of_other_methods(self):
        self.no_record(fakes.Incoming(
            'sync_instance_info', {'host_name': 'h' * 5000,
                                   'instance_uuids': []}), max_bytes=4096)
        self.no_record(fakes.Incoming('ping', {'arg': 1, 'x': 2},
                                      namespace='baseapi', version='1.1'))
        self.assertEqual(['Refused', 'ValidationError'],
                         self.refusals.answered)

    def test_scheduled_and_failed_in_the_pipeline(self):
        # The pipeline (the manager) records those itself.
        self.no_record(fakes.Incoming('select_destinations', SPEC_1))
        self.assertEqual([], self.refusals.answered)
        error = fakes.FakeScheduler(error=KeyError('x'))
        self.no_record(fakes.Incoming('select_destinations', SPEC_1),
                       scheduler=error)
        self.assertEqual(['KeyError'], self.refusals.answered)


class CastDeniedTest(testtools.TestCase):

    def test_denied_cast_is_audited_through_refusals(self):
        audit = self.useFixture(fixtures.FakeLogger(
            name='scheduler.audit', level=logging.WARNING))
        denied = []

        class Spy(refusals.Refusals):
            def cast_denied(self, method, rule, context):
                denied.append(method)
                super().cast_denied(method, rule, context)

        disp, _, cache, _ = fakes.build(refusals=Spy())
        result = fakes.dispatch(disp, fakes.Incoming(
            'update_aggregates', {'aggregates': [fakes.aggregate()]},
            version='4.2', ctxt={'request_id': fakes.REQUEST_ID}))
        self.assertIsNone(result)
        self.assertEqual(['update_aggregates'], denied)
        self.assertEqual([], cache.calls)
        [line] = audit.output.splitlines()
        self.assertTrue(line.startswith('Denied: '), line)

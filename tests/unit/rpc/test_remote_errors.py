"""Failures as the caller receives them: nova's shapes, no traceback."""

import json

from oslo_messaging._drivers import common as rpc_common
import testtools

import oslo_messaging
from scheduler import explanation
from scheduler.codec import errors as codec_errors
from scheduler.rpc import remote_errors

CONSUMER = '5d3c1b6e-2a4f-4c3e-9a7b-0e1f2a3b4c5d'


def on_wire(exc):
    """What oslo.messaging puts in the reply's failure field for us."""
    return json.loads(rpc_common.serialize_remote_exception(
        (type(exc), exc, None)))


class NoValidHostTest(testtools.TestCase):

    def test_nova_shape(self):
        reason = 'There are not enough hosts available. 0/3 hosts'
        failure = on_wire(remote_errors.no_valid_host(reason))
        message = f'No valid host was found. {reason}'
        self.assertEqual('NoValidHost', failure['class'])
        self.assertEqual('nova.exception', failure['module'])
        self.assertEqual([message], failure['args'])
        self.assertEqual({'reason': reason, 'code': 500}, failure['kwargs'])
        self.assertEqual(message, failure['message'])

    def test_tb_is_the_exception_line_only(self):
        failure = on_wire(remote_errors.no_valid_host('r'))
        self.assertEqual(
            ['nova.exception.NoValidHost: No valid host was found. r\n'],
            failure['tb'])

    def test_raised_while_handling_carries_no_context(self):
        try:
            try:
                raise ValueError('secret-internal-detail')
            except ValueError:
                raise remote_errors.no_valid_host('r')  # noqa: B904
        except remote_errors.NoValidHost as exc:
            wire = exc
        self.assertIsInstance(wire.__context__, ValueError)
        self.assertNotIn('secret-internal-detail',
                         json.dumps(on_wire(wire)))

    def test_reason_fits_the_fault_column(self):
        failure = on_wire(remote_errors.no_valid_host('x' * 1000))
        self.assertEqual(explanation.MAX_MESSAGE, len(failure['args'][0]))
        self.assertEqual(explanation.MAX_REASON,
                         len(failure['kwargs']['reason']))

    def test_invalid_request_names_field_and_problem(self):
        error = codec_errors.ValidationError('spec_obj.flavor.vcpus',
                                             'expected int, got str')
        failure = on_wire(remote_errors.invalid_request(error))
        self.assertEqual('NoValidHost', failure['class'])
        self.assertEqual(
            'Invalid request: spec_obj.flavor.vcpus: expected int, got str',
            failure['kwargs']['reason'])


class OtherFailuresTest(testtools.TestCase):

    def test_allocation_update_failed(self):
        failure = on_wire(remote_errors.allocation_update_failed(
            CONSUMER, 'another process changed the consumer'))
        self.assertEqual('AllocationUpdateFailed', failure['class'])
        self.assertEqual('nova.exception', failure['module'])
        kwargs = {'consumer_uuid': CONSUMER,
                  'error': 'another process changed the consumer'}
        # nova's msg_fmt, applied to the same kwargs.
        msg_fmt = ('Failed to update allocations for consumer '
                   '%(consumer_uuid)s. Error: %(error)s')
        self.assertEqual([msg_fmt % kwargs], failure['args'])  # noqa: UP031
        self.assertEqual(dict(kwargs, code=500), failure['kwargs'])

    def test_internal_error_is_a_remote_error_for_nova(self):
        failure = on_wire(remote_errors.internal_error(
            'select_destinations', 'req-1'))
        self.assertEqual('hardened_scheduler', failure['module'])
        rebuilt = rpc_common.deserialize_remote_exception(
            json.dumps(failure), ['nova.exception'])
        self.assertIsInstance(rebuilt, oslo_messaging.RemoteError)
        self.assertEqual('InternalError', rebuilt.exc_type)
        self.assertIn('req-1', rebuilt.value)
        self.assertNotIn('Traceback', str(rebuilt))

    def test_other_calls_and_aborts(self):
        error = codec_errors.ValidationError('arg', 'missing')
        self.assertEqual(
            'Invalid ping request: arg: missing',
            on_wire(remote_errors.invalid_call('ping', error))['message'])
        aborted = on_wire(remote_errors.request_aborted(
            'select_destinations', 'req-2'))
        self.assertEqual('RequestAborted', aborted['class'])
        self.assertIn('req-2', aborted['message'])

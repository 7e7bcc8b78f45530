"""SchedulerClient: the message it sends and how it reads failures.

A recording endpoint on oslo.messaging's in-process fake transport stands
in for the service here; tests/functional/rpc/test_client.py runs the
client against the real service.
"""

import uuid

import fixtures
from oslo_config import cfg
import oslo_messaging
import testtools

from scheduler import conf as conf_pkg
from scheduler.codec import errors
from scheduler.codec import request_spec as spec_codec
from scheduler.codec import selection as selection_codec
from scheduler.objects import context as context_obj
from scheduler.objects import selection
from scheduler.rpc import client as rpc_client
from scheduler.rpc import remote_errors
from scheduler.rpc import server as server_mod
from tests.unit.codec import test_encode_request_spec as specs
from tests.unit.codec import wire

CONTEXT = context_obj.RequestContext(user_id='u1', project_id='p1',
                                     request_id='req-1', is_admin=True)
CHOSEN = selection.Selection(
    compute_node_uuid=wire.RP_UUID, service_host='cmp1', nodename='cmp1',
    cell_uuid=wire.CELL_UUID, limits=selection.SchedulerLimits(),
    allocation_request='{}', allocation_request_version='1.36',
    availability_zone='nova')


class Recorder:
    """The scheduler API's select_destinations, recording what came."""

    target = oslo_messaging.Target(version='4.5')

    def __init__(self, reply=None, failure=None):
        self.calls = []
        self.reply = reply
        self.failure = failure

    def select_destinations(self, ctxt, **kwargs):
        self.calls.append((ctxt, kwargs))
        if self.failure is not None:
            raise self.failure
        return self.reply


class ClientTest(testtools.TestCase):

    def serve(self, endpoint, exchange='nova', topic='scheduler'):
        # oslo.messaging logs the endpoint's exceptions with tracebacks.
        self.useFixture(fixtures.FakeLogger())
        conf = cfg.ConfigOpts()
        conf_pkg.register_opts(conf)
        conf(args=[], default_config_files=[])
        server_mod.set_lib_defaults()
        conf.set_override('rpc_topic', topic, 'hardened_scheduler')
        # A first transport registers oslo.messaging's options; the
        # exchange is read when a transport is made.
        oslo_messaging.get_rpc_transport(conf, url='fake:/').cleanup()
        conf.set_override('control_exchange', exchange)
        transport = oslo_messaging.get_rpc_transport(conf, url='fake:/')
        self.addCleanup(transport.cleanup)
        server = oslo_messaging.get_rpc_server(
            transport, oslo_messaging.Target(
                topic=topic, server='h', exchange=exchange), [endpoint])
        server.start()
        self.addCleanup(server.wait)
        self.addCleanup(server.stop)
        conf.set_override('long_rpc_timeout', 30)
        return rpc_client.SchedulerClient(conf, transport)

    def test_sends_what_a_conductor_sends(self):
        endpoint = Recorder(reply=selection_codec.encode_selections(
            [[CHOSEN, CHOSEN]]))
        client = self.serve(endpoint, exchange='custom', topic='sched-x')
        inst = str(uuid.uuid4())
        spec = specs.rich_spec()
        rows = client.select_destinations(CONTEXT, spec, (inst,),
                                          return_alternates=True)
        self.assertEqual([[CHOSEN, CHOSEN]], rows)
        [(ctxt, kwargs)] = endpoint.calls
        self.assertEqual('req-1', ctxt['request_id'])
        self.assertEqual({'spec_obj', 'instance_uuids', 'return_objects',
                          'return_alternates'}, set(kwargs))
        self.assertEqual(spec, spec_codec.decode_request_spec(
            kwargs['spec_obj']))
        self.assertEqual(([inst], True, True),
                         (kwargs['instance_uuids'], kwargs['return_objects'],
                          kwargs['return_alternates']))

    def test_reply_that_does_not_decode(self):
        client = self.serve(Recorder(reply=[[{'nova_object.name': 'x'}]]))
        exc = self.assertRaises(errors.ValidationError,
                                client.select_destinations, CONTEXT,
                                specs.minimal_spec(), ['i'])
        self.assertEqual('selections[0][0].nova_object.name', exc.field)

    def test_no_valid_host_from_the_service(self):
        client = self.serve(Recorder(
            failure=remote_errors.no_valid_host('0/2 hosts')))
        exc = self.assertRaises(rpc_client.NoValidHost,
                                client.select_destinations, CONTEXT,
                                specs.minimal_spec(), ['i'])
        self.assertEqual('0/2 hosts', exc.reason)
        self.assertEqual('No valid host was found. 0/2 hosts', str(exc))

    def test_other_failures_pass_through(self):
        client = self.serve(Recorder(failure=ValueError('boom')))
        self.assertRaises(ValueError, client.select_destinations, CONTEXT,
                          specs.minimal_spec(), ['i'])


class NoValidHostShapesTest(testtools.TestCase):
    """The shapes a remote NoValidHost takes, depending on the transport.
    """

    def test_remote_error(self):
        # The caller cannot import nova.exception: class name and message.
        exc = oslo_messaging.RemoteError(
            'NoValidHost', 'No valid host was found. 0/9 hosts', ['tb'])
        self.assertEqual('0/9 hosts', rpc_client.no_valid_host(exc).reason)
        # nova's own empty reason (Placement gave no candidates).
        exc = oslo_messaging.RemoteError(
            'NoValidHost', 'No valid host was found. ', [])
        self.assertEqual('', rpc_client.no_valid_host(exc).reason)

    def test_rebuilt_nova_exception(self):
        # What oslo.messaging makes of nova.exception.NoValidHost when the
        # module is allowed: a "_Remote" subclass with nova's kwargs.
        remote = type('NoValidHost_Remote', (remote_errors.NoValidHost,), {})
        remote.__module__ = 'nova.exception_Remote'
        exc = remote('No valid host was found. why', reason='why', code=500)
        self.assertEqual('why', rpc_client.no_valid_host(exc).reason)

    def test_in_process_exception(self):
        exc = remote_errors.no_valid_host('why not')
        self.assertEqual('why not', rpc_client.no_valid_host(exc).reason)

    def test_anything_else_is_not_no_valid_host(self):
        for exc in (oslo_messaging.RemoteError('ValueError', 'x', []),
                    remote_errors.internal_error('select_destinations',
                                                 'req-1'),
                    ValueError('No valid host was found. x'),
                    type('NoValidHost', (Exception,), {})('x')):
            self.assertIsNone(rpc_client.no_valid_host(exc), repr(exc))

"""SchedulerClient against the real service on the fake:// transport.

The service is built with ``create_service`` over real Placement (see
service_fixture); every call goes through the RPC client, server,
dispatcher and endpoint. ``OnTheWire`` tests make replies travel as on
RabbitMQ: JSON, and failures serialized and rebuilt by oslo.messaging in
a process that cannot import nova (a RemoteError).
"""

import json
import logging
import uuid

import fixtures
import oslo_messaging
from oslo_messaging._drivers import common as rpc_common
from oslo_serialization import jsonutils
import testtools

from scheduler.codec import encode_context
from scheduler.codec import encode_request_spec
from scheduler.objects import context as context_obj
from scheduler.objects import selection
from scheduler.rpc import client as rpc_client
from scheduler.rpc import dispatcher
from scheduler.rpc import remote_errors
from tests.functional import cloud
from tests.functional.rpc import service_fixture

TOKEN = 'gAAAAA-users-keystone-token'  # noqa: S105 (a test value)
# nova 34's RequestContext.to_dict() keys (NOVA_COMPAT 2.1).
NOVA_CONTEXT_KEYS = {
    'user', 'user_id', 'project', 'project_id', 'domain', 'user_domain',
    'project_domain', 'system_scope', 'is_admin', 'is_admin_project',
    'read_only', 'show_deleted', 'read_deleted', 'auth_token', 'request_id',
    'global_request_id', 'resource_uuid', 'roles', 'user_identity',
    'user_name', 'project_name', 'remote_address', 'timestamp',
    'quota_class', 'service_catalog'}


def _reply_as_on_the_wire(self, reply=None, failure=None):
    if not self._reply_q:
        return
    if failure:
        failure = rpc_common.deserialize_remote_exception(
            rpc_common.serialize_remote_exception(failure), [])
    self._reply_q.put((jsonutils.loads(jsonutils.dumps(reply)), failure))


def too_big():
    return cloud.spec(flavor=cloud.flavor(vcpus=64))


class ClientTest(testtools.TestCase):
    on_the_wire = False

    def setUp(self):
        super().setUp()
        if self.on_the_wire:
            self.useFixture(fixtures.MonkeyPatch(
                'oslo_messaging._drivers.impl_fake.FakeIncomingMessage'
                '.reply', _reply_as_on_the_wire))
        self.fx = self.useFixture(service_fixture.SchedulerService())
        self.admin = self.fx.placement.admin
        self.client = rpc_client.SchedulerClient(self.fx.conf,
                                                 self.fx.transport)

    def select(self, spec, instances, **kwargs):
        return self.client.select_destinations(cloud.CONTEXT, spec,
                                               instances, **kwargs)

    def test_claims_and_returns_alternates(self):
        inst = str(uuid.uuid4())
        [[chosen, alternate]] = self.select(
            cloud.spec(instance_uuid=inst), [inst], return_alternates=True)
        self.assertIsInstance(chosen, selection.Selection)
        self.assertEqual(('host2', 'host1'),
                         (chosen.service_host, alternate.service_host))
        self.assertEqual(cloud.CELL1, chosen.cell_uuid)
        self.assertEqual('1.36', chosen.allocation_request_version)
        # Only the chosen host is claimed; the alternate's request is
        # for the conductor to claim on a reschedule.
        self.assertEqual({chosen.compute_node_uuid},
                         set(self.admin.allocations(inst)))
        self.assertEqual(
            {alternate.compute_node_uuid},
            set(json.loads(alternate.allocation_request)['allocations']))

    def test_without_alternates(self):
        insts = [str(uuid.uuid4()), str(uuid.uuid4())]
        rows = self.select(cloud.spec(num_instances=2), insts)
        self.assertEqual([1, 1], [len(row) for row in rows])
        for inst, row in zip(insts, rows):
            self.assertEqual({row[0].compute_node_uuid},
                             set(self.admin.allocations(inst)))

    def test_no_valid_host_carries_the_reason(self):
        inst = str(uuid.uuid4())
        exc = self.assertRaises(rpc_client.NoValidHost, self.select,
                                too_big(), [inst])
        # The reason the service sent, as a raw oslo.messaging call sees it.
        raw = self.fx.client().prepare(version='4.5', timeout=30)
        sent = self.assertRaises(
            Exception, raw.call, encode_context.encode_context(cloud.CONTEXT),
            'select_destinations',
            spec_obj=encode_request_spec.encode_request_spec(too_big()),
            instance_uuids=[inst], return_objects=True)
        if self.on_the_wire:
            # The class name and the message are all there is.
            self.assertIsInstance(sent, oslo_messaging.RemoteError)
            self.assertEqual('NoValidHost', sent.exc_type)
            expected = sent.value.removeprefix('No valid host was found. ')
        else:
            self.assertIsInstance(sent, remote_errors.NoValidHost)
            expected = sent.kwargs['reason']
        self.assertTrue(expected)
        self.assertEqual(expected, exc.reason)
        self.assertEqual('No valid host was found. ' + expected, str(exc))
        self.assertEqual({}, self.admin.allocations(inst))

    def test_context_is_sent_as_nova_does_and_token_never_logged(self):
        seen = []
        dispatch = dispatcher.Dispatcher.dispatch

        def spy(self, incoming):
            seen.append(dict(incoming.ctxt))
            return dispatch(self, incoming)

        self.useFixture(fixtures.MonkeyPatch(
            'scheduler.rpc.dispatcher.Dispatcher.dispatch', spy))
        logs = self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))
        ctx = context_obj.RequestContext(
            user_id='user-1', project_id='project-1', roles=('admin',),
            is_admin=True, request_id='req-' + str(uuid.uuid4()),
            auth_token=TOKEN)
        inst = str(uuid.uuid4())
        self.client.select_destinations(ctx, cloud.spec(), [inst])
        self.assertRaises(rpc_client.NoValidHost,
                          self.client.select_destinations, ctx, too_big(),
                          [str(uuid.uuid4())])
        self.assertEqual(2, len(seen))
        self.assertEqual(NOVA_CONTEXT_KEYS, set(seen[0]))
        self.assertEqual((ctx.request_id, TOKEN, 'user-1 project-1 - - -'),
                         (seen[0]['request_id'], seen[0]['auth_token'],
                          seen[0]['user_identity']))
        self.assertNotIn(TOKEN, logs.output)


class OnTheWireTest(ClientTest):
    on_the_wire = True

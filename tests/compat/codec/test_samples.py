"""tests/samples, rebuilt from nova 34's own objects, client and serializer.

The unit tests decode the files in tests/samples as what nova sends. This
test builds the same request with nova's objects, sends it through nova's
SchedulerAPI.select_destinations and oslo.messaging's AMQP driver (which
packs the context and adds the call's ids), takes the message where it
would leave for the broker, and asserts that the committed files equal it.

Normalised before comparing, because nova cannot produce them the same
twice: ``_msg_id``, ``_unique_id`` and ``_reply_q`` (fresh uuid4 hex per
call, written as ``<hex>``) and the order of every ``nova_object.changes``
list (it comes from iterating a set of strings, so from the hash seed).
The context's token, request id and timestamp are given, not generated.

``REGENERATE_SAMPLES=1`` rewrites the files from what nova produces, then
the test checks them as usual; review the diff before committing it.
"""

import json
import os
import pathlib
import re

import oslo_messaging as messaging
import testtools

from tests.compat.rpc import nova_client
from tests.unit.codec import wire

SAMPLES = pathlib.Path(wire.SAMPLES_DIR)
REQSPEC = 'sample_reqspec.json'
MESSAGE = 'sample_select_destinations_msg.json'
objects = nova_client.objects

INSTANCE_UUID = wire.INSTANCE_UUID
MEMBER_UUID = 'a1b2c3d4-0000-4000-8000-000000000001'
GROUP_UUID = wire.GROUP_UUID
IMAGE_UUID = wire.IMAGE_UUID
# Per-call ids oslo.messaging draws: the key, the text before the hex.
_RANDOM_IDS = {'_msg_id': '', '_unique_id': '', '_reply_q': 'reply_'}


def request_spec():
    """The request of the samples, as nova's conductor would build it."""
    return objects.RequestSpec(
        id=7, availability_zone='az1', user_id='u1', project_id='p1',
        instance_uuid=INSTANCE_UUID, num_instances=1, is_bfv=False,
        flavor=objects.Flavor(
            id=1, flavorid='2', name='m1.small', vcpus=1, memory_mb=2048,
            root_gb=20, ephemeral_gb=0, swap=0, rxtx_factor=1.0,
            vcpu_weight=0, disabled=False, is_public=True, description=None,
            extra_specs={'hw:cpu_policy': 'shared'}),
        image=objects.ImageMeta(
            id=IMAGE_UUID, name='cirros', container_format='bare',
            disk_format='qcow2', min_disk=0, min_ram=0,
            properties=objects.ImageMetaProps(hw_architecture='x86_64')),
        instance_group=objects.InstanceGroup(
            uuid=GROUP_UUID, policy='anti-affinity',
            policies=['anti-affinity'], members=[MEMBER_UUID],
            hosts=['cmp1'], _rules={'max_server_per_host': '1'}),
        scheduler_hints={'group': [GROUP_UUID]},
        force_hosts=None, force_nodes=None, ignore_hosts=None, retry=None,
        numa_topology=None, limits=objects.SchedulerLimits(),
        network_metadata=objects.NetworkMetadata(
            physnets=set(), tunneled=False),
        pci_requests=objects.InstancePCIRequests(
            instance_uuid=INSTANCE_UUID, requests=[]),
        request_level_params=objects.RequestLevelParams(),
        requested_destination=objects.Destination(
            aggregates=None, allow_cross_cell_move=False),
        requested_networks=objects.NetworkRequestList(
            objects=[objects.NetworkRequest(network_id='n1')]),
        requested_resources=[])


class _Sent(Exception):
    """Raised by the stand-in connection with the message it was given."""


class _Connection:
    """A pooled RabbitMQ connection that keeps what it would publish."""

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def topic_send(self, exchange_name, topic, msg, **kwargs):
        raise _Sent(msg)


class _Waiter:
    """The reply waiter, never waited on: the call stops at the send."""

    def listen(self, msg_id):
        pass

    def unlisten(self, msg_id):
        pass


def normalised(value):
    """``value`` with the per-call ids and the changes' order fixed."""
    if isinstance(value, list):
        return [normalised(item) for item in value]
    if not isinstance(value, dict):
        return value
    result = {key: normalised(item) for key, item in value.items()}
    if 'nova_object.changes' in result:
        result['nova_object.changes'] = sorted(result['nova_object.changes'])
    for key, prefix in _RANDOM_IDS.items():
        if key in result and re.fullmatch(f'{prefix}[0-9a-f]{{32}}',
                                          str(result[key])):
            result[key] = f'{prefix}<hex>'
    return result


class SamplesTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # The RabbitMQ driver, never connected: _get_connection is ours.
        transport = messaging.get_rpc_transport(
            nova_client.CONF, url='rabbit://u:p@localhost:5672/')
        self.addCleanup(transport.cleanup)
        rpc = self.useFixture(nova_client.NovaRPC(
            transport, 'scheduler', fake_wire=False))
        driver = rpc.transport._driver
        # A reply queue and waiter that exist, so the call sets up none.
        self.patch(driver, '_reply_q', driver._get_reply_queue_name())
        self.patch(driver, '_waiter', _Waiter())
        self.patch(driver, '_get_connection',
                   lambda purpose, retry=None: _Connection())
        self.api = rpc.scheduler_api()

    def nova_message(self):
        """The select_destinations message nova's client puts on the bus."""
        ctxt = nova_client.context(
            is_admin=False, roles=['member'], auth_token='<token>',
            request_id='req-11111111-2222-3333-4444-555555555555',
            timestamp='2026-11-21T04:26:05.674570')
        sent = self.assertRaises(
            _Sent, self.api.select_destinations, ctxt, request_spec(),
            [INSTANCE_UUID], return_objects=True, return_alternates=True)
        envelope = sent.args[0]
        self.assertEqual('2.0', envelope['oslo.version'])
        return normalised(json.loads(envelope['oslo.message']))

    def test_committed_samples_are_what_nova_sends(self):
        message = self.nova_message()
        expected = {MESSAGE: message, REQSPEC: message['args']['spec_obj']}
        if os.environ.get('REGENERATE_SAMPLES') == '1':
            for name, sample in expected.items():
                (SAMPLES / name).write_text(
                    json.dumps(sample, indent=1, sort_keys=True) + '\n')
        for name, sample in expected.items():
            committed = json.loads((SAMPLES / name).read_text())
            self.assertEqual(sample, normalised(committed), name)

    def test_ids_are_normalised_only_when_generated(self):
        # A fixed value where a uuid hex belongs is a difference, not noise.
        self.assertEqual({'_msg_id': '<hex>', '_unique_id': 'abc'},
                         normalised({'_msg_id': 'a' * 32,
                                     '_unique_id': 'abc'}))

"""Decoding aggregates, instance lists and instance uuid lists."""

import testtools

from scheduler.codec import aggregate
from scheduler.codec import errors
from scheduler.codec import instance
from tests.unit.codec import wire

AGG_UUID = '5b1f3a0e-6e2a-4f1b-8c3d-2a9e8f7d6c5b'
SECRET_USER_DATA = 'I2Nsb3VkLWNvbmZpZwpwYXNzd29yZDogaHVudGVyMg=='


def agg(id=1, **fields):
    data = {'id': id, 'uuid': AGG_UUID, 'name': f'agg{id}',
            'hosts': ['h1', 'h2'], 'metadata': {'availability_zone': 'az1'}}
    data.update(fields)
    return wire.obj('Aggregate', '1.3', data)


def inst(uuid=wire.INSTANCE_UUID, **fields):
    data = {'uuid': uuid, 'host': 'h1', 'node': 'n1', 'project_id': 'p1',
            'user_data': SECRET_USER_DATA, 'key_data': 'ssh-rsa AAAA',
            'metadata': {'k': 'v'}, 'system_metadata': {'image_x': 'y'}}
    data.update(fields)
    return wire.obj('Instance', '2.8', data)


class AggregateTest(testtools.TestCase):

    def test_single(self):
        result = aggregate.decode_aggregate(agg())
        self.assertEqual(1, result.id)
        self.assertEqual(AGG_UUID, result.uuid)
        self.assertEqual(frozenset({'h1', 'h2'}), result.hosts)
        self.assertEqual('az1', result.availability_zone)

    def test_payload_shapes(self):
        as_list = aggregate.decode_aggregates([agg(1), agg(2)])
        as_obj = aggregate.decode_aggregates(wire.obj(
            'AggregateList', '1.3', {'objects': [agg(1), agg(2)]}))
        single = aggregate.decode_aggregates(agg(1))
        self.assertEqual([1, 2], [a.id for a in as_list])
        self.assertEqual(as_list, as_obj)
        self.assertEqual(as_list[:1], single)

    def test_null_hosts_and_metadata(self):
        result = aggregate.decode_aggregate(agg(hosts=None, metadata=None))
        self.assertEqual(frozenset(), result.hosts)
        self.assertEqual({}, dict(result.metadata))

    def test_errors(self):
        error = self.assertRaises(errors.ValidationError,
                                  aggregate.decode_aggregates,
                                  [agg(), agg(metadata={'k': ['v']})])
        self.assertEqual('aggregates[1].metadata[k]', error.field)
        error = self.assertRaises(errors.ValidationError,
                                  aggregate.decode_aggregate, agg(id=None))
        self.assertEqual('aggregate.id', error.field)
        self.assertRaises(errors.ValidationError,
                          aggregate.decode_aggregates, 'agg')


class InstanceTest(testtools.TestCase):

    def test_list_keeps_only_scheduling_fields(self):
        payload = wire.obj('InstanceList', '2.6', {'objects': [inst()]})
        (result,) = instance.decode_instance_list(payload)
        self.assertEqual(wire.INSTANCE_UUID, result.uuid)
        self.assertEqual('h1', result.host)
        self.assertEqual('n1', result.node)
        self.assertEqual('p1', result.project_id)
        self.assertNotIn(SECRET_USER_DATA, repr(result))
        self.assertEqual({'uuid', 'host', 'node', 'project_id'},
                         set(type(result).__slots__))

    def test_plain_list_and_single(self):
        other = '1d1d1d1d-0000-4000-8000-000000000009'
        result = instance.decode_instance_list([inst(), inst(other)])
        self.assertEqual([wire.INSTANCE_UUID, other],
                         [i.uuid for i in result])
        self.assertEqual(1, len(instance.decode_instance_list(inst())))

    def test_unread_fields_are_not_validated(self):
        result = instance.decode_instance_list([inst(user_data=[{'x': 1}])])
        self.assertEqual(1, len(result))

    def test_version_1_rejected(self):
        old = inst()
        old['nova_object.version'] = '1.23'
        error = self.assertRaises(errors.ValidationError,
                                  instance.decode_instance_list, [old])
        self.assertEqual('instance_info[0].nova_object.version', error.field)

    def test_uuids(self):
        uuids = [wire.INSTANCE_UUID, wire.GROUP_UUID.replace('-', '')]
        self.assertEqual((wire.INSTANCE_UUID, wire.GROUP_UUID),
                         instance.decode_instance_uuids(uuids))
        error = self.assertRaises(errors.ValidationError,
                                  instance.decode_instance_uuids,
                                  [wire.INSTANCE_UUID, 'nope'])
        self.assertEqual('instance_uuids[1]', error.field)
        self.assertRaises(errors.ValidationError,
                          instance.decode_instance_uuids, wire.INSTANCE_UUID)

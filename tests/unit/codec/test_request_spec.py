"""Decoding RequestSpec primitives."""

import testtools

from scheduler.codec import errors
from scheduler.codec import limits
from scheduler.codec import request_spec
from scheduler.objects import network as network_obj
from scheduler.objects import request_group as group_obj
from tests.unit.codec import wire

decode = request_spec.decode_request_spec


class SampleTest(testtools.TestCase):
    """tests/samples, produced by nova 34's own serializer."""

    def _check_against(self, spec, prim):
        data = prim['nova_object.data']
        flavor = data['flavor']['nova_object.data']
        self.assertEqual(flavor['vcpus'], spec.flavor.vcpus)
        self.assertEqual(flavor['memory_mb'], spec.flavor.memory_mb)
        self.assertEqual(flavor['extra_specs'], dict(spec.flavor.extra_specs))
        self.assertEqual(data['instance_uuid'], spec.instance_uuid)
        self.assertEqual(data['project_id'], spec.project_id)
        self.assertEqual(data['num_instances'], spec.num_instances)
        self.assertEqual(
            {k: tuple(v) for k, v in data['scheduler_hints'].items()},
            dict(spec.scheduler_hints))
        props = data['image']['nova_object.data']['properties']
        self.assertEqual(props['nova_object.data'],
                         dict(spec.image.properties.values))
        group = data['instance_group']['nova_object.data']
        self.assertEqual(group['policy'], spec.instance_group.policy)
        self.assertEqual(tuple(group['members']),
                         spec.instance_group.members)
        nets = data['requested_networks']['nova_object.data']['objects']
        self.assertEqual(
            [n['nova_object.data']['network_id'] for n in nets],
            [n.network_id for n in spec.requested_networks])

    def test_sample_reqspec(self):
        prim = wire.load_sample('sample_reqspec.json')
        self._check_against(decode(prim), prim)

    def test_sample_select_destinations_spec_obj(self):
        msg = wire.load_sample('sample_select_destinations_msg.json')
        prim = msg['args']['spec_obj']
        self._check_against(decode(prim), prim)


class DecodeTest(testtools.TestCase):

    def test_minimal_spec_takes_lazy_defaults(self):
        spec = decode(wire.request_spec())
        self.assertEqual(2, spec.flavor.vcpus)
        self.assertIsNone(spec.requested_destination)
        self.assertEqual(network_obj.NetworkMetadata(), spec.network_metadata)
        self.assertEqual(group_obj.RequestLevelParams(),
                         spec.request_level_params)
        self.assertEqual((), spec.requested_networks)
        self.assertEqual((), spec.requested_resources)
        self.assertEqual({}, dict(spec.scheduler_hints))

    def test_absent_nullable_fields_are_none(self):
        prim = wire.without(wire.request_spec(), 'image', 'project_id',
                            'force_hosts', 'instance_group', 'num_instances')
        spec = decode(prim)
        self.assertIsNone(spec.image)
        self.assertIsNone(spec.project_id)
        self.assertIsNone(spec.force_hosts)
        self.assertIsNone(spec.instance_group)
        self.assertEqual(1, spec.num_instances)

    def test_every_1x_version_decodes(self):
        for minor in range(0, 17):
            spec = decode(wire.request_spec(version=f'1.{minor}'))
            self.assertEqual('p1', spec.project_id)

    def test_three_part_version(self):
        self.assertEqual(2, decode(wire.request_spec('1.15.2')).flavor.vcpus)

    def test_newer_minor_ignores_unknown_fields(self):
        prim = wire.request_spec('1.16', brand_new_field={'x': [1, 2]})
        self.assertEqual('u1', decode(prim).user_id)

    def test_other_major_rejected(self):
        error = self.assertRaises(errors.ValidationError, decode,
                                  wire.request_spec('2.0'))
        self.assertEqual('spec_obj.nova_object.version', error.field)

    def test_unknown_object_name_rejected(self):
        prim = wire.request_spec()
        prim['nova_object.name'] = 'Instance'
        error = self.assertRaises(errors.ValidationError, decode, prim)
        self.assertEqual('spec_obj.nova_object.name', error.field)

    def test_nested_unknown_object_name_rejected(self):
        prim = wire.request_spec(flavor=wire.image())
        error = self.assertRaises(errors.ValidationError, decode, prim)
        self.assertEqual('spec_obj.flavor.nova_object.name', error.field)

    def test_wrong_namespace_rejected(self):
        prim = wire.request_spec()
        prim['nova_object.namespace'] = 'glance'
        error = self.assertRaises(errors.ValidationError, decode, prim)
        self.assertEqual('spec_obj.nova_object.namespace', error.field)

    def test_missing_flavor_rejected(self):
        prim = wire.without(wire.request_spec(), 'flavor')
        error = self.assertRaises(errors.ValidationError, decode, prim)
        self.assertEqual('spec_obj.flavor', error.field)

    def test_bool_is_not_an_int(self):
        prim = wire.request_spec(flavor=wire.flavor(vcpus=True))
        error = self.assertRaises(errors.ValidationError, decode, prim)
        self.assertEqual('spec_obj.flavor.vcpus', error.field)
        self.assertEqual('expected int, got bool', error.reason)
        self.assertEqual('spec_obj.flavor.vcpus: expected int, got bool',
                         str(error))

    def test_int_strings_are_coerced_like_nova(self):
        spec = decode(wire.request_spec(flavor=wire.flavor(vcpus='4'),
                                        num_instances='3'))
        self.assertEqual(4, spec.flavor.vcpus)
        self.assertEqual(3, spec.num_instances)

    def test_num_instances_bounds(self):
        for bad in (0, -1, 1001):
            error = self.assertRaises(errors.ValidationError, decode,
                                      wire.request_spec(num_instances=bad))
            self.assertEqual('spec_obj.num_instances', error.field)
        small = limits.DecodeLimits(max_num_instances=5)
        self.assertRaises(errors.ValidationError, decode,
                          wire.request_spec(num_instances=6), small)
        self.assertEqual(
            5, decode(wire.request_spec(num_instances=5), small).num_instances)

    def test_scalar_hints_become_one_tuples(self):
        spec = decode(wire.request_spec(scheduler_hints={
            'group': 'g1', 'same_host': ['a', 'b'], 'num': 3}))
        self.assertEqual({'group': ('g1',), 'same_host': ('a', 'b'),
                          'num': ('3',)}, dict(spec.scheduler_hints))

    def test_null_hints_are_empty(self):
        spec = decode(wire.request_spec(scheduler_hints=None))
        self.assertEqual({}, dict(spec.scheduler_hints))

    def test_nested_hint_value_rejected(self):
        error = self.assertRaises(
            errors.ValidationError, decode,
            wire.request_spec(scheduler_hints={'query': [['x']]}))
        self.assertEqual('spec_obj.scheduler_hints[query][0]', error.field)

    def test_error_never_echoes_value(self):
        secret = 'gAAAA-very-secret-token'
        prim = wire.request_spec(flavor=wire.flavor(vcpus=secret))
        error = self.assertRaises(errors.ValidationError, decode, prim)
        self.assertNotIn(secret, str(error))
        self.assertNotIn(secret, repr(error))

    def test_null_for_non_nullable_rejected(self):
        error = self.assertRaises(errors.ValidationError, decode,
                                  wire.request_spec(instance_uuid=None))
        self.assertEqual('spec_obj.instance_uuid', error.field)

    def test_non_dict_input(self):
        for bad in (None, [], 'RequestSpec', 3, {'nova_object.name': 1}):
            self.assertRaises(errors.ValidationError, decode, bad)

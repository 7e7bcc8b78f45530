"""Decoding legacy request_spec / filter_properties dicts."""

import json

import testtools

from scheduler.codec import errors
from scheduler.codec import legacy
from tests.unit.codec import wire

decode = legacy.decode_legacy_request


def flavor_dict(**fields):
    data = wire.flavor()['nova_object.data']
    data.update(fields)
    return data


def request(**fields):
    spec = {'num_instances': 2, 'image': {'id': wire.IMAGE_UUID,
                                          'properties': {}},
            'instance_properties': {'uuid': wire.INSTANCE_UUID,
                                    'project_id': 'p1', 'user_id': 'u1',
                                    'availability_zone': 'az1'},
            'instance_type': flavor_dict()}
    spec.update(fields)
    return spec


class LegacyTest(testtools.TestCase):

    def test_basic(self):
        spec = decode(request(), {})
        self.assertEqual(2, spec.num_instances)
        self.assertEqual(2, spec.flavor.vcpus)
        self.assertEqual(wire.INSTANCE_UUID, spec.instance_uuid)
        self.assertEqual('p1', spec.project_id)
        self.assertEqual('az1', spec.availability_zone)
        self.assertEqual(wire.IMAGE_UUID, spec.image.id)
        self.assertIsNone(spec.retry)
        self.assertIsNone(spec.instance_group)
        self.assertIsNone(spec.requested_destination)
        self.assertEqual({}, dict(spec.scheduler_hints))

    def test_flavor_primitive_and_instance_primitive(self):
        instance = wire.obj('Instance', '2.8', {
            'uuid': wire.INSTANCE_UUID, 'project_id': 'p2',
            'user_data': 'c2VjcmV0'})
        spec = decode(request(instance_type=wire.flavor(vcpus=8),
                              instance_properties=instance), {})
        self.assertEqual(8, spec.flavor.vcpus)
        self.assertEqual('p2', spec.project_id)

    def test_missing_flavor(self):
        error = self.assertRaises(errors.ValidationError, decode,
                                  request(instance_type=None), {})
        self.assertEqual('request_spec.instance_type', error.field)

    def test_numa_topology_json_string(self):
        cell = wire.obj('InstanceNUMACell', '1.6',
                        {'id': 0, 'cpuset': [0, 1], 'memory': 512})
        topo = wire.obj('InstanceNUMATopology', '1.3', {'cells': [cell]})
        props = request()['instance_properties']
        props['numa_topology'] = json.dumps(topo)
        spec = decode(request(instance_properties=props), {})
        self.assertEqual(frozenset({0, 1}), spec.numa_topology.cells[0].cpuset)

    def test_filter_properties(self):
        props = {
            'ignore_hosts': ['h1'], 'force_hosts': ['h2'],
            'force_nodes': ['n2'],
            'retry': {'num_attempts': 2, 'hosts': [['h1', 'n1']]},
            'limits': {'vcpu': 4, 'memory_mb': 100},
            'scheduler_hints': {'group': 'g', 'same_host': ['a', 'b']},
            'requested_destination': wire.destination(host='h2'),
        }
        spec = decode(request(), props)
        self.assertEqual(('h1',), spec.ignore_hosts)
        self.assertEqual(('h2',), spec.force_hosts)
        self.assertEqual(('n2',), spec.force_nodes)
        self.assertEqual(2, spec.retry.num_attempts)
        self.assertEqual((('h1', 'n1'),), spec.retry.hosts)
        self.assertEqual({'group': ('g',), 'same_host': ('a', 'b')},
                         dict(spec.scheduler_hints))
        self.assertEqual('h2', spec.requested_destination.host)

    def test_retry_without_hosts_is_empty(self):
        spec = decode(request(), {'retry': {'num_attempts': 3}})
        self.assertEqual(0, spec.retry.num_attempts)
        self.assertEqual((), spec.retry.hosts)

    def test_old_style_group(self):
        props = {'group_updated': True, 'group_policies': ['affinity'],
                 'group_hosts': ['h1'], 'group_members': ['m1'],
                 'group_uuid': wire.GROUP_UUID}
        group = decode(request(), props).instance_group
        self.assertEqual('affinity', group.policy)
        self.assertEqual(('affinity',), group.policies)
        self.assertEqual(('h1',), group.hosts)
        self.assertEqual(('m1',), group.members)
        self.assertEqual(wire.GROUP_UUID, group.uuid)

    def test_group_object(self):
        spec = decode(request(), {'instance_group': wire.instance_group()})
        self.assertEqual('anti-affinity', spec.instance_group.policy)

    def test_legacy_image_props(self):
        image = {'id': wire.IMAGE_UUID, 'name': None, 'size': None,
                 'properties': {
                     'architecture': 'x86_64', 'hw_numa_nodes': '2',
                     'hw_numa_cpus.0': '0-1', 'hw_numa_cpus.1': '2,^3,3-4',
                     'hw_numa_mem.0': '512', 'hw_numa_mem.1': 512,
                     'trait:CUSTOM_X': 'required', 'trait:CUSTOM_Y': 'no',
                     'vmware_adaptertype': 'lsiLogic',
                     'not_a_nova_property': 'dropped'}}
        spec = decode(request(image=image), {})
        props = spec.image.properties
        self.assertEqual('', spec.image.name)
        self.assertEqual(0, spec.image.size)
        self.assertEqual('x86_64', props.get('hw_architecture'))
        self.assertEqual(2, props.get('hw_numa_nodes'))
        self.assertEqual((frozenset({0, 1}), frozenset({2, 4})),
                         props.get('hw_numa_cpus'))
        self.assertEqual((512, 512), props.get('hw_numa_mem'))
        self.assertEqual(('CUSTOM_X',), props.get('traits_required'))
        self.assertEqual('scsi', props.get('hw_disk_bus'))
        # nova's SCSIModel enum lower-cases the legacy adapter type.
        self.assertEqual('lsilogic', props.get('hw_scsi_model'))
        self.assertNotIn('not_a_nova_property', props)

    def assert_numa_cpus_refused(self, cpus, reason):
        image = {'properties': {'hw_numa_cpus.0': cpus}}
        error = self.assertRaises(errors.ValidationError, decode,
                                  request(image=image), {})
        self.assertEqual('request_spec.image.properties[hw_numa_cpus.0]',
                         error.field)
        self.assertEqual(reason, error.reason)

    def test_huge_cpu_range_rejected(self):
        self.assert_numa_cpus_refused('0-99999999999', 'more than 10000 CPUs')

    def test_many_small_cpu_ranges_rejected(self):
        # The bound is on all the ids named, not on each range alone.
        self.assert_numa_cpus_refused(
            ','.join(f'{n}-{n + 999}' for n in range(0, 11000, 1000)),
            'more than 10000 CPUs')

    def test_bad_cpu_set_reason_hides_the_value(self):
        self.assert_numa_cpus_refused('0-1,secret', 'invalid CPU set')

    def test_bad_types(self):
        for spec, props, field in (
                ('x', {}, 'request_spec'),
                (request(), [], 'filter_properties'),
                (request(num_instances=0), {}, 'request_spec.num_instances'),
                (request(), {'force_hosts': 'h1'},
                 'filter_properties.force_hosts'),
                (request(), {'retry': {'hosts': [['h']]}},
                 'filter_properties.retry.hosts[0]')):
            error = self.assertRaises(errors.ValidationError, decode, spec,
                                      props)
            self.assertEqual(field, error.field)

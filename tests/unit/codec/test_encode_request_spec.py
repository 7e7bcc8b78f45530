"""Encoding RequestSpecs: decode(encode(spec)) == spec, and the shape.

tests/compat/codec/test_encode_request_spec.py proves the same primitives
against nova 34's own objects and serializer.
"""

import json
import types

import hypothesis
import testtools

from scheduler.codec import encode_request_spec as encoder
from scheduler.codec import request_spec as decoder
from scheduler.objects import destination
from scheduler.objects import flavor
from scheduler.objects import image
from scheduler.objects import instance_group
from scheduler.objects import network
from scheduler.objects import numa
from scheduler.objects import pci
from scheduler.objects import request_group
from scheduler.objects import request_spec
from tests.unit.codec import spec_strategies
from tests.unit.codec import wire

PORT = '3f1e2d3c-4b5a-4968-8776-655443322110'
# RequestSpec 1.15's child versions in nova 34 (obj_tree_get_versions).
NOVA_34_VERSIONS = {
    'RequestSpec': '1.15', 'Flavor': '1.2', 'ImageMeta': '1.8',
    'ImageMetaProps': '1.44', 'InstanceNUMATopology': '1.3',
    'InstanceNUMACell': '1.6', 'VirtCPUTopology': '1.0',
    'InstancePCIRequests': '1.1', 'InstancePCIRequest': '1.4',
    'Destination': '1.4', 'CellMapping': '1.1', 'SchedulerRetries': '1.1',
    'ComputeNodeList': '1.17', 'ComputeNode': '1.19',
    'InstanceGroup': '1.11', 'NetworkMetadata': '1.0',
    'NetworkRequestList': '1.1', 'NetworkRequest': '1.3',
    'RequestGroup': '1.3', 'RequestLevelParams': '1.1',
}


def rich_spec(**changes):
    """Every field set, to values other than the defaults."""
    spec = request_spec.RequestSpec(
        id=7,
        flavor=flavor.Flavor(
            memory_mb=4096, vcpus=4, root_gb=40, ephemeral_gb=10, swap=512,
            id=42, flavorid='test-flavor', name='m1.test', rxtx_factor=2.5,
            vcpu_weight=3, disabled=True, is_public=False,
            extra_specs={'hw:cpu_policy': 'dedicated',
                         'resources1:CUSTOM_FOO': '1'},
            description='a flavor'),
        image=image.ImageMeta(
            id=wire.IMAGE_UUID, name='img', status='active',
            visibility='public', owner='p1', checksum='abc',
            container_format='bare', disk_format='raw', size=1024,
            virtual_size=2048, min_ram=128, min_disk=1, tags=('a', 'b'),
            properties=image.ImageProperties(types.MappingProxyType({
                'hw_architecture': 'x86_64', 'hw_mem_encryption': True,
                'hw_numa_nodes': 2,
                'hw_numa_cpus': (frozenset({0, 1}), frozenset({2, 3})),
                'hw_numa_mem': (2048, 2048), 'traits_required': ('T1',),
                'img_hv_requested_version': '>=6.0',
                'img_block_device_mapping': ({'boot_index': '0',
                                              'snapshot_id': None},),
                'hw_ephemeral_encryption_secret_uuid': PORT,
                'x_newer_property': ('a', 1)}))),
        numa_topology=numa.InstanceNUMATopology(
            cells=(numa.InstanceNUMACell(
                id=0, cpuset=frozenset(), pcpuset=frozenset({0, 1}),
                memory=2048, cpuset_reserved=frozenset({7}), pagesize=2048,
                cpu_topology=numa.VirtCPUTopology(sockets=1, cores=2,
                                                  threads=1),
                cpu_pinning={0: 10, 1: 11}, cpu_policy='dedicated',
                cpu_thread_policy='isolate'),
                numa.InstanceNUMACell(id=1, cpuset=frozenset({2}),
                                      pcpuset=frozenset({3}), memory=2048,
                                      cpu_policy='mixed')),
            emulator_threads_policy='isolate'),
        pci_requests=pci.PCIRequests(
            instance_uuid=wire.INSTANCE_UUID, requests=(
                pci.PCIRequest(count=2, spec=({'vendor_id': '8086',
                                               'resource_class': None},),
                               alias_name='nic', is_new=True,
                               request_id=PORT, requester_id='r1',
                               numa_policy='preferred'),
                pci.PCIRequest(count=1))),
        project_id='p1', user_id='u1', availability_zone='az1',
        num_instances=3, ignore_hosts=('bad1',), force_hosts=('cmp1',),
        force_nodes=('cmp1.example',),
        requested_destination=destination.Destination(
            host='cmp1', node='cmp1.example',
            cell=destination.CellRef(uuid=wire.CELL_UUID, name='cell1'),
            aggregates=('a1,a2', 'a3'), allow_cross_cell_move=True,
            forbidden_aggregates=frozenset({'f1', 'f2'})),
        retry=request_spec.SchedulerRetries(
            num_attempts=2, hosts=(('cmp1', 'n1'), ('cmp2', None))),
        instance_group=instance_group.InstanceGroup(
            uuid=wire.GROUP_UUID, name='grp', user_id='u1', project_id='p1',
            policy='anti-affinity', policies=('anti-affinity',),
            members=(wire.INSTANCE_UUID,), hosts=('cmp1', 'cmp2'),
            rules={'max_server_per_host': '2'}),
        scheduler_hints={'group': (wire.GROUP_UUID,),
                         'same_host': ('a', 'b')},
        instance_uuid=wire.INSTANCE_UUID,
        network_metadata=network.NetworkMetadata(
            physnets=frozenset({'p2', 'p1'}), tunneled=True),
        is_bfv=True,
        requested_resources=(
            request_group.RequestGroup(
                requester_id=PORT,
                resources={'NET_BW_EGR_KILOBIT_PER_SEC': 1000},
                required_traits=frozenset({'CUSTOM_PHYSNET_A'}),
                provider_uuids=(wire.RP_UUID,)),
            request_group.RequestGroup(
                use_same_provider=False, resources={'CUSTOM_PCI': 1},
                forbidden_traits=frozenset({'CUSTOM_BAD'}),
                aggregates=(('x',), ('y', 'z')),
                forbidden_aggregates=frozenset({'q'}),
                in_tree=wire.RP_UUID)),
        request_level_params=request_group.RequestLevelParams(
            root_required=frozenset({'COMPUTE_X'}),
            root_forbidden=frozenset({'COMPUTE_STATUS_DISABLED'}),
            same_subtree=(('1', PORT),)),
        requested_networks=(
            network.NetworkRequest(network_id='net1', address='10.0.0.5',
                                   tag='t1'),
            network.NetworkRequest(port_id=PORT, pci_request_id=PORT,
                                   arq_uuid=wire.RP_UUID,
                                   device_profile='dp'),
            network.NetworkRequest(address='2001:db8::1')),
    )
    return spec.replace(**changes)


def minimal_spec():
    return request_spec.RequestSpec(flavor=flavor.Flavor(
        memory_mb=512, vcpus=1, root_gb=1, ephemeral_gb=0, swap=0))


def over_the_wire(spec):
    """Encode, send as JSON (what every real driver does), decode."""
    return decoder.decode_request_spec(
        json.loads(json.dumps(encoder.encode_request_spec(spec))))


def objects_in(primitive):
    """Every nova object primitive in ``primitive``, depth first."""
    if isinstance(primitive, dict):
        if 'nova_object.name' in primitive:
            yield primitive
        for value in primitive.values():
            yield from objects_in(value)
    elif isinstance(primitive, list):
        for value in primitive:
            yield from objects_in(value)


class RoundTripTest(testtools.TestCase):

    @hypothesis.given(spec_strategies.request_specs)
    def test_generated_specs(self, spec):
        self.assertEqual(spec, over_the_wire(spec))

    def test_rich_spec(self):
        spec = rich_spec()
        self.assertEqual(spec, over_the_wire(spec))

    def test_minimal_spec(self):
        spec = minimal_spec()
        self.assertEqual(spec, over_the_wire(spec))

    def test_unset_optional_objects(self):
        spec = rich_spec(
            image=None, numa_topology=None, pci_requests=None,
            requested_destination=None, retry=None, instance_group=None,
            ignore_hosts=None, force_hosts=None, force_nodes=None,
            instance_uuid=None, id=None, project_id=None,
            availability_zone=None)
        self.assertEqual(spec, over_the_wire(spec))

    def test_group_without_policy(self):
        spec = rich_spec(instance_group=instance_group.InstanceGroup(
            uuid=wire.GROUP_UUID))
        self.assertEqual(spec, over_the_wire(spec))

    def test_specs_we_decoded(self):
        # What nova sends, through our decoder, encoder and decoder again.
        prims = [wire.request_spec(), wire.request_spec(
            requested_destination=wire.destination(
                host='h', cell=wire.cell_mapping(), aggregates=['a,b']),
            instance_group=wire.instance_group()),
            wire.load_sample('sample_reqspec.json')]
        for prim in prims:
            spec = decoder.decode_request_spec(prim)
            self.assertEqual(spec, over_the_wire(spec))


class ShapeTest(testtools.TestCase):

    def test_versions_are_nova_34s(self):
        prim = encoder.encode_request_spec(rich_spec())
        seen = {obj['nova_object.name']: obj['nova_object.version']
                for obj in objects_in(prim)}
        self.assertEqual(NOVA_34_VERSIONS, seen)
        for obj in objects_in(prim):
            self.assertEqual('nova', obj['nova_object.namespace'])

    def test_changes_list_every_set_field(self):
        for obj in objects_in(encoder.encode_request_spec(rich_spec())):
            data = obj['nova_object.data']
            if data:
                self.assertEqual(sorted(data), obj['nova_object.changes'])
            else:
                self.assertNotIn('nova_object.changes', obj)

    def test_fields_sent(self):
        data = encoder.encode_request_spec(rich_spec())['nova_object.data']
        self.assertEqual({
            'id', 'image', 'numa_topology', 'pci_requests', 'project_id',
            'user_id', 'availability_zone', 'flavor', 'num_instances',
            'ignore_hosts', 'force_hosts', 'force_nodes',
            'requested_destination', 'retry', 'instance_group',
            'scheduler_hints', 'instance_uuid', 'network_metadata',
            'is_bfv', 'requested_resources', 'request_level_params',
            'requested_networks'}, set(data))

    def test_unknown_non_nullable_fields_are_left_out(self):
        spec = minimal_spec().replace(
            image=image.ImageMeta(),
            requested_destination=destination.Destination(),
            instance_group=instance_group.InstanceGroup(),
            pci_requests=pci.PCIRequests())
        data = encoder.encode_request_spec(spec)['nova_object.data']
        self.assertNotIn('id', data)
        self.assertNotIn('instance_uuid', data)
        self.assertEqual({'tags', 'properties'},
                         set(data['image']['nova_object.data']))
        self.assertNotIn('host',
                         data['requested_destination']['nova_object.data'])
        self.assertNotIn('uuid', data['instance_group']['nova_object.data'])
        self.assertNotIn('instance_uuid',
                         data['pci_requests']['nova_object.data'])
        flavor_data = data['flavor']['nova_object.data']
        for name in ('id', 'flavorid', 'rxtx_factor'):
            self.assertNotIn(name, flavor_data)
        self.assertIsNone(flavor_data['name'])
        self.assertEqual(spec, over_the_wire(spec))

    def test_cell_is_sent_without_credentials(self):
        data = encoder.encode_request_spec(rich_spec())['nova_object.data']
        cell = data['requested_destination']['nova_object.data']['cell']
        self.assertEqual({'uuid': wire.CELL_UUID, 'name': 'cell1'},
                         cell['nova_object.data'])

    def test_sets_are_sorted_lists(self):
        data = encoder.encode_request_spec(rich_spec())['nova_object.data']
        meta = data['network_metadata']['nova_object.data']
        self.assertEqual(['p1', 'p2'], meta['physnets'])
        props = data['image']['nova_object.data']['properties']
        self.assertEqual([[0, 1], [2, 3]],
                         props['nova_object.data']['hw_numa_cpus'])
        cell = data['numa_topology']['nova_object.data']['cells'][0]
        self.assertEqual({'0': 10, '1': 11},
                         cell['nova_object.data']['cpu_pinning_raw'])

    def test_no_limits_or_security_groups(self):
        # Never decoded, so never sent: our decoder drops limits.
        data = encoder.encode_request_spec(rich_spec())['nova_object.data']
        self.assertNotIn('limits', data)
        self.assertNotIn('security_groups', data)

"""Decoding the objects nested in a RequestSpec."""

import testtools

from scheduler.codec import errors
from scheduler.codec import request_spec
from tests.unit.codec import wire

decode = request_spec.decode_request_spec
SECRETS = ('S3cretMQ', 'S3cretDB', 'mq.example', 'db.example')


class DestinationTest(testtools.TestCase):

    def test_cell_credentials_are_discarded(self):
        dest = wire.destination(host='cmp1', node='cmp1.example',
                                cell=wire.cell_mapping(),
                                aggregates=['a1,a2', 'a3'],
                                allow_cross_cell_move=True,
                                forbidden_aggregates=['f1'])
        spec = decode(wire.request_spec(requested_destination=dest))
        result = spec.requested_destination
        self.assertEqual('cmp1', result.host)
        self.assertEqual('cmp1.example', result.node)
        self.assertEqual(wire.CELL_UUID, result.cell.uuid)
        self.assertEqual('cell1', result.cell.name)
        self.assertEqual(('a1,a2', 'a3'), result.aggregates)
        self.assertTrue(result.allow_cross_cell_move)
        self.assertEqual(frozenset({'f1'}), result.forbidden_aggregates)
        self.assertEqual({'uuid', 'name'}, set(type(result.cell).__slots__))
        for text in (repr(spec), str(spec), repr(result.cell)):
            for secret in SECRETS:
                self.assertNotIn(secret, text)

    def test_bad_credentials_are_not_even_read(self):
        # They are dropped, so their type does not matter either.
        cell = wire.cell_mapping(transport_url=['x'], database_connection=5)
        dest = wire.destination(host='h', cell=cell)
        spec = decode(wire.request_spec(requested_destination=dest))
        self.assertEqual(wire.CELL_UUID, spec.requested_destination.cell.uuid)

    def test_cell_uuid_validated(self):
        dest = wire.destination(cell=wire.cell_mapping(uuid='not-a-uuid'))
        error = self.assertRaises(
            errors.ValidationError, decode,
            wire.request_spec(requested_destination=dest))
        self.assertEqual('spec_obj.requested_destination.cell.uuid',
                         error.field)

    def test_defaults(self):
        spec = decode(wire.request_spec(
            requested_destination=wire.destination()))
        dest = spec.requested_destination
        self.assertIsNone(dest.host)
        self.assertIsNone(dest.cell)
        self.assertIsNone(dest.aggregates)
        self.assertIsNone(dest.forbidden_aggregates)
        self.assertFalse(dest.allow_cross_cell_move)


class InstanceGroupTest(testtools.TestCase):

    def _group(self, version, **fields):
        group = wire.instance_group(**fields)
        group['nova_object.version'] = version
        return decode(wire.request_spec(instance_group=group)).instance_group

    def test_policy_derived_from_old_policies(self):
        group = self._group('1.10', policy=None, policies=['affinity'])
        self.assertEqual('affinity', group.policy)
        self.assertEqual(('affinity',), group.policies)

    def test_policies_derived_from_policy(self):
        data = wire.instance_group()['nova_object.data']
        data.pop('policies')
        prim = wire.obj('InstanceGroup', '1.11', data)
        group = decode(wire.request_spec(instance_group=prim)).instance_group
        self.assertEqual('anti-affinity', group.policy)
        self.assertEqual(('anti-affinity',), group.policies)

    def test_rules_and_members(self):
        group = self._group('1.11', _rules={'max_server_per_host': 3},
                            hosts=None)
        self.assertEqual({'max_server_per_host': '3'}, dict(group.rules))
        self.assertEqual(3, group.max_server_per_host)
        self.assertEqual((), group.hosts)
        self.assertEqual((wire.INSTANCE_UUID,), group.members)

    def test_member_error_names_index(self):
        members = ['a', 'b', 'c', {'x': 1}]
        error = self.assertRaises(errors.ValidationError, self._group,
                                  '1.11', members=members)
        self.assertEqual('spec_obj.instance_group.members[3]', error.field)


class ImageTest(testtools.TestCase):

    def _props(self, **props):
        spec = decode(wire.request_spec(image=wire.image(props)))
        return spec.image.properties

    def test_props_are_typed_like_nova(self):
        props = self._props(
            hw_architecture='x86_64', hw_mem_encryption='yes',
            hw_maxphysaddr_bits='42', traits_required=['CUSTOM_A'],
            hw_numa_cpus=[[0, 1], [2, 3]], hw_numa_mem=[512, 512],
            img_hv_requested_version='>=6.0')
        self.assertEqual('x86_64', props.get('hw_architecture'))
        self.assertIs(True, props.get('hw_mem_encryption'))
        self.assertEqual(42, props.get('hw_maxphysaddr_bits'))
        self.assertEqual(('CUSTOM_A',), props.get('traits_required'))
        self.assertEqual((frozenset({0, 1}), frozenset({2, 3})),
                         props.get('hw_numa_cpus'))
        self.assertEqual((512, 512), props.get('hw_numa_mem'))
        self.assertIn('img_hv_requested_version', props)
        self.assertNotIn('hw_disk_bus', props)

    def test_enum_aliases_canonicalized_like_nova(self):
        props = self._props(hw_architecture='AMD64', hw_vm_mode='hv',
                            img_hv_type='QEMU', os_type='Windows',
                            hw_vif_model='VirtualVmxnet3',
                            hw_scsi_model='paravirtual',
                            hw_disk_bus='VIRTIO')
        self.assertEqual(
            {'hw_architecture': 'x86_64', 'hw_vm_mode': 'hvm',
             'img_hv_type': 'qemu', 'os_type': 'windows',
             'hw_vif_model': 'vmxnet3', 'hw_scsi_model': 'vmpvscsi',
             # No alias: kept as sent (nova would reject a value outside
             # the enum; we let it through, no host will match it).
             'hw_disk_bus': 'VIRTIO'},
            dict(props.values))

    def test_unknown_props_kept_when_plain(self):
        props = self._props(hw_future='on', hw_future_list=['a', 1],
                            hw_future_dict={'a': 'b'})
        self.assertEqual('on', props.get('hw_future'))
        self.assertEqual(('a', 1), props.get('hw_future_list'))
        self.assertNotIn('hw_future_dict', props)

    def test_bad_known_prop_rejected(self):
        error = self.assertRaises(errors.ValidationError, self._props,
                                  hw_numa_nodes='many')
        self.assertEqual('spec_obj.image.properties[hw_numa_nodes]',
                         error.field)

    def test_image_fields(self):
        spec = decode(wire.request_spec(image=wire.image(
            tags=['t1'], size=1024, owner='p1')))
        self.assertEqual(('t1',), spec.image.tags)
        self.assertEqual(1024, spec.image.size)
        self.assertEqual(wire.IMAGE_UUID, spec.image.id)
        self.assertEqual('qcow2', spec.image.disk_format)


class NUMATest(testtools.TestCase):

    def _cell(self, version, **data):
        return wire.obj('InstanceNUMACell', version, data)

    def _topology(self, *cells):
        topo = wire.obj('InstanceNUMATopology', '1.3', {
            'cells': list(cells), 'emulator_threads_policy': 'isolate',
            'instance_uuid': wire.INSTANCE_UUID})
        return decode(wire.request_spec(numa_topology=topo)).numa_topology

    def test_cell(self):
        topo_prim = wire.obj('VirtCPUTopology', '1.0',
                             {'sockets': 1, 'cores': 2, 'threads': 1})
        topo = self._topology(self._cell(
            '1.6', id=0, cpuset=[], pcpuset=[0, 1], memory=1024,
            pagesize=2048, cpu_policy='dedicated',
            cpu_thread_policy='prefer', cpu_pinning_raw={'0': 4, '1': 5},
            cpu_topology=topo_prim, cpuset_reserved=None))
        cell = topo.cells[0]
        self.assertEqual('isolate', topo.emulator_threads_policy)
        self.assertEqual(frozenset({0, 1}), cell.pcpuset)
        self.assertEqual(frozenset(), cell.cpuset)
        self.assertEqual({0: 4, 1: 5}, dict(cell.cpu_pinning))
        self.assertEqual(2, cell.cpu_topology.cores)
        self.assertEqual(2048, cell.pagesize)
        self.assertIsNone(cell.cpuset_reserved)

    def test_pre_1_5_dedicated_cpus_move_to_pcpuset(self):
        topo = self._topology(self._cell(
            '1.4', id=0, cpuset=[2, 3], memory=512, cpu_policy='dedicated'))
        self.assertEqual(frozenset({2, 3}), topo.cells[0].pcpuset)
        self.assertEqual(frozenset(), topo.cells[0].cpuset)

    def test_pre_1_5_shared_cpus_stay(self):
        topo = self._topology(self._cell('1.3', id=0, cpuset=[2, 3],
                                         memory=512, cpu_policy=None))
        self.assertEqual(frozenset({2, 3}), topo.cells[0].cpuset)
        self.assertEqual(frozenset(), topo.cells[0].pcpuset)


class PCITest(testtools.TestCase):

    def test_requests(self):
        req = wire.obj('InstancePCIRequest', '1.4', {
            'count': 2, 'spec': [{'vendor_id': '8086', 'product_id': None}],
            'alias_name': 'a1', 'is_new': False,
            'request_id': wire.GROUP_UUID, 'numa_policy': 'preferred',
            'requester_id': None})
        reqs = wire.obj('InstancePCIRequests', '1.1', {
            'instance_uuid': wire.INSTANCE_UUID, 'requests': [req]})
        pci = decode(wire.request_spec(pci_requests=reqs)).pci_requests
        self.assertEqual(wire.INSTANCE_UUID, pci.instance_uuid)
        (request,) = pci.requests
        self.assertEqual(2, request.count)
        self.assertEqual([{'vendor_id': '8086', 'product_id': None}],
                         [dict(s) for s in request.spec])
        self.assertEqual('preferred', request.numa_policy)


class RequestGroupTest(testtools.TestCase):

    def test_groups_and_level_params(self):
        group = wire.obj('RequestGroup', '1.3', {
            'requester_id': 'port1', 'resources': {'NET_BW_EGR': 1000},
            'required_traits': ['CUSTOM_PHYSNET_A'],
            'provider_uuids': [wire.RP_UUID], 'in_tree': None,
            'aggregates': [['a1', 'a2']]})
        params = wire.obj('RequestLevelParams', '1.1', {
            'root_required': ['A'], 'root_forbidden': ['B'],
            'same_subtree': [['1', 'port1']]})
        spec = decode(wire.request_spec(requested_resources=[group],
                                        request_level_params=params))
        (result,) = spec.requested_resources
        self.assertTrue(result.use_same_provider)
        self.assertEqual({'NET_BW_EGR': 1000}, dict(result.resources))
        self.assertEqual(frozenset({'CUSTOM_PHYSNET_A'}),
                         result.required_traits)
        self.assertEqual(frozenset(), result.forbidden_traits)
        self.assertEqual((('a1', 'a2'),), result.aggregates)
        self.assertEqual((wire.RP_UUID,), result.provider_uuids)
        self.assertEqual(frozenset({'A'}),
                         spec.request_level_params.root_required)
        self.assertEqual((('1', 'port1'),),
                         spec.request_level_params.same_subtree)


class RetryAndLimitsTest(testtools.TestCase):

    def test_retry_hosts(self):
        nodes = [wire.obj('ComputeNode', '1.19',
                          {'host': f'h{i}', 'hypervisor_hostname': f'n{i}'})
                 for i in range(2)]
        retry = wire.obj('SchedulerRetries', '1.1', {
            'num_attempts': 2,
            'hosts': wire.obj('ComputeNodeList', '1.17',
                              {'objects': nodes})})
        spec = decode(wire.request_spec(retry=retry))
        self.assertEqual(2, spec.retry.num_attempts)
        self.assertEqual((('h0', 'n0'), ('h1', 'n1')), spec.retry.hosts)

    def test_limits_validated(self):
        bad = wire.obj('SchedulerLimits', '1.0', {'vcpu': 'lots'})
        error = self.assertRaises(errors.ValidationError, decode,
                                  wire.request_spec(limits=bad))
        self.assertEqual('spec_obj.limits.vcpu', error.field)


class NetworkTest(testtools.TestCase):

    def test_requested_networks_and_metadata(self):
        req = wire.obj('NetworkRequest', '1.3', {
            'network_id': 'n1', 'address': '10.0.0.5',
            'port_id': wire.RP_UUID, 'tag': None})
        nets = wire.obj('NetworkRequestList', '1.1', {'objects': [req]})
        meta = wire.obj('NetworkMetadata', '1.0',
                        {'physnets': ['physnet1'], 'tunneled': True})
        spec = decode(wire.request_spec(requested_networks=nets,
                                        network_metadata=meta))
        self.assertEqual('10.0.0.5', spec.requested_networks[0].address)
        self.assertEqual(wire.RP_UUID, spec.requested_networks[0].port_id)
        self.assertEqual(frozenset({'physnet1'}),
                         spec.network_metadata.physnets)
        self.assertTrue(spec.network_metadata.tunneled)

    def test_bad_address(self):
        req = wire.obj('NetworkRequest', '1.3', {'address': 'nowhere'})
        nets = wire.obj('NetworkRequestList', '1.1', {'objects': [req]})
        error = self.assertRaises(errors.ValidationError, decode,
                                  wire.request_spec(requested_networks=nets))
        self.assertEqual('spec_obj.requested_networks.objects[0].address',
                         error.field)

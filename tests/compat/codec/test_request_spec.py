"""Our RequestSpec decoder against nova 34's own objects and serializer."""

import testtools

from scheduler.codec import legacy
from scheduler.codec import request_spec
from tests.compat.codec import compare
from tests.compat.codec import nova_env
from tests.compat.codec import shapes
from tests.compat.codec.nova_env import objects

decode = request_spec.decode_request_spec


class EnvTest(testtools.TestCase):

    def test_nova_did_not_monkey_patch_us(self):
        self.assertFalse(nova_env.eventlet_patched())


class RequestSpecCompatTest(compare.Comparer, testtools.TestCase):

    def _roundtrip(self, nova_spec):
        """Serialize with nova, decode with ours and with nova; compare."""
        prim = nova_env.to_wire(nova_spec)
        mine = decode(prim)
        self.compare(nova_env.from_wire(prim), mine)
        return prim, mine

    def compare(self, nova_spec, mine):
        self.check_spec(nova_spec, mine)

    def test_full_spec(self):
        prim, mine = self._roundtrip(shapes.spec())
        self.assertEqual('1.15', prim['nova_object.version'])
        self.assertEqual(frozenset({0, 1}), mine.numa_topology.cells[0]
                         .pcpuset)
        self.assertEqual({0: 10, 1: 11},
                         dict(mine.numa_topology.cells[0].cpu_pinning))

    def test_cell_credentials_discarded(self):
        prim, mine = self._roundtrip(shapes.spec())
        text = repr(mine)
        for secret in (shapes.SECRET_DB, shapes.SECRET_MQ, 'S3cret'):
            self.assertNotIn(secret, text)
        self.assertEqual(shapes.CELL, mine.requested_destination.cell.uuid)

    def test_server_group_shapes(self):
        for policy, rules in (('affinity', {}),
                              ('anti-affinity', {'max_server_per_host': '3'}),
                              ('soft-affinity', {}),
                              ('soft-anti-affinity', {})):
            _, mine = self._roundtrip(shapes.spec(
                instance_group=shapes.group(policy, rules)))
            self.assertEqual(policy, mine.instance_group.policy)
            self.assertEqual((policy,), mine.instance_group.policies)

    def test_minimal_and_unset_shapes(self):
        unset = shapes.UNSET
        self._roundtrip(shapes.spec(
            image=None, numa_topology=None, pci_requests=None,
            instance_group=None, retry=None, limits=None,
            scheduler_hints=None, ignore_hosts=None, force_hosts=None,
            force_nodes=None, requested_destination=None,
            requested_resources=None, security_groups=unset,
            network_metadata=unset, request_level_params=unset,
            requested_networks=unset, is_bfv=unset, user_id=unset))

    def test_destination_without_cell(self):
        dest = objects.Destination(host='h1')
        _, mine = self._roundtrip(shapes.spec(requested_destination=dest))
        self.assertIsNone(mine.requested_destination.cell)
        self.assertIsNone(mine.requested_destination.aggregates)

    def test_from_components(self):
        for spec in (shapes.from_components(),
                     shapes.from_components(shapes.group('affinity'),
                                            {'group': shapes.GROUP,
                                             'different_host': ['a', 'b']})):
            self._roundtrip(spec)

    def test_every_older_version(self):
        nova_spec = shapes.spec()
        for minor in range(0, 15):
            version = f'1.{minor}'
            prim = nova_spec.obj_to_primitive(
                target_version=version,
                version_manifest=nova_env.manifest(RequestSpec=version))
            self.assertEqual(version, prim['nova_object.version'])
            prim = nova_env.to_wire(prim)
            mine = decode(prim)
            self.compare(nova_env.from_wire(prim), mine)

    def test_older_children(self):
        # An older sender: InstanceGroup 1.10 (policies only), cells 1.4
        # (dedicated CPUs in cpuset), Destination 1.3, RequestGroup 1.1 ...
        # 'mixed' cells cannot be backported to 1.4; keep the dedicated one.
        topo = shapes.numa_dedicated()
        topo.cells = topo.cells[:1]
        nova_spec = shapes.spec(numa_topology=topo)
        prim = nova_spec.obj_to_primitive(
            target_version='1.12', version_manifest=nova_env.manifest(
                RequestSpec='1.12', InstanceGroup='1.10',
                InstanceNUMACell='1.4', Destination='1.3',
                RequestGroup='1.1', NetworkRequest='1.1',
                InstancePCIRequest='1.1', ImageMeta='1.7',
                ImageMetaProps='1.20'))
        mine = decode(nova_env.to_wire(prim))
        self.assertEqual('anti-affinity', mine.instance_group.policy)
        cell0 = mine.numa_topology.cells[0]
        self.assertEqual(frozenset({0, 1}), cell0.pcpuset)
        self.assertEqual(frozenset(), cell0.cpuset)
        self.assertIsNone(mine.requested_destination.forbidden_aggregates)
        self.assertEqual(('a1,a2', 'a3'),
                         mine.requested_destination.aggregates)
        self.assertIsNone(mine.requested_resources[1].in_tree)
        self.assertEqual(frozenset(),
                         mine.requested_resources[1].forbidden_aggregates)
        self.assertEqual(f'{shapes.PCI_REQ}-0',
                         mine.requested_resources[1].requester_id)
        # nova keeps pre-1.5 cells as sent and migrates them when loading
        # from its DB; our decoder applies that same migration up front.
        expected = nova_env.from_wire(nova_env.to_wire(prim))
        objects.InstanceNUMATopology._migrate_legacy_dedicated_instance_cpuset(
            expected.numa_topology)
        self.compare(expected, mine)
        self.assertEqual(
            {'hw_architecture': 'x86_64', 'hw_numa_nodes': 2,
             'hw_numa_cpus': (frozenset({0, 1}), frozenset({2, 3})),
             'hw_numa_mem': (2048, 2048), 'hw_disk_bus': 'virtio',
             'img_hv_requested_version': '>=6.0',
             'traits_required': ('CUSTOM_T',)},
            dict(mine.image.properties.values))

    def test_three_part_version(self):
        prim = nova_env.to_wire(shapes.spec())
        prim['nova_object.version'] = '1.15.7'
        self.compare(shapes.spec(), decode(prim))


class LegacyCompatTest(compare.Comparer, testtools.TestCase):

    def _check(self, nova_spec):
        ctxt = nova_env.context()
        req = nova_env.to_wire(nova_spec.to_legacy_request_spec_dict(), ctxt)
        props = nova_env.to_wire(
            nova_spec.to_legacy_filter_properties_dict(), ctxt)
        expected = objects.RequestSpec.from_primitives(
            ctxt, nova_env.from_wire(req, ctxt),
            nova_env.from_wire(props, ctxt))
        mine = legacy.decode_legacy_request(req, props)
        self.check_spec(expected, mine)
        return mine

    def test_full_spec(self):
        mine = self._check(shapes.spec())
        self.assertEqual(3, mine.num_instances)
        self.assertEqual('anti-affinity', mine.instance_group.policy)
        self.assertEqual(('cmp1',), mine.force_hosts)

    def test_shapes(self):
        unset = shapes.UNSET
        for spec in (
                shapes.spec(instance_group=None, retry=None,
                            requested_destination=None, image=None),
                shapes.spec(numa_topology=None, pci_requests=None,
                            scheduler_hints={'a': ['1', '2'], 'b': ['x']}),
                shapes.spec(limits=objects.SchedulerLimits.from_dict({
                    'numa_topology': objects.NUMATopologyLimits(
                        cpu_allocation_ratio=2.0, ram_allocation_ratio=1.0,
                        network_metadata=objects.NetworkMetadata(
                            physnets=set(), tunneled=False))})),
                shapes.spec(user_id=unset, is_bfv=unset),
                shapes.from_components()):
            self._check(spec)

    def test_glance_style_image_dict(self):
        ctxt = nova_env.context()
        image = {'id': shapes.IMAGE, 'name': None, 'size': None,
                 'properties': {'architecture': 'x86_64',
                                'hw_numa_cpus.0': '0-1,^1',
                                'hw_numa_mem.0': '512',
                                'trait:CUSTOM_X': 'required',
                                'hw_vif_multiqueue_enabled': 'yes',
                                'vmware_adaptertype': 'lsiLogic',
                                'vm_mode': 'HV', 'hypervisor_type': 'QEMU',
                                'os_type': 'Linux',
                                'hw_vif_model': 'VirtualE1000'}}
        req = {'image': image, 'instance_type': shapes.flavor(),
               'instance_properties': {'uuid': shapes.INSTANCE}}
        wire_req = nova_env.to_wire(req, ctxt)
        expected = objects.RequestSpec.from_primitives(
            ctxt, nova_env.from_wire(wire_req, ctxt), {})
        mine = legacy.decode_legacy_request(wire_req, {})
        self.check_image(expected.image, mine.image)

"""RequestSpecs in many shapes, built with nova's own objects."""

from oslo_utils import uuidutils

from tests.compat.codec.nova_env import objects

INSTANCE = '9d0f3f2e-8a51-4a3b-9c51-0f6a1b2c3d4e'
GROUP = '2d1b4a38-2b4b-4bde-9d53-3a1a0d1f1b6e'
CELL = '8b9b3c6e-1f0c-4a57-9a50-4c2f5f5d7e11'
IMAGE = '7e2c4f2e-1c1c-4c4c-9c9c-111111111111'
RP = '0c9a0d47-7f0a-43f5-a7a4-0c26f2f6c6a5'
PORT = '3f1e2d3c-4b5a-4968-8776-655443322110'
PCI_REQ = '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d'
SECRET_DB = 'mysql+pymysql://nova:S3cretDB@db.example/nova_cell1'
SECRET_MQ = 'rabbit://nova:S3cretMQ@mq.example:5672/'


def flavor(**extra_specs):
    return objects.Flavor(
        id=42, name='m1.test', memory_mb=4096, vcpus=4, root_gb=40,
        ephemeral_gb=10, swap=512, flavorid='test-flavor', rxtx_factor=1.0,
        vcpu_weight=None, disabled=False, is_public=True,
        extra_specs=dict(extra_specs), description='a flavor')


def image(**props):
    return objects.ImageMeta(
        id=IMAGE, name='img', status='active', visibility='public',
        owner='p1', checksum='abc', container_format='bare',
        disk_format='raw', size=1024, virtual_size=2048, min_ram=128,
        min_disk=1, tags=['a', 'b'], protected=False,
        properties=objects.ImageMetaProps(**props))


def numa_dedicated():
    cells = [
        objects.InstanceNUMACell(
            id=0, cpuset=set(), pcpuset={0, 1}, memory=2048, pagesize=2048,
            cpu_policy='dedicated', cpu_thread_policy='isolate',
            cpu_topology=objects.VirtCPUTopology(sockets=1, cores=2,
                                                 threads=1),
            cpuset_reserved={7}),
        objects.InstanceNUMACell(
            id=1, cpuset={2}, pcpuset={3}, memory=2048, pagesize=None,
            cpu_policy='mixed', cpu_thread_policy=None),
    ]
    cells[0].pin_vcpus((0, 10), (1, 11))
    return objects.InstanceNUMATopology(
        instance_uuid=INSTANCE, cells=cells,
        emulator_threads_policy='isolate')


def pci_requests():
    return objects.InstancePCIRequests(instance_uuid=INSTANCE, requests=[
        objects.InstancePCIRequest(
            count=2, spec=[{'vendor_id': '8086', 'product_id': '1520',
                            'resource_class': None}],
            alias_name='nic', request_id=PCI_REQ, numa_policy='preferred',
            requester_id=None),
        objects.InstancePCIRequest(count=1, spec=[{'physical_network': 'p'}],
                                   alias_name=None, request_id=None),
    ])


def group(policy='anti-affinity', rules=None):
    return objects.InstanceGroup(
        uuid=GROUP, name='grp', user_id='u1', project_id='p1',
        policy=policy, rules=rules or {}, members=[INSTANCE, RP],
        hosts=['cmp1', 'cmp2'])


def destination():
    cell = objects.CellMapping(uuid=CELL, name='cell1',
                               transport_url=SECRET_MQ,
                               database_connection=SECRET_DB,
                               disabled=False)
    dest = objects.Destination(host='cmp1', node='cmp1.example', cell=cell,
                               allow_cross_cell_move=True)
    dest.require_aggregates(['a1', 'a2'])
    dest.require_aggregates(['a3'])
    dest.append_forbidden_aggregates({'f1', 'f2'})
    return dest


def retry():
    nodes = [objects.ComputeNode(host='cmp1', hypervisor_hostname='n1'),
             objects.ComputeNode(host='cmp2', hypervisor_hostname='n2')]
    return objects.SchedulerRetries(
        num_attempts=2, hosts=objects.ComputeNodeList(objects=nodes))


def request_groups():
    port = objects.RequestGroup(
        requester_id=PORT, resources={'NET_BW_EGR_KILOBIT_PER_SEC': 1000},
        required_traits={'CUSTOM_PHYSNET_A', 'CUSTOM_VNIC_TYPE_NORMAL'},
        provider_uuids=[RP])
    pci = objects.RequestGroup(
        requester_id=f'{PCI_REQ}-0', resources={'CUSTOM_PCI_8086_1520': 1},
        forbidden_traits={'CUSTOM_BAD'}, aggregates=[['x'], ['y', 'z']],
        forbidden_aggregates={'q'}, in_tree=RP, use_same_provider=False)
    return [port, pci]


def networks():
    return objects.NetworkRequestList(objects=[
        objects.NetworkRequest(network_id='net1', address='10.0.0.5',
                               tag='t1'),
        objects.NetworkRequest(port_id=PORT, pci_request_id=PCI_REQ,
                               arq_uuid=RP, device_profile='dp'),
        objects.NetworkRequest(network_id='auto'),
    ])


def spec(**overrides):
    """A RequestSpec with every field the scheduler reads set."""
    fields = dict(
        id=7, flavor=flavor(**{'hw:cpu_policy': 'dedicated',
                               'resources1:CUSTOM_FOO': '1',
                               'trait:HW_CPU_X86_AVX2': 'required'}),
        image=image(hw_architecture='x86_64', hw_mem_encryption=True,
                    hw_numa_nodes=2, hw_numa_cpus=[{0, 1}, {2, 3}],
                    hw_numa_mem=[2048, 2048], traits_required=['CUSTOM_T'],
                    img_hv_requested_version='>=6.0', hw_disk_bus='virtio'),
        numa_topology=numa_dedicated(), pci_requests=pci_requests(),
        project_id='p1', user_id='u1', availability_zone='az1',
        num_instances=3, ignore_hosts=['bad1'], force_hosts=['cmp1'],
        force_nodes=['cmp1.example'], requested_destination=destination(),
        retry=retry(),
        limits=objects.SchedulerLimits.from_dict({'vcpu': 8}),
        instance_group=group(rules={'max_server_per_host': '2'}),
        scheduler_hints={'group': [GROUP], 'same_host': [INSTANCE, RP],
                         '_nova_check_type': ['rebuild']},
        instance_uuid=INSTANCE,
        security_groups=objects.SecurityGroupList(objects=[
            objects.SecurityGroup(name='default')]),
        network_metadata=objects.NetworkMetadata(physnets={'p1', 'p2'},
                                                 tunneled=True),
        is_bfv=True, requested_resources=request_groups(),
        request_level_params=objects.RequestLevelParams(
            root_required={'COMPUTE_X'},
            root_forbidden={'COMPUTE_STATUS_DISABLED'},
            same_subtree=[['1', PORT]]),
        requested_networks=networks(),
    )
    fields.update(overrides)
    return objects.RequestSpec(**{k: v for k, v in fields.items()
                                  if v is not _UNSET})


_UNSET = object()
UNSET = _UNSET


def from_components(group_obj=None, hints=None):
    """The way nova-api builds a boot request (from_components)."""
    return objects.RequestSpec.from_components(
        context=None, instance_uuid=uuidutils.generate_uuid(),
        image={'id': IMAGE, 'properties': {'hw_architecture': 'aarch64'}},
        flavor=flavor(), numa_topology=None,
        pci_requests=objects.InstancePCIRequests(requests=[]),
        filter_properties={'scheduler_hints': hints or {}},
        instance_group=group_obj, availability_zone=None,
        project_id='p1', user_id='u1')

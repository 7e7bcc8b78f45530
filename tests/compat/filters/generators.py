"""Hypothesis strategies: compute-node rows, services, aggregates,
instances, request specs (as nova objects) and configuration.

Values are drawn from small vocabularies so that filters and weighers hit
both their passing and failing branches often.
"""

import dataclasses
import datetime
import json

from hypothesis import strategies as st

from tests.compat.filters.nova_env import objects

NOW = datetime.datetime(2026, 3, 1, 12, 0, 0)
CELLS = ('8b9b3c6e-1f0c-4a57-9a50-4c2f5f5d7e11',
         'c2f1e0d9-3b4a-4c5d-8e6f-7a8b9c0d1e2f')
INSTANCES = tuple(f'{i:08x}-aaaa-4bbb-8ccc-{i:012x}' for i in range(1, 9))
NEW_INSTANCE = '9d0f3f2e-8a51-4a3b-9c51-0f6a1b2c3d4e'
GROUP = '2d1b4a38-2b4b-4bde-9d53-3a1a0d1f1b6e'
MULTIPLIER_KEYS = (
    'ram_weight_multiplier', 'cpu_weight_multiplier',
    'disk_weight_multiplier', 'io_ops_weight_multiplier',
    'num_instances_weight_multiplier',
    'hypervisor_version_weight_multiplier',
    'build_failure_weight_multiplier', 'cross_cell_move_weight_multiplier',
    'pci_weight_multiplier', 'soft_affinity_weight_multiplier',
    'soft_anti_affinity_weight_multiplier', 'image_props_weight_multiplier',
    'metrics_weight_multiplier')
METRIC_NAMES = ('cpu.frequency', 'cpu.percent', 'cpu.user.percent',
                'cpu.idle.time', 'cpu.kernel.percent')
NUMBERS = ('0', '1', '2', '4', '40', '46', '1024', '4096', '8002000', '4.0')
WORDS = ('QEMU', 'kvm', 'intel', 'amd', 'x86_64', 'avx2', 'aes', 'h1')
IMAGE_VALUES = {
    'os_distro': ('ubuntu', 'rhel', 'windows'),
    'hw_machine_type': ('q35', 'pc'),
    'hw_disk_bus': ('virtio', 'scsi'),
}


@dataclasses.dataclass
class HostRows:
    row: dict
    service: dict
    cell: str
    instances: dict
    sysmeta: dict

    @property
    def name(self):
        return self.row['host']


@dataclasses.dataclass
class World:
    hosts: list
    aggregates: list

    def aggregates_of(self, host):
        return [a for a in self.aggregates if host in a['hosts']]


@st.composite
def cpu_info(draw):
    info = {'arch': draw(st.sampled_from(['x86_64', 'aarch64'])),
            'features': draw(st.lists(st.sampled_from(
                ['avx2', 'aes', 'sse4']), max_size=3, unique=True))}
    shape = draw(st.sampled_from(['bits', 'bits', 'empty', 'none']))
    if shape == 'bits':
        info['maxphysaddr'] = {'mode': 'passthrough', 'bits': draw(
            st.sampled_from([0, 36, 39, 40, 46, 48, 52]))}
    elif shape == 'empty':
        info['maxphysaddr'] = {}
    return json.dumps(info)


@st.composite
def metrics(draw):
    chosen = draw(st.lists(st.sampled_from(METRIC_NAMES), unique=True,
                           max_size=len(METRIC_NAMES)))
    return json.dumps([
        {'name': name, 'source': 'libvirt.LibvirtDriver',
         'timestamp': '2026-03-01T11:59:00.000000+00:00',
         'value': draw(st.one_of(
             st.integers(0, 3000),
             st.floats(0, 1, allow_nan=False).map(lambda f: round(f, 3))))}
        for name in chosen])


@st.composite
def supported_instances(draw):
    triple = st.tuples(
        st.sampled_from(['x86_64', 'i686', 'aarch64', 'AMD64', 'i386']),
        st.sampled_from(['kvm', 'qemu', 'xen', 'xapi', 'QEMU', 'ironic']),
        st.sampled_from(['hvm', 'xen', 'exe', 'HV', 'pv']))
    return json.dumps([list(t) for t in draw(st.lists(triple, max_size=3))])


@st.composite
def pci_stats(draw):
    pool = st.fixed_dictionaries(
        {'vendor_id': st.sampled_from(['8086', '15b3']),
         'product_id': st.sampled_from(['1520', '10fb']),
         'count': st.integers(0, 70)},
        optional={'numa_node': st.one_of(st.none(), st.integers(0, 1)),
                  'physical_network': st.sampled_from(['p1', 'p2']),
                  'dev_type': st.sampled_from(['type-PF', 'type-VF'])})
    pools = draw(st.lists(pool, max_size=3))
    shape = draw(st.sampled_from(['none', 'legacy', 'object', 'garbage']))
    if shape == 'none':
        return None
    if shape == 'garbage':
        return '{not json'
    if shape == 'legacy':
        return json.dumps(pools)
    objs = []
    for p in pools:
        kwargs = {k: p[k] for k in ('vendor_id', 'product_id', 'count')}
        if 'numa_node' in p:
            kwargs['numa_node'] = p['numa_node']
        kwargs['tags'] = {k: v for k, v in p.items()
                          if k in ('physical_network', 'dev_type')}
        objs.append(objects.PciDevicePool(**kwargs))
    return json.dumps(objects.PciDevicePoolList(objects=objs)
                      .obj_to_primitive())


@st.composite
def numa_topology(draw):
    shape = draw(st.sampled_from(['none', 'legacy', 'object']))
    if shape == 'none':
        return None
    cells = draw(st.lists(st.tuples(st.integers(0, 7), st.integers(1, 4),
                                    st.integers(512, 8192)),
                          min_size=1, max_size=2))
    if shape == 'legacy':
        return json.dumps({'cells': [
            {'id': i, 'cpus': f'{start}-{start + n - 1}',
             'mem': {'total': mem, 'used': 0}}
            for i, (start, n, mem) in enumerate(cells)]})
    topo = objects.NUMATopology(cells=[
        objects.NUMACell(id=i, cpuset=set(range(start, start + n)),
                         pcpuset=set(), memory=mem, cpu_usage=0,
                         memory_usage=0, mempages=[], pinned_cpus=set(),
                         siblings=[])
        for i, (start, n, mem) in enumerate(cells)])
    return topo._to_json()


def _ratio():
    return st.one_of(st.none(), st.just(0.0),
                     st.sampled_from([1.0, 1.5, 2.0, 4.0, 16.0]))


@st.composite
def compute_row(draw, index):
    host = f'h{index}'
    stats = {'num_instances': str(draw(st.integers(0, 60))),
             'io_workload': str(draw(st.integers(0, 10))),
             'failed_builds': str(draw(st.sampled_from([0, 0, 1, 3])))}
    if draw(st.booleans()):
        stats['cpu_vendor'] = draw(st.sampled_from(['intel', 'amd']))
    if draw(st.booleans()):
        stats['nested'] = json.dumps({'a': draw(st.sampled_from(WORDS))})
    return dict(
        id=index + 1, uuid=f'{index:08x}-1111-4222-8333-{index:012x}',
        service_id=index + 100, host=host,
        hypervisor_hostname=f'{host}.node',
        vcpus=draw(st.integers(1, 64)), vcpus_used=draw(st.integers(0, 128)),
        memory_mb=draw(st.integers(1024, 65536)),
        memory_mb_used=draw(st.integers(0, 65536)),
        free_ram_mb=draw(st.integers(-4096, 65536)),
        local_gb=draw(st.integers(10, 2000)),
        local_gb_used=draw(st.integers(0, 2000)),
        free_disk_gb=draw(st.integers(-50, 2000)),
        disk_available_least=draw(st.one_of(st.none(),
                                            st.integers(-50, 2000))),
        current_workload=0, running_vms=0,
        hypervisor_type=draw(st.sampled_from(['QEMU', 'kvm', 'ironic'])),
        hypervisor_version=draw(st.sampled_from(
            [6000000, 7002000, 8002000, 9001000, 10000000])),
        cpu_info=draw(cpu_info()), metrics=draw(metrics()),
        stats=json.dumps(stats),
        host_ip=f'10.0.{index}.{draw(st.integers(1, 254))}',
        numa_topology=draw(numa_topology()),
        supported_instances=draw(supported_instances()),
        pci_stats=draw(pci_stats()),
        cpu_allocation_ratio=draw(_ratio()),
        ram_allocation_ratio=draw(_ratio()),
        disk_allocation_ratio=draw(_ratio()),
        mapped=1,
        created_at=datetime.datetime(2026, 1, 1),
        updated_at=NOW - datetime.timedelta(seconds=draw(
            st.integers(0, 600))),
        deleted_at=None, deleted=0)


@st.composite
def service_row(draw, index):
    seen = draw(st.one_of(st.none(), st.integers(-100, 200)))
    return dict(
        id=index + 100, uuid=f'{index:08x}-5555-4666-8777-{index:012x}',
        host=f'h{index}', binary='nova-compute', topic='compute',
        report_count=draw(st.integers(0, 1000)),
        disabled=draw(st.sampled_from([False, False, False, True])),
        disabled_reason=None,
        last_seen_up=(None if seen is None
                      else NOW - datetime.timedelta(seconds=seen)),
        forced_down=draw(st.sampled_from([False, False, False, True])),
        version=70,
        created_at=NOW - datetime.timedelta(seconds=draw(
            st.integers(0, 400))),
        updated_at=None, deleted_at=None, deleted=False)


@st.composite
def sysmeta(draw):
    meta = {}
    for name, values in IMAGE_VALUES.items():
        if draw(st.booleans()):
            meta[f'image_{name}'] = draw(st.sampled_from(values))
    if draw(st.booleans()):
        meta['image_hw_qemu_guest_agent'] = draw(
            st.sampled_from(['yes', 'no', 'true']))
    meta['image_min_ram'] = '0'
    return meta


# Aggregate metadata the other filters read, with values that hit both
# their passing and failing branches (and nova's odd corners: unparsable
# limits, empty lists, keys merely starting with filter_tenant_id).
FILTER_METADATA = {
    'max_io_ops_per_host': ('0', '2', '5', '8', '12', ' 3', 'bad', '2.5',
                            '-1'),
    'max_instances_per_host': ('1', '10', '30', '45', '70', 'x', '1e2'),
    'filter_tenant_id': ('p1', 'p2', 'p2, p3', 'p1 ,p3', '', 'p3'),
    'filter_tenant_id_2': ('p1', 'p2', 'p3, p2'),
    'filter_tenant_idx': ('p2',),
    'tenant_filter_id': ('p3',),
    'instance_type': ('m1', 'm1.small', 'm1, m2', ' m2 , m3', 'm1.small,m3',
                      ''),
    'os_distro': ('ubuntu', 'rhel', 'ubuntu, windows', 'rhel,ubuntu'),
    'hw_machine_type': ('q35', 'pc', 'q35, pc'),
    'hw_disk_bus': ('virtio', 'scsi'),
    'hw_qemu_guest_agent': ('True', 'False', 'yes'),
    'hw_architecture': ('x86_64', 'aarch64, x86_64', 'i686'),
    'ns.os_distro': ('ubuntu', 'rhel'),
    'ns_os_distro': ('ubuntu', 'rhel'),
    'ssd': ('true', 'false', 'true, false'),
    'speed': ('10', '40', '10, 40', 'fast', 'fast, 100', '1e2'),
    'cpu': ('intel xeon', 'amd epyc', 'intel'),
    'a:b': ('x', 'y'),
    'other': ('x',),
}
IO_KEYS = ('max_io_ops_per_host', 'other')
INSTANCE_PROJECTS = ('p1', 'p2')
NUM_INSTANCES_KEYS = ('max_instances_per_host', 'other')
TENANT_KEYS = ('filter_tenant_id', 'filter_tenant_id_2', 'filter_tenant_idx',
               'tenant_filter_id', 'other')
TYPE_KEYS = ('instance_type', 'other')
IMAGE_KEYS = ('os_distro', 'hw_machine_type', 'hw_disk_bus',
              'hw_qemu_guest_agent', 'hw_architecture', 'ns.os_distro',
              'ns_os_distro', 'other')
EXTRA_SPEC_KEYS = ('ssd', 'speed', 'cpu', 'a:b', 'other')
ALL_FILTER_KEYS = tuple(FILTER_METADATA)


def filter_metadata(keys):
    """Aggregate metadata: one to three of ``keys`` with FILTER_METADATA
    values."""
    return st.lists(st.sampled_from(keys), unique=True, min_size=1,
                    max_size=3).flatmap(
        lambda chosen: st.fixed_dictionaries(
            {k: st.sampled_from(FILTER_METADATA[k]) for k in chosen}))


def _multiplier_metadata():
    return st.lists(st.sampled_from(MULTIPLIER_KEYS), unique=True,
                    max_size=4).flatmap(
        lambda keys: st.fixed_dictionaries({k: st.sampled_from(
            ['-2', '0', '0.5', '3', '1e3', 'bad']) for k in keys}))


@st.composite
def worlds(draw, min_hosts=2, max_hosts=5, metadata=None):
    """Hosts and aggregates; ``metadata`` is the strategy of aggregate
    metadata (weight multipliers by default)."""
    count = draw(st.integers(min_hosts, max_hosts))
    placement = draw(st.lists(st.integers(-1, count - 1),
                              min_size=len(INSTANCES),
                              max_size=len(INSTANCES)))
    hosts = []
    for index in range(count):
        uuids = [u for u, h in zip(INSTANCES, placement) if h == index]
        hosts.append(HostRows(
            row=draw(compute_row(index)), service=draw(service_row(index)),
            cell=draw(st.sampled_from(CELLS)),
            instances={u: draw(st.sampled_from(INSTANCE_PROJECTS))
                       for u in uuids},
            sysmeta={u: draw(sysmeta()) for u in uuids}))
    names = [h.name for h in hosts]
    aggregates = []
    metadata = _multiplier_metadata() if metadata is None else metadata
    for agg_id in range(draw(st.integers(0, 3))):
        aggregates.append(dict(
            id=agg_id + 1, uuid=f'{agg_id:08x}-9999-4999-8999-{agg_id:012x}',
            name=f'agg{agg_id}',
            hosts=draw(st.lists(st.sampled_from(names), unique=True)),
            metadata=draw(metadata)))
    return World(hosts, aggregates)

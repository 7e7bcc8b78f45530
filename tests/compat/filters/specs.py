"""Request specs as nova objects, and configuration overrides."""

from hypothesis import strategies as st

from tests.compat.filters import generators as gen
from tests.compat.filters.nova_env import objects

_NUMERIC_OPS = ('=', '==', '!=', '>=', '<=')
_STRING_OPS = ('s==', 's!=', 's<', 's<=', 's>', 's>=')
_UNSCOPED = (
    'free_ram_mb', 'free_disk_mb', 'vcpus_total', 'vcpus_used',
    'hypervisor_type', 'hypervisor_version', 'num_instances', 'num_io_ops',
    'cpu_allocation_ratio', 'host_ip', 'hypervisor_hostname', 'cpu_vendor',
    'cpu_info', 'supported_instances', 'stats', 'updated', 'unknown_key',
    'total_usable_disk_gb', 'failed_builds')
_NESTED = (
    'cpu_info:arch', 'cpu_info:maxphysaddr:bits', 'cpu_info:features',
    'cpu_info:missing', 'stats:cpu_vendor', 'stats:nested:a',
    'stats:nested', 'service:disabled', 'aggregates:x', 'metrics:x',
    'limits:x', 'missing', 'hypervisor_type:x', 'host_ip:x')


@st.composite
def requirement(draw):
    kind = draw(st.sampled_from(['bare', 'num', 'str', 'in', 'all', 'or']))
    value = st.sampled_from(gen.NUMBERS + gen.WORDS)
    if kind == 'bare':
        return draw(value)
    if kind == 'num':
        return f'{draw(st.sampled_from(_NUMERIC_OPS))} {draw(value)}'
    if kind == 'str':
        return f'{draw(st.sampled_from(_STRING_OPS))} {draw(value)}'
    if kind == 'in':
        return f'<in> {draw(value)}'
    if kind == 'all':
        return '<all-in> ' + ' '.join(draw(st.lists(value, min_size=1,
                                                    max_size=3)))
    return '<or> ' + ' <or> '.join(draw(st.lists(value, min_size=1,
                                                 max_size=3)))


@st.composite
def extra_specs(draw):
    keys = draw(st.lists(st.one_of(
        st.sampled_from(_UNSCOPED),
        st.sampled_from(_UNSCOPED + _NESTED).map(
            lambda k: f'capabilities:{k}'),
        st.sampled_from(['hw:cpu_policy', 'trait:CUSTOM_X'])),
        unique=True, max_size=3))
    specs = {key: draw(requirement()) for key in keys}
    if draw(st.integers(0, 3)) == 0:
        specs['hw:maxphysaddr_bits'] = draw(st.sampled_from(
            ['36', '40', '46', '50']))
    return specs


@st.composite
def image(draw):
    if draw(st.integers(0, 4)) == 0:
        return None
    props = {}
    optional = {
        'hw_architecture': ['x86_64', 'aarch64', 'i686', 'AMD64'],
        'img_hv_type': ['kvm', 'qemu', 'xen', 'ironic'],
        'hw_vm_mode': ['hvm', 'xen', 'exe'],
        'img_hv_requested_version': ['>=6.0', '<8.0', '>=7.1,<9.0',
                                     '==8.2.0', '!=9.1.0'],
        'hw_maxphysaddr_bits': [36, 40, 46, 50],
        'hw_qemu_guest_agent': [True, False],
        **gen.IMAGE_VALUES,
    }
    for name, values in optional.items():
        if draw(st.booleans()):
            props[name] = draw(st.sampled_from(values))
    return objects.ImageMeta.from_dict({'properties': props})


@st.composite
def instance_group(draw, host_names, policy=None):
    """A server group; with ``policy`` always one, of that policy."""
    if policy is None:
        if draw(st.integers(0, 3)) == 0:
            return None
        policy = draw(st.sampled_from(['affinity', 'anti-affinity',
                                       'soft-affinity',
                                       'soft-anti-affinity']))
    rules = {}
    if policy == 'anti-affinity' and draw(st.booleans()):
        rules['max_server_per_host'] = str(draw(st.integers(1, 3)))
    return objects.InstanceGroup(
        uuid=gen.GROUP, name='grp', user_id='u1', project_id='p1',
        policy=policy, policies=[policy], rules=rules,
        members=draw(st.lists(st.sampled_from(gen.INSTANCES +
                                              (gen.NEW_INSTANCE,)),
                              unique=True, min_size=1)),
        hosts=draw(st.lists(st.sampled_from(list(host_names) + ['ghost']),
                            unique=True, max_size=2)))


@st.composite
def request_spec(draw, host_names, policy=None, cross_cell=False):
    """A RequestSpec; ``policy`` forces a server group of that policy,
    ``cross_cell`` an allowed cross-cell move."""
    flavor = objects.Flavor(
        id=1, flavorid='f1', name='m1', memory_mb=draw(st.integers(64, 8192)),
        vcpus=draw(st.integers(1, 16)), root_gb=draw(st.integers(0, 80)),
        ephemeral_gb=draw(st.integers(0, 20)), swap=0, rxtx_factor=1.0,
        vcpu_weight=0, disabled=False, is_public=True,
        extra_specs=draw(extra_specs()), description=None)
    destination = None
    if cross_cell or draw(st.booleans()):
        destination = objects.Destination(
            cell=objects.CellMapping(uuid=draw(st.sampled_from(gen.CELLS)),
                                     name='cell'),
            allow_cross_cell_move=cross_cell or draw(st.booleans()))
    hints = {}
    if draw(st.integers(0, 4)) == 0:
        hints['_nova_check_type'] = ['rebuild']
    return objects.RequestSpec(
        flavor=flavor, image=draw(image()),
        instance_group=draw(instance_group(host_names, policy)),
        instance_uuid=draw(st.sampled_from(gen.INSTANCES +
                                           (gen.NEW_INSTANCE,))),
        project_id='p1', user_id='u1', num_instances=1,
        scheduler_hints=hints, requested_destination=destination,
        ignore_hosts=None, force_hosts=None, force_nodes=None, retry=None,
        availability_zone=None, numa_topology=None, pci_requests=None,
        is_bfv=False)


@st.composite
def config(draw, metrics_min=0):
    """Overrides by group ('DEFAULT' for the default group); at least
    ``metrics_min`` metrics in [metrics]weight_setting."""
    multipliers = {key: draw(st.sampled_from([-2.0, -1.0, 0.0, 0.5, 1.0,
                                              3.0, 1000000.0]))
                   for key in gen.MULTIPLIER_KEYS
                   if key != 'metrics_weight_multiplier'}
    for key in ('pci_weight_multiplier', 'soft_affinity_weight_multiplier',
                'soft_anti_affinity_weight_multiplier'):
        multipliers[key] = abs(multipliers[key])  # min=0 options
    setting_names = list(gen.IMAGE_VALUES) + ['hw_qemu_guest_agent']
    return {
        'DEFAULT': {
            'service_down_time': draw(st.sampled_from([30, 60, 120])),
            'report_interval': draw(st.sampled_from([10, 40])),
            'cpu_allocation_ratio': draw(st.sampled_from([None, 2.0, 0.0])),
            'ram_allocation_ratio': draw(st.sampled_from([None, 1.5])),
            'disk_allocation_ratio': draw(st.sampled_from([None, 3.0])),
            'initial_cpu_allocation_ratio': draw(st.sampled_from(
                [4.0, 16.0])),
            'initial_ram_allocation_ratio': draw(st.sampled_from(
                [1.0, 1.5])),
        },
        'filter_scheduler': {
            'image_properties_default_architecture': draw(st.sampled_from(
                [None, None, 'x86_64', 'aarch64'])),
            'image_props_weight_setting': draw(st.lists(
                st.sampled_from(setting_names).flatmap(
                    lambda n: st.sampled_from(['1.5', '-1', '0']).map(
                        lambda r: f'{n}={r}')), max_size=2)),
            **multipliers,
        },
        'metrics': {
            'weight_setting': draw(st.lists(
                st.sampled_from(gen.METRIC_NAMES).flatmap(
                    lambda n: st.sampled_from(['1', '-0.5', '0']).map(
                        lambda r: f'{n}={r}')), min_size=metrics_min,
                max_size=2)),
            'required': draw(st.booleans()),
            'weight_of_unavailable': draw(st.sampled_from([-10000.0, -5.0])),
            'weight_multiplier': draw(st.sampled_from([1.0, 0.0, -2.0])),
        },
    }

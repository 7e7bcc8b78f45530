"""Request specs as nova objects, and configuration overrides."""

import json

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
def requirement(draw, words=None):
    """An extra-spec requirement over ``words`` (numbers and CPU words by
    default)."""
    kind = draw(st.sampled_from(['bare', 'num', 'str', 'in', 'all', 'or']))
    value = st.sampled_from(words or gen.NUMBERS + gen.WORDS)
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


# --- The other filters: hints, flavor names, projects, image ids. ---

IMAGE_IDS = ('6b7e1f4c-0a8e-4d3b-9c7f-1e2d3c4b5a69',
             '0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f',
             'f0e1d2c3-b4a5-4697-8879-6a5b4c3d2e1f')
FLAVOR_NAMES = ('m1', 'm1.small', 'm2', 'm3')
PROJECTS = ('p1', 'p2', 'p3')
_AGGREGATE_WORDS = ('true', 'false', '10', '40', '100', '50', 'fast',
                    'intel', 'xeon', 'amd', 'x', 'y')
_AGGREGATE_SPEC_KEYS = (
    'ssd', 'speed', 'cpu', 'missing', 'aggregate_instance_extra_specs:ssd',
    'aggregate_instance_extra_specs:speed',
    'aggregate_instance_extra_specs:a:b', 'aggregate_instance_extra_specs:',
    'hw:cpu_policy', 'capabilities:cpu', 'trait:CUSTOM_X')
NEAR_IPS = ('10.0.0.7', '10.0.1.1', '10.0.2.200', '10.1.0.1', '10.0.3.9',
            'fd00::1', '', 'not-an-ip', '10.0.1', '010.0.0.1',
            '10.0.0.1/8', 'fe80::1%eth0')
CIDRS = ('/24', '/24', '/16', '/8', '/23', '/22', '/255.255.254.0',
         '/0.0.1.255', '/32', '/0', '', '4', '/33', '/x', '/', '/-1',
         '/ 16', '/255.0.255.0', '/64', '/ffff::')


def aggregate_extra_specs():
    """Flavor extra specs for AggregateInstanceExtraSpecsFilter; often a
    numeric one on ``speed``, whose values are not all numbers."""
    specs = st.lists(st.sampled_from(_AGGREGATE_SPEC_KEYS), unique=True,
                     max_size=3).flatmap(
        lambda keys: st.fixed_dictionaries(
            {k: st.one_of(requirement(_AGGREGATE_WORDS),
                          st.sampled_from(['<or>', '>= 20', '< 50']))
             for k in keys}))
    speed = st.fixed_dictionaries({}, optional={'speed': st.sampled_from(
        ['>= 20', '< 50', '== 40', '<or>', '<or> 10 <or> fast'])})
    return st.tuples(specs, speed).map(lambda t: {**t[0], **t[1]})


def _hint_values(values):
    """A hint's list on the wire: mostly one value, sometimes several or
    none (nova's filters treat those differently)."""
    return st.one_of(
        st.sampled_from(values).map(lambda v: [v]),
        st.lists(st.sampled_from(values), max_size=3))


def instance_hints():
    instances = gen.INSTANCES + (gen.NEW_INSTANCE, '')
    # Up to five uuids: only the request's project's instances count, so
    # longer lists keep both outcomes common.
    values = st.one_of(_hint_values(instances),
                       st.lists(st.sampled_from(instances), min_size=3,
                                max_size=5))
    return st.fixed_dictionaries({}, optional={
        'same_host': values, 'different_host': values})


def cidr_hints():
    return st.fixed_dictionaries({}, optional={
        'build_near_host_ip': _hint_values(NEAR_IPS),
        'cidr': _hint_values(CIDRS)})


JSON_NUMERIC_REFS = (
    '$free_ram_mb', '$free_disk_mb', '$vcpus_total', '$vcpus_used',
    '$total_usable_ram_mb', '$total_usable_disk_gb', '$disk_mb_used',
    '$num_instances', '$num_io_ops', '$hypervisor_version',
    '$cpu_allocation_ratio', '$ram_allocation_ratio')
JSON_HIDDEN_REFS = (
    '$host', '$nodename', '$host_ip', '$hypervisor_hostname', '$uuid',
    '$service.disabled', '$service', '$stats.num_instances',
    f'$instances.{gen.INSTANCES[0]}', '$cpu_info', '$cpu_info.arch',
    '$aggregates', '$metrics', '$limits', '$unknown', '$', '$updated',
    '$failed_builds')
_JSON_BAD_REFS = ('$free_ram_mb.x', '$hypervisor_type.y')
_JSON_NUMBERS = st.sampled_from([0, 1, 2, 8, 30, 1024, 4096, 65536,
                                 8002000, 0.5, 2.0, -1, True])
_JSON_STRINGS = st.sampled_from(['QEMU', 'kvm', 'ironic', 'x', '', 'h1',
                                 '10.0.0.1'])
_JSON_VALUES = st.one_of(
    st.sampled_from(JSON_NUMERIC_REFS + ('$hypervisor_type',)),
    st.sampled_from(JSON_HIDDEN_REFS), st.sampled_from(_JSON_BAD_REFS),
    _JSON_NUMBERS, _JSON_STRINGS, st.sampled_from([None, False, {'a': 1}]))
_COMPARISONS = st.sampled_from(['=', '<', '>', '<=', '>=', 'in'])


def _node(op, args):
    return st.tuples(op, args).map(lambda t: [t[0], *t[1]])


def json_query(depth=3):
    """A JsonFilter query: comparisons of host values with literals,
    combined with and/or/not, with the odd unknown operator or
    reference outside the allow-list."""
    numeric = st.one_of(_JSON_NUMBERS, st.sampled_from(JSON_NUMERIC_REFS))
    compare = st.one_of(
        _node(_COMPARISONS, st.tuples(
            st.sampled_from(JSON_NUMERIC_REFS),
            st.lists(numeric, min_size=1, max_size=2)).map(
            lambda t: [t[0], *t[1]])),
        _node(_COMPARISONS, st.tuples(
            st.sampled_from(('$hypervisor_type',) + JSON_HIDDEN_REFS),
            st.lists(st.one_of(_JSON_STRINGS,
                               st.sampled_from(JSON_HIDDEN_REFS)),
                     min_size=1, max_size=2)).map(lambda t: [t[0], *t[1]])),
        _node(_COMPARISONS, st.lists(_JSON_VALUES, min_size=1, max_size=3)))
    # What nova would let a user learn or force: which host it is, whether
    # its service is disabled.
    probe = st.one_of(
        _node(st.sampled_from(['=', 'in']), st.tuples(
            st.sampled_from(['$host', '$nodename']),
            st.lists(st.sampled_from(['h0', 'h1', 'h2', 'h1.node']),
                     min_size=1, max_size=2)).map(lambda t: [t[0], *t[1]])),
        _node(st.just('='), st.tuples(
            st.just('$service.disabled'), st.booleans()).map(list)))
    junk = _node(st.sampled_from(['!=', 'xor', 5, None]),
                 st.lists(_JSON_VALUES, max_size=2))
    leaf = st.one_of(compare, compare, compare, compare, probe, junk,
                     st.just([]))
    if depth == 0:
        return leaf
    combined = _node(st.sampled_from(['and', 'or', 'not']),
                     st.lists(json_query(depth - 1), min_size=1, max_size=3))
    return st.one_of(leaf, combined)


_RAW_QUERIES = ('', '[', 'null', '[]', '{}', '5', 'true', '{"=": [1, 1]}',
                'not json', '  ', '[1,]')
# A JSON string as the whole query (nova iterates its characters).
_STRING_QUERIES = ('"=aa"', '"<"', '"=ab"', '">a"', '"x"')


def query_hints():
    text = st.one_of(json_query().map(json.dumps), json_query().map(
        json.dumps), st.sampled_from(_RAW_QUERIES),
        st.sampled_from(_STRING_QUERIES), st.sampled_from(_STRING_QUERIES))
    return st.one_of(
        text.map(lambda t: {'query': [t]}),
        text.map(lambda t: {'query': [t]}),
        st.lists(text, max_size=2).map(lambda ts: {'query': ts}),
        st.just({}))


@st.composite
def filter_request_spec(draw, host_names, hints=None, extra_specs=None,
                        projects=PROJECTS):
    """request_spec() with a drawn flavor name, project, image id, extra
    ``hints`` (a strategy) and flavor ``extra_specs`` (a strategy)."""
    spec = draw(request_spec(host_names))
    spec.flavor.name = draw(st.sampled_from(FLAVOR_NAMES))
    spec.project_id = draw(st.sampled_from(projects))
    if extra_specs is not None:
        spec.flavor.extra_specs = draw(extra_specs)
    if spec.image is not None and draw(st.integers(0, 3)) > 0:
        spec.image.id = draw(st.sampled_from(IMAGE_IDS))
    if hints is not None:
        spec.scheduler_hints = {**spec.scheduler_hints, **draw(hints)}
    return spec


@st.composite
def filter_config(draw):
    """config() plus the options the other filters read."""
    overrides = draw(config())
    overrides['filter_scheduler'].update({
        'max_io_ops_per_host': draw(st.sampled_from([0, 1, 3, 5, 8, 10])),
        'max_instances_per_host': draw(st.sampled_from([1, 10, 30, 50,
                                                        60])),
        'isolated_images': draw(st.lists(st.sampled_from(IMAGE_IDS),
                                         unique=True, max_size=2)),
        'isolated_hosts': draw(st.lists(st.sampled_from(
            ['h0', 'h1', 'h2', 'ghost']), unique=True, max_size=2)),
        'restrict_isolated_hosts_to_isolated_images': draw(st.booleans()),
        'aggregate_image_properties_isolation_namespace': draw(
            st.sampled_from([None, None, None, 'ns'])),
        'aggregate_image_properties_isolation_separator': draw(
            st.sampled_from(['.', '.', '_'])),
    })
    overrides['metrics']['weight_setting'] = draw(st.lists(st.one_of(
        st.sampled_from(gen.METRIC_NAMES).map(lambda n: f'{n}=1'),
        st.sampled_from(['cpu.percent=x', 'nosep', '=1'])), max_size=3))
    return overrides

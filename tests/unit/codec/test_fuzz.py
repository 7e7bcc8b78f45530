"""Property tests: no input makes a decoder raise anything but
ValidationError.

Profiles (HYPOTHESIS_PROFILE): ``default`` (200 examples), ``ci``
(200 examples, derandomized so a CI run is reproducible) and
``thorough`` (5000 examples). No deadline: these tests never depend on
timing.
"""

import copy
import os

import hypothesis
from hypothesis import strategies as st
import testtools

from scheduler.codec import aggregate
from scheduler.codec import context
from scheduler.codec import errors
from scheduler.codec import instance
from scheduler.codec import legacy
from scheduler.codec import limits
from scheduler.codec import request_spec
from tests.unit.codec import wire

# Local settings objects rather than registered profiles, so that other
# test modules' profiles and ours cannot override each other.
_COMMON = dict(deadline=None, database=None, print_blob=True,
               suppress_health_check=list(hypothesis.HealthCheck))
PROFILES = {
    'default': hypothesis.settings(max_examples=200, **_COMMON),
    'ci': hypothesis.settings(max_examples=200, derandomize=True, **_COMMON),
    'thorough': hypothesis.settings(max_examples=5000, **_COMMON),
}
PROFILE = PROFILES.get(os.environ.get('HYPOTHESIS_PROFILE', 'default'),
                       PROFILES['default'])

SMALL = limits.DecodeLimits(max_list_length=20, max_string_length=64,
                            max_nesting_depth=8, max_num_instances=5)

scalars = (st.none() | st.booleans() | st.integers() | st.floats()
           | st.text(max_size=20)
           | st.sampled_from(['1.15', '2.0', 'nova', 'RequestSpec', 'Flavor',
                              wire.INSTANCE_UUID, '', '3', '-1', 'nan']))
json_values = st.recursive(
    scalars,
    lambda inner: (st.lists(inner, max_size=5)
                   | st.dictionaries(st.text(max_size=10)
                                     | st.sampled_from(
                                         ['nova_object.name',
                                          'nova_object.data',
                                          'nova_object.version',
                                          'nova_object.namespace']),
                                     inner, max_size=5)),
    max_leaves=25)


def _numa():
    cell = wire.obj('InstanceNUMACell', '1.4', {
        'id': 0, 'cpuset': [0, 1], 'memory': 512,
        'cpu_policy': 'dedicated', 'cpu_pinning_raw': {'0': 1},
        'cpu_topology': wire.obj('VirtCPUTopology', '1.0', {'cores': 2})})
    return wire.obj('InstanceNUMATopology', '1.3', {'cells': [cell]})


def _full_spec():
    pci_req = wire.obj('InstancePCIRequest', '1.4', {
        'count': 1, 'spec': [{'vendor_id': '8086', 'x': None}]})
    group = wire.obj('RequestGroup', '1.3', {
        'requester_id': 'p', 'resources': {'VCPU': 1},
        'provider_uuids': [wire.RP_UUID], 'aggregates': [['a']]})
    nets = wire.obj('NetworkRequestList', '1.1', {'objects': [wire.obj(
        'NetworkRequest', '1.3', {'address': '10.0.0.1',
                                  'port_id': wire.RP_UUID})]})
    retry = wire.obj('SchedulerRetries', '1.1', {
        'num_attempts': 1, 'hosts': wire.obj('ComputeNodeList', '1.17', {
            'objects': [wire.obj('ComputeNode', '1.19', {
                'host': 'h', 'hypervisor_hostname': 'n'})]})})
    return wire.request_spec(
        image=wire.image({'hw_numa_cpus': [[0]], 'hw_mem_encryption': 'yes',
                          'traits_required': ['T']}),
        numa_topology=_numa(),
        pci_requests=wire.obj('InstancePCIRequests', '1.1', {
            'instance_uuid': wire.INSTANCE_UUID, 'requests': [pci_req]}),
        requested_destination=wire.destination(
            host='h', cell=wire.cell_mapping(), aggregates=['a,b'],
            forbidden_aggregates=['f']),
        instance_group=wire.instance_group(),
        scheduler_hints={'group': ['g'], 'x': 'y'},
        requested_resources=[group], requested_networks=nets, retry=retry,
        limits=wire.obj('SchedulerLimits', '1.0', {'vcpu': 1}),
        request_level_params=wire.obj('RequestLevelParams', '1.1',
                                      {'same_subtree': [['a', 'b']]}),
        network_metadata=wire.obj('NetworkMetadata', '1.0',
                                  {'physnets': ['p'], 'tunneled': False}))


def _aggregates():
    return [wire.obj('Aggregate', '1.3', {
        'id': 1, 'uuid': wire.GROUP_UUID, 'name': 'a', 'hosts': ['h'],
        'metadata': {'availability_zone': 'z'}})]


def _instances():
    return wire.obj('InstanceList', '2.6', {'objects': [wire.obj(
        'Instance', '2.8', {'uuid': wire.INSTANCE_UUID, 'host': 'h',
                            'node': 'n', 'project_id': 'p'})]})


def _legacy():
    return [{'num_instances': 1,
             'image': {'properties': {'hw_numa_cpus.0': '0-1',
                                      'architecture': 'x86_64'}},
             'instance_properties': {'uuid': wire.INSTANCE_UUID,
                                     'numa_topology': _numa()},
             'instance_type': wire.flavor()['nova_object.data']},
            {'retry': {'num_attempts': 1, 'hosts': [['h', 'n']]},
             'group_updated': True, 'group_policies': ['affinity'],
             'group_hosts': [], 'group_members': [],
             'scheduler_hints': {'a': 'b'}, 'limits': {'vcpu': 1}}]


def _context():
    return {'user_id': 'u', 'roles': ['r'], 'is_admin': False,
            'read_deleted': 'no', 'timestamp': '2026-01-01T00:00:00.000000',
            'auth_token': 'tok'}


# name -> (valid payload factory, call)
TARGETS = {
    'request_spec': (_full_spec, request_spec.decode_request_spec),
    'legacy': (_legacy, lambda p, lim: legacy.decode_legacy_request(
        p[0], p[1], lim) if isinstance(p, list) and len(p) == 2
        else legacy.decode_legacy_request(p, p, lim)),
    'aggregate': (lambda: _aggregates()[0], aggregate.decode_aggregate),
    'aggregates': (_aggregates, aggregate.decode_aggregates),
    'instances': (_instances, instance.decode_instance_list),
    'uuids': (lambda: [wire.INSTANCE_UUID], instance.decode_instance_uuids),
    'context': (_context, context.decode_context),
}


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, prefix + (index,))


def _mutate(value, path, op, new):
    if not path:
        return new if op != 'wrap' else [value]
    parent = value
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if op == 'delete':
        del parent[last]
    elif op == 'wrap':
        parent[last] = [parent[last]]
    elif op == 'huge':
        parent[last] = [parent[last]] * 50
    elif op == 'deep':
        deep = parent[last]
        for _ in range(40):
            deep = [deep]
        parent[last] = deep
    elif op == 'version':
        parent[last] = new if isinstance(new, str) else '9.9'
    else:
        parent[last] = new
    return value


@st.composite
def mutated(draw, factory):
    value = copy.deepcopy(factory())
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(value))
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(['delete', 'replace', 'retype', 'retype',
                                   'wrap', 'huge', 'deep', 'version']))
        new = draw(scalars if op == 'retype' else json_values)
        value = _mutate(value, path, op, new)
    return value


def _check(call, payload, lim):
    try:
        call(payload, lim)
    except errors.ValidationError as error:
        # str() must work and name a field.
        assert str(error).startswith(error.field + ': '), str(error)


class FuzzTest(testtools.TestCase):

    def test_valid_payloads_decode(self):
        for name, (factory, call) in TARGETS.items():
            call(factory(), limits.DEFAULT_LIMITS)

    def _fuzz(self, strategy_for):
        for name, (factory, call) in TARGETS.items():
            @PROFILE
            @hypothesis.given(payload=strategy_for(factory),
                              small=st.booleans())
            def run(payload, small):
                _check(call, payload, SMALL if small else
                       limits.DEFAULT_LIMITS)
            run()

    def test_random_json(self):
        self._fuzz(lambda factory: json_values)

    def test_mutated_valid_payloads(self):
        self._fuzz(mutated)

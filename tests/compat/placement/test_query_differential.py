"""Our allocation-candidates query against nova 34's, case by case.

Hypothesis builds RequestSpecs with nova's own objects (flavors with
resource/trait/CPU/feature extra specs, images with traits and hardware
properties, external request groups, request-level params, destinations
with aggregates, forced hosts/nodes, hints). For each, nova's
resources_from_request_spec(...).to_querystring() and our
build_query(decode_request_spec(primitive)).to_querystring() must be
byte-identical, and when nova raises we must raise the corresponding typed
error. Runs HYPOTHESIS_MAX_EXAMPLES cases (300 by default) per test.
"""

import collections
import os
import uuid
import warnings

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import testtools

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    from nova import context as nova_context
    from nova import exception as nova_exc
    from nova import objects as nova_objects
    import nova.conf
    from nova.scheduler import utils as nova_utils

from scheduler.codec import request_spec as spec_codec
from scheduler.placement import errors
from scheduler.placement import query

nova_objects.register_all()
NOVA_CONF = nova.conf.CONF
MAX_EXAMPLES = int(os.environ.get('HYPOTHESIS_MAX_EXAMPLES', '300'))
SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None,
                    database=None)


def _uuid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, name))


# host -> [(node name, compute node uuid)]: one, two and no nodes.
COMPUTES = {
    'h-one': [('n-one', _uuid('n-one'))],
    'h-two': [('n-2a', _uuid('n-2a')), ('n-2b', _uuid('n-2b'))],
    'h-none': [],
}


def resolve(host, node):
    """Compute node uuids for host and/or node, as nova's host manager."""
    found = []
    for cn_host, nodes in COMPUTES.items():
        for cn_node, cn_uuid in nodes:
            if host and host != cn_host:
                continue
            if node and node != cn_node:
                continue
            found.append((cn_host, cn_node, cn_uuid))
    if node and len(found) != 1:
        return []  # get_by_nodename / get_by_host_and_nodename: one or none
    return found


class _ComputeNode:
    def __init__(self, host, node, cn_uuid):
        self.host = host
        self.hypervisor_hostname = node
        self.uuid = cn_uuid


class FakeHostManager:
    def get_compute_nodes_by_host_or_node(self, ctxt, host, node,
                                          cell=None):
        return [_ComputeNode(*found) for found in resolve(host, node)]


def our_resolver(host, node):
    return [cn_uuid for _, _, cn_uuid in resolve(host, node)]


SUFFIXES = ('', '1', '2', '_x')
RCLASSES = ('VCPU', 'PCPU', 'MEMORY_MB', 'DISK_GB', 'CUSTOM_FOO',
            'MEM_ENCRYPTION_CONTEXT', 'BOGUS', 'CUSTOM_PMEM_NAMESPACE_A')
AMOUNTS = ('0', '1', '2', '-1', 'x', ' 3', '1.5')
TRAITS = ('CUSTOM_A', 'CUSTOM_B', 'HW_CPU_HYPERTHREADING',
          'COMPUTE_SECURITY_TPM_2_0')
# key: (valid values, invalid values); invalid ones are drawn 1 time in 6.
EXTRA_SPEC_VALUES = {
    'group_policy': (('none', 'isolate'), ('bad',)),
    'hw:cpu_policy': (('dedicated', 'shared', 'mixed'), ('bogus', '')),
    'hw:cpu_thread_policy': (('prefer', 'isolate', 'require'), ('bad',)),
    'hw:emulator_threads_policy': (('share', 'isolate'), ('bad',)),
    'hw:cpu_dedicated_mask': (('0', '^0', '0-1', '^0-1'), ('7', 'x', '1-0')),
    'hw:cpu_realtime': (('yes', 'no'), ()),
    'hw:cpu_realtime_mask': (('^0', '0', '0-3'), ('bad',)),
    'hw:mem_encryption': (('true', 'false'), ('garbage',)),
    'hw:mem_encryption_model': (
        ('amd-sev', 'amd-sev-es', 'amd-sev-snp', 'intel-tdx'), ('bad',)),
    'hw:pmem': (('SMALL', 'SMALL,LARGE,SMALL', ' ,a b'), ('',)),
    'hw:tpm_version': (('1.2', '2.0'), ('3.0', '')),
    'hw:tpm_model': (('tpm-tis', 'tpm-crb'), ('bad',)),
    'os:secure_boot': (('required', 'disabled', 'optional'), ('bad',)),
    'hw:maxphysaddr_mode': (('passthrough', 'emulate'), ('bad',)),
    'hw:pci_numa_affinity_policy': (
        ('required', 'legacy', 'preferred', 'socket'), ('bad',)),
}
IMAGE_PROPS = {
    'traits_required': st.lists(st.sampled_from(TRAITS), max_size=2),
    'hw_cpu_policy': st.sampled_from(('dedicated', 'shared', 'mixed')),
    'hw_cpu_thread_policy': st.sampled_from(('prefer', 'isolate',
                                             'require')),
    'hw_cpu_realtime_mask': st.sampled_from(('^0', '0-1', 'x')),
    'hw_mem_encryption': st.booleans(),
    'hw_mem_encryption_model': st.sampled_from((
        'amd-sev', 'amd-sev-es', 'amd-sev-snp', 'intel-tdx')),
    'hw_firmware_type': st.sampled_from(('uefi', 'bios')),
    'hw_firmware_stateless': st.booleans(),
    'hw_machine_type': st.sampled_from(('q35', 'pc', 'pc-q35-8.0', '')),
    'hw_video_model': st.sampled_from(('none', 'virtio')),
    'hw_tpm_version': st.sampled_from(('1.2', '2.0')),
    'hw_tpm_model': st.sampled_from(('tpm-tis', 'tpm-crb')),
    'os_secure_boot': st.sampled_from(('required', 'disabled', 'optional')),
    'hw_maxphysaddr_mode': st.sampled_from(('passthrough', 'emulate')),
    'hw_pci_numa_affinity_policy': st.sampled_from((
        'required', 'legacy', 'preferred', 'socket')),
}
AGGS = ('agg-a', 'agg-b', 'agg-c')
# (host, node) of a requested destination: known ones, then unknown ones.
TARGETS = ((None, None), (None, None), ('h-one', None), ('h-two', None),
           (None, 'n-one'), ('h-one', 'n-one'), ('h-two', 'n-2a'))
UNKNOWN_TARGETS = (('h-none', None), (None, 'n-none'), ('h-one', 'n-2a'))


def rarely(draw, n):
    """True about once in ``n`` draws (integers() favours its bounds)."""
    return draw(st.sampled_from([False] * (n - 1) + [True]))


@st.composite
def extra_specs(draw):
    specs = {}
    for _ in range(draw(st.integers(0, 4))):
        # 'PORT' is also a requester id: rarely, a suffix conflict.
        suffix = 'PORT' if rarely(draw, 10) else draw(
            st.sampled_from(SUFFIXES))
        if draw(st.booleans()):
            key = f'resources{suffix}:{draw(st.sampled_from(RCLASSES))}'
            specs[key] = draw(st.sampled_from(AMOUNTS))
        else:
            key = f'trait{suffix}:{draw(st.sampled_from(TRAITS))}'
            specs[key] = draw(st.sampled_from(
                ('required', 'forbidden', 'bogus')))
    keys = draw(st.lists(st.sampled_from(sorted(EXTRA_SPEC_VALUES)),
                         max_size=4, unique=True))
    for key in keys:
        good, bad = EXTRA_SPEC_VALUES[key]
        use_bad = bool(bad) and rarely(draw, 6)
        specs[key] = draw(st.sampled_from(bad if use_bad else good))
    return specs


@st.composite
def flavors(draw):
    return nova_objects.Flavor(
        name='flv', flavorid='flv', vcpus=draw(st.integers(0, 4)),
        memory_mb=draw(st.sampled_from((0, 512, 2048))),
        root_gb=draw(st.sampled_from((0, 1, 20))),
        ephemeral_gb=draw(st.sampled_from((0, 5))),
        swap=draw(st.sampled_from((0, 1, 1024, 1025))),
        extra_specs=draw(extra_specs()))


@st.composite
def images(draw):
    if rarely(draw, 5):
        return None
    names = draw(st.lists(st.sampled_from(sorted(IMAGE_PROPS)),
                          max_size=5, unique=True))
    props = {name: draw(IMAGE_PROPS[name]) for name in names}
    return nova_objects.ImageMeta(
        id=_uuid('image'), name='img',
        properties=nova_objects.ImageMetaProps(**props))


GOOD_REQUESTERS = ('PORT', 'p2', _uuid('port'), 'dev-1')
# Rarely: no id (ValueError), or one a flavor group may also use.
BAD_REQUESTERS = (None, '', '1', 'PORT')


@st.composite
def request_groups(draw, requester_id):
    if rarely(draw, 10):
        requester_id = draw(st.sampled_from(BAD_REQUESTERS))
    group = nova_objects.RequestGroup(
        requester_id=requester_id,
        resources=draw(st.dictionaries(
            st.sampled_from(('NET_BW_EGR_KILOBIT_PER_SEC', 'CUSTOM_FOO',
                             'VCPU', 'PCI_DEVICE')),
            st.integers(0, 2), min_size=0 if rarely(draw, 4) else 1,
            max_size=2)),
        required_traits=set(draw(st.lists(st.sampled_from(TRAITS),
                                          max_size=2))),
        forbidden_traits=set(draw(st.lists(st.sampled_from(TRAITS),
                                           max_size=1))),
        aggregates=draw(st.lists(st.lists(st.sampled_from(AGGS),
                                          min_size=1, max_size=2),
                                 max_size=2)),
        forbidden_aggregates=set(draw(st.lists(st.sampled_from(AGGS),
                                               max_size=1))))
    if draw(st.booleans()):
        group.in_tree = _uuid('tree')
    return group


@st.composite
def destinations(draw):
    if draw(st.booleans()):
        return None
    dest = nova_objects.Destination()
    host, node = draw(st.sampled_from(
        UNKNOWN_TARGETS if rarely(draw, 6) else TARGETS))
    if host:
        dest.host = host
    if node or draw(st.booleans()):
        dest.node = node
    if draw(st.booleans()):
        dest.aggregates = draw(st.lists(
            st.lists(st.sampled_from(AGGS), min_size=1, max_size=2).map(
                ','.join), max_size=2))
    if draw(st.booleans()):
        dest.forbidden_aggregates = set(draw(st.lists(
            st.sampled_from(AGGS), max_size=2)))
    return dest


@st.composite
def request_specs(draw):
    spec = nova_objects.RequestSpec(
        flavor=draw(flavors()), project_id='proj', user_id='user',
        num_instances=1, is_bfv=draw(st.booleans()),
        scheduler_hints={key: ['x'] for key in draw(st.lists(
            st.sampled_from(('group', 'same_host', 'different_host',
                             'foo')), max_size=2, unique=True))})
    image = draw(images())
    if image is not None:
        spec.image = image
    requesters = draw(st.lists(st.sampled_from(GOOD_REQUESTERS),
                               max_size=3, unique=True))
    spec.requested_resources = [draw(request_groups(requester))
                                for requester in requesters]
    spec.request_level_params = nova_objects.RequestLevelParams(
        root_required=set(draw(st.lists(st.sampled_from(TRAITS),
                                        max_size=2))),
        root_forbidden=set(draw(st.lists(st.sampled_from(TRAITS),
                                         max_size=1))),
        same_subtree=draw(st.lists(st.lists(
            st.sampled_from(('1', '2', 'PORT')), min_size=1, max_size=2),
            max_size=2)))
    dest = draw(destinations())
    if dest is not None:
        spec.requested_destination = dest
    if rarely(draw, 5):
        spec.force_hosts = [draw(st.sampled_from(('h-one', 'h-two')))]
    if rarely(draw, 7):
        spec.force_nodes = [draw(st.sampled_from(('n-one', 'n-2b')))]
    if rarely(draw, 10):
        spec.force_hosts = ['h-none']
    return spec


def _nova_outcome(primitive, enable):
    spec = nova_objects.RequestSpec.obj_from_primitive(primitive)
    try:
        res = nova_utils.resources_from_request_spec(
            nova_context.get_admin_context(), spec, FakeHostManager(),
            enable_pinning_translate=enable)
    except Exception as exc:  # compared with ours below
        return None, exc
    return res.to_querystring(), None


def _our_outcome(primitive, enable):
    spec = spec_codec.decode_request_spec(primitive)
    try:
        built = query.build_query(
            spec, max_placement_results=NOVA_CONF.scheduler.
            max_placement_results, enable_pinning_translation=enable,
            resolve_target=our_resolver)
    except errors.QueryError as exc:
        return None, exc
    return built.to_querystring(), None


def _corresponds(nova_error, our_error):
    if isinstance(nova_error, nova_exc.NoValidHost):
        return (isinstance(our_error, errors.TargetNotFound)
                and nova_error.kwargs['reason'] == our_error.reason)
    if isinstance(nova_error, nova_exc.RequestGroupSuffixConflict):
        return isinstance(our_error, errors.RequestGroupSuffixConflict)
    if type(nova_error) is ValueError:
        return isinstance(our_error, errors.InvalidRequestGroup)
    return (isinstance(our_error, errors.InvalidFlavorImageRequest)
            and our_error.kind == type(nova_error).__name__)


class TestQueryDifferential(testtools.TestCase):

    def _check(self, spec, enable, counts):
        primitive = spec.obj_to_primitive()
        nova_qs, nova_error = _nova_outcome(primitive, enable)
        our_qs, our_error = _our_outcome(primitive, enable)
        if nova_error is not None:
            self.assertTrue(
                _corresponds(nova_error, our_error),
                f'nova raised {nova_error!r}, we gave {our_error!r} '
                f'{our_qs!r}')
            counts['errors'] += 1
        else:
            self.assertIsNone(our_error, f'nova gave {nova_qs!r}')
            self.assertEqual(nova_qs, our_qs)
            counts['queries'] += 1

    def _run(self, enable):
        counts = collections.Counter()

        @SETTINGS
        @given(request_specs())
        def compare(spec):
            self._check(spec, enable, counts)

        compare()
        total = counts['queries'] + counts['errors']
        print(f'differential cases passed (pinning translation '
              f'{enable}): {total} ({counts["queries"]} equal queries, '
              f'{counts["errors"]} matching errors)')
        # Errors are expected, but most cases must build a query or the
        # generator tests little.
        self.assertGreater(counts['queries'], total // 3)
        self.assertGreater(counts['errors'], 0)

    def test_pinning_translation(self):
        self._run(True)

    def test_fallback_query(self):
        self._run(False)


# Success paths the generator reaches only rarely, checked every run.
FIXED_CASES = (
    ({'hw:mem_encryption': 'true'}, {'hw_firmware_type': 'uefi',
                                     'hw_machine_type': 'pc-q35-8.0'}),
    ({'hw:mem_encryption_model': 'intel-tdx'}, {
        'hw_mem_encryption': True, 'hw_firmware_type': 'uefi',
        'hw_firmware_stateless': True, 'hw_video_model': 'none'}),
    ({'hw:mem_encryption': '1', 'hw:mem_encryption_model': 'amd-sev-snp'},
     {'hw_firmware_type': 'uefi', 'hw_firmware_stateless': True}),
    ({'hw:cpu_policy': 'mixed', 'hw:cpu_dedicated_mask': '^0',
      'hw:emulator_threads_policy': 'isolate'}, {}),
    ({'hw:cpu_policy': 'mixed', 'hw:cpu_realtime': 'yes',
      'hw:cpu_realtime_mask': '^0-1'}, {}),
    ({'hw:cpu_policy': 'dedicated', 'hw:cpu_thread_policy': 'require',
      'resources:CUSTOM_X': '1'}, {'traits_required': ['CUSTOM_A']}),
    ({'hw:tpm_version': '2.0', 'hw:tpm_model': 'tpm-crb',
      'hw:pmem': 'a,b,a', 'os:secure_boot': 'required'}, {}),
    ({}, {'hw_maxphysaddr_mode': 'emulate', 'os_secure_boot': 'required',
          'hw_pci_numa_affinity_policy': 'socket',
          'hw_firmware_type': 'uefi', 'hw_firmware_stateless': True}),
)


class TestFixedCases(testtools.TestCase):

    def test_fixed_cases(self):
        for extra, props in FIXED_CASES:
            spec = nova_objects.RequestSpec(
                flavor=nova_objects.Flavor(
                    name='flv', vcpus=4, memory_mb=1024, root_gb=10,
                    ephemeral_gb=0, swap=0, extra_specs=extra),
                image=nova_objects.ImageMeta(
                    id=_uuid('image'), name='img',
                    properties=nova_objects.ImageMetaProps(**props)),
                requested_resources=[nova_objects.RequestGroup(
                    requester_id=_uuid('port'), resources={'VCPU': 1},
                    aggregates=[['agg-b', 'agg-a']],
                    in_tree=_uuid('tree'))],
                force_hosts=['h-two'], project_id='p', user_id='u')
            primitive = spec.obj_to_primitive()
            for enable in (True, False):
                nova_qs, nova_error = _nova_outcome(primitive, enable)
                self.assertIsNone(nova_error, (extra, props))
                our_qs, our_error = _our_outcome(primitive, enable)
                self.assertIsNone(our_error, (extra, props))
                self.assertEqual(nova_qs, our_qs)

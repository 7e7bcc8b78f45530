"""The allocation-candidates query, row by row of NOVA_COMPAT §3.1."""

import types
from urllib import parse

import fixtures
import testtools

from scheduler.objects import flavor as flavor_obj
from scheduler.objects import image as image_obj
from scheduler.objects import request_group as rg
from scheduler.objects import request_spec
from scheduler.placement import errors
from scheduler.placement import query

CN = 'c0c0c0c0-0000-4000-8000-000000000001'
PORT = 'PORT'


def flavor(vcpus=2, memory_mb=2048, root_gb=20, ephemeral_gb=0, swap=0,
           **extra_specs):
    return flavor_obj.Flavor(
        vcpus=vcpus, memory_mb=memory_mb, root_gb=root_gb,
        ephemeral_gb=ephemeral_gb, swap=swap, name='flv',
        extra_specs=types.MappingProxyType(extra_specs))


def image(**props):
    return image_obj.ImageMeta(
        name='img', properties=image_obj.ImageProperties(
            types.MappingProxyType(props)))


def spec(flv=None, **fields):
    return request_spec.RequestSpec(flavor=flv or flavor(), **fields)


def params(qs):
    """The query's (key, value) pairs, decoded, in order."""
    return parse.parse_qsl(qs, keep_blank_values=True)


def build(s, **kwargs):
    kwargs.setdefault('max_placement_results', 1000)
    return query.build_query(s, **kwargs)


class QueryTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(level='DEBUG'))

    def qs(self, s, **kwargs):
        return dict(params(build(s, **kwargs).to_querystring()))

    def assertParams(self, expected, s, **kwargs):
        self.assertEqual(expected, params(build(s, **kwargs).to_querystring()))


class TestFlavorResources(QueryTestCase):

    def test_plain_flavor(self):
        self.assertParams(
            [('limit', '1000'),
             ('resources', 'DISK_GB:20,MEMORY_MB:2048,VCPU:2')], spec())

    def test_ephemeral_and_swap_rounded_up_to_gb(self):
        s = spec(flavor(root_gb=10, ephemeral_gb=5, swap=1025))
        self.assertEqual('DISK_GB:17,MEMORY_MB:2048,VCPU:2',
                         self.qs(s)['resources'])

    def test_boot_from_volume_drops_root_disk(self):
        s = spec(flavor(root_gb=10, ephemeral_gb=0, swap=0), is_bfv=True)
        self.assertEqual('MEMORY_MB:2048,VCPU:2', self.qs(s)['resources'])

    def test_zero_amounts_are_stripped(self):
        s = spec(flavor(vcpus=0, root_gb=0))
        self.assertEqual('MEMORY_MB:2048', self.qs(s)['resources'])

    def test_extra_spec_overrides_flavor_amounts(self):
        s = spec(flavor(**{'resources:VCPU': '8', 'resources:DISK_GB': '0',
                           'resources:CUSTOM_GOLD': '1'}))
        # DISK_GB:0 removes disk altogether, it is not replaced.
        self.assertEqual('CUSTOM_GOLD:1,MEMORY_MB:2048,VCPU:8',
                         self.qs(s)['resources'])

    def test_pcpu_in_extra_specs_suppresses_vcpu(self):
        s = spec(flavor(**{'resources:PCPU': '2'}))
        self.assertEqual('DISK_GB:20,MEMORY_MB:2048,PCPU:2',
                         self.qs(s)['resources'])

    def test_suffixed_vcpu_counts_as_asked(self):
        s = spec(flavor(**{'resources1:VCPU': '1', 'group_policy': 'none'}))
        qs = self.qs(s)
        self.assertEqual('DISK_GB:20,MEMORY_MB:2048', qs['resources'])
        self.assertEqual('VCPU:1', qs['resources1'])

    def test_invalid_resource_class_and_amounts_ignored_with_warning(self):
        s = spec(flavor(**{'resources:BOGUS': '1',
                           'resources:CUSTOM_A': '-1',
                           'resources:CUSTOM_B': '1.5',
                           'resources:CUSTOM_C': '2'}))
        self.assertEqual('CUSTOM_C:2,DISK_GB:20,MEMORY_MB:2048,VCPU:2',
                         self.qs(s)['resources'])
        self.assertIn("invalid ResourceClass 'BOGUS'", self.log.output)
        self.assertIn("Received '-1'", self.log.output)
        self.assertIn("Received '1.5'", self.log.output)


class TestTraitsAndGroups(QueryTestCase):

    def test_traits_required_and_forbidden(self):
        s = spec(flavor(**{'trait:CUSTOM_B': 'required',
                           'trait:CUSTOM_A': 'required',
                           'trait:CUSTOM_NO': 'forbidden',
                           'trait:CUSTOM_X': 'maybe'}))
        self.assertEqual('CUSTOM_A,CUSTOM_B,!CUSTOM_NO',
                         self.qs(s)['required'])
        self.assertIn("Received 'maybe'", self.log.output)

    def test_suffixed_groups_and_policy(self):
        s = spec(flavor(**{'resources1:CUSTOM_FOO': '1',
                           'trait1:CUSTOM_BAR': 'required',
                           'resources_fast:CUSTOM_FOO': '2',
                           'group_policy': 'isolate'}))
        qs = self.qs(s)
        self.assertEqual('CUSTOM_FOO:1', qs['resources1'])
        self.assertEqual('CUSTOM_BAR', qs['required1'])
        self.assertEqual('CUSTOM_FOO:2', qs['resources_fast'])
        self.assertEqual('isolate', qs['group_policy'])

    def test_invalid_group_policy_ignored(self):
        s = spec(flavor(**{'group_policy': 'sometimes'}))
        self.assertNotIn('group_policy', self.qs(s))
        self.assertIn("Invalid group_policy 'sometimes'", self.log.output)

    def test_traits_only_group_still_sends_empty_resources(self):
        s = spec(flavor(**{'trait1:CUSTOM_BAR': 'required'}))
        qs = self.qs(s)
        self.assertEqual('', qs['resources1'])
        self.assertEqual('CUSTOM_BAR', qs['required1'])

    def test_image_traits_go_to_unsuffixed_group(self):
        s = spec(image=image(traits_required=('CUSTOM_IMG',)))
        self.assertEqual('CUSTOM_IMG', self.qs(s)['required'])

    def test_requested_resources_are_suffixed_by_requester(self):
        port = rg.RequestGroup(
            requester_id=PORT,
            resources={'NET_BW_EGR_KILOBIT_PER_SEC': 1000},
            required_traits=frozenset({'CUSTOM_PHYSNET_A'}))
        qs = self.qs(spec(requested_resources=(port,)))
        self.assertEqual('NET_BW_EGR_KILOBIT_PER_SEC:1000',
                         qs['resourcesPORT'])
        self.assertEqual('CUSTOM_PHYSNET_A', qs['requiredPORT'])

    def test_requested_group_without_requester_is_an_error(self):
        group = rg.RequestGroup(resources={'VCPU': 1})
        self.assertRaises(errors.InvalidRequestGroup, build,
                          spec(requested_resources=(group,)))

    def test_empty_requested_group_is_an_error(self):
        group = rg.RequestGroup(requester_id=PORT)
        self.assertRaises(errors.InvalidRequestGroup, build,
                          spec(requested_resources=(group,)))

    def test_requester_clashing_with_flavor_suffix(self):
        group = rg.RequestGroup(requester_id='1', resources={'VCPU': 1})
        s = spec(flavor(**{'resources1:CUSTOM_FOO': '1'}),
                 requested_resources=(group,))
        exc = self.assertRaises(errors.RequestGroupSuffixConflict, build, s)
        self.assertEqual('1', exc.suffix)

    def test_two_external_groups_default_policy_none(self):
        groups = tuple(rg.RequestGroup(requester_id=r, resources={'VCPU': 1})
                       for r in ('p1', 'p2'))
        q = build(spec(requested_resources=groups))
        self.assertEqual('none', q.group_policy)
        self.assertIn('more than one numbered request group',
                      self.log.output)

    def test_one_flavor_group_and_a_port_default_policy_none(self):
        port = rg.RequestGroup(requester_id=PORT, resources={'VCPU': 1})
        s = spec(flavor(**{'resources1:CUSTOM_FOO': '1'}),
                 requested_resources=(port,))
        self.assertEqual('none', build(s).group_policy)

    def test_two_flavor_groups_without_policy_are_left_alone(self):
        s = spec(flavor(**{'resources1:CUSTOM_FOO': '1',
                           'resources2:CUSTOM_FOO': '1'}))
        q = build(s)
        self.assertIsNone(q.group_policy)
        self.assertNotIn('group_policy', self.qs(s))

    def test_request_level_params(self):
        params_ = rg.RequestLevelParams(
            root_required=frozenset({'B', 'A'}),
            root_forbidden=frozenset({'COMPUTE_STATUS_DISABLED'}),
            same_subtree=(('PORT', '1'), ('2', '3')))
        qs = params(build(spec(request_level_params=params_))
                    .to_querystring())
        self.assertIn(('root_required', 'A,B,!COMPUTE_STATUS_DISABLED'), qs)
        self.assertIn(('same_subtree', '1,PORT'), qs)
        self.assertIn(('same_subtree', '2,3'), qs)

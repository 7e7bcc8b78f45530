"""Filters' per-request checks: skipped when they cannot reject, and
otherwise the same answer as host_passes for every host."""

import testtools

from scheduler.filters import affinity_filter as af
from scheduler.filters import aggregate_instance_extra_specs as aies
from scheduler.filters import all_hosts_filter
from scheduler.filters import compute_capabilities_filter as ccf
from scheduler.filters import image_props_filter as ipf
from scheduler.filters import io_ops_filter
from scheduler.filters import isolated_hosts_filter as ihf
from scheduler.filters import metrics_filter
from scheduler.filters import num_instances_filter
from scheduler.filters import pci_passthrough_filter
from scheduler.hoststate import host_state
from scheduler.objects import flavor
from scheduler.objects import image
from scheduler.objects import instance_group
from tests.unit import fakes
from tests.unit.filters import conf_fixture


def _flavor_spec(**extra_specs):
    return fakes.spec(flavor=flavor.Flavor(
        memory_mb=512, vcpus=1, root_gb=1, ephemeral_gb=0, swap=0,
        name='m1.tiny', extra_specs=extra_specs))


def _image_spec(image_id=None, **props):
    return fakes.spec(image=image.ImageMeta(
        id=image_id, properties=image.ImageProperties(props)))


HOSTS = [
    fakes.host('h1', supported_instances=(('x86_64', 'kvm', 'hvm'),),
               hypervisor_version=8002000, num_io_ops=3, num_instances=9,
               stats={'gpu': '2'},
               aggregates=[fakes.agg(1, 'a1', ssd='true', gpu='2')]),
    fakes.host('h2', supported_instances=(('aarch64', 'qemu', 'hvm'),),
               hypervisor_version=6000000, num_io_ops=9, num_instances=60,
               metrics=(host_state.Metric('cpu.percent', 5.0),)),
    fakes.host('h3', supported_instances=(), hypervisor_version=None),
    fakes.host('hiso', supported_instances=(('x86_64', 'kvm', 'hvm'),),
               hypervisor_version=8002000),
]


class HostCheckMatchesHostPassesTest(testtools.TestCase):

    hosts = HOSTS

    def assert_same(self, filter_, spec):
        check = filter_.host_check(spec)
        for host in self.hosts:
            expected = filter_.host_passes(host, spec)
            got = host if check is None else check(host)
            if expected is None:
                self.assertIs(host, got, host.host)
            else:
                self.assertEqual(expected, got, host.host)
        return check

    def test_compute_capabilities(self):
        f = ccf.ComputeCapabilitiesFilter(conf_fixture.make_conf())
        self.assertIsNone(self.assert_same(f, _flavor_spec(
            **{'hw:cpu_policy': 'dedicated', 'resources:VCPU': '0'})))
        self.assertIsNone(self.assert_same(f, fakes.spec()))
        for specs in ({'gpu': '2'}, {'gpu': '3'}, {'unknown': 'x'},
                      {'capabilities:hypervisor_version': '>= 7000000'},
                      {'capabilities:cpu_info:maxphysaddr:bits': '>= 1'},
                      {'hw:maxphysaddr_bits': '40'},
                      {'capabilities:stats:gpu': 'x'}):
            self.assertIsNotNone(self.assert_same(f, _flavor_spec(**specs)))

    def test_image_properties(self):
        f = ipf.ImagePropertiesFilter(conf_fixture.make_conf())
        self.assertIsNone(self.assert_same(f, _image_spec()))
        self.assertIsNone(self.assert_same(f, _image_spec(os_distro='x')))
        for props in ({'hw_architecture': 'x86_64'},
                      {'img_hv_type': 'qemu'},
                      {'hw_architecture': 'x86_64',
                       'img_hv_requested_version': '>=8.0'},
                      {'hw_architecture': 'x86_64',
                       'img_hv_requested_version': 'nonsense'},
                      {'hw_architecture': 'x86_64',
                       'hw_maxphysaddr_bits': 40}):
            self.assertIsNotNone(self.assert_same(f, _image_spec(**props)))
        # The configured default architecture asks for something.
        f = ipf.ImagePropertiesFilter(conf_fixture.make_conf(
            filter_scheduler={
                'image_properties_default_architecture': 'aarch64'}))
        self.assertIsNotNone(self.assert_same(f, _image_spec()))

    def test_aggregate_instance_extra_specs(self):
        f = aies.AggregateInstanceExtraSpecsFilter(conf_fixture.make_conf())
        self.assertIsNone(self.assert_same(f, _flavor_spec(
            **{'hw:cpu_policy': 'dedicated'})))
        for specs in ({'ssd': 'true'}, {'gpu': '>= 2'},
                      {'aggregate_instance_extra_specs:ssd': 'false'}):
            self.assertIsNotNone(self.assert_same(f, _flavor_spec(**specs)))

    def test_isolated_hosts(self):
        for isolated_hosts in ([], ['hiso']):
            for isolated_images in ([], ['iso']):
                for restrict in (True, False):
                    f = ihf.IsolatedHostsFilter(conf_fixture.make_conf(
                        filter_scheduler={
                            'isolated_hosts': isolated_hosts,
                            'isolated_images': isolated_images,
                            'restrict_isolated_hosts_to_isolated_images':
                                restrict}))
                    for image_id in (None, 'iso', 'other'):
                        self.assert_same(f, _image_spec(image_id))
        f = ihf.IsolatedHostsFilter(conf_fixture.make_conf())
        self.assertIsNone(f.host_check(_image_spec('any')))

    def test_limits_read_once_per_request(self):
        conf = conf_fixture.make_conf(filter_scheduler={
            'max_io_ops_per_host': 5, 'max_instances_per_host': 50})
        for cls in (io_ops_filter.IoOpsFilter,
                    io_ops_filter.AggregateIoOpsFilter,
                    num_instances_filter.NumInstancesFilter,
                    num_instances_filter.AggregateNumInstancesFilter):
            self.assertIsNotNone(self.assert_same(cls(conf), fakes.spec()))

    def test_filters_without_work(self):
        conf = conf_fixture.make_conf()
        self.assertIsNone(all_hosts_filter.AllHostsFilter(conf).host_check(
            fakes.spec()))
        self.assertIsNone(self.assert_same(
            metrics_filter.MetricsFilter(conf), fakes.spec()))
        self.assertIsNotNone(self.assert_same(
            metrics_filter.MetricsFilter(conf_fixture.make_conf(
                metrics={'weight_setting': ['cpu.percent=1.0']})),
            fakes.spec()))
        self.assertIsNone(pci_passthrough_filter.PciPassthroughFilter(
            conf).host_check(fakes.spec()))


class ComputeCapabilitiesParseTest(testtools.TestCase):

    def test_other_scopes_left_out(self):
        parsed = ccf.parse_requirements({
            'hw:cpu_policy': 'dedicated', 'capabilities:cpu_info:arch': 'x',
            'gpu': '2', 'hw:maxphysaddr_bits': '40'})
        self.assertEqual(
            [('capabilities:cpu_info:arch', ('cpu_info', 'arch'), False),
             ('gpu', ('gpu',), True),
             ('capabilities:cpu_info:maxphysaddr:bits',
              ('cpu_info', 'maxphysaddr', 'bits'), False)],
            [(p.key, p.scope, p.unscoped) for p in parsed])
        self.assertEqual('hw:maxphysaddr_bits', parsed[-1].shown)



class AffinityHostChecksTest(testtools.TestCase):
    """Group and hint filters ask no host when the request has no group
    with their policy (or no hint); otherwise host_passes' answers."""

    hosts = [
        fakes.host('g1', instances={'m1': 'p1', 'x': 'p2'},
                   host_ip='10.0.0.5'),
        fakes.host('g2', instances={'m2': 'p1'}, host_ip='10.0.1.5'),
        fakes.host('g3', host_ip=None),
    ]

    def setUp(self):
        super().setUp()
        self.conf = conf_fixture.make_conf()

    assert_same = HostCheckMatchesHostPassesTest.assert_same

    def group(self, policy, hosts=(), members=()):
        return instance_group.InstanceGroup(
            uuid='g', policy=policy, policies=(policy,), hosts=tuple(hosts),
            members=tuple(members), rules={'max_server_per_host': '1'})

    def test_server_group_filters(self):
        anti = af.ServerGroupAntiAffinityFilter(self.conf)
        aff = af.ServerGroupAffinityFilter(self.conf)
        for f in (anti, aff):
            self.assertIsNone(self.assert_same(f, fakes.spec()))
        self.assertIsNone(self.assert_same(anti, fakes.spec(
            instance_group=self.group('affinity', hosts=('g1',)))))
        self.assertIsNone(self.assert_same(aff, fakes.spec(
            instance_group=self.group('anti-affinity', members=('m1',)))))
        # Affinity without hosts yet: every host passes.
        self.assertIsNone(self.assert_same(aff, fakes.spec(
            instance_group=self.group('affinity'))))
        self.assertIsNotNone(self.assert_same(aff, fakes.spec(
            instance_group=self.group('affinity', hosts=('g1',)))))
        self.assertIsNotNone(self.assert_same(anti, fakes.spec(
            instance_group=self.group('anti-affinity', members=('m1',)))))

    def test_hint_filters(self):
        same = af.SameHostFilter(self.conf)
        different = af.DifferentHostFilter(self.conf)
        cidr = af.SimpleCIDRAffinityFilter(self.conf)
        for f in (same, different, cidr):
            self.assertIsNone(self.assert_same(f, fakes.spec(
                project_id='p1')))
        for hint in ({'same_host': ('m1',)}, {'same_host': ('x',)}):
            self.assertIsNotNone(self.assert_same(same, fakes.spec(
                project_id='p1', scheduler_hints=hint)))
        self.assertIsNotNone(self.assert_same(different, fakes.spec(
            project_id='p1', scheduler_hints={'different_host': ('m2',)})))
        for hints in ({'build_near_host_ip': ('10.0.0.1',)},
                      {'build_near_host_ip': ('10.0.0.1',),
                       'cidr': ('/16',)},
                      {'build_near_host_ip': ('bad',)}):
            self.assertIsNotNone(self.assert_same(cidr, fakes.spec(
                scheduler_hints=hints)))

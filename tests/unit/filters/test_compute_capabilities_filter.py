"""ComputeCapabilitiesFilter: extra specs against host capabilities."""

import datetime

import testtools

from scheduler.filters import compute_capabilities_filter as ccf
from scheduler.objects import flavor
from tests.unit import fakes
from tests.unit.filters import conf_fixture

CPU_INFO = ('{"arch": "x86_64", "maxphysaddr": {"bits": 46, "mode": '
            '"passthrough"}, "features": ["avx2", "aes"], '
            '"topology": {"cores": 4}}')


def _host(**fields):
    fields.setdefault('free_ram_mb', 2048)
    fields.setdefault('hypervisor_type', 'QEMU')
    fields.setdefault('hypervisor_version', 8002000)
    fields.setdefault('cpu_info', CPU_INFO)
    fields.setdefault('stats', {'cpu_vendor': 'intel',
                                'nested': '{"a": {"b": "c"}}'})
    fields.setdefault('supported_instances', (('x86_64', 'kvm', 'hvm'),))
    return fakes.host('h1', **fields)


def _spec(**extra_specs):
    return fakes.spec(flavor=flavor.Flavor(
        memory_mb=512, vcpus=1, root_gb=1, ephemeral_gb=0, swap=0,
        extra_specs=extra_specs))


class ComputeCapabilitiesFilterTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.filter = ccf.ComputeCapabilitiesFilter(conf_fixture.make_conf())

    def passes(self, host=None, **extra_specs):
        return self.filter.host_passes(host or _host(),
                                       _spec(**extra_specs)) is None

    def test_no_extra_specs(self):
        self.assertTrue(self.passes())

    def test_unscoped_attribute(self):
        self.assertTrue(self.passes(free_ram_mb='>= 1024'))
        self.assertFalse(self.passes(free_ram_mb='>= 4096'))
        self.assertTrue(self.passes(hypervisor_type='QEMU'))
        self.assertFalse(self.passes(hypervisor_type='kvm'))

    def test_unscoped_unknown_key_ignored(self):
        self.assertTrue(self.passes(some_key='whatever'))
        # Our own field names are not nova attribute names.
        self.assertTrue(self.passes(pci_pools='x', instance_images='y'))

    def test_other_namespaces_ignored(self):
        self.assertTrue(self.passes(**{'hw:cpu_policy': 'dedicated',
                                       'quota:cpu_shares': '10'}))

    def test_unscoped_stats_key(self):
        self.assertTrue(self.passes(cpu_vendor='intel'))
        self.assertFalse(self.passes(cpu_vendor='amd'))

    def test_capabilities_scope(self):
        self.assertTrue(self.passes(**{'capabilities:hypervisor_type':
                                       's== QEMU'}))
        self.assertFalse(self.passes(**{'capabilities:missing': 'x'}))

    def test_nested_json(self):
        self.assertTrue(self.passes(**{
            'capabilities:cpu_info:topology:cores': '>= 4'}))
        self.assertTrue(self.passes(**{
            'capabilities:cpu_info:features': '<in> avx2'}))
        self.assertFalse(self.passes(**{
            'capabilities:cpu_info:topology:threads': '1'}))
        self.assertTrue(self.passes(**{
            'capabilities:stats:nested:a:b': 'c'}))
        # Going past a scalar fails.
        self.assertFalse(self.passes(**{
            'capabilities:cpu_info:arch:x': 'x86_64'}))
        # A string that is not JSON cannot be walked into.
        self.assertFalse(self.passes(**{
            'capabilities:hypervisor_type:x': 'QEMU'}))

    def test_stats_fallback_for_unset_attribute(self):
        host = _host(host_ip=None, stats={'host_ip': '10.0.0.1'})
        self.assertTrue(self.passes(host, host_ip='10.0.0.1'))
        host = _host(host_ip=None, stats={})
        self.assertFalse(self.passes(host, host_ip='10.0.0.1'))

    def test_whole_values_print_like_nova(self):
        self.assertTrue(self.passes(**{
            'capabilities:supported_instances':
                "[['x86_64', 'kvm', 'hvm']]"}))
        self.assertTrue(self.passes(cpu_allocation_ratio='4.0'))
        self.assertTrue(self.passes(**{'capabilities:stats':
                                       "<in> 'cpu_vendor': 'intel'"}))
        updated = datetime.datetime(2026, 1, 2, 3, 4, 5,
                                    tzinfo=datetime.UTC)
        self.assertTrue(self.passes(
            _host(updated=updated), updated='2026-01-02 03:04:05+00:00'))

    def test_structured_attributes_never_match(self):
        for key in ('service', 'metrics', 'aggregates', 'instances',
                    'pci_stats', 'limits', 'allocation_candidates'):
            self.assertFalse(self.passes(**{key: '<in> a'}), key)
            self.assertFalse(self.passes(**{f'capabilities:{key}:x': 'y'}),
                             key)

    def test_numa_topology_none_falls_back_to_stats(self):
        self.assertFalse(self.passes(numa_topology='x'))
        self.assertTrue(self.passes(
            _host(stats={'numa_topology': 'x'}), numa_topology='x'))
        self.assertFalse(self.passes(
            _host(numa_topology={'cells': []}), numa_topology='x'))

    def test_maxphysaddr_bits(self):
        self.assertTrue(self.passes(**{'hw:maxphysaddr_bits': '46'}))
        self.assertTrue(self.passes(**{'hw:maxphysaddr_bits': '40'}))
        rejection = self.filter.host_passes(
            _host(), _spec(**{'hw:maxphysaddr_bits': '48'}))
        self.assertEqual('extra spec hw:maxphysaddr_bits not satisfied',
                         rejection.reason)
        self.assertFalse(self.passes(_host(cpu_info='{}'),
                                     **{'hw:maxphysaddr_bits': '40'}))

    def test_not_comparable_rejected_not_raised(self):
        rejection = self.filter.host_passes(
            _host(), _spec(hypervisor_type='>= 2'))
        self.assertEqual('extra spec hypervisor_type not comparable',
                         rejection.reason)

    def test_first_failing_spec_named(self):
        rejection = self.filter.host_passes(
            _host(), _spec(hypervisor_type='QEMU', cpu_vendor='amd',
                           free_ram_mb='1'))
        self.assertEqual('ComputeCapabilitiesFilter', rejection.filter_name)
        self.assertEqual('extra spec cpu_vendor not satisfied',
                         rejection.reason)

    def test_flags(self):
        self.assertTrue(ccf.ComputeCapabilitiesFilter.
                        run_filter_once_per_request)
        self.assertFalse(ccf.ComputeCapabilitiesFilter.RUN_ON_REBUILD)

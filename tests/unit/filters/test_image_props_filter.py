"""ImagePropertiesFilter."""

import testtools

from scheduler.filters import image_props_filter as ipf
from scheduler.objects import image
from tests.unit import fakes
from tests.unit.filters import conf_fixture

KVM = (('x86_64', 'kvm', 'hvm'), ('i686', 'kvm', 'hvm'))


def _host(**fields):
    fields.setdefault('supported_instances', KVM)
    fields.setdefault('hypervisor_version', 8002000)
    fields.setdefault('cpu_info', '{"maxphysaddr": {"bits": 46}}')
    return fakes.host('h1', **fields)


def _spec(**props):
    return fakes.spec(image=image.ImageMeta(
        properties=image.ImageProperties(props)))


class ImagePropertiesFilterTest(testtools.TestCase):

    def check(self, host=None, spec=None, default_arch=None):
        conf = conf_fixture.make_conf(filter_scheduler={
            'image_properties_default_architecture': default_arch})
        rejection = ipf.ImagePropertiesFilter(conf).host_passes(
            host or _host(), spec if spec is not None else _spec())
        return None if rejection is None else rejection.reason

    def test_no_relevant_properties(self):
        self.assertIsNone(self.check(spec=_spec(os_distro='ubuntu')))
        self.assertIsNone(self.check(spec=fakes.spec()))
        self.assertIsNone(self.check(_host(supported_instances=()),
                                     _spec(hw_disk_bus='virtio')))

    def test_matching_triple(self):
        self.assertIsNone(self.check(spec=_spec(
            hw_architecture='x86_64', img_hv_type='kvm', hw_vm_mode='hvm')))
        self.assertIsNone(self.check(spec=_spec(hw_architecture='i686')))

    def test_canonicalized(self):
        self.assertIsNone(self.check(spec=_spec(
            hw_architecture='AMD64', img_hv_type='KVM', hw_vm_mode='hv')))

    def test_mismatch(self):
        self.assertEqual(ipf.UNSUPPORTED_PROPERTIES, self.check(
            spec=_spec(hw_architecture='aarch64')))
        self.assertEqual(ipf.UNSUPPORTED_PROPERTIES, self.check(
            spec=_spec(img_hv_type='xen')))

    def test_membership_is_not_positional(self):
        # nova looks each value up in the whole triple.
        host = _host(supported_instances=(('x86_64', 'xen', 'hvm'),))
        self.assertIsNone(self.check(host, _spec(hw_vm_mode='xen')))

    def test_values_must_share_one_triple(self):
        host = _host(supported_instances=(('x86_64', 'kvm', 'hvm'),
                                          ('aarch64', 'qemu', 'hvm')))
        self.assertEqual(ipf.UNSUPPORTED_PROPERTIES, self.check(
            host, _spec(hw_architecture='aarch64', img_hv_type='kvm')))

    def test_no_supported_instances(self):
        self.assertEqual(ipf.NO_SUPPORTED_INSTANCES, self.check(
            _host(supported_instances=()), _spec(hw_architecture='x86_64')))

    def test_default_architecture(self):
        self.assertEqual(ipf.UNSUPPORTED_PROPERTIES, self.check(
            spec=_spec(os_distro='x'), default_arch='aarch64'))
        self.assertIsNone(self.check(
            spec=_spec(hw_architecture='x86_64'), default_arch='aarch64'))
        self.assertIsNone(self.check(spec=fakes.spec(),
                                     default_arch='x86_64'))
        self.assertEqual(ipf.UNSUPPORTED_PROPERTIES, self.check(
            spec=fakes.spec(), default_arch='s390x'))

    def test_hypervisor_version(self):
        self.assertIsNone(self.check(spec=_spec(
            img_hv_type='kvm', img_hv_requested_version='>=8.0')))
        self.assertEqual(ipf.HYPERVISOR_VERSION, self.check(spec=_spec(
            img_hv_type='kvm', img_hv_requested_version='>=9.0')))
        self.assertIsNone(self.check(spec=_spec(
            img_hv_type='kvm', img_hv_requested_version='>=8.1, <8.3')))
        # Unknown hypervisor version: not checked.
        self.assertIsNone(self.check(
            _host(hypervisor_version=None),
            _spec(img_hv_type='kvm', img_hv_requested_version='>=9.0')))

    def test_bad_version_requirement_rejects(self):
        self.assertEqual(ipf.BAD_VERSION_REQUIREMENT, self.check(spec=_spec(
            img_hv_type='kvm', img_hv_requested_version='about 8')))

    def test_maxphysaddr_bits_from_json_cpu_info(self):
        self.assertIsNone(self.check(spec=_spec(
            hw_architecture='x86_64', hw_maxphysaddr_bits=46)))
        self.assertEqual(ipf.MAXPHYSADDR_BITS, self.check(spec=_spec(
            hw_architecture='x86_64', hw_maxphysaddr_bits=48)))

    def test_maxphysaddr_unknown_on_host_passes(self):
        spec = _spec(hw_architecture='x86_64', hw_maxphysaddr_bits=48)
        for cpu_info in (None, '', 'not json', '[]', '{}',
                         '{"maxphysaddr": 5}', '{"maxphysaddr": {}}',
                         '{"maxphysaddr": {"bits": "46"}}',
                         '{"maxphysaddr": {"bits": 0}}'):
            self.assertIsNone(self.check(_host(cpu_info=cpu_info), spec),
                              cpu_info)

    def test_maxphysaddr_only_checked_with_compute_properties(self):
        # As nova: with no arch/hv type/vm mode the host passes at once.
        self.assertIsNone(self.check(spec=_spec(hw_maxphysaddr_bits=64)))

    def test_flags(self):
        self.assertTrue(ipf.ImagePropertiesFilter.RUN_ON_REBUILD)
        self.assertTrue(ipf.ImagePropertiesFilter.run_filter_once_per_request)


class MaxPhysAddrBitsTest(testtools.TestCase):

    def test_values(self):
        self.assertEqual(46, ipf.maxphysaddr_bits(
            '{"maxphysaddr": {"bits": 46}}'))
        self.assertIsNone(ipf.maxphysaddr_bits(
            '{"maxphysaddr": {"bits": true}}'))

"""Request filters that add root traits from the image and flavor."""

import testtools

from scheduler.objects import flavor
from scheduler.objects import image
from scheduler.request_filters import traits
from tests.unit import fakes
from tests.unit.request_filters import env as env_mod


def _image(disk_format=None, **props):
    return image.ImageMeta(disk_format=disk_format,
                           properties=image.ImageProperties(props))


def _required(spec):
    return None if spec is None else spec.request_level_params.root_required


class ImageTypeTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.env, self.fixture = env_mod.make_env(self)
        self.fixture.config(group='scheduler',
                            query_placement_for_image_type_support=True)

    def test_off_by_default(self):
        self.fixture.config(group='scheduler',
                            query_placement_for_image_type_support=False)
        self.assertIsNone(traits.require_image_type_support(
            fakes.spec(image=_image('qcow2')), self.env))

    def test_disk_format_trait(self):
        spec = traits.require_image_type_support(
            fakes.spec(image=_image('qcow2')), self.env)
        self.assertEqual(frozenset({'COMPUTE_IMAGE_TYPE_QCOW2'}),
                         _required(spec))

    def test_boot_from_volume_is_skipped(self):
        self.assertIsNone(traits.require_image_type_support(
            fakes.spec(image=_image('qcow2'), is_bfv=True), self.env))

    def test_unknown_format_and_no_image(self):
        for spec in (fakes.spec(image=_image('floppy')),
                     fakes.spec(image=_image(None)), fakes.spec()):
            self.assertIsNone(
                traits.require_image_type_support(spec, self.env))


class TransformImageMetadataTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.env, self.fixture = env_mod.make_env(self)
        self.fixture.config(group='scheduler', image_metadata_prefilter=True)

    def test_off_by_default(self):
        self.fixture.config(group='scheduler',
                            image_metadata_prefilter=False)
        self.assertIsNone(traits.transform_image_metadata(
            fakes.spec(image=_image(hw_disk_bus='virtio')), self.env))

    def test_every_mapped_property(self):
        spec = fakes.spec(image=_image(
            hw_cdrom_bus='sata', hw_disk_bus='virtio',
            hw_video_model='virtio', hw_vif_model='e1000',
            hw_architecture='x86_64', hw_emulation_architecture='aarch64',
            hw_firmware_type='uefi'))
        self.assertEqual(frozenset({
            'COMPUTE_STORAGE_BUS_SATA', 'COMPUTE_STORAGE_BUS_VIRTIO',
            'COMPUTE_GRAPHICS_MODEL_VIRTIO', 'COMPUTE_NET_VIF_MODEL_E1000',
            'HW_ARCH_X86_64', 'COMPUTE_ARCH_AARCH64',
        }), _required(traits.transform_image_metadata(spec, self.env)))

    def test_viommu_model_voids_the_filter_as_in_nova(self):
        # nova builds COMPUTE_VIOMMU_<MODEL>, but os-traits names them
        # COMPUTE_VIOMMU_MODEL_<MODEL>: the lookup fails, nothing is added.
        spec = fakes.spec(image=_image(hw_disk_bus='virtio',
                                       hw_viommu_model='intel'))
        self.assertIsNone(traits.transform_image_metadata(spec, self.env))

    def test_dashes_become_underscores(self):
        spec = fakes.spec(image=_image(hw_vif_model='virtio-net'))
        spec = traits.transform_image_metadata(spec, self.env)
        # 'virtio-net' is not an os-traits VIF model: nothing at all.
        self.assertIsNone(spec)
        spec = traits.transform_image_metadata(
            fakes.spec(image=_image(hw_disk_bus='fdc',
                                    hw_vif_model='ne2k_pci')), self.env)
        self.assertEqual(frozenset({'COMPUTE_STORAGE_BUS_FDC',
                                    'COMPUTE_NET_VIF_MODEL_NE2K_PCI'}),
                         _required(spec))

    def test_one_unknown_value_adds_nothing(self):
        spec = fakes.spec(image=_image(hw_disk_bus='virtio',
                                       hw_video_model='hologram'))
        self.assertIsNone(traits.transform_image_metadata(spec, self.env))

    def test_nothing_to_map(self):
        for spec in (fakes.spec(), fakes.spec(image=_image(hw_foo='x'))):
            self.assertIsNone(traits.transform_image_metadata(spec, self.env))


class AcceleratorsTest(testtools.TestCase):

    def test_device_profile_requires_accelerator_support(self):
        env, _ = env_mod.make_env(self)
        spec = fakes.spec(flavor=flavor.Flavor(
            memory_mb=1, vcpus=1, root_gb=0, ephemeral_gb=0, swap=0,
            extra_specs={'accel:device_profile': 'fpga'}))
        self.assertEqual(frozenset({'COMPUTE_ACCELERATORS'}),
                         _required(traits.accelerators_filter(spec, env)))

    def test_empty_profile_is_ignored(self):
        env, _ = env_mod.make_env(self)
        spec = fakes.spec(flavor=flavor.Flavor(
            memory_mb=1, vcpus=1, root_gb=0, ephemeral_gb=0, swap=0,
            extra_specs={'accel:device_profile': ''}))
        self.assertIsNone(traits.accelerators_filter(spec, env))
        self.assertIsNone(traits.accelerators_filter(fakes.spec(), env))

"""Image properties from an instance's system_metadata."""

import testtools

from scheduler.hoststate import instance_images


class ImagePropertiesTest(testtools.TestCase):

    def test_prefix_skips_and_types(self):
        props = instance_images.image_properties({
            'image_hw_cpu_cores': '4', 'image_min_ram': '512',
            'image_mappings': '[]', 'image_hw_boot_menu': 'yes',
            'image_architecture': 'amd64', 'image_hw_numa_cpus.0': '0-1',
            'image_trait:CUSTOM_X': 'required', 'image_unknown_prop': 'x',
            'image_os_distro': None, 'owner_user_name': 'someone'})
        self.assertEqual({'hw_cpu_cores': '4', 'hw_boot_menu': 'True',
                          'hw_architecture': 'x86_64',
                          'hw_numa_cpus': '[{0, 1}]',
                          'traits_required': "['CUSTOM_X']"}, dict(props))

    def test_empty(self):
        self.assertEqual({}, dict(instance_images.image_properties({})))

    def test_invalid_value_names_the_key_not_the_value(self):
        exc = self.assertRaises(
            instance_images.InvalidImageMetadata,
            instance_images.image_properties,
            {'image_hw_cpu_cores': 'secret-canary'})
        self.assertIn('hw_cpu_cores', str(exc))
        self.assertNotIn('secret-canary', str(exc))

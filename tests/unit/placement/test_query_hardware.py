"""CPU pinning and hardware features in the allocation-candidates query."""

from scheduler.placement import errors
from tests.unit.placement import test_query as base

flavor = base.flavor
image = base.image
spec = base.spec


class TestCPUPinning(base.QueryTestCase):

    def test_dedicated_becomes_pcpu(self):
        q = base.build(spec(base.flavor(vcpus=4, **{
            'hw:cpu_policy': 'dedicated'})))
        self.assertEqual('DISK_GB:20,MEMORY_MB:2048,PCPU:4',
                         dict(base.params(q.to_querystring()))['resources'])
        self.assertTrue(q.cpu_pinning_requested)

    def test_fallback_query_keeps_vcpu(self):
        q = base.build(spec(flavor(vcpus=4, **{
            'hw:cpu_policy': 'dedicated',
            'hw:cpu_thread_policy': 'isolate'})),
            enable_pinning_translation=False)
        qs = dict(base.params(q.to_querystring()))
        self.assertEqual('DISK_GB:20,MEMORY_MB:2048,VCPU:4', qs['resources'])
        self.assertNotIn('required', qs)
        self.assertFalse(q.cpu_pinning_requested)

    def test_image_policy_applies_when_flavor_has_none(self):
        s = spec(flavor(vcpus=2), image=image(hw_cpu_policy='dedicated'))
        self.assertEqual('DISK_GB:20,MEMORY_MB:2048,PCPU:2',
                         self.qs(s)['resources'])

    def test_emulator_threads_isolate_adds_a_pcpu(self):
        s = spec(flavor(vcpus=2, **{'hw:cpu_policy': 'dedicated',
                                    'hw:emulator_threads_policy': 'isolate'}))
        self.assertEqual('DISK_GB:20,MEMORY_MB:2048,PCPU:3',
                         self.qs(s)['resources'])

    def test_mixed_splits_vcpu_and_pcpu(self):
        s = spec(flavor(vcpus=4, **{'hw:cpu_policy': 'mixed',
                                    'hw:cpu_dedicated_mask': '^0'}))
        self.assertEqual('DISK_GB:20,MEMORY_MB:2048,PCPU:3,VCPU:1',
                         self.qs(s)['resources'])

    def test_mixed_from_realtime_mask(self):
        s = spec(flavor(vcpus=4, **{'hw:cpu_policy': 'mixed',
                                    'hw:cpu_realtime': 'yes',
                                    'hw:cpu_realtime_mask': '^0-1'}))
        self.assertEqual('DISK_GB:20,MEMORY_MB:2048,PCPU:2,VCPU:2',
                         self.qs(s)['resources'])

    def test_thread_policies_become_hyperthreading_trait(self):
        for policy, required in (('isolate', '!HW_CPU_HYPERTHREADING'),
                                 ('require', 'HW_CPU_HYPERTHREADING')):
            s = spec(flavor(**{'hw:cpu_policy': 'dedicated',
                               'hw:cpu_thread_policy': policy}))
            self.assertEqual(required, self.qs(s)['required'])
        s = spec(flavor(**{'hw:cpu_thread_policy': 'prefer'}))
        self.assertNotIn('required', self.qs(s))

    def test_invalid_and_conflicting_policies(self):
        cases = (
            (flavor(**{'hw:cpu_policy': 'sometimes'}), None,
             'InvalidCPUAllocationPolicy'),
            (flavor(**{'hw:cpu_policy': 'shared'}),
             image(hw_cpu_policy='dedicated'), 'ImageCPUPinningForbidden'),
            (flavor(**{'hw:cpu_thread_policy': 'isolate'}),
             image(hw_cpu_thread_policy='require'),
             'ImageCPUThreadPolicyForbidden'),
            (flavor(**{'hw:cpu_policy': 'dedicated',
                       'hw:emulator_threads_policy': 'bad'}), None,
             'InvalidEmulatorThreadsPolicy'),
            (flavor(vcpus=2, **{'hw:cpu_policy': 'mixed',
                                'hw:cpu_dedicated_mask': '0-1'}), None,
             'InvalidMixedInstanceDedicatedMask'),
            (flavor(vcpus=2, **{'hw:cpu_policy': 'mixed',
                                'hw:cpu_dedicated_mask': '1-0'}), None,
             'Invalid'),
        )
        for flv, img, kind in cases:
            exc = self.assertRaises(errors.InvalidFlavorImageRequest,
                                    base.build, spec(flv, image=img))
            self.assertEqual(kind, exc.kind)
            # The fallback query does not look at pinning at all.
            if kind != 'Invalid':
                base.build(spec(flv, image=img),
                           enable_pinning_translation=False)


    def test_huge_masks_and_flavors_are_not_built(self):
        # Sets of billions of CPU ids would exhaust the worker's memory;
        # each is refused before one is built.
        cases = (
            flavor(vcpus=4, **{'hw:cpu_policy': 'mixed',
                               'hw:cpu_dedicated_mask': '0-99999999999'}),
            flavor(vcpus=4, **{'hw:cpu_policy': 'mixed',
                               'hw:cpu_realtime': 'yes',
                               'hw:cpu_realtime_mask': '^0-99999999999'}),
            flavor(vcpus=2 ** 31 - 1, **{'hw:cpu_policy': 'mixed',
                                         'hw:cpu_dedicated_mask': '^0'}),
        )
        for flv in cases:
            exc = self.assertRaises(errors.InvalidFlavorImageRequest,
                                    base.build, spec(flv))
            self.assertEqual('Invalid', exc.kind)

    def test_masks_naming_vcpus_more_than_once_still_read(self):
        s = spec(flavor(vcpus=4, **{'hw:cpu_policy': 'mixed',
                                    'hw:cpu_dedicated_mask':
                                        '1-3,1-3,^2,2'}))
        self.assertEqual('DISK_GB:20,MEMORY_MB:2048,PCPU:2,VCPU:2',
                         self.qs(s)['resources'])

class TestHardwareFeatures(base.QueryTestCase):

    def test_mem_encryption(self):
        s = spec(flavor(**{'hw:mem_encryption': 'true'}),
                 image=image(hw_firmware_type='uefi'))
        qs = self.qs(s)
        self.assertIn('MEM_ENCRYPTION_CONTEXT:1', qs['resources'])
        self.assertEqual('HW_CPU_X86_AMD_SEV', qs['required'])

    def test_mem_encryption_tdx_needs_stateless_firmware_and_no_video(self):
        props = dict(hw_mem_encryption=True,
                     hw_mem_encryption_model='intel-tdx',
                     hw_firmware_type='uefi', hw_machine_type='q35')
        exc = self.assertRaises(errors.InvalidFlavorImageRequest, base.build,
                                spec(image=image(**props)))
        self.assertEqual('StatelessFirmwareRequired', exc.kind)
        props['hw_firmware_stateless'] = True
        exc = self.assertRaises(errors.InvalidFlavorImageRequest, base.build,
                                spec(image=image(**props)))
        self.assertEqual('InvalidVideoMode', exc.kind)
        props['hw_video_model'] = 'none'
        self.assertEqual(
            'COMPUTE_SECURITY_STATELESS_FIRMWARE,HW_CPU_X86_INTEL_TDX',
            self.qs(spec(image=image(**props)))['required'])

    def test_mem_encryption_conflicts(self):
        cases = (
            ({'hw:mem_encryption': 'true'}, dict(hw_mem_encryption=False),
             'FlavorImageConflict'),
            ({'hw:mem_encryption': 'true'}, dict(hw_firmware_type='bios'),
             'FlavorImageConflict'),
            ({'hw:mem_encryption': 'true'},
             dict(hw_firmware_type='uefi', hw_machine_type='pc'),
             'InvalidMachineType'),
            ({'hw:mem_encryption': 'yes', 'hw:mem_encryption_model': 'x'},
             dict(hw_firmware_type='uefi'), 'Invalid'),
        )
        for extra, props, kind in cases:
            s = spec(flavor(**extra), image=image(**props))
            exc = self.assertRaises(errors.InvalidFlavorImageRequest,
                                    base.build, s)
            self.assertEqual(kind, exc.kind)

    def test_vpmems_counted_per_normalized_label(self):
        s = spec(flavor(**{'hw:pmem': 'small, large,small,'}))
        resources = self.qs(s)['resources']
        self.assertIn('CUSTOM_PMEM_NAMESPACE_SMALL:2', resources)
        self.assertIn('CUSTOM_PMEM_NAMESPACE_LARGE:1', resources)

    def test_vtpm(self):
        s = spec(flavor(**{'hw:tpm_version': '2.0',
                           'hw:tpm_model': 'tpm-crb'}))
        self.assertEqual('COMPUTE_SECURITY_TPM_2_0,COMPUTE_SECURITY_TPM_CRB',
                         self.qs(s)['required'])
        s = spec(image=image(hw_tpm_version='1.2'))
        self.assertEqual('COMPUTE_SECURITY_TPM_1_2,COMPUTE_SECURITY_TPM_TIS',
                         self.qs(s)['required'])
        exc = self.assertRaises(
            errors.InvalidFlavorImageRequest, base.build,
            spec(flavor(**{'hw:tpm_version': '1.2'}),
                 image=image(hw_tpm_version='2.0')))
        self.assertEqual('FlavorImageConflict', exc.kind)
        exc = self.assertRaises(
            errors.InvalidFlavorImageRequest, base.build,
            spec(flavor(**{'hw:tpm_version': '1.2',
                           'hw:tpm_model': 'tpm-crb'})))
        self.assertEqual('Invalid', exc.kind)

    def test_secure_boot_maxphysaddr_socket_affinity(self):
        s = spec(flavor(**{'os:secure_boot': 'required',
                           'hw:maxphysaddr_mode': 'emulate',
                           'hw:pci_numa_affinity_policy': 'socket'}))
        self.assertEqual(
            'COMPUTE_ADDRESS_SPACE_EMULATED,'
            'COMPUTE_SECURITY_UEFI_SECURE_BOOT,'
            'COMPUTE_SOCKET_PCI_NUMA_AFFINITY', self.qs(s)['required'])
        s = spec(image=image(os_secure_boot='optional',
                             hw_maxphysaddr_mode='passthrough',
                             hw_pci_numa_affinity_policy='preferred'))
        self.assertEqual('COMPUTE_ADDRESS_SPACE_PASSTHROUGH',
                         self.qs(s)['required'])

    def test_invalid_feature_values(self):
        cases = (({'os:secure_boot': 'on'}, 'Invalid'),
                 ({'hw:maxphysaddr_mode': 'fast'}, 'Invalid'),
                 ({'hw:pci_numa_affinity_policy': 'close'},
                  'InvalidPCINUMAAffinity'))
        for extra, kind in cases:
            exc = self.assertRaises(errors.InvalidFlavorImageRequest,
                                    base.build, spec(flavor(**extra)))
            self.assertEqual(kind, exc.kind)
        exc = self.assertRaises(
            errors.InvalidFlavorImageRequest, base.build,
            spec(flavor(**{'hw:pci_numa_affinity_policy': 'socket'}),
                 image=image(hw_pci_numa_affinity_policy='legacy')))
        self.assertEqual('ImagePCINUMAPolicyForbidden', exc.kind)

    def test_stateless_firmware_only_with_uefi(self):
        s = spec(image=image(hw_firmware_stateless=True,
                             hw_firmware_type='uefi'))
        self.assertEqual('COMPUTE_SECURITY_STATELESS_FIRMWARE',
                         self.qs(s)['required'])
        s = spec(image=image(hw_firmware_stateless=True,
                             hw_firmware_type='bios'))
        self.assertNotIn('required', self.qs(s))
        self.assertIn('hw_firmware_stateless', self.log.output)

"""Guest feature request filters: packed ring, ephemeral encryption,
virtio sound and vTPM secret security."""

import testtools

from scheduler import errors
from scheduler.objects import flavor
from scheduler.objects import image
from scheduler.placement import errors as placement_errors
from scheduler.request_filters import features
from tests.unit import fakes
from tests.unit.request_filters import env as env_mod


def _spec(extra_specs=None, **props):
    return fakes.spec(
        flavor=flavor.Flavor(memory_mb=1, vcpus=1, root_gb=0, ephemeral_gb=0,
                             swap=0, name='f', extra_specs=extra_specs or {}),
        image=image.ImageMeta(name='i', properties=image.ImageProperties(
            props)))


def _required(spec):
    return None if spec is None else spec.request_level_params.root_required


class FeatureFiltersTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.env, _ = env_mod.make_env(self)

    def _run(self, request_filter, spec):
        return _required(request_filter(spec, self.env))

    def _kind(self, request_filter, spec):
        exc = self.assertRaises(placement_errors.InvalidFlavorImageRequest,
                                request_filter, spec, self.env)
        return exc.kind

    def test_packed_ring(self):
        run = features.packed_virtqueue_filter
        want = frozenset({'COMPUTE_NET_VIRTIO_PACKED'})
        self.assertEqual(want, self._run(run, _spec(
            {'hw:virtio_packed_ring': 'true'})))
        self.assertEqual(want, self._run(run, _spec(
            hw_virtio_packed_ring=True)))
        self.assertIsNone(self._run(run, _spec(
            {'hw:virtio_packed_ring': 'no'})))
        self.assertIsNone(self._run(run, _spec()))
        self.assertEqual('FlavorImageConflict', self._kind(run, _spec(
            {'hw:virtio_packed_ring': 'false'}, hw_virtio_packed_ring=True)))

    def test_ephemeral_encryption(self):
        run = features.ephemeral_encryption_filter
        self.assertEqual(frozenset({'COMPUTE_EPHEMERAL_ENCRYPTION'}),
                         self._run(run, _spec(
                             {'hw:ephemeral_encryption': 'yes'})))
        self.assertEqual(
            frozenset({'COMPUTE_EPHEMERAL_ENCRYPTION',
                       'COMPUTE_EPHEMERAL_ENCRYPTION_LUKSV2'}),
            self._run(run, _spec(
                hw_ephemeral_encryption=True,
                hw_ephemeral_encryption_format='luksv2')))
        # A format alone does not ask for encryption.
        self.assertIsNone(self._run(run, _spec(
            {'hw:ephemeral_encryption_format': 'luks'})))
        self.assertEqual('Invalid', self._kind(run, _spec(
            {'hw:ephemeral_encryption': 'true',
             'hw:ephemeral_encryption_format': 'rot13'})))
        self.assertEqual('FlavorImageConflict', self._kind(run, _spec(
            {'hw:ephemeral_encryption': 'false'},
            hw_ephemeral_encryption=True)))
        self.assertEqual('FlavorImageConflict', self._kind(run, _spec(
            {'hw:ephemeral_encryption': 'true',
             'hw:ephemeral_encryption_format': 'luks'},
            hw_ephemeral_encryption_format='plain')))

    def test_virtio_sound(self):
        run = features.virtio_sound_filter
        self.assertEqual(frozenset({'COMPUTE_SOUND_MODEL_VIRTIO'}),
                         self._run(run, _spec(hw_sound_model='virtio')))
        self.assertIsNone(self._run(run, _spec({'hw:sound_model': 'ich9'})))
        self.assertEqual('Invalid', self._kind(run, _spec(
            {'hw:sound_model': 'theremin'})))
        self.assertEqual('FlavorImageConflict', self._kind(run, _spec(
            {'hw:sound_model': 'virtio'}, hw_sound_model='usb')))

    def test_tpm_secret_security(self):
        run = features.tpm_secret_security_filter
        self.assertIsNone(self._run(run, _spec(
            {'hw:tpm_secret_security': 'host'})))
        for value, trait in (
                (None, 'COMPUTE_SECURITY_TPM_SECRET_SECURITY_USER'),
                ('', 'COMPUTE_SECURITY_TPM_SECRET_SECURITY_USER'),
                ('host', 'COMPUTE_SECURITY_TPM_SECRET_SECURITY_HOST'),
                ('deployment',
                 'COMPUTE_SECURITY_TPM_SECRET_SECURITY_DEPLOYMENT')):
            extra = {'hw:tpm_version': '2.0'}
            if value is not None:
                extra['hw:tpm_secret_security'] = value
            self.assertEqual(frozenset({trait}), self._run(run, _spec(extra)))
        exc = self.assertRaises(
            errors.RequestFilterFailed, run, _spec(
                {'hw:tpm_secret_security': 'cloud'}, hw_tpm_version='2.0'),
            self.env)
        self.assertEqual(
            "Scheduling failed: TPM secret security 'cloud' is not "
            "supported.", exc.message)
        self.assertEqual(exc.message, exc.safe_message)
        self.assertEqual('Invalid', self._kind(run, _spec(
            {'hw:tpm_version': '3.0'})))

"""Guest features a flavor and image ask for that Placement must satisfy.

Memory encryption, virtual persistent memory, vTPM, PCI NUMA affinity,
UEFI secure boot, guest physical address bits and stateless firmware, read
and validated as nova.virt.hardware does (same conflicts, same errors, in
the same order), so that the query has the same resources and traits.
"""

import dataclasses

from oslo_log import log as logging
from oslo_utils import strutils
import os_traits

from scheduler.objects import flavor as flavor_obj
from scheduler.objects import image as image_obj
from scheduler.placement import flavor_image

LOG = logging.getLogger(__name__)

TPM_VERSIONS = ('1.2', '2.0')
TPM_TIS = 'tpm-tis'
TPM_CRB = 'tpm-crb'
TPM_MODELS = (TPM_TIS, TPM_CRB)
SECURE_BOOT_POLICIES = ('required', 'disabled', 'optional')
MAXPHYSADDR_MODES = ('passthrough', 'emulate')
PCI_NUMA_POLICIES = ('required', 'legacy', 'preferred', 'socket')


@dataclasses.dataclass(frozen=True, slots=True)
class _EncryptionModel:
    trait: str
    stateless_firmware: bool
    no_video: bool
    firmware: str = 'uefi'
    machine_type: str = 'q35'


_ENCRYPTION_MODELS = {
    'amd-sev': _EncryptionModel(os_traits.HW_CPU_X86_AMD_SEV, False, False),
    'amd-sev-es': _EncryptionModel(
        os_traits.HW_CPU_X86_AMD_SEV_ES, False, False),
    'amd-sev-snp': _EncryptionModel(
        os_traits.HW_CPU_X86_AMD_SEV_SNP, True, False),
    'intel-tdx': _EncryptionModel(
        os_traits.HW_CPU_X86_INTEL_TDX, True, True),
}
DEFAULT_ENCRYPTION_MODEL = 'amd-sev'


def _conflict(flavor: flavor_obj.Flavor, image: image_obj.ImageMeta,
              key: str, flavor_value: object, image_value: object) -> (
        Exception):
    return flavor_image.invalid(
        f'Flavor {flavor.name} has hw:{key} extra spec explicitly set to '
        f'{flavor_value}, conflicting with image {image.name} which has '
        f'hw_{key} property explicitly set to {image_value}',
        'FlavorImageConflict')


def mem_encryption_trait(flavor: flavor_obj.Flavor,
                         image: image_obj.ImageMeta) -> str | None:
    """The CPU trait memory encryption needs, None when not requested."""
    flavor_str, image_raw = flavor_image.flavor_and_image(
        'mem_encryption', flavor, image)
    flavor_enc = (None if flavor_str is None
                  else strutils.bool_from_string(flavor_str))
    image_enc = flavor_image.image_bool(image_raw)
    if not flavor_enc and not image_enc:
        return None
    if (flavor_enc is not None and image_enc is not None
            and flavor_enc != image_enc):
        raise _conflict(flavor, image, 'mem_encryption', flavor_str,
                        image_enc)
    flavor_model, image_model = flavor_image.flavor_and_image(
        'mem_encryption_model', flavor, image)
    if (flavor_model is not None and image_model is not None
            and flavor_model != image_model):
        raise _conflict(flavor, image, 'mem_encryption_model', flavor_model,
                        image_model)
    name = image_model or flavor_model or DEFAULT_ENCRYPTION_MODEL
    model = _ENCRYPTION_MODELS.get(name)
    if model is None:
        raise flavor_image.invalid(
            f'Invalid memory encryption model {name!r}. Allowed values: '
            f'{", ".join(_ENCRYPTION_MODELS)}.')
    _check_encryption_image(name, model, image)
    return model.trait


def _check_encryption_image(name: str, model: _EncryptionModel,
                            image: image_obj.ImageMeta) -> None:
    props = image.properties
    if props.get('hw_firmware_type') != model.firmware:
        raise flavor_image.invalid(
            f"Memory encryption is requested but the image metadata doesn't "
            f"have the 'hw_firmware_type' property set to "
            f"'{model.firmware}'", 'FlavorImageConflict')
    machine_type = props.get('hw_machine_type')
    # Unset here: the compute driver checks its configured default.
    if machine_type is not None and model.machine_type not in machine_type:
        raise flavor_image.invalid(
            f"Machine type '{machine_type}' is not compatible with image "
            f"{image.name} ({image.id or '<no-id>'}): {model.machine_type} "
            f"type is required for {name} to work", 'InvalidMachineType')
    if model.stateless_firmware and not stateless_firmware(image):
        raise flavor_image.invalid(
            f'The {name} memory encryption model requires stateless '
            f"firmware but the image metadata doesn't have the "
            f"'hw_firmware_stateless' property set to True",
            'StatelessFirmwareRequired')
    if model.no_video and props.get('hw_video_model') != 'none':
        raise flavor_image.invalid(
            f'The {name} memory encryption model is incompatible with an '
            f"attached video device. Set the 'hw_video_model' image "
            f"property to 'none' to disable it", 'InvalidVideoMode')


def vpmem_labels(flavor: flavor_obj.Flavor) -> list[str]:
    """The persistent-memory namespace labels of ``hw:pmem``."""
    spec = flavor.extra_specs.get('hw:pmem')
    if not spec:
        return []
    return [label.strip() for label in spec.split(',') if label.strip()]


def vtpm(flavor: flavor_obj.Flavor,
         image: image_obj.ImageMeta) -> tuple[str, str] | None:
    """(version, model) of the requested vTPM, None when none."""
    version = flavor_image.unique_flavor_or_image(
        'tpm_version', flavor, image)
    if version is None:
        return None
    if version not in TPM_VERSIONS:
        raise flavor_image.invalid(
            f'Invalid TPM version {version!r}. Allowed values: '
            f'{", ".join(TPM_VERSIONS)}.')
    model = flavor_image.unique_flavor_or_image('tpm_model', flavor, image)
    if model is None:
        model = TPM_TIS
    elif model not in TPM_MODELS:
        raise flavor_image.invalid(
            f'Invalid TPM model {model!r}. Allowed values: '
            f'{", ".join(TPM_MODELS)}.')
    elif model == TPM_CRB and version != '2.0':
        raise flavor_image.invalid(
            'TPM model CRB is only valid with TPM version 2.0.')
    return str(version), str(model)


def pci_numa_policy(flavor: flavor_obj.Flavor,
                    image: image_obj.ImageMeta) -> str | None:
    flavor_policy, image_policy = flavor_image.flavor_and_image(
        'pci_numa_affinity_policy', flavor, image)
    if flavor_policy and image_policy and flavor_policy != image_policy:
        raise flavor_image.invalid(
            "Image property 'hw_pci_numa_affinity_policy' is not permitted "
            "to override the 'hw:pci_numa_affinity_policy' flavor extra "
            "spec.", 'ImagePCINUMAPolicyForbidden')
    policy = flavor_policy or image_policy
    if policy and policy not in PCI_NUMA_POLICIES:
        raise flavor_image.invalid(
            f'Invalid PCI NUMA affinity configured: {policy}',
            'InvalidPCINUMAAffinity')
    return None if policy is None else str(policy)


def secure_boot(flavor: flavor_obj.Flavor,
                image: image_obj.ImageMeta) -> str | None:
    policy = flavor_image.unique_flavor_or_image(
        'secure_boot', flavor, image, prefix='os')
    if policy is None:
        return None
    if policy not in SECURE_BOOT_POLICIES:
        raise flavor_image.invalid(
            f'Invalid secure boot policy {policy!r}. Allowed values: '
            f'{", ".join(SECURE_BOOT_POLICIES)}.')
    return str(policy)


def maxphysaddr_mode(flavor: flavor_obj.Flavor,
                     image: image_obj.ImageMeta) -> str | None:
    mode = flavor_image.unique_flavor_or_image(
        'maxphysaddr_mode', flavor, image)
    if mode is None:
        return None
    if mode not in MAXPHYSADDR_MODES:
        raise flavor_image.invalid(
            f'Invalid Maxphyaddr mode {mode!r}. Allowed values: '
            f'{", ".join(MAXPHYSADDR_MODES)}.')
    return str(mode)


def stateless_firmware(image: image_obj.ImageMeta) -> bool:
    """Whether the image asks for stateless (UEFI-only) firmware."""
    value = flavor_image.image_bool(
        image.properties.get('hw_firmware_stateless'))
    if value is None:
        return False
    if image.properties.get('hw_firmware_type') != 'uefi':
        LOG.warning("The image property 'hw_firmware_stateless' is set for "
                    "non UEFI firmware type. This property is ignored.")
        return False
    return value

"""CPU pinning settings of a flavor and image, validated as nova does.

The same rules as nova.virt.hardware's get_cpu_policy_constraint,
get_cpu_thread_policy_constraint, get_emulator_thread_policy_constraint,
get_dedicated_cpu_constraint and get_realtime_cpu_constraint: the API has
validated these already, but a request built by an older or buggy caller
must fail here the same way it fails in nova.
"""

from oslo_utils import strutils

from scheduler.numa import cpu_spec
from scheduler.objects import flavor as flavor_obj
from scheduler.objects import image as image_obj
from scheduler.placement import flavor_image

DEDICATED = 'dedicated'
SHARED = 'shared'
MIXED = 'mixed'
CPU_POLICIES = (DEDICATED, SHARED, MIXED)
THREAD_PREFER = 'prefer'
THREAD_ISOLATE = 'isolate'
THREAD_REQUIRE = 'require'
THREAD_POLICIES = (THREAD_PREFER, THREAD_ISOLATE, THREAD_REQUIRE)
EMULATOR_POLICIES = ('share', 'isolate')
# More vCPUs than any hypervisor gives one guest (KVM's limit is 4,096 on
# current kernels). The masks below build sets of the flavor's vCPU ids:
# a flavor from the bus claiming billions must not make the worker build
# them (nova would).
MAX_GUEST_VCPUS = 65_536


def cpu_policy(flavor: flavor_obj.Flavor,
               image: image_obj.ImageMeta) -> str | None:
    flavor_policy, image_policy = flavor_image.flavor_and_image(
        'cpu_policy', flavor, image)
    for source, value in (('flavor extra specs', flavor_policy),
                          ('image properties', image_policy)):
        if value and value not in CPU_POLICIES:
            raise flavor_image.invalid(
                f"CPU policy requested from '{source}' is invalid, given: "
                f"'{value}', available: '{CPU_POLICIES}'.",
                'InvalidCPUAllocationPolicy')
    if flavor_policy == DEDICATED:
        return DEDICATED
    if flavor_policy in (MIXED, SHARED):
        forbidden = (DEDICATED,) if flavor_policy == MIXED else (
            MIXED, DEDICATED)
        if image_policy in forbidden:
            raise flavor_image.invalid(
                "Image property 'hw_cpu_policy' is not permitted to override "
                "CPU pinning policy set against the flavor",
                'ImageCPUPinningForbidden')
        return str(flavor_policy)
    if image_policy in CPU_POLICIES:
        return str(image_policy)
    return None


def cpu_thread_policy(flavor: flavor_obj.Flavor,
                      image: image_obj.ImageMeta) -> str | None:
    flavor_policy, image_policy = flavor_image.flavor_and_image(
        'cpu_thread_policy', flavor, image)
    for source, value in (('flavor extra specs', flavor_policy),
                          ('image properties', image_policy)):
        if value and value not in THREAD_POLICIES:
            raise flavor_image.invalid(
                f"CPU thread policy requested from '{source}' is invalid, "
                f"given: '{value}', available: '{THREAD_POLICIES}'.",
                'InvalidCPUThreadAllocationPolicy')
    if flavor_policy in (None, THREAD_PREFER):
        policy = flavor_policy or image_policy
        return None if policy is None else str(policy)
    if image_policy and image_policy != flavor_policy:
        raise flavor_image.invalid(
            "Image property 'hw_cpu_thread_policy' is not permitted to "
            "override CPU thread pinning policy set against the flavor",
            'ImageCPUThreadPolicyForbidden')
    return str(flavor_policy)


def emulator_threads_policy(flavor: flavor_obj.Flavor) -> str | None:
    policy = flavor.extra_specs.get('hw:emulator_threads_policy')
    if not policy:
        return None
    if policy not in EMULATOR_POLICIES:
        raise flavor_image.invalid(
            f"CPU emulator threads option requested is invalid, given: "
            f"'{policy}', available: '{EMULATOR_POLICIES}'.",
            'InvalidEmulatorThreadsPolicy')
    return policy


def _flavor_cpus(flavor: flavor_obj.Flavor) -> set[int]:
    if flavor.vcpus > MAX_GUEST_VCPUS:
        raise flavor_image.invalid(
            f'The flavor asks for {flavor.vcpus} vCPUs, more than '
            f'{MAX_GUEST_VCPUS}: its CPU masks are not read.')
    return set(range(flavor.vcpus))


def _mask_cpus(mask: str, vcpus: int) -> set[int]:
    # A mask starting with '^' excludes from "all the flavor's vCPUs".
    if mask.strip().startswith('^'):
        mask = f'0-{vcpus - 1},{mask}'
    try:
        # A mask may name each vCPU a few times (includes and excludes);
        # one naming far more ids than that is not read (nova would build
        # them all).
        return cpu_spec.parse_cpu_spec(mask, limit=4 * vcpus + 64)
    except cpu_spec.TooManyCPUs:
        raise flavor_image.invalid(
            f'The CPU mask names more CPUs than the flavor\'s {vcpus} '
            'vCPUs could need.') from None
    except ValueError as exc:
        # nova raises exception.Invalid with the same message.
        raise flavor_image.invalid(str(exc)) from None


def dedicated_cpus(flavor: flavor_obj.Flavor) -> set[int] | None:
    """The pinned vCPUs of a mixed instance (``hw:cpu_dedicated_mask``)."""
    mask = flavor.extra_specs.get('hw:cpu_dedicated_mask')
    if not mask:
        return None
    cpus = _flavor_cpus(flavor)
    pcpus = _mask_cpus(mask, flavor.vcpus)
    if not pcpus or not cpus - pcpus:
        raise flavor_image.invalid(
            "Mixed instance must have at least 1 pinned vCPU and 1 unpinned "
            "vCPU. See 'hw:cpu_dedicated_mask'.",
            'InvalidMixedInstanceDedicatedMask')
    if not pcpus.issubset(cpus):
        raise flavor_image.invalid(
            'Mixed instance dedicated vCPU(s) mask is not a subset of vCPUs '
            'in the flavor. See "hw:cpu_dedicated_mask"',
            'InvalidMixedInstanceDedicatedMask')
    return pcpus


def realtime_cpus(flavor: flavor_obj.Flavor,
                  image: image_obj.ImageMeta) -> set[int] | None:
    """The realtime vCPUs when ``hw:cpu_realtime`` is on."""
    if not strutils.bool_from_string(
            flavor.extra_specs.get('hw:cpu_realtime')):
        return None
    flavor_mask, image_mask = flavor_image.flavor_and_image(
        'cpu_realtime_mask', flavor, image)
    # The image's mask wins: it is the more specific requirement.
    mask = image_mask or flavor_mask
    all_cpus = _flavor_cpus(flavor)
    realtime = _mask_cpus(mask, flavor.vcpus) if mask else set(all_cpus)
    bad_mask = (
        'Use of realtime CPUs requires either one or more non-realtime '
        'CPU(s) or offloaded emulator threads.')
    if not realtime:
        raise flavor_image.invalid(bad_mask, 'RealtimeMaskNotFoundOrInvalid')
    emulator_policy = emulator_threads_policy(flavor)
    if realtime == all_cpus and not emulator_policy:
        raise flavor_image.invalid(bad_mask, 'RealtimeMaskNotFoundOrInvalid')
    if not realtime.issubset(all_cpus):
        raise flavor_image.invalid(
            'Realtime policy vCPU(s) mask is configured with RT vCPUs that '
            'are not a subset of the vCPUs in the flavor. See '
            'hw:cpu_realtime_mask or hw_cpu_realtime_mask',
            'RealtimeMaskNotFoundOrInvalid')
    return realtime

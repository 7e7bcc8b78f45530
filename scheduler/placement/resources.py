"""The resources, traits and request groups a request asks Placement for.

This is nova 34's ResourceRequest.from_request_spec: flavor extra specs
(``resources[$S]:``, ``trait[$S]:``, ``group_policy``), image
``traits_required``, the CPU pinning translation, externally built request
groups (ports, PCI, accelerators), the flavor's own VCPU/MEMORY_MB/DISK_GB
and the hardware features of nova.virt.hardware. Invalid entries are
skipped with the same warnings; invalid combinations raise the typed
errors of :mod:`scheduler.placement.errors` where nova raises.
"""

import collections
from collections.abc import Iterable
import math
import re

from oslo_log import log as logging
import os_resource_classes as orc
import os_traits

from scheduler.objects import flavor as flavor_obj
from scheduler.objects import image as image_obj
from scheduler.objects import request_group as rg_obj
from scheduler.objects import request_spec as spec_obj
from scheduler.placement import cpu_constraints as cpu
from scheduler.placement import errors
from scheduler.placement import feature_constraints as features
from scheduler.placement import flavor_image

LOG = logging.getLogger(__name__)

# resources[$S]:<RC> and trait[$S]:<TRAIT>; $S as Placement 1.33 allows.
EXTRA_SPEC_KEY = re.compile(
    r'^(resources|trait)([a-zA-Z0-9_-]{1,64})?:(.*)$')
GROUP_POLICIES = ('none', 'isolate')
HYPERTHREADING: str = os_traits.HW_CPU_HYPERTHREADING


class GroupBuilder:
    """One request group while the request is being assembled."""

    def __init__(self, suffix: str | None, use_same_provider: bool) -> None:
        self.suffix = suffix
        self.use_same_provider = use_same_provider
        self.resources: dict[str, int] = {}
        self.required: set[str] = set()
        self.forbidden: set[str] = set()
        self.aggregates: list[tuple[str, ...]] = []
        self.forbidden_aggregates: set[str] = set()
        self.in_tree: str | None = None
        self.provider_uuids: tuple[str, ...] = ()

    @classmethod
    def from_group(cls, group: rg_obj.RequestGroup) -> 'GroupBuilder':
        built = cls(group.requester_id, group.use_same_provider)
        built.resources = dict(group.resources)
        built.required = set(group.required_traits)
        built.forbidden = set(group.forbidden_traits)
        built.aggregates = [tuple(a) for a in group.aggregates]
        built.forbidden_aggregates = set(group.forbidden_aggregates)
        built.in_tree = group.in_tree
        built.provider_uuids = tuple(group.provider_uuids)
        return built

    def add_resource(self, rclass: str, amount: str | int) -> None:
        if not (rclass.startswith(orc.CUSTOM_NAMESPACE)
                or rclass in orc.STANDARDS):
            LOG.warning("Received an invalid ResourceClass '%(key)s' in "
                        "extra_specs.", {'key': rclass})
            return
        try:
            value = int(amount)
            if value < 0:
                raise ValueError(value)
        except ValueError:
            LOG.warning('Resource amounts must be nonnegative integers. '
                        "Received '%s'", amount)
            return
        self.resources[rclass] = value

    def add_trait(self, name: str, kind: str) -> None:
        if kind == 'required':
            self.required.add(name)
        elif kind == 'forbidden':
            self.forbidden.add(name)
        else:
            LOG.warning("Only (required, forbidden) traits are supported. "
                        "Received '%s'.", kind)

    def is_empty(self) -> bool:
        # in_tree alone does not make a group, as in nova.
        return not (self.resources or self.required or self.forbidden
                    or self.aggregates or self.forbidden_aggregates)

    def strip_zeros(self) -> None:
        self.resources = {rc: n for rc, n in self.resources.items() if n}

    def freeze(self) -> rg_obj.RequestGroup:
        return rg_obj.RequestGroup(
            use_same_provider=self.use_same_provider,
            resources=dict(self.resources),
            required_traits=frozenset(self.required),
            forbidden_traits=frozenset(self.forbidden),
            aggregates=tuple(self.aggregates),
            forbidden_aggregates=frozenset(self.forbidden_aggregates),
            requester_id=self.suffix,
            provider_uuids=self.provider_uuids,
            in_tree=self.in_tree)


class RequestBuilder:
    """Request groups keyed by suffix (None is the unsuffixed group)."""

    def __init__(self) -> None:
        self.groups: dict[str | None, GroupBuilder] = {}
        self.group_policy: str | None = None
        self.suffixed_groups_from_flavor = 0
        self.cpu_pinning_requested = False

    def group(self, suffix: str | None = None) -> GroupBuilder:
        if suffix not in self.groups:
            self.groups[suffix] = GroupBuilder(suffix, bool(suffix))
        return self.groups[suffix]

    def suffixed_count(self) -> int:
        return sum(1 for suffix in self.groups if suffix is not None)

    def merged_resources(self) -> dict[str, int]:
        merged: dict[str, int] = collections.defaultdict(int)
        for group in self.groups.values():
            for rclass, amount in group.resources.items():
                merged[rclass] += amount
        return dict(merged)

    def add_external_group(self, group: rg_obj.RequestGroup) -> None:
        """A group from outside the flavor, suffixed by its requester."""
        if not group.requester_id:
            raise errors.InvalidRequestGroup(
                'Missing requester_id in RequestGroup! This is probably a '
                'programmer error.')
        built = GroupBuilder.from_group(group)
        if built.is_empty():
            raise errors.InvalidRequestGroup(
                'Refusing to add no-op RequestGroup with requester_id='
                f'{group.requester_id}. This is a probably a programmer '
                'error.')
        if group.requester_id in self.groups:
            raise errors.RequestGroupSuffixConflict(group.requester_id)
        self.groups[group.requester_id] = built

    def strip_zeros(self) -> None:
        for group in self.groups.values():
            group.strip_zeros()
        self.groups = {
            suffix: group for suffix, group in self.groups.items()
            if not group.is_empty()}


def _process_extra_specs(req: RequestBuilder,
                         extra_specs: Iterable[tuple[str, str]]) -> None:
    for key, value in extra_specs:
        if key == 'group_policy':
            if value in GROUP_POLICIES:
                req.group_policy = value
            else:
                LOG.warning("Invalid group_policy '%s'. Valid values are "
                            "'none' and 'isolate'.", value)
            continue
        match = EXTRA_SPEC_KEY.match(key)
        if not match:
            continue
        prefix, suffix, name = match.groups()
        if prefix == 'resources':
            req.group(suffix).add_resource(name, value)
        else:
            req.group(suffix).add_trait(name, value)


def _translate_pinning(req: RequestBuilder, flavor: flavor_obj.Flavor,
                       image: image_obj.ImageMeta) -> None:
    """hw:cpu_policy & co. as PCPU/VCPU amounts and HT traits."""
    policy = cpu.cpu_policy(flavor, image)
    thread_policy = cpu.cpu_thread_policy(flavor, image)
    emulator_policy = cpu.emulator_threads_policy(flavor)
    pcpus = 0
    if policy == cpu.DEDICATED:
        req.cpu_pinning_requested = True
        pcpus = flavor.vcpus
    elif policy == cpu.MIXED:
        dedicated = cpu.dedicated_cpus(flavor)
        realtime = cpu.realtime_cpus(flavor, image)
        pcpus = len(dedicated or realtime or ())
        req.group().add_resource(orc.VCPU, flavor.vcpus - pcpus)
    if policy in (cpu.DEDICATED, cpu.MIXED):
        if emulator_policy == 'isolate':
            pcpus += 1
        req.group().add_resource(orc.PCPU, pcpus)
    trait_kind = {cpu.THREAD_ISOLATE: 'forbidden',
                  cpu.THREAD_REQUIRE: 'required'}.get(thread_policy or '')
    if trait_kind:
        req.group().add_trait(HYPERTHREADING, trait_kind)


def _add_flavor_amounts(req: RequestBuilder,
                        spec: spec_obj.RequestSpec) -> None:
    """VCPU, MEMORY_MB and DISK_GB unless something already asks for them.

    A class counts as asked for even with amount 0 (``resources:VCPU=0``
    removes VCPU from the request altogether).
    """
    flavor = spec.flavor
    merged = req.merged_resources()
    if orc.VCPU not in merged and orc.PCPU not in merged:
        req.group().add_resource(orc.VCPU, flavor.vcpus)
    if orc.MEMORY_MB not in merged:
        req.group().add_resource(orc.MEMORY_MB, flavor.memory_mb)
    if orc.DISK_GB not in merged:
        disk = flavor.ephemeral_gb
        if flavor.swap:
            disk += int(math.ceil(flavor.swap / 1024.0))
        if not spec.is_bfv:
            disk += flavor.root_gb
        if disk:
            req.group().add_resource(orc.DISK_GB, disk)


def _translate_features(req: RequestBuilder, flavor: flavor_obj.Flavor,
                        image: image_obj.ImageMeta) -> None:
    """Hardware features as resources and required traits, nova's order."""
    unsuffixed = req.group
    enc_trait = features.mem_encryption_trait(flavor, image)
    if enc_trait:
        unsuffixed().add_resource(orc.MEM_ENCRYPTION_CONTEXT, 1)
        unsuffixed().add_trait(enc_trait, 'required')
    namespaces: dict[str, int] = collections.Counter(
        orc.normalize_name('PMEM_NAMESPACE_' + label)
        for label in features.vpmem_labels(flavor))
    for rclass, amount in namespaces.items():
        unsuffixed().add_resource(rclass, amount)
    tpm = features.vtpm(flavor, image)
    if tpm:
        version, model = tpm
        unsuffixed().add_trait(
            os_traits.COMPUTE_SECURITY_TPM_CRB if model == features.TPM_CRB
            else os_traits.COMPUTE_SECURITY_TPM_TIS, 'required')
        unsuffixed().add_trait(
            os_traits.COMPUTE_SECURITY_TPM_2_0 if version == '2.0'
            else os_traits.COMPUTE_SECURITY_TPM_1_2, 'required')
    if features.pci_numa_policy(flavor, image) == 'socket':
        unsuffixed().add_trait(
            os_traits.COMPUTE_SOCKET_PCI_NUMA_AFFINITY, 'required')
    if features.secure_boot(flavor, image) == 'required':
        unsuffixed().add_trait(
            os_traits.COMPUTE_SECURITY_UEFI_SECURE_BOOT, 'required')
    mode = features.maxphysaddr_mode(flavor, image)
    if mode == 'passthrough':
        unsuffixed().add_trait(
            os_traits.COMPUTE_ADDRESS_SPACE_PASSTHROUGH, 'required')
    elif mode == 'emulate':
        unsuffixed().add_trait(
            os_traits.COMPUTE_ADDRESS_SPACE_EMULATED, 'required')
    if features.stateless_firmware(image):
        unsuffixed().add_trait(
            os_traits.COMPUTE_SECURITY_STATELESS_FIRMWARE, 'required')


def from_request_spec(spec: spec_obj.RequestSpec,
                      enable_pinning_translation: bool = True) -> (
        RequestBuilder):
    """The request groups of ``spec``, before destination constraints."""
    req = RequestBuilder()
    flavor = spec.flavor
    image = flavor_image.image_or_empty(spec.image)
    _process_extra_specs(req, flavor.extra_specs.items())
    # Counted before external groups join: only the flavor's count here.
    req.suffixed_groups_from_flavor = req.suffixed_count()
    for trait in image.properties.get('traits_required') or ():
        # Image traits always go to the unsuffixed group.
        req.group().add_trait(trait, 'required')
    if enable_pinning_translation:
        _translate_pinning(req, flavor, image)
    for group in spec.requested_resources:
        req.add_external_group(group)
    _add_flavor_amounts(req, spec)
    _translate_features(req, flavor, image)
    req.strip_zeros()
    return req

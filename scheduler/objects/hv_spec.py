"""Architecture, hypervisor type and VM mode names, canonicalized as nova.

nova stores ``supported_instances`` as [arch, hv_type, vm_mode] triples and
compares image properties with them after canonicalizing both sides
(nova.objects.fields.Architecture/HVType/VMMode.canonicalize).
"""

ARCHITECTURES: frozenset[str] = frozenset({
    'alpha', 'armv6', 'armv7l', 'armv7b', 'aarch64', 'cris', 'i686', 'ia64',
    'lm32', 'm68k', 'microblaze', 'microblazeel', 'mips', 'mipsel', 'mips64',
    'mips64el', 'openrisc', 'parisc', 'parisc64', 'ppc', 'ppcle', 'ppc64',
    'ppc64le', 'ppcemb', 's390', 's390x', 'sh4', 'sh4eb', 'sparc', 'sparc64',
    'unicore32', 'x86_64', 'xtensa', 'xtensaeb'})

HV_TYPES: frozenset[str] = frozenset({
    'baremetal', 'bhyve', 'docker', 'fake', 'hyperv', 'ironic', 'kqemu',
    'kvm', 'lxc', 'lxd', 'openvz', 'parallels', 'phyp', 'qemu', 'test', 'uml',
    'vbox', 'vz', 'vmware', 'xen', 'zvm', 'prsm'})

VM_MODES: frozenset[str] = frozenset({'hvm', 'xen', 'uml', 'exe'})

_ARCH_ALIASES = {'i386': 'i686', 'i486': 'i686', 'i586': 'i686',
                 # Xen's mistake from Icehouse or earlier.
                 'x86_32': 'i686', 'x86_32p': 'i686',
                 'amd64': 'x86_64'}
_HV_TYPE_ALIASES = {'xapi': 'xen'}
# Pre-Folsom names.
_VM_MODE_ALIASES = {'pv': 'xen', 'hv': 'hvm', 'baremetal': 'hvm'}


class InvalidName(ValueError):
    """A name that is not one nova knows (nova raises too)."""


def _canonical(name: str | None, aliases: dict[str, str],
               valid: frozenset[str], kind: str) -> str | None:
    if name is None:
        return None
    lowered = name.lower()
    lowered = aliases.get(lowered, lowered)
    if lowered not in valid:
        raise InvalidName(f'Invalid {kind}: {name!r}')
    return lowered


def canonical_architecture(name: str | None) -> str | None:
    return _canonical(name, _ARCH_ALIASES, ARCHITECTURES, 'architecture')


def canonical_hv_type(name: str | None) -> str | None:
    return _canonical(name, _HV_TYPE_ALIASES, HV_TYPES, 'hypervisor type')


def canonical_vm_mode(name: str | None) -> str | None:
    return _canonical(name, _VM_MODE_ALIASES, VM_MODES, 'vm mode')

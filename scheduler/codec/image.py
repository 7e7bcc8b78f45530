"""ImageMeta 1.x and ImageMetaProps 1.x primitives.

Every set image property is kept by its nova field name. Known properties
are coerced like nova's field types (flexible booleans, ints, lists);
unknown ones (from a newer ImageMetaProps) are kept when they are plain
scalars or lists of scalars and dropped otherwise, never failing the request.
"""

from collections.abc import Callable, Mapping
import types

from scheduler.codec import primitive
from scheduler.codec import values as v
from scheduler.objects import image as image_obj

_FLEX_BOOL = (
    'hw_boot_menu', 'hw_firmware_stateless', 'hw_ipxe_boot',
    'hw_locked_memory', 'hw_mem_encryption', 'hw_pmu',
    'hw_qemu_guest_agent', 'hw_time_hpet', 'hw_vif_multiqueue_enabled',
    'hw_ephemeral_encryption', 'hw_virtio_packed_ring', 'img_bittorrent',
    'img_bdm_v2', 'img_cache_in_nova', 'img_linked_clone', 'img_use_agent',
    'img_hide_hypervisor_id', 'os_require_quiesce',
    'os_skip_agent_inject_files_at_boot', 'os_skip_agent_inject_ssh',
)
_INT = (
    'hw_cpu_cores', 'hw_cpu_sockets', 'hw_cpu_max_cores',
    'hw_cpu_max_sockets', 'hw_cpu_max_threads', 'hw_cpu_threads',
    'hw_device_id', 'hw_numa_nodes', 'hw_serial_port_count', 'hw_video_ram',
    'hw_maxphysaddr_bits', 'hw_redirected_usb_ports',
    'img_compression_level', 'img_version',
)
_UUID = ('hw_ephemeral_encryption_secret_uuid',
         'img_signature_certificate_uuid')


def _int_sets(path: v.Path, value: object) -> tuple[frozenset[int], ...]:
    return v.as_list(path, value, lambda p, x: v.as_set(p, x, v.as_int))


def _ints(path: v.Path, value: object) -> tuple[int, ...]:
    return v.as_list(path, value, v.as_int)


def _strs(path: v.Path, value: object) -> tuple[str, ...]:
    return v.as_list(path, value, v.as_str)


def _nullable_str_dicts(path: v.Path, value: object,
                        ) -> tuple[Mapping[str, str | None], ...]:
    return v.as_list(path, value, lambda p, x: v.as_dict(
        p, x, v.nullable(v.as_str)))


READERS: dict[str, Callable[[v.Path, object], object]] = {
    **{name: v.as_flex_bool for name in _FLEX_BOOL},
    **{name: v.as_int for name in _INT},
    **{name: v.as_uuid for name in _UUID},
    'hw_numa_cpus': _int_sets,
    'hw_numa_mem': _ints,
    'traits_required': _strs,
    'img_block_device_mapping': _nullable_str_dicts,
    'img_mappings': _nullable_str_dicts,
}


# nova's enum fields canonicalize on coercion (oslo Enum subclasses in
# nova/objects/fields.py); legacy glance dicts still carry the old
# spellings, so the same aliases are applied here.
_ARCH_ALIASES = {'i386': 'i686', 'i486': 'i686', 'i586': 'i686',
                 'x86_32': 'i686', 'x86_32p': 'i686', 'amd64': 'x86_64'}
_ALIASES: dict[str, dict[str, str]] = {
    'hw_architecture': _ARCH_ALIASES,
    'hw_emulation_architecture': _ARCH_ALIASES,
    'img_hv_type': {'xapi': 'xen'},
    'hw_vm_mode': {'pv': 'xen', 'hv': 'hvm', 'baremetal': 'hvm'},
    'os_type': {},
    'hw_scsi_model': {'lsilogicsas': 'lsisas1068',
                      'paravirtual': 'vmpvscsi'},
    'hw_vif_model': {'virtuale1000': 'e1000', 'virtuale1000e': 'e1000e',
                     'virtualpcnet32': 'pcnet',
                     'virtualsriovethernetcard': 'sriov',
                     'virtualvmxnet': 'vmxnet', 'virtualvmxnet3': 'vmxnet3'},
}


def _canonical(name: str, value: str) -> str:
    aliases = _ALIASES.get(name)
    if aliases is None:
        return value
    value = value.lower()
    return aliases.get(value, value)


def _is_scalar(value: object) -> bool:
    return isinstance(value, (str, int, float, bool))


def _plain(path: v.Path, value: object) -> object:
    # Strings still go through as_str for the length bound.
    return v.as_str(path, value) if isinstance(value, str) else value


def _unknown_property(path: v.Path, value: object) -> object:
    """A property nova 34 does not know: plain values only, else None."""
    if _is_scalar(value):
        return _plain(path, value)
    if isinstance(value, (list, tuple)) and all(map(_is_scalar, value)):
        return v.as_list(path, value, _plain)
    return None


def decode_image_props(obj: primitive.Obj) -> image_obj.ImageProperties:
    if len(obj.data) > obj.path.limits.max_list_length:
        obj.path.fail(
            f'more than {obj.path.limits.max_list_length} properties')
    props: dict[str, object] = {}
    for index, (name, value) in enumerate(obj.data.items()):
        if not isinstance(name, str):
            obj.path.item(index).fail('expected a str property name')
        path = obj.path.key(name, index)
        if len(name) > obj.path.limits.max_string_length:
            path.fail('property name too long')
        if value is None:
            # Not a valid value for any property: treat it as unset.
            continue
        reader = READERS.get(name)
        if reader is not None:
            decoded = reader(path, value)
        elif name in STRING_PROPS:
            decoded = _canonical(name, v.as_str(path, value))
        else:
            decoded = _unknown_property(path, value)
        if decoded is not None:
            props[name] = decoded
    return image_obj.ImageProperties(types.MappingProxyType(props))


# Every other nova 34 property is a string or a string enum.
STRING_PROPS = frozenset((
    'hw_architecture', 'hw_emulation_architecture', 'hw_cdrom_bus',
    'hw_cpu_policy', 'hw_cpu_thread_policy', 'hw_cpu_realtime_mask',
    'hw_disk_bus', 'hw_floppy_bus', 'hw_firmware_type', 'hw_input_bus',
    'hw_machine_type', 'hw_mem_encryption_model', 'hw_mem_page_size',
    'hw_pci_numa_affinity_policy', 'hw_pointer_model', 'hw_rescue_bus',
    'hw_rescue_device', 'hw_rng_model', 'hw_scsi_model', 'hw_video_model',
    'hw_vif_model', 'hw_viommu_model', 'hw_vm_mode', 'hw_watchdog_action',
    'hw_tpm_model', 'hw_tpm_version', 'img_owner_id',
    'hw_ephemeral_encryption_format', 'hw_maxphysaddr_mode',
    'hw_sound_model', 'hw_usb_model', 'hw_auto_disk_config', 'hw_disk_type',
    'img_config_drive', 'img_hv_requested_version', 'img_hv_type',
    'img_root_device_name', 'img_signature', 'img_signature_hash_method',
    'img_signature_key_type', 'os_admin_user', 'os_command_line',
    'os_distro', 'os_secure_boot', 'os_type',
))

read_image_props = primitive.object_reader('ImageMetaProps',
                                           decode_image_props)


def decode_image_meta(obj: primitive.Obj) -> image_obj.ImageMeta:
    def s(field: str) -> str | None:
        return obj.get(field, v.as_str)

    def i(field: str) -> int | None:
        return obj.get(field, v.as_int)

    return image_obj.ImageMeta(
        id=obj.get('id', v.as_uuid),
        name=s('name'), status=s('status'), visibility=s('visibility'),
        owner=s('owner'), checksum=s('checksum'),
        container_format=s('container_format'),
        disk_format=s('disk_format'),
        size=i('size'), virtual_size=i('virtual_size'),
        min_ram=i('min_ram'), min_disk=i('min_disk'),
        tags=obj.req('tags', _strs, absent=(), null=()),
        properties=obj.req('properties', read_image_props,
                           absent=image_obj.ImageProperties(),
                           null=image_obj.ImageProperties()),
    )


read_image_meta = primitive.object_reader('ImageMeta', decode_image_meta)

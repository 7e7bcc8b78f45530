"""The ``image`` of a legacy (RPC 4.0-4.2) request_spec dict.

Legacy senders pass glance's image dict rather than an ImageMeta primitive;
nova converts it with ImageMeta.from_dict / ImageMetaProps.from_dict, which
also understand legacy property names, ``hw_numa_cpus.N`` / ``hw_numa_mem.N``
keys and ``trait:X=required`` properties. This mirrors that conversion.
"""

import dataclasses

from scheduler.codec import image
from scheduler.codec import primitive
from scheduler.codec import values as v
from scheduler.numa import cpu_spec
from scheduler.objects import image as image_obj

_LEGACY_NAMES = {
    'architecture': 'hw_architecture',
    'owner_id': 'img_owner_id',
    'vmware_disktype': 'hw_disk_type',
    'vmware_image_version': 'img_version',
    'vmware_ostype': 'os_distro',
    'auto_disk_config': 'hw_auto_disk_config',
    'ipxe_boot': 'hw_ipxe_boot',
    'xenapi_device_id': 'hw_device_id',
    'xenapi_image_compression_level': 'img_compression_level',
    'vmware_linked_clone': 'img_linked_clone',
    'xenapi_use_agent': 'img_use_agent',
    'xenapi_skip_agent_inject_ssh': 'os_skip_agent_inject_ssh',
    'xenapi_skip_agent_inject_files_at_boot':
        'os_skip_agent_inject_files_at_boot',
    'cache_in_nova': 'img_cache_in_nova',
    'vm_mode': 'hw_vm_mode',
    'bittorrent': 'img_bittorrent',
    'mappings': 'img_mappings',
    'block_device_mapping': 'img_block_device_mapping',
    'bdm_v2': 'img_bdm_v2',
    'root_device_name': 'img_root_device_name',
    'hypervisor_version_requires': 'img_hv_requested_version',
    'hypervisor_type': 'img_hv_type',
}
_SPECIAL = frozenset({'hw_numa_cpus', 'hw_numa_mem', 'traits_required'})
_KNOWN = (frozenset(image.READERS) | image.STRING_PROPS) - _SPECIAL
_NUMA_NODES_MAX = 128
# ImageMeta fields nova turns from None into '' / 0 in from_dict.
_EMPTY_IF_NULL = {'name': '', 'checksum': '', 'owner': '',
                  'container_format': '', 'disk_format': '',
                  'size': 0, 'virtual_size': 0}


def _cpu_set(path: v.Path, value: object) -> frozenset[int]:
    """``hw_numa_cpus.N``, which nova reads with parse_cpu_spec."""
    try:
        return frozenset(cpu_spec.parse_cpu_spec(
            v.as_str(path, value), limit=path.limits.max_list_length))
    except cpu_spec.TooManyCPUs as exc:
        path.fail(str(exc))
    except ValueError:
        # nova's message quotes the rule; codec errors never hold values.
        path.fail('invalid CPU set')


def _numa_lists(path: v.Path, props: dict[str, object],
                result: dict[str, object]) -> None:
    mem: list[object] = []
    cpus: list[frozenset[int]] = []
    for cell in range(_NUMA_NODES_MAX):
        key = f'hw_numa_mem.{cell}'
        if key not in props:
            break
        mem.append(v.as_int(path.key(key, cell), props[key]))
    for cell in range(_NUMA_NODES_MAX):
        key = f'hw_numa_cpus.{cell}'
        if key not in props:
            break
        cpus.append(_cpu_set(path.key(key, cell), props[key]))
    if mem:
        result['hw_numa_mem'] = mem
    if cpus:
        result['hw_numa_cpus'] = cpus


def _props(path: v.Path, value: object) -> image_obj.ImageProperties:
    if not isinstance(value, dict):
        v.expected(path, 'dict', value)
    if len(value) > path.limits.max_list_length:
        path.fail(f'more than {path.limits.max_list_length} properties')
    inner = path.enter()
    result: dict[str, object] = {}
    for legacy, current in _LEGACY_NAMES.items():
        if legacy in value:
            result[current] = value[legacy]
    adapter = value.get('vmware_adaptertype')
    if adapter == 'ide':
        result['hw_disk_bus'] = 'ide'
    elif adapter:
        result['hw_disk_bus'] = 'scsi'
        result['hw_scsi_model'] = adapter
    for key in _KNOWN:
        if key in value:
            result[key] = value[key]
    _numa_lists(inner, value, result)
    traits = [k[len('trait:'):] for k, x in value.items()
              if isinstance(k, str) and k.startswith('trait:')
              and x == 'required']
    if traits:
        result['traits_required'] = traits
    return image.decode_image_props(
        primitive.Obj('ImageMetaProps', (1, 44), inner, result))


def decode_legacy_image(path: v.Path,
                        value: object) -> image_obj.ImageMeta | None:
    """An ImageMeta from a glance-style dict or an ImageMeta primitive."""
    if value is None:
        return None
    if isinstance(value, dict) and primitive.NAME in value:
        return image.read_image_meta(path, value)
    if not isinstance(value, dict):
        v.expected(path, 'dict', value)
    data = dict(value)
    for key, empty in _EMPTY_IF_NULL.items():
        if key in data and data[key] is None:
            data[key] = empty
    inner = path.enter()
    props = _props(inner.field('properties'), data.pop('properties', None)
                   or {})
    meta = image.decode_image_meta(
        primitive.Obj('ImageMeta', (1, 8), inner, data))
    return dataclasses.replace(meta, properties=props)

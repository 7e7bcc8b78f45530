"""Hypothesis strategies for our RequestSpec, as our decoder produces it.

Every generated value is one the decoder can give back, so that
``decode(encode(spec)) == spec`` is the property to test: image
properties carry their decoded types (canonical enum spellings), a
server group's ``policies`` is empty exactly when it has no ``policy``,
and fields the decoder refuses as null are None only when absent.
"""

import types

from hypothesis import strategies as st

from scheduler.codec import image as image_codec
from scheduler.codec import values as v
from scheduler.objects import destination
from scheduler.objects import flavor
from scheduler.objects import image
from scheduler.objects import instance_group
from scheduler.objects import network
from scheduler.objects import numa
from scheduler.objects import pci
from scheduler.objects import request_group
from scheduler.objects import request_spec

text = st.text(max_size=8)
uuids = st.uuids().map(str)
ints = st.integers(min_value=v.INT_MIN, max_value=v.INT_MAX)
small_ints = st.integers(min_value=-8, max_value=64)
floats = st.floats(allow_nan=False, allow_infinity=False)


def optional(strategy):
    return st.none() | strategy


def tuples(strategy, min_size=0, max_size=3):
    return st.lists(strategy, min_size=min_size, max_size=max_size).map(
        tuple)


def sets(strategy, max_size=3):
    return st.frozensets(strategy, max_size=max_size)


def mappings(keys, values, max_size=3):
    return st.dictionaries(keys, values, max_size=max_size).map(
        types.MappingProxyType)


def _reader_names(reader):
    return frozenset(name for name, r in image_codec.READERS.items()
                     if r is reader)


# Properties the decoder canonicalizes (lowercase, aliases resolved), and
# values that already are canonical.
_ENUMS = frozenset({'hw_architecture', 'hw_emulation_architecture',
                    'img_hv_type', 'hw_vm_mode', 'os_type', 'hw_scsi_model',
                    'hw_vif_model'})
_CANONICAL = st.sampled_from(['x86_64', 'aarch64', 'kvm', 'hvm', 'linux',
                              'virtio', 'e1000'])
_SCALARS = text | ints | st.booleans() | floats
KNOWN_PROPS = frozenset(image_codec.READERS) | image_codec.STRING_PROPS


def known_prop_value(name):
    """Values of a property nova 34 knows, in their decoded types."""
    if name in _reader_names(v.as_flex_bool):
        return st.booleans()
    if name in _reader_names(v.as_int):
        return ints
    if name in _reader_names(v.as_uuid):
        return uuids
    if name == 'hw_numa_cpus':
        return tuples(sets(small_ints))
    if name == 'hw_numa_mem':
        return tuples(ints)
    if name == 'traits_required':
        return tuples(text)
    if name in ('img_block_device_mapping', 'img_mappings'):
        return tuples(mappings(text, optional(text)))
    return _CANONICAL if name in _ENUMS else text


def props_of(pairs):
    """ImageProperties from a strategy of (name, value) pairs."""
    return st.lists(pairs, max_size=6).map(lambda items: (
        image.ImageProperties(types.MappingProxyType(dict(items)))))


known_props = st.sampled_from(sorted(KNOWN_PROPS)).flatmap(
    lambda name: st.tuples(st.just(name), known_prop_value(name)))
# Properties a newer nova may send: plain values are kept.
newer_props = st.tuples(st.from_regex(r'x_[a-z]{1,8}', fullmatch=True),
                        _SCALARS | tuples(_SCALARS))
image_props = props_of(known_props | newer_props)


def images(props=image_props):
    return st.builds(
        image.ImageMeta,
        id=optional(uuids), name=optional(text), status=optional(text),
        visibility=optional(text), owner=optional(text),
        checksum=optional(text), container_format=optional(text),
        disk_format=optional(text), size=optional(ints),
        virtual_size=optional(ints), min_ram=optional(ints),
        min_disk=optional(ints), tags=tuples(text), properties=props)


flavors = st.builds(
    flavor.Flavor,
    memory_mb=ints, vcpus=ints, root_gb=ints, ephemeral_gb=ints,
    swap=ints, id=optional(ints), flavorid=optional(text),
    name=optional(text), rxtx_factor=optional(floats),
    vcpu_weight=optional(ints), disabled=st.booleans(),
    is_public=st.booleans(), extra_specs=mappings(text, text),
    description=optional(text))

cpu_topologies = st.builds(
    numa.VirtCPUTopology, sockets=optional(ints), cores=optional(ints),
    threads=optional(ints))

numa_cells = st.builds(
    numa.InstanceNUMACell,
    id=ints, cpuset=sets(small_ints), pcpuset=sets(small_ints),
    memory=ints, cpuset_reserved=optional(sets(small_ints)),
    pagesize=optional(ints), cpu_topology=optional(cpu_topologies),
    cpu_pinning=optional(mappings(small_ints, small_ints)),
    cpu_policy=optional(st.sampled_from(['dedicated', 'shared', 'mixed'])),
    cpu_thread_policy=optional(st.sampled_from(
        ['prefer', 'isolate', 'require'])))

numa_topologies = st.builds(
    numa.InstanceNUMATopology, cells=tuples(numa_cells),
    emulator_threads_policy=optional(st.sampled_from(['share', 'isolate'])))

pci_requests = st.builds(
    pci.PCIRequests, instance_uuid=optional(uuids),
    requests=tuples(st.builds(
        pci.PCIRequest, count=ints,
        spec=tuples(mappings(text, optional(text))),
        alias_name=optional(text), is_new=st.booleans(),
        request_id=optional(uuids), requester_id=optional(text),
        numa_policy=optional(st.sampled_from(
            ['required', 'legacy', 'preferred', 'socket'])))))

destinations = st.builds(
    destination.Destination,
    host=optional(text), node=optional(text),
    cell=optional(st.builds(destination.CellRef, uuid=uuids,
                            name=optional(text))),
    aggregates=optional(tuples(text)),
    allow_cross_cell_move=st.booleans(),
    forbidden_aggregates=optional(sets(text)))

retries = st.builds(
    request_spec.SchedulerRetries, num_attempts=ints,
    hosts=tuples(st.tuples(text, optional(text))))

_policies = (st.just((None, ()))
             | st.tuples(text, tuples(text, min_size=1, max_size=2)))

instance_groups = _policies.flatmap(lambda pair: st.builds(
    instance_group.InstanceGroup,
    uuid=optional(uuids), name=optional(text), user_id=optional(text),
    project_id=optional(text), policy=st.just(pair[0]),
    policies=st.just(pair[1]), members=tuples(text), hosts=tuples(text),
    rules=mappings(text, text)))

request_groups = st.builds(
    request_group.RequestGroup,
    use_same_provider=st.booleans(), resources=mappings(text, ints),
    required_traits=sets(text), forbidden_traits=sets(text),
    aggregates=tuples(tuples(text)), forbidden_aggregates=sets(text),
    requester_id=optional(text), provider_uuids=tuples(uuids),
    in_tree=optional(uuids))

request_level_params = st.builds(
    request_group.RequestLevelParams, root_required=sets(text),
    root_forbidden=sets(text), same_subtree=tuples(tuples(text)))

network_requests = st.builds(
    network.NetworkRequest,
    network_id=optional(text),
    address=optional(st.ip_addresses().map(str)),
    port_id=optional(uuids), pci_request_id=optional(uuids),
    tag=optional(text), arq_uuid=optional(uuids),
    device_profile=optional(text))


def specs(props=image_props):
    """RequestSpecs whose image properties come from ``props``."""
    return st.builds(
        request_spec.RequestSpec,
        flavor=flavors, image=optional(images(props)),
        numa_topology=optional(numa_topologies),
        pci_requests=optional(pci_requests), project_id=optional(text),
        user_id=optional(text), availability_zone=optional(text),
        num_instances=st.integers(min_value=1, max_value=1000),
        ignore_hosts=optional(tuples(text)),
        force_hosts=optional(tuples(text)),
        force_nodes=optional(tuples(text)),
        requested_destination=optional(destinations),
        retry=optional(retries), instance_group=optional(instance_groups),
        scheduler_hints=mappings(text, tuples(text)),
        instance_uuid=optional(uuids),
        network_metadata=st.builds(network.NetworkMetadata,
                                   physnets=sets(text),
                                   tunneled=st.booleans()),
        is_bfv=st.booleans(),
        requested_resources=tuples(request_groups, 0, 2),
        request_level_params=request_level_params,
        requested_networks=tuples(network_requests, 0, 2),
        id=optional(ints))


request_specs = specs()

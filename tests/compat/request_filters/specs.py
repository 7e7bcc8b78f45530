"""RequestSpecs (nova objects) with what the request filters look at.

They start from the query differential's generator (flavors with resource,
trait, CPU and feature extra specs, images, request groups, destinations,
forced hosts, hints) and add the request filters' inputs: guest feature
extra specs and image properties, a disk format, a project and an AZ,
requested networks and ports, PCI requests whose request groups
owner_nova_filter tags, and sometimes OWNER_NOVA already required.
"""

from hypothesis import strategies as st

from tests.compat.placement import test_query_differential as qd
from tests.compat.request_filters import world as world_mod

from nova import objects as nova_objects  # noqa: I100

PCI_REQUEST_ID = world_mod.uuid_of('pci-request')
FLAVOR_FEATURES = {
    'accel:device_profile': ('prof', ''),
    'hw:virtio_packed_ring': ('true', 'false', 'yes', 'bogus'),
    'hw:ephemeral_encryption': ('true', 'false', 'bogus'),
    'hw:ephemeral_encryption_format': ('luks', 'plain', 'luksv2', 'rot13',
                                       ''),
    'hw:sound_model': ('virtio', 'ich9', 'theremin', ''),
    'hw:tpm_version': ('2.0', '1.2'),
    'hw:tpm_model': ('tpm-tis', 'tpm-crb'),
    'hw:tpm_secret_security': ('user', 'host', 'deployment', 'cloud', ''),
}
IMAGE_FEATURES = {
    'hw_virtio_packed_ring': st.booleans(),
    'hw_ephemeral_encryption': st.booleans(),
    'hw_ephemeral_encryption_format': st.sampled_from(
        ('luks', 'plain', 'luksv2')),
    'hw_sound_model': st.sampled_from(('virtio', 'ich9', 'usb')),
    'hw_tpm_version': st.sampled_from(('2.0',)),
    'hw_cdrom_bus': st.sampled_from(('sata', 'ide', 'usb')),
    'hw_disk_bus': st.sampled_from(('virtio', 'scsi', 'fdc', 'xen')),
    'hw_video_model': st.sampled_from(('virtio', 'qxl', 'gop', 'bochs')),
    'hw_vif_model': st.sampled_from(('e1000', 'virtio', 'spapr-vlan',
                                     'igb', 'sriov')),
    'hw_architecture': st.sampled_from(('x86_64', 'aarch64', 'unicore32')),
    'hw_emulation_architecture': st.sampled_from(('aarch64', 'x86_64')),
    'hw_viommu_model': st.sampled_from(('intel', 'auto')),
}
DISK_FORMATS = ('qcow2', 'raw', 'iso', 'vhdx', 'ploop', 'floppy')


@st.composite
def _nics(draw):
    nics = []
    for _ in range(draw(st.integers(0, 3))):
        if draw(st.booleans()):
            # Ports Neutron cannot show fail the whole request: rarely.
            ports = (world_mod.BAD_PORT_IDS if qd.rarely(draw, 6)
                     else world_mod.GOOD_PORT_IDS)
            nics.append(nova_objects.NetworkRequest(
                port_id=draw(st.sampled_from(ports))))
        else:
            nics.append(nova_objects.NetworkRequest(
                network_id=draw(st.sampled_from(world_mod.NETWORK_IDS))))
    return nova_objects.NetworkRequestList(objects=nics)


def _add_flavor_features(draw, spec):
    extra = dict(spec.flavor.extra_specs)
    for key in draw(st.lists(st.sampled_from(sorted(FLAVOR_FEATURES)),
                             max_size=3, unique=True)):
        extra[key] = draw(st.sampled_from(FLAVOR_FEATURES[key]))
    spec.flavor.extra_specs = extra


def _add_image(draw, spec):
    if 'image' not in spec or spec.image is None:
        # nova's request filters read the image unguarded: always one.
        spec.image = nova_objects.ImageMeta(
            id=qd._uuid('image'), name='img',
            properties=nova_objects.ImageMetaProps())
    spec.image.disk_format = draw(st.sampled_from(DISK_FORMATS))
    for key in draw(st.lists(st.sampled_from(sorted(IMAGE_FEATURES)),
                             max_size=4, unique=True)):
        setattr(spec.image.properties, key, draw(IMAGE_FEATURES[key]))


def _add_pci(draw, spec):
    if not draw(st.booleans()):
        return
    alias = draw(st.sampled_from(('gpu', None)))
    spec.pci_requests = nova_objects.InstancePCIRequests(requests=[
        nova_objects.InstancePCIRequest(
            count=1, spec=[{'vendor_id': '8086'}], alias_name=alias,
            request_id=PCI_REQUEST_ID)])
    groups = list(spec.requested_resources)
    for index in range(draw(st.integers(0, 2))):
        groups.append(nova_objects.RequestGroup(
            requester_id=f'{PCI_REQUEST_ID}-{index}',
            resources={'CUSTOM_PCI_8086': 1},
            required_traits=set(), forbidden_traits=set(), aggregates=[],
            forbidden_aggregates=set()))
    spec.requested_resources = groups


def _valid_base(spec):
    """Drop what makes most generated requests invalid for Placement.

    The query differential wants many invalid flavors and targets; here
    most cases should reach the query so the filters' effects show.
    """
    spec.flavor.extra_specs = {
        key: value for key, value in spec.flavor.extra_specs.items()
        if key.startswith(('resources', 'trait')) and 'PORT' not in key
        and value in ('required', 'forbidden', '1', '2', '0')}
    if 'image' in spec and spec.image is not None:
        traits = spec.image.properties.get('traits_required', [])
        spec.image.properties = nova_objects.ImageMetaProps(
            traits_required=traits)
    seen = set()
    groups = []
    for group in spec.requested_resources:
        if (group.requester_id in qd.GOOD_REQUESTERS and group.resources
                and group.requester_id not in seen):
            seen.add(group.requester_id)
            groups.append(group)
    spec.requested_resources = groups
    spec.force_hosts = None
    spec.force_nodes = None
    dest = spec.requested_destination if (
        'requested_destination' in spec) else None
    if dest is not None:
        spec.requested_destination = nova_objects.Destination(**{
            name: getattr(dest, name)
            for name in ('aggregates', 'forbidden_aggregates')
            if name in dest})


def _no_zero_amounts(spec):
    # nova's isolate_aggregates strips zero amounts from these very group
    # objects (ResourceRequest.strip_zeros works in place), so a group
    # asking for nothing but zeros later fails nova's query as a no-op
    # group. We do not copy that side effect; the generator avoids it.
    for group in spec.requested_resources:
        group.resources = {rc: n for rc, n in group.resources.items() if n}


@st.composite
def request_specs(draw):
    spec = draw(qd.request_specs())
    _no_zero_amounts(spec)
    if draw(st.sampled_from((False, True, True))):
        _valid_base(spec)
    _add_flavor_features(draw, spec)
    _add_image(draw, spec)
    spec.project_id = draw(st.sampled_from(
        (world_mod.PROJECT,) * 3 + ('other',)))
    spec.availability_zone = draw(st.sampled_from(
        (None, 'az1', 'az2', 'az-unknown')))
    spec.requested_networks = draw(_nics())
    _add_pci(draw, spec)
    if qd.rarely(draw, 8):
        spec.request_level_params.root_required = (
            set(spec.request_level_params.root_required) | {'OWNER_NOVA'})
    return spec

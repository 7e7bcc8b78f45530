"""Our RequestSpec encoder against nova 34's objects and serializer.

For each spec: nova's ``RequestSpec.obj_from_primitive`` reads what we
encode, its fields equal ours (the same Comparer that checks our decoder),
and nova's serializer writes the object back as the same primitive (sets
compared as sets), i.e. we send what nova 34 itself would send.
"""

import json
import types

import hypothesis
from hypothesis import strategies as st
import testtools

from scheduler.codec import encode_request_spec as encoder
from scheduler.codec import image as image_codec
from scheduler.codec import request_spec as decoder
from scheduler.objects import image
from tests.compat.codec import compare
from tests.compat.codec import nova_env
from tests.compat.codec import shapes
from tests.compat.codec.nova_env import objects
from tests.compat.codec.nova_env import ovo_base
from tests.unit.codec import spec_strategies
from tests.unit.codec import test_encode_request_spec as unit

from oslo_versionedobjects import fields as ovo_fields  # noqa: H306


def _nova_field(name, field):
    cls = ovo_base.VersionedObjectRegistry.obj_classes()[name][0]
    return cls.fields.get(field)


def _is_set(field_type):
    return isinstance(field_type, ovo_fields.Set)


def canonical(value):
    """Sets (by nova's field types) sorted, changes sorted; else as is."""
    if isinstance(value, list):
        return [canonical(item) for item in value]
    if not isinstance(value, dict):
        return value
    if 'nova_object.name' not in value:
        return {key: canonical(item) for key, item in value.items()}
    name = value['nova_object.name']
    data = {}
    for key, item in value['nova_object.data'].items():
        item = canonical(item)
        field = _nova_field(name, key)
        if field is not None and item is not None:
            if _is_set(field._type):
                item = sorted(item)
            elif (isinstance(field._type, ovo_fields.List)
                  and _is_set(field._type._element_type._type)):
                item = [sorted(inner) for inner in item]
        data[key] = item
    result = dict(value, **{'nova_object.data': data})
    if 'nova_object.changes' in result:
        result['nova_object.changes'] = sorted(result['nova_object.changes'])
    return result


def nova_prop_value(name):
    """Values nova's ImageMetaProps field accepts (it checks enums)."""
    field_type = objects.ImageMetaProps.fields[name]._type
    valid = getattr(field_type, '_valid_values', None)
    if valid:
        return st.sampled_from(sorted(valid))
    if name == 'img_hv_requested_version':
        return st.sampled_from(['>=6.0', '==2.1', '<10'])
    return spec_strategies.known_prop_value(name)


nova_props = spec_strategies.props_of(
    st.sampled_from(sorted(spec_strategies.KNOWN_PROPS)).flatmap(
        lambda name: st.tuples(st.just(name), nova_prop_value(name))))


def known_props_only(spec):
    """nova drops image properties it does not know (a newer nova's)."""
    if spec.image is None:
        return spec
    known = image_codec.STRING_PROPS | set(image_codec.READERS)
    props = {k: v for k, v in spec.image.properties.values.items()
             if k in known}
    return spec.replace(image=spec.image.__class__(**{
        **{f: getattr(spec.image, f) for f in spec.image.__slots__},
        'properties': image.ImageProperties(types.MappingProxyType(props))}))


def nova_shaped(spec):
    """A spec as nova objects can hold it: ``policies`` is [policy]."""
    spec = known_props_only(spec)
    group = spec.instance_group
    if group is not None:
        policy = group.policy or None
        spec = spec.replace(instance_group=group.__class__(**{
            **{f: getattr(group, f) for f in group.__slots__},
            'policy': policy, 'policies': (policy,) if policy else ()}))
    return spec


class EncodeCompatTest(compare.Comparer, testtools.TestCase):

    def check(self, ours):
        prim = json.loads(json.dumps(encoder.encode_request_spec(ours)))
        theirs = objects.RequestSpec.obj_from_primitive(prim)
        self.check_spec(theirs, ours)
        self.assertEqual(canonical(prim),
                         canonical(nova_env.to_wire(theirs)))
        return theirs

    def test_specs_nova_sent(self):
        unset = shapes.UNSET
        for nova_spec in (
                shapes.spec(),
                shapes.spec(image=None, numa_topology=None,
                            pci_requests=None, instance_group=None,
                            retry=None, requested_destination=None,
                            scheduler_hints=None, requested_resources=None,
                            network_metadata=unset,
                            request_level_params=unset,
                            requested_networks=unset, is_bfv=unset),
                shapes.from_components(),
                shapes.from_components(shapes.group('affinity'),
                                       {'group': shapes.GROUP})):
            ours = decoder.decode_request_spec(nova_env.to_wire(nova_spec))
            self.check(ours)

    def test_cell_arrives_without_credentials(self):
        ours = decoder.decode_request_spec(nova_env.to_wire(shapes.spec()))
        cell = self.check(ours).requested_destination.cell
        self.assertEqual((shapes.CELL, 'cell1'), (cell.uuid, cell.name))
        for secret in ('transport_url', 'database_connection'):
            self.assertFalse(cell.obj_attr_is_set(secret))

    def test_rich_and_minimal_specs(self):
        self.check(nova_shaped(unit.rich_spec()))
        self.check(unit.minimal_spec())
        self.check(unit.rich_spec(
            image=None, numa_topology=None, pci_requests=None,
            requested_destination=None, retry=None, instance_group=None,
            ignore_hosts=None, instance_uuid=None, id=None))

    def test_versions_are_nova_34s(self):
        manifest = dict(ovo_base.obj_tree_get_versions('RequestSpec'))
        for name, version in unit.NOVA_34_VERSIONS.items():
            self.assertEqual(manifest[name], version, name)

    @hypothesis.settings(max_examples=50)
    @hypothesis.given(spec_strategies.specs(nova_props).map(nova_shaped))
    def test_generated_specs(self, spec):
        self.check(spec)

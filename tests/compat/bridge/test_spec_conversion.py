"""The RequestSpec a nova plugin gets through the bridge is nova's own.

A RequestSpec with every field the scheduler reads (tests.compat.codec
shapes) goes over the wire, is decoded by our codec and converted back by
the bridge; each field must equal the original's, except what we do not
keep on purpose:

* ``limits`` and ``security_groups`` (nova-network): never read by a
  scheduler filter; the plugin sees ``limits=None``.
* the destination cell: uuid and name only, never its database and
  message-queue URLs;
* image metadata outside the scheduler's view (``protected``) and the
  instance uuid inside the NUMA topology.

The instance group also gets ``policies`` (as groups read from nova's
database have it).
"""

import fixtures
from oslo_versionedobjects import fields as obj_fields
import testtools

from scheduler.codec import request_spec as spec_codec
from scheduler.nova_bridge import runtime
from scheduler.nova_bridge import to_nova
from tests.compat.codec import nova_env
from tests.compat.codec import shapes

SKIPPED = {'limits', 'security_groups'}


def _fields(obj, skip=()):
    """An object's set fields as plain values, recursively."""
    if hasattr(obj, 'obj_fields'):
        # An unset field reads as its default; unset and None alike (the
        # bridge cannot tell them apart and sets None).
        values = {}
        for name, field in obj.fields.items():
            if name in skip:
                continue
            if obj.obj_attr_is_set(name):
                value = getattr(obj, name)
            elif field.default is not obj_fields.UnspecifiedDefault:
                value = field.default
            else:
                continue
            if value is not None:
                values[name] = _fields(value)
        return values
    if isinstance(obj, dict):
        return {k: _fields(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_fields(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(_fields(v) for v in obj)
    return obj


class SpecConversionTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.MockPatchObject(runtime, '_PREPARED', True))

    def _round_trip(self, original):
        ours = spec_codec.decode_request_spec(nova_env.to_wire(original))
        return to_nova.request_spec(ours)

    def _assert_same(self, original, converted):
        for name in original.fields:
            if name in SKIPPED or not original.obj_attr_is_set(name):
                continue
            want, got = getattr(original, name), getattr(converted, name)
            if name == 'requested_destination' and want is not None:
                self.assertEqual(
                    (want.cell.uuid, want.cell.name),
                    (got.cell.uuid, got.cell.name))
                want, got = _fields(want, {'cell'}), _fields(got, {'cell'})
            elif name == 'image' and want is not None:
                want = _fields(want, {'protected'})
                got = _fields(got)
            elif name == 'instance_group' and want is not None:
                # Groups read from nova's database carry ``policies`` too;
                # the bridge always sets it, so plugins can read either.
                self.assertEqual([want.policy], got.policies)
                want, got = _fields(want), _fields(got, {'policies'})
            elif name == 'numa_topology' and want is not None:
                want = _fields(want, {'instance_uuid'})
                got = _fields(got)
            else:
                want, got = _fields(want), _fields(got)
            self.assertEqual(want, got, name)

    def test_every_field_the_scheduler_reads(self):
        original = shapes.spec()
        converted = self._round_trip(original)
        self._assert_same(original, converted)
        self.assertIsNone(converted.limits)
        self.assertNotIn('transport_url',
                         converted.requested_destination.cell)
        # A valid nova object: it serializes like nova's.
        converted.obj_to_primitive()

    def test_sparse_spec(self):
        original = nova_env.objects.RequestSpec(
            flavor=shapes.flavor(), project_id='p1', num_instances=1,
            is_bfv=False, scheduler_hints={})
        converted = self._round_trip(original)
        self.assertEqual(_fields(original.flavor), _fields(converted.flavor))
        # Unset nullable fields read as None, not as a lazy-load error.
        for name in ('image', 'instance_group', 'requested_destination',
                     'retry', 'pci_requests', 'numa_topology'):
            self.assertIsNone(getattr(converted, name), name)

    def test_nova_helpers_work_on_it(self):
        original = shapes.spec()
        converted = self._round_trip(original)
        for name in ('same_host', 'group', 'missing'):
            self.assertEqual(original.get_scheduler_hint(name, 'x'),
                             converted.get_scheduler_hint(name, 'x'))
        self.assertEqual(original.get_request_group_mapping(),
                         converted.get_request_group_mapping())
        self.assertEqual(original.root_required, converted.root_required)

"""Decoding Selection replies (what our RPC client reads back)."""

import json

import testtools

from scheduler.codec import errors
from scheduler.codec import selection as codec
from scheduler.objects import selection
from tests.unit.codec import test_selection
from tests.unit.codec import wire

sel = test_selection.sel
NUMA_LIMITS = test_selection.NUMA_LIMITS


def over_the_wire(rows):
    return codec.decode_selections(
        json.loads(json.dumps(codec.encode_selections(rows))))


class DecodeSelectionsTest(testtools.TestCase):

    def test_round_trip(self):
        rows = ((sel(), sel(limits=selection.SchedulerLimits())),
                (sel(limits=selection.SchedulerLimits(
                    numa_topology=NUMA_LIMITS, vcpu=8, disk_gb=100,
                    memory_mb=2048)),),
                (sel(allocation_request='null',
                     allocation_request_version=None,
                     availability_zone=None),))
        self.assertEqual(rows, over_the_wire(rows))

    def test_no_rows(self):
        self.assertEqual((), codec.decode_selections([]))

    def test_older_minor_and_unknown_fields(self):
        prim = codec.encode_selection(sel())
        prim['nova_object.version'] = '1.0'
        prim['nova_object.data']['from_the_future'] = 1
        del prim['nova_object.data']['availability_zone']
        [[decoded]] = codec.decode_selections([[prim]])
        self.assertEqual(sel(availability_zone=None), decoded)

    def test_errors_name_the_field(self):
        prim = codec.encode_selection(sel())
        del prim['nova_object.data']['service_host']
        exc = self.assertRaises(errors.ValidationError,
                                codec.decode_selections, [[prim], []])
        self.assertEqual('selections[0][0].service_host', exc.field)
        bad = codec.encode_selection(sel(compute_node_uuid='x'))
        exc = self.assertRaises(errors.ValidationError,
                                codec.decode_selections, [[], [bad]])
        self.assertEqual('selections[1][0].compute_node_uuid', exc.field)
        exc = self.assertRaises(errors.ValidationError,
                                codec.decode_selections, {'a': 1})
        self.assertEqual('selections', exc.field)
        other = wire.flavor()
        exc = self.assertRaises(errors.ValidationError,
                                codec.decode_selections, [[other]])
        self.assertEqual('selections[0][0].nova_object.name', exc.field)

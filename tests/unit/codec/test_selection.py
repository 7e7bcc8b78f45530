"""Encoding Selections and legacy destinations."""

import json

import testtools

from scheduler.codec import selection as codec
from scheduler.objects import network
from scheduler.objects import numa
from scheduler.objects import selection
from tests.unit.codec import wire

FIELDS = {'compute_node_uuid', 'service_host', 'nodename', 'cell_uuid',
          'limits', 'allocation_request', 'allocation_request_version',
          'availability_zone'}


def sel(limits=None, **fields):
    values = dict(compute_node_uuid=wire.RP_UUID, service_host='cmp1',
                  nodename='cmp1.example', cell_uuid=wire.CELL_UUID,
                  limits=limits, allocation_request='{"allocations": {}}',
                  allocation_request_version='1.36',
                  availability_zone='nova')
    values.update(fields)
    return selection.Selection(**values)


NUMA_LIMITS = numa.NUMATopologyLimits(
    cpu_allocation_ratio=16.0, ram_allocation_ratio=1.5,
    network_metadata=network.NetworkMetadata(
        physnets=frozenset({'b', 'a'}), tunneled=True))


class SelectionTest(testtools.TestCase):

    def test_envelope(self):
        prim = codec.encode_selection(sel(selection.SchedulerLimits()))
        self.assertEqual('Selection', prim['nova_object.name'])
        self.assertEqual('nova', prim['nova_object.namespace'])
        self.assertEqual('1.1', prim['nova_object.version'])
        self.assertEqual(FIELDS, set(prim['nova_object.data']))
        self.assertEqual(FIELDS, set(prim['nova_object.changes']))
        limits = prim['nova_object.data']['limits']
        self.assertEqual('1.0', limits['nova_object.version'])
        self.assertEqual({'numa_topology': None, 'vcpu': None,
                          'disk_gb': None, 'memory_mb': None},
                         limits['nova_object.data'])
        json.dumps(prim)

    def test_numa_limits(self):
        prim = codec.encode_selection(sel(selection.SchedulerLimits(
            numa_topology=NUMA_LIMITS)))
        numa_prim = prim['nova_object.data']['limits'][
            'nova_object.data']['numa_topology']
        self.assertEqual(('NUMATopologyLimits', '1.1'),
                         (numa_prim['nova_object.name'],
                          numa_prim['nova_object.version']))
        meta = numa_prim['nova_object.data']['network_metadata']
        self.assertEqual(['a', 'b'], meta['nova_object.data']['physnets'])
        self.assertEqual('1.0', meta['nova_object.version'])

    def test_null_fields(self):
        prim = codec.encode_selection(sel(
            allocation_request='null', allocation_request_version=None,
            availability_zone=None))
        data = prim['nova_object.data']
        self.assertIsNone(data['limits'])
        self.assertEqual('null', data['allocation_request'])
        self.assertIsNone(data['allocation_request_version'])

    def test_rows(self):
        rows = codec.encode_selections([[sel(), sel(service_host='cmp2')],
                                        [sel(service_host='cmp3')]])
        self.assertEqual([['cmp1', 'cmp2'], ['cmp3']],
                         [[p['nova_object.data']['service_host'] for p in r]
                          for r in rows])

    def test_legacy(self):
        self.assertEqual({'host': 'cmp1', 'nodename': 'cmp1.example',
                          'limits': {}},
                         codec.encode_legacy_destination(sel()))
        legacy = codec.encode_legacy_destination(sel(selection.SchedulerLimits(
            numa_topology=NUMA_LIMITS, vcpu=4)))
        self.assertEqual({'numa_topology', 'vcpu'}, set(legacy['limits']))
        self.assertEqual(codec.encode_numa_limits(NUMA_LIMITS),
                         legacy['limits']['numa_topology'])

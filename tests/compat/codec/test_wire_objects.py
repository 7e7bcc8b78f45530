"""Selections, aggregates, instances and contexts against nova 34."""

import copy
import json

import testtools

from scheduler.codec import aggregate
from scheduler.codec import context
from scheduler.codec import instance
from scheduler.codec import selection as codec
from scheduler.objects import network
from scheduler.objects import numa
from scheduler.objects import selection
from tests.compat.codec import nova_env
from tests.compat.codec import shapes
from tests.compat.codec.nova_env import jsonutils
from tests.compat.codec.nova_env import network_model
from tests.compat.codec.nova_env import objects

ALLOC = json.dumps({'allocations': {shapes.RP: {'resources': {'VCPU': 1}}},
                    'mappings': {'': [shapes.RP]}})


def our_numa_limits(physnets=('a', 'b'), tunneled=True):
    return numa.NUMATopologyLimits(
        cpu_allocation_ratio=16.0, ram_allocation_ratio=1.5,
        network_metadata=network.NetworkMetadata(
            physnets=frozenset(physnets), tunneled=tunneled))


def nova_numa_limits(physnets=('a', 'b'), tunneled=True):
    return objects.NUMATopologyLimits(
        cpu_allocation_ratio=16.0, ram_allocation_ratio=1.5,
        network_metadata=objects.NetworkMetadata(physnets=set(physnets),
                                                 tunneled=tunneled))


CASES = [
    # (our limits, nova limits dict for SchedulerLimits.from_dict, fields)
    (selection.SchedulerLimits(), {}, {}),
    (selection.SchedulerLimits(numa_topology=our_numa_limits()),
     {'numa_topology': nova_numa_limits()}, {}),
    (selection.SchedulerLimits(numa_topology=our_numa_limits((), False),
                               vcpu=8, disk_gb=100, memory_mb=2048),
     {'numa_topology': nova_numa_limits((), False), 'vcpu': 8,
      'disk_gb': 100, 'memory_mb': 2048}, {}),
    (None, None, {}),
    (selection.SchedulerLimits(), {},
     {'allocation_request': 'null', 'allocation_request_version': None,
      'availability_zone': None}),
]


def canonical(prim):
    """Order-free form: changes and set-typed lists compared as sets."""
    prim = copy.deepcopy(prim)

    def walk(value):
        if isinstance(value, dict):
            if 'nova_object.changes' in value:
                value['nova_object.changes'] = sorted(
                    value['nova_object.changes'])
            if value.get('nova_object.name') == 'NetworkMetadata':
                data = value['nova_object.data']
                data['physnets'] = sorted(data['physnets'])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    walk(prim)
    return prim


class SelectionCompatTest(testtools.TestCase):

    def _pair(self, our_limits, nova_limits, fields):
        values = dict(compute_node_uuid=shapes.RP, service_host='cmp1',
                      nodename='cmp1.example', cell_uuid=shapes.CELL,
                      allocation_request=ALLOC,
                      allocation_request_version='1.36',
                      availability_zone='nova')
        values.update(fields)
        ours = selection.Selection(limits=our_limits, **values)
        theirs = objects.Selection(
            limits=(None if nova_limits is None else
                    objects.SchedulerLimits.from_dict(nova_limits)),
            **values)
        return ours, theirs

    def test_nova_decodes_our_selections(self):
        for case in CASES:
            ours, theirs = self._pair(*case)
            prim = json.loads(json.dumps(codec.encode_selection(ours)))
            decoded = objects.Selection.obj_from_primitive(prim)
            for field in objects.Selection.fields:
                if field == 'limits':
                    continue
                self.assertEqual(getattr(theirs, field),
                                 getattr(decoded, field), field)
            if theirs.limits is None:
                self.assertIsNone(decoded.limits)
            else:
                self.assertEqual(canonical(nova_env.to_wire(theirs.limits)),
                                 canonical(nova_env.to_wire(decoded.limits)))
            self.assertEqual(set(objects.Selection.fields),
                             decoded.obj_what_changed())

    def test_same_primitive_as_nova_serializer(self):
        for case in CASES:
            ours, theirs = self._pair(*case)
            self.assertEqual(canonical(nova_env.to_wire(theirs)),
                             canonical(codec.encode_selection(ours)))

    def test_rows_through_nova_serializer(self):
        ours, theirs = self._pair(*CASES[1])
        wire = json.loads(json.dumps(codec.encode_selections([[ours, ours]])))
        rows = nova_env.from_wire(wire)
        self.assertEqual(1, len(rows))
        self.assertEqual(['cmp1', 'cmp1'], [s.service_host for s in rows[0]])
        self.assertIsInstance(rows[0][0], objects.Selection)

    def test_legacy_destination(self):
        for case in CASES:
            ours, theirs = self._pair(*case)
            self.assertEqual(
                canonical(jsonutils.to_primitive(theirs.to_dict())),
                canonical(codec.encode_legacy_destination(ours)))


class AggregateCompatTest(testtools.TestCase):

    def _agg(self, id, **extra):
        return objects.Aggregate(id=id, uuid=f'{id:08d}-0000-4000-8000-'
                                 '000000000000', name=f'agg{id}',
                                 hosts=['h1', 'h2'],
                                 metadata={'availability_zone': 'az1',
                                           'filter_tenant_id': 'p1'},
                                 **extra)

    def _check(self, nova_aggs, ours):
        self.assertEqual(len(nova_aggs), len(ours))
        for agg, mine in zip(nova_aggs, ours):
            self.assertEqual((agg.id, agg.uuid, agg.name, set(agg.hosts),
                              agg.metadata, agg.availability_zone),
                             (mine.id, mine.uuid, mine.name, mine.hosts,
                              dict(mine.metadata), mine.availability_zone))

    def test_shapes(self):
        aggs = [self._agg(1), self._agg(2)]
        # nova-api sends a JSON list of Aggregates to update_aggregates.
        self._check(aggs, aggregate.decode_aggregates(nova_env.to_wire(aggs)))
        agg_list = objects.AggregateList(objects=aggs)
        self._check(aggs, aggregate.decode_aggregates(
            nova_env.to_wire(agg_list)))
        self._check(aggs[:1], [aggregate.decode_aggregate(
            nova_env.to_wire(aggs[0]))])

    def test_no_hosts_or_metadata(self):
        agg = objects.Aggregate(id=3, uuid=shapes.RP, name='bare',
                                hosts=None, metadata=None)
        mine = aggregate.decode_aggregate(nova_env.to_wire(agg))
        self.assertEqual(frozenset(), mine.hosts)
        self.assertEqual({}, dict(mine.metadata))


class InstanceCompatTest(testtools.TestCase):

    def _instance(self, uuid, **extra):
        return objects.Instance(
            uuid=uuid, host='cmp1', node='cmp1.example', project_id='p1',
            user_id='u1', user_data='c2VjcmV0LXVzZXItZGF0YQ==',
            key_data='ssh-rsa AAAAsecretkey', display_name='vm',
            metadata={'k': 'v'}, system_metadata={'image_a': 'b'},
            info_cache=objects.InstanceInfoCache(
                network_info=network_model.NetworkInfo([])),
            flavor=shapes.flavor(), **extra)

    def test_instance_list(self):
        insts = [self._instance(shapes.INSTANCE), self._instance(shapes.RP)]
        wire = nova_env.to_wire(objects.InstanceList(objects=insts))
        self.assertEqual('2.6', wire['nova_object.version'])
        result = instance.decode_instance_list(wire)
        self.assertEqual(
            [(i.uuid, i.host, i.node, i.project_id) for i in insts],
            [(i.uuid, i.host, i.node, i.project_id) for i in result])
        for secret in ('c2VjcmV0', 'secretkey', 'image_a'):
            self.assertNotIn(secret, repr(result))

    def test_uuid_list(self):
        uuids = [shapes.INSTANCE, shapes.RP]
        self.assertEqual(tuple(uuids), instance.decode_instance_uuids(
            nova_env.to_wire(uuids)))


class ContextCompatTest(testtools.TestCase):

    def _check(self, ctxt):
        values = ctxt.to_dict()
        mine = context.decode_context(json.loads(jsonutils.dumps(values)))
        rebuilt = type(ctxt).from_dict(values)
        self.assertEqual(
            (rebuilt.user_id, rebuilt.project_id, rebuilt.is_admin,
             tuple(rebuilt.roles), rebuilt.request_id,
             rebuilt.global_request_id, rebuilt.read_deleted,
             rebuilt.auth_token, rebuilt.user_domain_id,
             rebuilt.project_domain_id, rebuilt.domain_id,
             rebuilt.system_scope, rebuilt.user_name, rebuilt.project_name,
             rebuilt.remote_address, rebuilt.global_id),
            (mine.user_id, mine.project_id, mine.is_admin, mine.roles,
             mine.request_id, mine.global_request_id, mine.read_deleted,
             mine.auth_token, mine.user_domain_id, mine.project_domain_id,
             mine.domain_id, mine.system_scope, mine.user_name,
             mine.project_name, mine.remote_address, mine.global_id))
        self.assertEqual(values['timestamp'], mine.timestamp)
        if ctxt.auth_token:
            self.assertNotIn(ctxt.auth_token, repr(mine))
        return mine

    def test_user_context(self):
        self._check(nova_env.context(
            roles=['member', 'reader'], auth_token='gAAAAAtoken',
            user_domain_id='default', project_domain_id='default',
            user_name='alice', project_name='demo',
            remote_address='10.1.2.3', global_request_id='req-' + shapes.RP,
            service_catalog=[{'type': 'placement', 'name': 'placement',
                              'endpoints': []}]))

    def test_elevated_context(self):
        mine = self._check(nova_env.context(roles=['member']).elevated(
            read_deleted='yes'))
        self.assertTrue(mine.is_admin)
        self.assertIn('admin', mine.roles)

    def test_admin_context(self):
        from nova import context as nova_context
        self._check(nova_context.get_admin_context())

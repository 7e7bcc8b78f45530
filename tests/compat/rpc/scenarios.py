"""What nova's peers do with the scheduler, as nova 34's code does it.

Shared by the compat tests (fake transport, in-process service) and the
integration tests (RabbitMQ, service in another process). A test class
mixing these in provides:

- ``self.nova``: a ``nova_client.NovaRPC`` on the service's transport;
- ``self.admin``: Placement admin calls (``placement_service.Admin``);
- ``self.cast_state()``: the service's cache as a dict
  ``{'aggregates': {uuid: {'hosts', 'metadata'}}, 'instances':
  {host: [uuid, ...]}}``;
- hosts ``host1`` (4096 MB) and ``host2`` (8192 MB), nothing else.
"""

import json
import time
import uuid

from oslo_utils import uuidutils

from tests.compat.rpc import nova_client
from tests.compat.rpc.nova_client import nova_exception
from tests.compat.rpc.nova_client import objects

IMAGE = '7e2c4f2e-1c1c-4c4c-9c9c-111111111111'


def flavor(vcpus=1, memory_mb=512):
    return objects.Flavor(
        id=1, name='m1.tiny', memory_mb=memory_mb, vcpus=vcpus, root_gb=1,
        ephemeral_gb=0, swap=0, flavorid='1', rxtx_factor=1.0,
        vcpu_weight=None, disabled=False, is_public=True, extra_specs={},
        description=None)


def request_spec(num_instances=1, **flavor_fields):
    """A boot request as nova-api builds it and conductor sends it."""
    spec = objects.RequestSpec.from_components(
        context=None, instance_uuid=uuidutils.generate_uuid(),
        image={'id': IMAGE, 'properties': {}},
        flavor=flavor(**flavor_fields), numa_topology=None,
        pci_requests=objects.InstancePCIRequests(requests=[]),
        filter_properties={'scheduler_hints': {}}, instance_group=None,
        availability_zone=None, project_id='p1', user_id='u1')
    spec.num_instances = num_instances
    return spec


def uuids(n):
    return [str(uuid.uuid4()) for _ in range(n)]


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out waiting for the service')
        time.sleep(0.1)


class Steps:
    """The helpers the scenarios use."""

    def select(self, version_cap=None, *args, **kwargs):
        api = self.nova.scheduler_api(version_cap)
        return api.select_destinations(nova_client.context(), *args,
                                       **kwargs)

    def assertSelection(self, selection, host, inst=None):
        self.assertIsInstance(selection, objects.Selection)
        self.assertEqual((host, host), (selection.service_host,
                                        selection.nodename))
        self.assertIsInstance(selection.limits, objects.SchedulerLimits)
        self.assertEqual('1.36', selection.allocation_request_version)
        self.assertEqual('nova', selection.availability_zone)
        alloc = json.loads(selection.allocation_request)
        self.assertEqual({selection.compute_node_uuid},
                         set(alloc['allocations']))
        if inst is not None:
            self.assertEqual({selection.compute_node_uuid},
                             set(self.admin.allocations(inst)))
        # What conductor reads of a Selection for legacy callers.
        self.assertEqual(host, selection.to_dict()['host'])

    def assertLegacy(self, dests, count):
        """nova's legacy host dicts; the first goes to the roomiest host.
        """
        self.assertEqual(count, len(dests))
        self.assertEqual('host2', dests[0]['host'])
        for dest in dests:
            self.assertEqual({'host': dest['host'],
                              'nodename': dest['host'], 'limits': {}}, dest)
            self.assertIn(dest['host'], ('host1', 'host2'))


class Scenarios(Steps):

    def test_4_5_with_alternates(self):
        [inst] = uuids(1)
        [[chosen, alternate]] = self.select(
            None, request_spec(), [inst], return_objects=True,
            return_alternates=True)
        self.assertSelection(chosen, 'host2', inst)
        # The alternate is unclaimed: only the chosen host has usage.
        self.assertSelection(alternate, 'host1')

    def test_4_5_multi_create(self):
        insts = uuids(2)
        rows = self.select(None, request_spec(2), insts,
                           return_objects=True, return_alternates=True)
        self.assertEqual(2, len(rows))
        # Two hosts, both chosen: no host is left to be an alternate.
        self.assertSelection(rows[0][0], 'host2', insts[0])
        for inst, row in zip(insts, rows):
            self.assertEqual(1, len(row))
            self.assertSelection(row[0], row[0].service_host, inst)

    def test_4_5_without_alternates(self):
        [inst] = uuids(1)
        [[chosen]] = self.select(None, request_spec(), [inst],
                                 return_objects=True,
                                 return_alternates=False)
        self.assertSelection(chosen, 'host2', inst)

    def test_4_5_legacy_dicts(self):
        [inst] = uuids(1)
        dests = self.select(None, request_spec(), [inst],
                            return_objects=False, return_alternates=True)
        self.assertLegacy(dests, 1)
        self.assertEqual(1, len(self.admin.allocations(inst)))

    def test_4_4_claims_and_returns_dicts(self):
        insts = uuids(2)
        dests = self.select('pike', request_spec(2), insts)
        self.assertLegacy(dests, 2)
        for inst in insts:
            self.assertEqual(1, len(self.admin.allocations(inst)))

    def test_4_3_claims_nothing(self):
        spec = request_spec()
        dests = self.select('mitaka', spec, None)
        self.assertLegacy(dests, 1)
        self.assertEqual({}, self.admin.allocations(spec.instance_uuid))

    def test_4_0_legacy_request(self):
        # kilo = 4.2: nova sends legacy request_spec/filter_properties.
        spec = request_spec(2)
        dests = self.select('kilo', spec, None)
        self.assertLegacy(dests, 2)
        self.assertEqual({}, self.admin.allocations(spec.instance_uuid))

    def test_no_valid_host_is_nova_s(self):
        insts = uuids(1)
        exc = self.assertRaises(
            nova_exception.NoValidHost, self.select, None,
            request_spec(vcpus=64), insts, return_objects=True,
            return_alternates=True)
        message = exc.format_message()
        self.assertTrue(message.startswith('No valid host was found. '))
        self.assertGreater(len(message), len('No valid host was found. '))
        self.assertLessEqual(len(message), 255)
        self.assertEqual(message, 'No valid host was found. '
                         + exc.kwargs['reason'])
        self.assertEqual(500, exc.kwargs['code'])
        self.assertEqual({}, self.admin.allocations(insts[0]))

    def test_ping(self):
        base = self.nova.base_api()
        self.assertEqual({'service': 'scheduler', 'arg': {'x': [1]}},
                         base.ping(nova_client.context(), {'x': [1]},
                                   timeout=60))

    def test_casts_change_the_cache(self):
        api = self.nova.scheduler_api()
        ctxt = nova_client.context().elevated()
        agg = objects.Aggregate(
            id=7, uuid=uuidutils.generate_uuid(), name='agg7',
            hosts=['host1'], metadata={'availability_zone': 'az7'})
        # nova-api sends a list; AggregateList works too.
        api.update_aggregates(ctxt, [agg])
        state = wait_for(lambda: (lambda s: s if agg.uuid in s[
            'aggregates'] else None)(self.cast_state()))
        self.assertEqual({'hosts': ['host1'],
                          'metadata': {'availability_zone': 'az7'}},
                         state['aggregates'][agg.uuid])
        agg2 = objects.Aggregate(id=8, uuid=uuidutils.generate_uuid(),
                                 name='agg8', hosts=['host2'], metadata={})
        api.update_aggregates(ctxt, objects.AggregateList(objects=[agg2]))
        wait_for(lambda: agg2.uuid in self.cast_state()['aggregates'])
        api.delete_aggregate(ctxt, agg)
        wait_for(lambda: agg.uuid not in self.cast_state()['aggregates'])

        insts = uuids(2)
        # What nova-compute sends: whole Instance objects.
        instances = objects.InstanceList(objects=[
            objects.Instance(uuid=u, host='host1', node='host1',
                             project_id='p1', user_data='c2VjcmV0',
                             key_data='ssh-rsa AAAA', display_name='vm')
            for u in insts])
        api.update_instance_info(ctxt, 'host1', instances)
        wait_for(lambda: sorted(self.cast_state()['instances'].get(
            'host1', [])) == sorted(insts))
        api.delete_instance_info(ctxt, 'host1', insts[0])
        wait_for(lambda: self.cast_state()['instances']['host1']
                 == [insts[1]])
        api.sync_instance_info(ctxt, 'host1', insts)
        wait_for(lambda: sorted(self.cast_state()['instances'][
            'host1']) == sorted(insts))

"""``hardened-scheduler --config-file nova.conf``, the installed binary.

Against nova's own databases (SQLite files made by nova's migrations and
filled through nova's objects, tests/compat/db), the real Placement over
HTTP and RabbitMQ, driven by nova 34's client: the service reads its
host states as it would in a cloud, and the casts nova sends change what
it schedules.
"""

import json
import signal
import uuid

from oslo_utils import uuidutils
import testtools

from tests.compat.db import nova_db
from tests.compat.rpc import nova_client
from tests.compat.rpc import scenarios
from tests import integration
from tests.integration.rpc import placement_server
from tests.integration.rpc import service_process

objects = nova_client.objects


def hinted_spec(**hints):
    spec = objects.RequestSpec.from_components(
        context=None, instance_uuid=uuidutils.generate_uuid(),
        image={'id': scenarios.IMAGE, 'properties': {}},
        flavor=scenarios.flavor(), numa_topology=None,
        pci_requests=objects.InstancePCIRequests(requests=[]),
        filter_properties={'scheduler_hints': hints}, instance_group=None,
        availability_zone=None, project_id='p1', user_id='u1')
    return spec


class BinaryTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        integration.require_service('RabbitMQ', integration.RABBITMQ)
        self.placement = self.useFixture(placement_server.PlacementServer())
        self.admin = self.placement.admin
        self.dbs = self.useFixture(nova_db.NovaDatabases(('cell1',)))
        self.known = str(uuid.uuid4())
        self.foreign = str(uuid.uuid4())
        self.add_host('host1', 4096, instances=[self.known],
                      foreign=[self.foreign])
        self.add_host('host2', 8192)
        self.service = self.useFixture(service_process.ServiceProcess(
            self.placement, command=service_process.binary(),
            extra_config=(
                '[api_database]\nconnection = '
                f'{self.dbs.backend.url("api", reader=True)}\n'
                '[database]\nconnection = '
                f'{self.dbs.backend.url("cell1", reader=True)}\n'
                '[filter_scheduler]\nenabled_filters = ComputeFilter,'
                'SameHostFilter,DifferentHostFilter\n'
                # Only SIGHUP reloads the hosts during a test.
                '[hardened_scheduler]\nhost_state_resync_interval = 3600\n'
                'host_state_full_resync_interval = 3600\n')))
        self.service.attach_logs_on_failure(self)
        self.nova = self.useFixture(nova_client.NovaRPC(
            self.service.transport, self.service.topic, fake_wire=False))

    def add_host(self, name, ram_mb, instances=(), foreign=()):
        rp = self.admin.provider(name, {
            'VCPU': {'total': 8}, 'MEMORY_MB': {'total': ram_mb},
            'DISK_GB': {'total': 200}})
        # As nova-compute (service version >= 73) reports its providers;
        # with only such computes the scheduler requires it.
        self.admin.call('PUT', f'/resource_providers/{rp}/traits', {
            'resource_provider_generation': self.admin.generation(rp),
            'traits': ['OWNER_NOVA']})
        self.dbs.add_compute(
            'cell1', name, node_uuid=rp, memory_mb=ram_mb,
            free_ram_mb=ram_mb, memory_mb_used=0, vcpus_used=0,
            stats={'num_instances': str(len(instances) + len(foreign)),
                   'io_workload': '0'})
        # The requests' project is p1; same_host/different_host count only
        # its instances.
        for inst in instances:
            self.dbs.add_instance('cell1', name, instance_uuid=inst,
                                  project='p1')
        for inst in foreign:
            self.dbs.add_instance('cell1', name, instance_uuid=inst,
                                  project='p2')
        return rp

    def select(self, spec=None):
        [[chosen]] = self.nova.scheduler_api().select_destinations(
            nova_client.context(), spec or scenarios.request_spec(),
            scenarios.uuids(1), return_objects=True,
            return_alternates=False)
        return chosen

    def test_schedules_from_nova_s_databases(self):
        chosen = self.select()
        self.assertEqual('host2', chosen.service_host)
        self.assertEqual(str(uuid.UUID(int=1)), chosen.cell_uuid)
        self.assertEqual({chosen.compute_node_uuid},
                         set(json_allocations(chosen)))
        # The instance in host1's database row list is known.
        self.assertEqual('host1', self.select(hinted_spec(
            same_host=[self.known])).service_host)
        # Another project's instance on host1 counts as absent.
        self.assertRaises(nova_client.nova_exception.NoValidHost,
                          self.select, hinted_spec(same_host=[self.foreign]))

    def test_ping_and_no_valid_host(self):
        self.assertEqual(
            {'service': 'scheduler', 'arg': 1},
            self.nova.base_api().ping(nova_client.context(), 1, timeout=60))
        self.assertRaises(nova_client.nova_exception.NoValidHost,
                          self.select, scenarios.request_spec(vcpus=64))

    def test_aggregate_casts(self):
        api = self.nova.scheduler_api()
        ctxt = nova_client.context().elevated()
        agg = objects.Aggregate(id=7, uuid=uuidutils.generate_uuid(),
                                name='agg7', hosts=['host2'],
                                metadata={'availability_zone': 'az7'})
        api.update_aggregates(ctxt, [agg])
        scenarios.wait_for(
            lambda: self.select().availability_zone == 'az7')
        api.delete_aggregate(ctxt, agg)
        scenarios.wait_for(
            lambda: self.select().availability_zone == 'nova')

    def test_instance_casts(self):
        api = self.nova.scheduler_api()
        ctxt = nova_client.context().elevated()
        new = str(uuid.uuid4())
        spec = hinted_spec(same_host=[new])
        self.assertRaises(nova_client.nova_exception.NoValidHost,
                          self.select, spec)
        # nova-compute's full list for host1, with an instance the
        # database does not have yet.
        api.update_instance_info(ctxt, 'host1', objects.InstanceList(
            objects=[objects.Instance(uuid=u, host='host1', project_id='p1')
                     for u in (self.known, new)]))
        scenarios.wait_for(lambda: _selects(self, spec) == 'host1')
        api.delete_instance_info(ctxt, 'host1', new)
        scenarios.wait_for(lambda: _selects(self, spec) is None)

    def test_sighup_reloads_the_databases(self):
        self.assertEqual('host2', self.select().service_host)
        self.add_host('host3', 16384)
        self.service.signal(signal.SIGHUP)
        scenarios.wait_for(lambda: self.select().service_host == 'host3')
        self.assertIsNone(self.service.process.poll())


def json_allocations(selection):
    return json.loads(selection.allocation_request)['allocations']


def _selects(test, spec):
    try:
        return test.select(spec).service_host
    except nova_client.nova_exception.NoValidHost:
        return None

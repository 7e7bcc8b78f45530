"""nova 34's scheduler client, objects and serializer against our service.

In process, on oslo.messaging's fake transport (replies serialized as on
RabbitMQ); tests/integration/rpc runs the same scenarios on RabbitMQ
against the service in its own process.
"""

import json
import logging

import fixtures
import testtools

from tests.compat.rpc import nova_client
from tests.compat.rpc import scenarios
from tests.functional.rpc import service_fixture


def cache_state(cache):
    return {
        'aggregates': {a.uuid: {'hosts': sorted(a.hosts),
                                'metadata': dict(a.metadata)}
                       for a in cache.aggregates.values()},
        'instances': {host: sorted(insts)
                      for host, insts in cache.instances.items()},
    }


class NovaClientTest(scenarios.Scenarios, testtools.TestCase):

    extra_config = ''

    def setUp(self):
        super().setUp()
        self.fx = self.useFixture(service_fixture.SchedulerService(
            extra_config=self.extra_config))
        self.admin = self.fx.placement.admin
        self.nova = self.useFixture(nova_client.NovaRPC(
            self.fx.transport, self.fx.topic))

    def cast_state(self):
        return cache_state(self.fx.cache)


class NovaClientBoundsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.fx = self.useFixture(service_fixture.SchedulerService(
            extra_config='[hardened_scheduler]\nmax_num_instances = 1\n'))
        self.nova = self.useFixture(nova_client.NovaRPC(
            self.fx.transport, self.fx.topic))

    def test_refused_request_is_nova_s_no_valid_host(self):
        api = self.nova.scheduler_api()
        exc = self.assertRaises(
            nova_client.nova_exception.NoValidHost,
            api.select_destinations, nova_client.context(),
            scenarios.request_spec(1), scenarios.uuids(2),
            return_objects=True, return_alternates=True)
        self.assertEqual('No valid host was found. Invalid request: '
                         'instance_uuids: more than 1 instances',
                         exc.format_message())


class NovaClientAuthorizationTest(scenarios.Steps, testtools.TestCase):
    """Contexts as nova 34 really builds them, through nova's client."""

    def setUp(self):
        super().setUp()
        self.fx = self.useFixture(service_fixture.SchedulerService())
        self.admin = self.fx.placement.admin
        self.nova = self.useFixture(nova_client.NovaRPC(
            self.fx.transport, self.fx.topic))
        self.audit = self.useFixture(fixtures.FakeLogger(
            name='scheduler.audit', level=logging.WARNING))

    @staticmethod
    def member(project='p1'):
        # What nova-api builds for a project member's request; an
        # explicit is_admin keeps nova from consulting its own policy.
        return nova_client.nova_context.RequestContext(
            'u1', project, roles=['member', 'reader'], is_admin=False,
            auth_token='tok-canary')

    def test_member_boot_forwarded_by_conductor_is_scheduled(self):
        api = self.nova.scheduler_api()
        [inst] = scenarios.uuids(1)
        [[selection, *_]] = api.select_destinations(
            self.member(), scenarios.request_spec(1), [inst],
            return_objects=True, return_alternates=True)
        self.assertSelection(selection, 'host2', inst)
        self.assertEqual('', self.audit.output)

    def test_other_projects_member_is_refused_and_claims_nothing(self):
        api = self.nova.scheduler_api()
        [inst] = scenarios.uuids(1)
        exc = self.assertRaises(
            nova_client.nova_exception.NoValidHost, api.select_destinations,
            self.member('p2'), scenarios.request_spec(1), [inst],
            return_objects=True, return_alternates=True)
        self.assertIn('Not authorized', exc.format_message())
        self.assertEqual({}, self.admin.allocations(inst))
        [line] = self.audit.output.splitlines()
        self.assertTrue(line.startswith('Denied: '))
        self.assertEqual('p2', json.loads(line[len('Denied: '):])[
            'project_id'])
        self.assertNotIn('tok-canary', self.audit.output)

    def test_member_casts_change_nothing(self):
        api = self.nova.scheduler_api()
        member = self.member()
        agg = nova_client.objects.Aggregate(
            id=7, uuid=scenarios.uuids(1)[0], name='agg7', hosts=['host1'],
            metadata={'availability_zone': 'az7'})
        insts = scenarios.uuids(1)
        instances = nova_client.objects.InstanceList(objects=[
            nova_client.objects.Instance(uuid=u, host='host1', node='host1',
                                         project_id='p1') for u in insts])
        api.update_aggregates(member, [agg])
        api.update_instance_info(member, 'host1', instances)
        api.sync_instance_info(member, 'host1', insts)
        # Each refused cast leaves its audit record; then nothing changed.
        scenarios.wait_for(lambda: self.audit.output.count('Denied: ') == 3)
        state = cache_state(self.fx.cache)
        self.assertNotIn(agg.uuid, state['aggregates'])
        self.assertNotIn(insts[0], state['instances'].get('host1', []))
        self.assertEqual([], self.fx.cache.calls)

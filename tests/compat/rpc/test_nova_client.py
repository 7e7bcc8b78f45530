"""nova 34's scheduler client, objects and serializer against our service.

In process, on oslo.messaging's fake transport (replies serialized as on
RabbitMQ); tests/integration/rpc runs the same scenarios on RabbitMQ
against the service in its own process.
"""

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

"""nova 34's client against our service process, over RabbitMQ.

The service runs as its own process (configuration, worker processes,
signals, RabbitMQ, Placement over HTTP: everything but nova's databases,
see service_main); the real Placement service answers over HTTP from a
thread of this process; nova's SchedulerAPI, objects and serializer
send every request and cast as conductor, nova-api and nova-compute do.
"""

import json
import signal
import threading
import time
import uuid

from oslo_config import fixture as config_fixture
import oslo_messaging
import testtools

from tests.compat.rpc import nova_client
from tests.compat.rpc import scenarios
from tests import integration
from tests.integration.rpc import hosts as hosts_mod
from tests.integration.rpc import placement_server
from tests.integration.rpc import service_process


class RabbitTestBase(testtools.TestCase):
    workers = 1
    extra_config = ''

    def setUp(self):
        super().setUp()
        integration.require_service('RabbitMQ', integration.RABBITMQ)
        self.placement = self.useFixture(placement_server.PlacementServer())
        self.admin = self.placement.admin
        self.host_rows = [self.add_host('host1', 4096),
                          self.add_host('host2', 8192)]
        self.service = self.useFixture(service_process.ServiceProcess(
            self.placement, self.host_rows, workers=self.workers,
            extra_config=self.extra_config))
        self.service.attach_logs_on_failure(self)
        self.nova = self.useFixture(nova_client.NovaRPC(
            self.service.transport, self.service.topic, fake_wire=False))

    def add_host(self, name, ram_mb):
        rp = self.admin.provider(name, {
            'VCPU': {'total': 4}, 'MEMORY_MB': {'total': ram_mb},
            'DISK_GB': {'total': 100}})
        return {'name': name, 'uuid': rp, 'ram_mb': ram_mb}

    def cast_state(self):
        """The cache state every worker agrees on (waits for agreement)."""
        def agreed():
            states = list(self.service.states().values())
            views = {json.dumps({k: s[k] for k in ('aggregates',
                                                  'instances')},
                                sort_keys=True) for s in states}
            return json.loads(views.pop()) if len(views) == 1 else None
        return scenarios.wait_for(agreed)


class NovaClientTest(scenarios.Scenarios, RabbitTestBase):
    """Every scenario, one worker process."""


class TwoWorkersTest(scenarios.Steps, RabbitTestBase):
    workers = 2

    def test_workers_run_on_native_threads(self):
        states = list(self.service.states().values())
        self.assertEqual(2, len({s['pid'] for s in states}))
        self.assertNotIn(self.service.process.pid, [s['pid'] for s in states])
        for state in states:
            self.assertFalse(state['eventlet_loaded'])
            self.assertEqual('threading', state['backend'])

    def test_casts_reach_every_worker(self):
        self.assertEqual(2, len(self.service.states()))
        scenarios.Scenarios.test_casts_change_the_cache(self)

    def test_calls_are_served(self):
        scenarios.Scenarios.test_4_5_with_alternates(self)


class WireTest(RabbitTestBase):
    """What travels back: nova's exceptions, never a traceback."""

    def test_no_valid_host_carries_no_traceback(self):
        api = self.nova.scheduler_api()
        exc = self.assertRaises(
            nova_client.nova_exception.NoValidHost, api.select_destinations,
            nova_client.context(), scenarios.request_spec(vcpus=64),
            scenarios.uuids(1), return_objects=True, return_alternates=True)
        # str() of a rebuilt remote exception is message + remote tb.
        self.assertNotIn('Traceback', str(exc))
        self.assertNotIn('.py', str(exc))

    def test_invalid_request(self):
        client = self.service.client().prepare(version='4.5', timeout=60)
        exc = self.assertRaises(
            nova_client.nova_exception.NoValidHost, client.call,
            {'request_id': 'req-' + str(uuid.uuid4())},
            'select_destinations', spec_obj={'nova_object.name': 'Flavor'},
            instance_uuids=None, return_objects=True,
            return_alternates=False)
        self.assertEqual('Invalid request: spec_obj.nova_object.name: '
                         'expected RequestSpec, got another object name',
                         exc.kwargs['reason'])

    def test_refused_method_carries_no_traceback(self):
        client = self.service.client().prepare(timeout=60)
        for method in ('periodic_tasks', 'init_host', '_private'):
            exc = self.assertRaises(oslo_messaging.RemoteError, client.call,
                                    {}, method)
            self.assertEqual('NoSuchMethod', exc.exc_type)
            self.assertNotIn('Traceback', exc.traceback or '')
            self.assertNotIn('.py', exc.traceback or '')


class HeartbeatTest(RabbitTestBase):

    def test_long_call_outlives_the_call_monitor_timeout(self):
        # nova's client: call_monitor_timeout = rpc_response_timeout.
        conf = self.useFixture(config_fixture.Config(nova_client.CONF))
        conf.config(rpc_response_timeout=2)
        self.placement.slow_candidates = 6
        started = time.monotonic()
        [[chosen]] = self.nova.scheduler_api().select_destinations(
            nova_client.context(), scenarios.request_spec(),
            scenarios.uuids(1), return_objects=True,
            return_alternates=False)
        self.assertGreater(time.monotonic() - started, 6)
        self.assertEqual('host2', chosen.service_host)


class SignalsTest(RabbitTestBase):
    extra_config = '[DEFAULT]\nmanager_shutdown_timeout = 60\n'

    def test_sigterm_finishes_the_request_in_flight(self):
        self.placement.slow_candidates = 4
        insts = scenarios.uuids(1)
        result = {}

        def call():
            try:
                result['rows'] = self.nova.scheduler_api(
                ).select_destinations(
                    nova_client.context(), scenarios.request_spec(), insts,
                    return_objects=True, return_alternates=False)
            except Exception as exc:
                result['error'] = exc
        caller = threading.Thread(target=call)
        caller.start()
        self.assertTrue(self.placement.candidates_requested.wait(60))
        self.service.signal(signal.SIGTERM)
        caller.join(120)
        self.assertNotIn('error', result)
        self.assertEqual('host2', result['rows'][0][0].service_host)
        self.assertEqual(0, self.service.process.wait(120))
        self.assertEqual(1, len(self.admin.allocations(insts[0])))

    def test_sighup_reloads_hosts_without_restarting(self):
        [before] = self.service.states().values()
        host3 = self.add_host('host3', 16384)
        hosts_mod.write_hosts(self.service.hosts_path,
                              self.host_rows + [host3])
        self.service.signal(signal.SIGHUP)
        scenarios.wait_for(lambda: [s for s in self.service.states()
                                    .values() if s['refreshes'] >= 1])
        [after] = self.service.states().values()
        self.assertEqual(before['pid'], after['pid'])
        self.assertEqual(['host1', 'host2', 'host3'], after['hosts'])
        [[chosen]] = self.nova.scheduler_api().select_destinations(
            nova_client.context(), scenarios.request_spec(),
            scenarios.uuids(1), return_objects=True,
            return_alternates=False)
        self.assertEqual('host3', chosen.service_host)
        self.assertIsNone(self.service.process.poll())

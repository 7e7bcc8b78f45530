"""The service end to end on the fake transport, with real Placement."""

import json
import threading
import time
import uuid

import oslo_messaging
import testtools

from scheduler.rpc import remote_errors
from tests.functional.rpc import service_fixture
from tests.unit.codec import wire
from tests.unit.rpc import fakes

CONTEXT = {'request_id': 'req-' + str(uuid.uuid4()), 'user_id': 'u1',
           'project_id': 'p1', 'is_admin': True, 'roles': ['admin']}


def spec(**fields):
    fields.setdefault('flavor', wire.flavor(
        vcpus=1, memory_mb=512, root_gb=1, extra_specs={}))
    fields.setdefault('image', wire.image())
    return wire.request_spec(**fields)


def wait_for(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('timed out')
        time.sleep(0.05)


class RPCTestBase(testtools.TestCase):
    extra_config = ''
    placement = None

    def setUp(self):
        super().setUp()
        self.fx = self.useFixture(service_fixture.SchedulerService(
            extra_config=self.extra_config, placement=self.placement))
        self.admin = self.fx.placement.admin

    def call(self, version='4.5', timeout=30, **args):
        client = self.fx.client().prepare(version=version, timeout=timeout)
        return client.call(CONTEXT, 'select_destinations', **args)


class SelectDestinationsTest(RPCTestBase):

    def test_4_5_claims_and_returns_selections(self):
        inst = str(uuid.uuid4())
        rows = self.call(spec_obj=spec(), instance_uuids=[inst],
                         return_objects=True, return_alternates=True)
        [[chosen, alternate]] = rows
        data = chosen['nova_object.data']
        self.assertEqual('Selection', chosen['nova_object.name'])
        self.assertEqual('1.1', chosen['nova_object.version'])
        self.assertEqual('host2', data['service_host'])
        self.assertEqual('host1',
                         alternate['nova_object.data']['service_host'])
        self.assertEqual({data['compute_node_uuid']},
                         set(self.admin.allocations(inst)))
        self.assertEqual(
            {data['compute_node_uuid']},
            set(json.loads(data['allocation_request'])['allocations']))

    def test_4_3_claims_nothing(self):
        [chosen] = self.call(version='4.3', spec_obj=spec(
            instance_uuid=wire.INSTANCE_UUID))
        self.assertEqual({'host': 'host2', 'nodename': 'host2',
                          'limits': {}}, chosen)
        self.assertEqual({}, self.admin.allocations(wire.INSTANCE_UUID))

    def test_no_valid_host(self):
        exc = self.assertRaises(
            remote_errors.NoValidHost, self.call,
            spec_obj=spec(flavor=wire.flavor(
                vcpus=64, memory_mb=512, root_gb=1, extra_specs={})),
            instance_uuids=[str(uuid.uuid4())], return_objects=True)
        self.assertTrue(exc.args[0].startswith('No valid host was found. '))
        self.assertEqual(500, exc.kwargs['code'])
        self.assertTrue(exc.kwargs['reason'])

    def test_ping(self):
        client = self.fx.client().prepare(namespace='baseapi',
                                          version='1.1', timeout=30)
        self.assertEqual({'service': 'scheduler', 'arg': 'x'},
                         client.call(CONTEXT, 'ping', arg='x'))
        self.assertIsNone(client.call(CONTEXT, 'get_backdoor_port'))

    def test_unexposed_method(self):
        client = self.fx.client().prepare(timeout=30)
        self.assertRaises(oslo_messaging.NoSuchMethod, client.call,
                          CONTEXT, 'periodic_tasks', raise_on_error=True)


class BoundsTest(RPCTestBase):
    extra_config = ('[hardened_scheduler]\nmax_rpc_message_bytes = 4096\n'
                    'max_num_instances = 2\n')

    def test_oversized_message(self):
        exc = self.assertRaises(
            remote_errors.NoValidHost, self.call,
            spec_obj=spec(scheduler_hints={'x': ['y' * 5000]}),
            instance_uuids=[str(uuid.uuid4())], return_objects=True)
        self.assertEqual('Invalid request: message: larger than 4096 bytes',
                         exc.kwargs['reason'])

    def test_too_many_instances(self):
        insts = [str(uuid.uuid4()) for _ in range(3)]
        exc = self.assertRaises(
            remote_errors.NoValidHost, self.call, spec_obj=spec(),
            instance_uuids=insts, return_objects=True)
        self.assertEqual('Invalid request: instance_uuids: more than 2 '
                         'instances', exc.kwargs['reason'])
        for inst in insts:
            self.assertEqual({}, self.admin.allocations(inst))


class CastsTest(RPCTestBase):

    def cast(self, method, version, **args):
        client = self.fx.client().prepare(version=version, fanout=True)
        client.cast(CONTEXT, method, **args)

    def test_fanout_casts_reach_the_cache(self):
        cache = self.fx.cache
        self.cast('update_aggregates', '4.1',
                  aggregates=[fakes.aggregate(hosts=['host1'])])
        wait_for(lambda: 1 in cache.aggregates)
        self.cast('update_instance_info', '4.2', host_name='host1',
                  instance_info=fakes.instance_list(
                      fakes.instance(fakes.UUID1)))
        wait_for(lambda: cache.instances.get('host1'))
        snapshot = cache.snapshot()
        host1 = next(h for h in snapshot.hosts.values()
                     if h.host == 'host1')
        self.assertEqual({fakes.UUID1: 'p1'}, dict(host1.instances))
        self.assertEqual((fakes.AGG_UUID,),
                         tuple(a.uuid for a in host1.aggregates))
        self.cast('delete_aggregate', '4.1', aggregate=fakes.aggregate())
        wait_for(lambda: not cache.aggregates)

    def test_bad_cast_is_dropped(self):
        self.cast('delete_instance_info', '4.2', host_name='host1',
                  instance_uuid='not-a-uuid')
        self.cast('sync_instance_info', '4.2', host_name='host1',
                  instance_uuids=[fakes.UUID2])
        wait_for(lambda: self.fx.cache.calls)
        self.assertEqual([('sync_instance_info', 'host1', (fakes.UUID2,))],
                         self.fx.cache.calls)


class ResetTest(RPCTestBase):

    def test_reset_reloads_hosts(self):
        self.fx.cloud.add_host('host3', ram_mb=16384)
        self.assertEqual('host2', self.call(
            version='4.3', spec_obj=spec())[0]['host'])
        self.fx.service.reset()
        self.assertEqual('host3', self.call(
            version='4.3', spec_obj=spec())[0]['host'])


class HeartbeatTest(testtools.TestCase):
    """oslo.messaging's call-monitor heartbeat runs during a long call."""

    def test_heartbeats_while_select_destinations_runs(self):
        incoming = fakes.Incoming('select_destinations',
                                  {'spec_obj': wire.request_spec()},
                                  client_timeout=2)
        beats = []

        class Slow(fakes.FakeScheduler):
            def select_destinations(self, *args, **kwargs):
                # Interval = client_timeout / 2: two beats within ~2 s.
                for _ in range(2):
                    beats.append(incoming.heartbeats.acquire(timeout=30))
                return super().select_destinations(*args, **kwargs)
        disp, _, _, _ = fakes.build(scheduler=Slow())
        result = fakes.dispatch(disp, incoming)
        self.assertEqual([True, True], beats)
        self.assertEqual(1, len(result))

    def test_no_heartbeat_without_a_client_timeout(self):
        incoming = fakes.Incoming('select_destinations',
                                  {'spec_obj': wire.request_spec()})
        disp, _, _, _ = fakes.build()
        fakes.dispatch(disp, incoming)
        self.assertFalse(incoming.heartbeats.acquire(timeout=0))


class Gate:
    """A Placement client whose claims for ``hold`` wait to be released."""

    def __init__(self):
        self.hold = set()
        self.reached = threading.Event()
        self.opened = threading.Event()

    def __call__(self, client):
        self.client = client
        return self

    def __getattr__(self, name):
        return getattr(self.client, name)

    def with_deadline(self, seconds):
        # Each request bounds its client; the gate stays in between.
        self.client = self.client.with_deadline(seconds)
        return self

    def claim(self, consumer_uuid, *args, **kwargs):
        if consumer_uuid in self.hold:
            self.reached.set()
            self.opened.wait(60)
        return self.client.claim(consumer_uuid, *args, **kwargs)


class Caller(threading.Thread):
    def __init__(self, call, **args):
        super().__init__()
        self.call, self.args = call, args
        self.result = self.error = None

    def run(self):
        try:
            self.result = self.call(**self.args)
        except Exception as exc:
            self.error = exc


class DrainTest(RPCTestBase):

    def setUp(self):
        self.gate = Gate()
        self.placement = self.gate
        super().setUp()
        self.addCleanup(self.gate.opened.set)

    def start_call(self, insts):
        self.gate.hold.add(insts[-1])
        caller = Caller(self.call, spec_obj=spec(num_instances=len(insts)),
                        instance_uuids=insts, return_objects=True)
        caller.start()
        self.addCleanup(caller.join, 60)
        self.assertTrue(self.gate.reached.wait(30))
        return caller

    def stop_in_background(self):
        stopper = threading.Thread(target=self.fx.service.stop)
        stopper.start()
        wait_for(lambda: self.fx.service.stopping)
        return stopper


class DrainWithinBudgetTest(DrainTest):
    extra_config = '[DEFAULT]\nmanager_shutdown_timeout = 120\n'

    def test_request_in_flight_finishes(self):
        inst = str(uuid.uuid4())
        caller = self.start_call([inst])
        stopper = self.stop_in_background()
        self.assertTrue(stopper.is_alive())
        self.gate.opened.set()
        stopper.join(60)
        caller.join(60)
        self.assertIsNone(caller.error)
        self.assertEqual(1, len(caller.result))
        # The claim belongs to the reply: it stays.
        self.assertEqual(1, len(self.admin.allocations(inst)))
        self.assertEqual(0, self.fx.service.inflight.count())


class DrainPastBudgetTest(DrainTest):
    # Nothing to wait for (<= 20 s is all cleanup time), 2 s to clean up.
    extra_config = '[DEFAULT]\nmanager_shutdown_timeout = 2\n'

    def test_aborted_request_leaves_no_claim(self):
        first, second = str(uuid.uuid4()), str(uuid.uuid4())
        caller = self.start_call([first, second])
        self.assertEqual(1, len(self.admin.allocations(first)))
        self.fx.service.stop()
        # Still stuck in its second claim: its first claim was released
        # for it.
        self.assertTrue(caller.is_alive())
        self.assertEqual({}, self.admin.allocations(first))
        self.gate.opened.set()
        caller.join(60)
        # The second claim landed after the abort and was given back.
        self.assertIsInstance(caller.error, remote_errors.RequestAborted)
        self.assertEqual({}, self.admin.allocations(first))
        self.assertEqual({}, self.admin.allocations(second))


class MetricsEndpointTest(RPCTestBase):
    """The service itself serves /metrics when an address is set."""

    extra_config = ('[hardened_scheduler]\nmetrics_listen_address = '
                    '127.0.0.1\nmetrics_port = 0\n')

    def test_service_serves_its_metrics(self):
        from tests.functional import test_metrics

        self.call(spec_obj=spec(), instance_uuids=[str(uuid.uuid4())],
                  return_objects=True, return_alternates=True)
        port = self.fx.service._metrics_server.port
        samples = test_metrics.scrape(port)
        ns = 'hardened_scheduler_'
        self.assertEqual(1.0, samples[(ns + 'select_destinations_total',
                                       (('result', 'scheduled'),))])
        self.assertEqual(1.0, samples[(
            ns + 'placement_request_duration_seconds_count',
            (('call', 'GET /allocation_candidates'), ('status', '2xx')))])


class MetricsOffByDefaultTest(RPCTestBase):

    def test_no_endpoint_without_an_address(self):
        self.assertIsNone(self.fx.service._metrics_server)

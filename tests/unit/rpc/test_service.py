"""The service's life: start, drain on stop, reload on reset."""

import threading
import time
from unittest import mock

import fixtures
from oslo_config import cfg
import oslo_messaging
from oslo_service import opts as service_opts
import testtools

from scheduler import conf as conf_pkg
from scheduler import manager as manager_mod
from scheduler import redaction
from scheduler import service
from scheduler.rpc import inflight as inflight_mod
from tests.unit.rpc import memory_cache
from tests.unit.rpc import test_inflight

C1 = test_inflight.C1


def make_conf(**overrides):
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    conf(args=[], default_config_files=[])
    # Releases journal in memory: no directory outside the test.
    conf.set_override('pending_releases_dir', '', 'hardened_scheduler')
    for name, value in overrides.items():
        conf.set_override(name, value)
    return conf


class FakeServer:
    def __init__(self):
        self.events = []

    def start(self):
        self.events.append('start')

    def stop(self):
        self.events.append('stop')

    def wait(self):
        self.events.append('wait')


class UnreachableBusServer(FakeServer):
    """oslo.messaging's server against a broker that does not answer:
    start() retries connecting (blocks), stop() waits for start()."""

    def __init__(self, connected=False):
        super().__init__()
        self.connected = connected
        self.bus_back = threading.Event()

    def start(self):
        super().start()
        if not self.connected:
            self.bus_back.wait(60)

    def stop(self):
        super().stop()
        self.bus_back.wait(60)


class DrainBudgetTest(testtools.TestCase):

    def test_nova_defaults(self):
        self.assertEqual((140.0, 20.0), service.drain_budget(make_conf()))

    def test_short_timeout_is_all_cleanup(self):
        conf = make_conf(manager_shutdown_timeout=15)
        self.assertEqual((0.0, 15.0), service.drain_budget(conf))

    def test_bounded_by_graceful_shutdown_timeout(self):
        conf = make_conf()
        service_opts.register_service_opts(conf)
        conf.set_override('graceful_shutdown_timeout', 60)
        self.assertEqual((30.0, 20.0), service.drain_budget(conf))
        conf.set_override('graceful_shutdown_timeout', 0)  # endless
        self.assertEqual((140.0, 20.0), service.drain_budget(conf))


class ServiceTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.server = FakeServer()
        self.cache = memory_cache.MemoryHostCache()
        self.inflight = inflight_mod.InFlight()
        self.client = test_inflight.FakeClient()
        self.placement = inflight_mod.GuardedPlacement(self.client,
                                                       self.inflight)

    def service(self, conf=None):
        return service.SchedulerService(
            conf or make_conf(manager_shutdown_timeout=0),
            server=self.server, hosts=self.cache,
            placement=self.placement, inflight=self.inflight)

    def test_start_stop_wait(self):
        svc = self.service()
        svc.start()
        svc.start()
        self.assertTrue(self.cache.started)
        svc.stop()
        svc.stop()
        svc.wait()
        self.assertEqual(['start', 'stop', 'wait'], self.server.events)
        self.assertTrue(self.cache.stopped)

    def test_reset_reapplies_log_redaction(self):
        svc = self.service()
        with mock.patch.object(redaction, 'refresh') as refresh:
            svc.reset()
        refresh.assert_called_once_with(svc.conf)
        self.assertEqual(1, self.cache.refreshes)

    def test_stop_before_start(self):
        svc = self.service()
        svc.stop()
        svc.start()
        svc.wait()
        self.assertEqual([], self.server.events)
        self.assertFalse(self.cache.started)

    def test_reset_refreshes_the_cache(self):
        svc = self.service()
        svc.start()
        svc.reset()
        self.assertEqual(1, self.cache.refreshes)
        self.assertEqual(['start'], self.server.events)

    def test_stuck_request_is_aborted_and_its_claim_released(self):
        entered, done = threading.Event(), threading.Event()

        def request():
            with self.inflight.track('select_destinations', 'req-1'):
                self.placement.claim(C1, {'allocations': {}}, 'p', 'u')
                entered.set()
                done.wait(30)
        t = threading.Thread(target=request)
        t.start()
        self.addCleanup(t.join)
        self.addCleanup(done.set)
        entered.wait(30)
        svc = self.service()
        svc.start()
        svc.stop()
        # The server is not waited for: a request is still running.
        self.assertEqual(['start', 'stop'], self.server.events)
        self.assertIn(('delete', C1, None), self.client.calls)
        self.assertTrue(self.cache.stopped)

    def test_stop_while_the_bus_was_never_reached(self):
        # start() never returned: nothing received, nothing waited for.
        self.server = UnreachableBusServer()
        svc = self.service()
        starter = threading.Thread(target=svc.start, daemon=True)
        starter.start()
        self.addCleanup(starter.join, 60)
        self.addCleanup(self.server.bus_back.set)
        wait_for_event(lambda: 'start' in self.server.events)
        began = time.monotonic()
        svc.stop()
        svc.wait()
        self.assertLess(time.monotonic() - began, 3)
        self.assertTrue(self.cache.stopped)
        self.assertNotIn('wait', self.server.events)

    def test_stop_when_the_bus_went_away(self):
        # Connected, then the listener cannot stop: bounded waits only.
        self.server = UnreachableBusServer(connected=True)
        self.addCleanup(self.server.bus_back.set)
        self.useFixture(fixtures.MockPatch(
            'scheduler.rpc.server.BUS_STOP_TIMEOUT', 0.2))
        svc = self.service()
        svc.start()
        began = time.monotonic()
        svc.stop()
        self.assertLess(time.monotonic() - began, 3)
        self.assertTrue(self.cache.stopped)
        self.assertNotIn('wait', self.server.events)

    def test_requests_after_stop_are_refused(self):
        svc = self.service()
        svc.start()
        svc.stop()
        with testtools.ExpectedException(inflight_mod.Closed):
            with self.inflight.track('select_destinations', 'req-2'):
                pass

    def test_failed_reload_keeps_serving(self):
        def fail():
            raise RuntimeError('database unreachable')
        self.cache.refresh = fail
        svc = self.service()
        svc.start()
        svc.reset()
        self.assertEqual(['start'], self.server.events)


class CreateServiceCollaboratorsTest(testtools.TestCase):
    """Everything create_service talks to outside the process can be
    handed in."""

    def build(self, **kwargs):
        conf = make_conf()
        transport = oslo_messaging.get_rpc_transport(conf, url='fake:')
        self.addCleanup(transport.cleanup)
        with mock.patch.object(service.manager_mod, 'SchedulerManager',
                               wraps=manager_mod.SchedulerManager) as cls:
            svc = service.create_service(
                conf, transport, hosts=memory_cache.MemoryHostCache(),
                placement=test_inflight.FakeClient(),
                notification_transport=transport, **kwargs)
        self.assertIsInstance(svc, service.SchedulerService)
        return cls.call_args.kwargs

    def test_neutron_handed_in_reaches_the_manager(self):
        neutron = mock.Mock(spec=['show_port', 'segment_ids_for_network',
                                  'segment_id_for_subnet'])
        self.assertIs(neutron, self.build(neutron=neutron)['neutron'])

    def test_neutron_default_built_by_the_manager(self):
        self.assertIsNone(self.build()['neutron'])


def wait_for_event(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError('timed out')
        time.sleep(0.01)

"""Worker processes: how many, built after the fork, SIGHUP in place."""

import os
import threading
from unittest import mock

import fixtures
import testtools

from scheduler.cmd import scheduler as scheduler_cmd
from scheduler.rpc import workers
from tests.unit.redaction import fixtures as redaction_fixtures
from tests.unit.rpc import test_service


class FakeService:
    def __init__(self):
        self.events = []

    def start(self):
        self.events.append('start')

    def stop(self, graceful=True):
        self.events.append(('stop', graceful))

    def reset(self):
        self.events.append('reset')
        return True


class WorkerCountTest(testtools.TestCase):

    def test_unset_or_zero_means_one_per_cpu(self):
        for value in (None, 0):
            conf = test_service.make_conf()
            conf.set_override('workers', value, group='scheduler')
            self.assertEqual(os.cpu_count() or 1, workers.worker_count(conf))

    def test_explicit(self):
        for value in (1, 3):
            conf = test_service.make_conf()
            conf.set_override('workers', value, group='scheduler')
            self.assertEqual(value, workers.worker_count(conf))


class WorkerServiceTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.built = []
        self.conf = test_service.make_conf()
        self.worker = workers.WorkerService(self.conf, self.build)

    def build(self, conf):
        self.assertIs(self.conf, conf)
        svc = FakeService()
        self.built.append(svc)
        return svc

    def test_built_on_start_only(self):
        self.assertEqual([], self.built)
        self.worker.start()
        self.worker.start()
        self.assertEqual(1, len(self.built))
        self.worker.reset()
        self.worker.stop()
        self.worker.wait()
        self.assertEqual(['start', 'reset', ('stop', True)],
                         self.built[0].events)

    def test_stop_while_start_never_returns(self):
        # The message bus unreachable: the service's start() blocks, and
        # SIGTERM (stop) must not wait for it.
        self.starting, self.unblock = threading.Event(), threading.Event()
        self.worker = workers.WorkerService(self.conf, self.build_blocking)
        starter = threading.Thread(target=self.worker.start, daemon=True)
        starter.start()
        self.addCleanup(starter.join, 60)
        self.addCleanup(self.unblock.set)
        self.assertTrue(self.starting.wait(30))
        stopper = threading.Thread(target=self.worker.stop, daemon=True)
        stopper.start()
        stopper.join(30)
        self.assertFalse(stopper.is_alive())
        self.worker.wait()
        self.assertEqual(['start', ('stop', True)], self.built[0].events)

    def build_blocking(self, conf):
        svc = self.build(conf)

        def start():
            svc.events.append('start')
            self.starting.set()
            self.unblock.wait(60)
        svc.start = start
        return svc

    def test_stopped_before_start_builds_nothing(self):
        self.worker.stop()
        self.worker.start()
        self.worker.wait()
        self.worker.reset()
        self.assertEqual([], self.built)

    def test_sighup_reloads_in_place(self):
        self.worker.start()
        self.addCleanup(self.worker.stop)
        wrapper = workers.Worker(0, self.worker)
        with mock.patch.object(self.conf, 'mutate_config_files') as mutate:
            wrapper.reload()
            # On the worker's reload thread, not cotyledon's.
            self.assertTrue(self.worker.wait_reloaded(30))
        mutate.assert_called_once_with()
        # Reset, not stopped: the worker process keeps serving.
        self.assertEqual(['start', 'reset'], self.built[0].events)
        self.assertEqual(1, self.worker.reloads)

    def test_bad_configuration_on_sighup_keeps_serving(self):
        self.worker.start()
        self.addCleanup(self.worker.stop)
        wrapper = workers.Worker(0, self.worker)
        with mock.patch.object(self.conf, 'mutate_config_files',
                               side_effect=ValueError('bad file')):
            wrapper.reload()
            self.assertTrue(self.worker.wait_reloaded(30))
        self.assertEqual(['start', 'reset'], self.built[0].events)


class MainTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # main() sets up oslo.log and log redaction for the process.
        self.useFixture(redaction_fixtures.IsolatedLogging())

    def test_invalid_configuration_starts_nothing(self):
        path = self.useFixture(
            fixtures.TempDir()).join('nova.conf')
        with open(path, 'w') as f:
            f.write('[filter_scheduler]\nenabled_filters = NoSuchFilter\n')
        with mock.patch.object(workers, 'run') as run:
            status = scheduler_cmd.main(['--config-file', path])
        self.assertEqual(2, status)
        run.assert_not_called()

    def test_database_is_required(self):
        path = self.useFixture(
            fixtures.TempDir()).join('nova.conf')
        with open(path, 'w') as f:
            f.write('[scheduler]\nworkers = 1\n')
        with mock.patch.object(workers, 'run') as run:
            self.assertEqual(2, scheduler_cmd.main(['--config-file', path]))
        run.assert_not_called()
        # A host source of its own (tests, embedding) needs no database.
        with mock.patch.object(workers, 'run') as run:
            self.assertEqual(0, scheduler_cmd.main(
                ['--config-file', path], build=lambda conf: None))
        run.assert_called_once()

    def test_runs_the_configured_workers(self):
        path = self.useFixture(
            fixtures.TempDir()).join('nova.conf')
        with open(path, 'w') as f:
            f.write('[scheduler]\nworkers = 3\n'
                    '[api_database]\nconnection = sqlite://\n'
                    '[placement]\nauth_type = admin_token\ntoken = t\n'
                    'endpoint_override = http://127.0.0.1:1/\n')
        with mock.patch.object(workers, 'run') as run:
            self.assertEqual(0, scheduler_cmd.main(['--config-file', path]))
        conf, build, count = run.call_args[0]
        self.assertEqual(3, count)
        self.assertIs(scheduler_cmd.default_build, build)
        self.assertEqual(3, conf.scheduler.workers)

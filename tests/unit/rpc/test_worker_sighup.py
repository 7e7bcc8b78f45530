"""SIGHUP in a worker: never blocks cotyledon, coalesces, re-reads last.

cotyledon calls ``Worker.reload()`` on a thread it spawns per SIGHUP,
holding the worker's signal lock; SIGTERM waits for that lock. The
service double blocks its reset until the test releases it, so a reload
is "running" for exactly as long as the test says, never timed.
"""

import logging
import threading

import fixtures
import testtools

from scheduler.rpc import workers

LONG = 30.0
STORM = 50


class BlockingService:
    """The scheduler service; each reset waits to be released."""

    def __init__(self, log):
        self.log = log
        self.lock = threading.Lock()
        self.entered = [threading.Event() for _ in range(STORM + 2)]
        self.release = [threading.Event() for _ in range(STORM + 2)]
        self.resets = 0
        self.fail = set()
        self.stopped = threading.Event()

    def start(self):
        pass

    def stop(self, graceful=True):
        self.stopped.set()

    def reset(self):
        with self.lock:
            index = self.resets
            self.resets += 1
        self.log.append(('reset', index))
        self.entered[index].set()
        assert self.release[index].wait(LONG)
        if index in self.fail:
            raise RuntimeError('reset failed')
        return True


class RecordingConf:
    """The worker's ConfigOpts as far as a reload goes."""

    def __init__(self, log):
        self.log = log

    def mutate_config_files(self):
        self.log.append('mutate')


def sighup(wrapper):
    """What cotyledon does: reload() on a thread of its own; the caller
    checks that thread ends although a reload is running."""
    thread = threading.Thread(target=wrapper.reload, daemon=True)
    thread.start()
    thread.join(LONG)
    return not thread.is_alive()


class WorkerSighupTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger(
            name=workers.__name__, level=logging.DEBUG))
        self.log = []
        self.svc = BlockingService(self.log)
        self.worker = workers.WorkerService(RecordingConf(self.log),
                                            lambda conf: self.svc)
        self.worker.start()
        self.addCleanup(self.release_all)
        self.addCleanup(self.worker.stop)
        self.wrapper = workers.Worker(0, self.worker)

    def release_all(self):
        for event in self.svc.release:
            event.set()

    def signal(self):
        self.log.append('signal')
        self.assertTrue(sighup(self.wrapper), 'reload() blocked')

    def test_a_storm_during_a_reload_costs_one_more(self):
        self.signal()
        self.assertTrue(self.svc.entered[0].wait(LONG))
        for _ in range(STORM - 1):
            self.signal()   # each returns while reload 0 is running
        self.assertFalse(self.svc.entered[1].is_set())
        self.svc.release[0].set()
        self.assertTrue(self.svc.entered[1].wait(LONG))
        self.svc.release[1].set()
        self.assertTrue(self.worker.wait_reloaded(LONG))
        self.assertEqual(2, self.svc.resets)
        self.assertEqual(2, self.worker.reloads)
        # The trailing reload re-read the files after the last signal.
        last_signal = max(i for i, e in enumerate(self.log)
                          if e == 'signal')
        self.assertEqual(['mutate', ('reset', 1)],
                         self.log[last_signal + 1:])
        # One line per reload run; the coalesced signals at DEBUG.
        lines = self.logger.output.splitlines()
        done = [line for line in lines if 'SIGHUP reload done' in line]
        self.assertEqual(2, len(done))
        self.assertIn('(1 signal(s)', done[0])
        self.assertIn(f'({STORM - 1} signal(s)', done[1])
        self.assertEqual(STORM - 1, sum('the next reload serves it' in line
                                        for line in lines))

    def test_a_failed_reload_keeps_serving_signals(self):
        self.svc.fail.add(0)
        self.svc.release[0].set()
        self.signal()
        self.assertTrue(self.worker.wait_reloaded(LONG))
        self.svc.release[1].set()
        self.signal()
        self.assertTrue(self.worker.wait_reloaded(LONG))
        self.assertEqual(2, self.svc.resets)

    def test_sigterm_is_not_held_back_by_a_running_reload(self):
        self.signal()
        self.assertTrue(self.svc.entered[0].wait(LONG))
        stopper = threading.Thread(target=self.worker.stop, daemon=True)
        stopper.start()
        stopper.join(LONG)
        self.assertFalse(stopper.is_alive())
        self.assertTrue(self.svc.stopped.is_set())
        # No reload starts once stopping; the running one ends.
        self.signal()
        self.svc.release[0].set()
        self.assertFalse(self.worker.wait_reloaded(LONG))
        self.assertEqual(1, self.svc.resets)

    def test_reset_shares_the_reloads_signals_ask_for(self):
        self.signal()
        self.assertTrue(self.svc.entered[0].wait(LONG))
        self.signal()
        resetter = threading.Thread(target=self.worker.reset, daemon=True)
        resetter.start()
        self.svc.release[0].set()
        self.assertTrue(self.svc.entered[1].wait(LONG))
        self.svc.release[1].set()
        resetter.join(LONG)
        self.assertFalse(resetter.is_alive())
        self.assertTrue(self.worker.wait_reloaded(LONG))
        self.assertEqual(2, self.svc.resets)

    def test_no_reload_before_the_service_exists(self):
        worker = workers.WorkerService(RecordingConf(self.log),
                                       lambda conf: self.svc)
        worker.reset()
        self.assertEqual([], self.log)
        self.assertEqual(0, self.svc.resets)

"""SIGHUP -> mutate the configuration, then refresh the cache."""

import os
import signal
import threading

import testtools

from scheduler import reload_signal


class FakeCache:
    def __init__(self, fail=False):
        self.calls = []
        self.done = threading.Event()
        self.fail = fail

    def refresh(self):
        self.calls.append('refresh')
        self.done.set()
        if self.fail:
            raise RuntimeError('boom')


class FakeConf:
    def __init__(self, calls):
        self.calls = calls

    def mutate_config_files(self):
        self.calls.append('mutate')


class SighupRefresherTest(testtools.TestCase):

    def test_trigger_mutates_then_refreshes(self):
        cache = FakeCache()
        refresher = reload_signal.SighupRefresher(cache,
                                                  FakeConf(cache.calls))
        self.addCleanup(refresher.stop)
        refresher.trigger()
        self.assertTrue(cache.done.wait(30))
        refresher.stop()
        self.assertEqual(['mutate', 'refresh'], cache.calls[:2])
        self.assertGreaterEqual(refresher.refreshes, 1)

    def test_failure_is_logged_and_survived(self):
        cache = FakeCache(fail=True)
        refresher = reload_signal.SighupRefresher(cache, None)
        self.addCleanup(refresher.stop)
        refresher.trigger()
        self.assertTrue(cache.done.wait(30))
        refresher.stop()
        self.assertEqual(1, refresher.failures)

    def test_installs_and_restores_the_handler(self):
        cache = FakeCache()
        previous = signal.getsignal(signal.SIGHUP)
        refresher = reload_signal.install_sighup_refresh(cache, None)
        self.addCleanup(refresher.stop)
        self.assertNotEqual(previous, signal.getsignal(signal.SIGHUP))
        os.kill(os.getpid(), signal.SIGHUP)
        self.assertTrue(cache.done.wait(30))
        refresher.stop()
        self.assertEqual(previous, signal.getsignal(signal.SIGHUP))

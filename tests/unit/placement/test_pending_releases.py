"""Releases: now, or journaled and retried until Placement takes them."""

import fcntl
import json
import os
import time

import fixtures
from oslo_config import cfg
import testtools

from scheduler import conf as conf_pkg
from scheduler.placement import pending_releases
from scheduler.placement import errors as placement_errors
from scheduler.placement import results

C1 = 'c0000000-0000-4000-8000-000000000001'
C2 = 'c0000000-0000-4000-8000-000000000002'
RP = 'a0000000-0000-4000-8000-000000000001'


def undo(consumer=C1):
    return results.ClaimUndo(consumer, {RP: {'resources': {'VCPU': 1}}},
                             {}, 'p', 'u')


class FlakyPlacement:
    """Refuses releases while ``down``; records what it took."""

    def __init__(self):
        self.down = True
        self.released = []

    def release(self, claim, global_request_id=None):
        if self.down:
            raise placement_errors.PlacementUnavailable(
                'PUT /allocations', 503)
        self.released.append(claim.consumer)
        return 'released'


class ReleasesTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(level='DEBUG'))
        self.dir = os.path.join(self.useFixture(fixtures.TempDir()).path,
                                'pending')
        self.placement = FlakyPlacement()
        self.gauge = []

    def releases(self, directory=None):
        conf = cfg.ConfigOpts()
        conf_pkg.register_opts(conf)
        conf([], default_config_files=[])
        conf.set_override('pending_releases_dir',
                          self.dir if directory is None else directory,
                          'hardened_scheduler')
        return pending_releases.Releases(conf, self.placement,
                                         gauge=self.gauge.append)

    def test_release_now_when_placement_takes_it(self):
        self.placement.down = False
        self.assertTrue(self.releases().release(undo()))
        self.assertEqual([C1], self.placement.released)
        self.assertFalse(os.path.exists(self.dir))

    def test_failed_release_survives_a_restart_and_is_retried(self):
        first = self.releases()
        self.assertFalse(first.release(undo(), why='a failed request'))
        self.assertEqual([1], self.gauge)
        [entry] = os.listdir(self.dir)
        # Plain data; the consumer is in the file, not in its name.
        self.assertNotIn(C1, entry)
        self.assertEqual(C1, json.load(open(
            os.path.join(self.dir, entry)))['consumer'])
        self.assertIn('the release is pending', self.log.output)
        # A new worker (restart) finds it and retries until it is taken.
        second = self.releases()
        self.assertEqual(1, second.retry_pending())
        self.placement.down = False
        self.assertEqual(0, second.retry_pending())
        self.assertEqual([C1], self.placement.released)
        self.assertEqual([], os.listdir(self.dir))
        self.assertEqual(0, self.gauge[-1])

    def test_unusable_directory_falls_back_to_memory(self):
        blocker = os.path.join(self.useFixture(fixtures.TempDir()).path, 'f')
        open(blocker, 'w').close()
        releases = self.releases(os.path.join(blocker, 'sub'))
        releases.release(undo())
        self.assertIn('cannot be used', self.log.output)
        self.assertEqual(1, releases.pending())
        self.placement.down = False
        self.assertEqual(0, releases.retry_pending())
        self.assertEqual([C1], self.placement.released)

    def test_unreadable_entry_is_set_aside(self):
        releases = self.releases()
        releases.release(undo())
        [entry] = os.listdir(self.dir)
        with open(os.path.join(self.dir, entry), 'w') as f:
            f.write('{"consumer": 3}')
        self.placement.down = False
        self.assertEqual(0, releases.retry_pending())
        self.assertEqual([entry + '.bad'], os.listdir(self.dir))
        self.assertEqual([], self.placement.released)

    def test_an_entry_locked_by_another_worker_is_skipped(self):
        releases = self.releases()
        releases.release(undo(C1))
        releases.release(undo(C2))
        locked = sorted(os.listdir(self.dir))[0]
        handle = open(os.path.join(self.dir, locked), 'rb')
        self.addCleanup(handle.close)
        fcntl.flock(handle, fcntl.LOCK_EX)
        self.placement.down = False
        self.assertEqual(1, releases.retry_pending())
        self.assertEqual([locked], os.listdir(self.dir))

    def test_retry_thread_works_off_the_journal(self):
        releases = self.releases()
        releases.release(undo())
        self.placement.down = False
        releases.start()
        self.addCleanup(releases.stop)
        # The first pass runs at start: wait for it (bounded).
        for _ in range(1000):
            if not releases.pending():
                break
            time.sleep(0.01)
        self.assertEqual(0, releases.pending())
        self.assertEqual([C1], self.placement.released)

"""Tracking requests in flight, aborting them, releasing their claims."""

import threading

import fixtures
from oslo_config import cfg
import testtools

from scheduler import conf as conf_pkg
from scheduler.placement import pending_releases

from scheduler.placement import errors as placement_errors
from scheduler.placement import results
from scheduler.rpc import inflight as inflight_mod

C1 = 'c0000000-0000-4000-8000-000000000001'
C2 = 'c0000000-0000-4000-8000-000000000002'


class FakeClient:
    def __init__(self):
        self.calls = []
        self.on_claim = None
        self.failing_deletes = set()

    def get_allocation_candidates(self, query, global_request_id=None):
        self.calls.append(('candidates', global_request_id))
        return results.CandidateSet()

    def get_consumer_allocations(self, consumer, global_request_id=None):
        self.calls.append(('read', consumer))
        return results.ConsumerAllocations()

    def get_provider_aggregates(self, rp, global_request_id=None):
        self.calls.append(('aggregates', rp))
        return frozenset()

    def claim(self, consumer, alloc_req, project_id, user_id,
              allocation_request_version='1.36', global_request_id=None):
        self.calls.append(('claim', consumer))
        if self.on_claim is not None:
            self.on_claim()
        return results.ClaimOutcome(True, results.CLAIMED, results.ClaimUndo(
            consumer, alloc_req['allocations'], {}, project_id, user_id))

    def release(self, undo, global_request_id=None):
        self.calls.append(('delete', undo.consumer, global_request_id))
        if undo.consumer in self.failing_deletes:
            raise placement_errors.AllocationDeleteError(undo.consumer, 500)
        return 'released'

    def with_deadline(self, seconds):
        return self


class InFlightTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.inflight = inflight_mod.InFlight()

    def test_track(self):
        self.assertIsNone(self.inflight.current())
        with self.inflight.track('m', 'req-1', 'req-g') as ticket:
            self.assertIs(ticket, self.inflight.current())
            self.assertEqual(1, self.inflight.count())
            self.assertFalse(self.inflight.wait_idle(0))
        self.assertIsNone(self.inflight.current())
        self.assertEqual(0, self.inflight.count())
        self.assertTrue(self.inflight.wait_idle(0))

    def test_ticket_is_per_thread(self):
        seen = []
        with self.inflight.track('m', 'req-1'):
            t = threading.Thread(
                target=lambda: seen.append(self.inflight.current()))
            t.start()
            t.join()
        self.assertEqual([None], seen)

    def test_abort_spares_settled_requests_and_closes(self):
        with self.inflight.track('m', 'req-1') as settled:
            self.inflight.settle(settled)
            with self.inflight.track('m', 'req-2') as running:
                aborted = self.inflight.abort()
        self.assertEqual([running], aborted)
        self.assertTrue(running.aborted)
        self.assertFalse(settled.aborted)
        # Refused at the door (Closed, an Aborted).
        with testtools.ExpectedException(inflight_mod.Closed):
            with self.inflight.track('m', 'req-3'):
                pass

    def test_wait_idle_wakes_when_the_last_request_ends(self):
        entered, release = threading.Event(), threading.Event()

        def request():
            with self.inflight.track('m', 'req-1'):
                entered.set()
                release.wait(30)
        t = threading.Thread(target=request)
        t.start()
        entered.wait(30)
        self.assertFalse(self.inflight.wait_idle(0))
        release.set()
        self.assertTrue(self.inflight.wait_idle(30))
        t.join()


class GuardedPlacementTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.inflight = inflight_mod.InFlight()
        self.client = FakeClient()
        self.placement = inflight_mod.GuardedPlacement(self.client,
                                                       self.inflight)

    def claim(self, consumer):
        return self.placement.claim(consumer, {'allocations': {}}, 'p', 'u',
                                    global_request_id='req-g')

    def releases(self):
        conf = cfg.ConfigOpts()
        conf_pkg.register_opts(conf)
        conf([], default_config_files=[])
        conf.set_override(
            'pending_releases_dir',
            self.useFixture(fixtures.TempDir()).path, 'hardened_scheduler')
        return pending_releases.Releases(conf, self.placement)

    def test_claims_are_recorded_and_forgotten_on_release(self):
        with self.inflight.track('m', 'req-1') as ticket:
            undo = self.claim(C1).undo
            self.claim(C2)
            self.assertEqual({C1, C2}, set(ticket.claimed))
            self.placement.release(undo)
            self.assertEqual({C2}, set(ticket.claimed))

    def test_untracked_calls_pass_through(self):
        self.placement.release(self.claim(C1).undo)
        self.placement.get_allocation_candidates(None, 'req-g')
        self.assertEqual(['claim', 'delete', 'candidates'],
                         [c[0] for c in self.client.calls])

    def test_aborted_request_stops_at_its_next_call(self):
        with self.inflight.track('m', 'req-1'):
            self.inflight.abort()
            for call in (lambda: self.claim(C1),
                         lambda: self.placement.get_allocation_candidates(
                             None),
                         lambda: self.placement.get_consumer_allocations(C1),
                         lambda: self.placement.get_provider_aggregates(C1)):
                self.assertRaises(inflight_mod.Aborted, call)
            # Releasing is always allowed.
            self.placement.release(results.ClaimUndo(C2, {}))
        self.assertEqual([('delete', C2, None)], self.client.calls)

    def test_claim_landing_after_the_abort_is_given_back(self):
        self.client.on_claim = self.inflight.abort
        with self.inflight.track('m', 'req-1') as ticket:
            self.assertRaises(inflight_mod.Aborted, self.claim, C1)
        self.assertEqual([('claim', C1), ('delete', C1, 'req-g')],
                         self.client.calls)
        self.assertEqual({}, ticket.claimed)

    def test_claim_landing_after_the_abort_is_journaled_if_refused(self):
        self.client.on_claim = self.inflight.abort
        self.client.failing_deletes.add(C1)
        releases = self.releases()
        self.placement.releaser = releases
        with self.inflight.track('m', 'req-1'):
            self.assertRaises(inflight_mod.Aborted, self.claim, C1)
        self.assertEqual(1, releases.pending())
        self.client.failing_deletes.clear()
        self.assertEqual(0, releases.retry_pending())

    def test_release_unfinished(self):
        entered, done = threading.Event(), threading.Event()

        def stuck(request_id, consumer, settle):
            with self.inflight.track('select_destinations', request_id,
                                     'req-g') as ticket:
                self.claim(consumer)
                if settle:
                    self.inflight.settle(ticket)
                entered.set()
                done.wait(30)
        threads = [threading.Thread(target=stuck, args=args) for args in
                   (('req-1', C1, False), ('req-2', C2, True))]
        for t in threads:
            entered.clear()
            t.start()
            entered.wait(30)
        self.inflight.abort()
        self.assertEqual(0, self.placement.release_unfinished(
            self.releases()))
        done.set()
        for t in threads:
            t.join()
        # Only the unsettled request's claim is released.
        self.assertEqual([('delete', C1, 'req-g')],
                         [c for c in self.client.calls if c[0] == 'delete'])

    def test_failed_release_is_counted_and_journaled(self):
        self.client.failing_deletes.add(C1)
        releases = self.releases()
        with self.inflight.track('m', 'req-1'):
            undo = self.claim(C1).undo
            self.inflight.abort()
            self.assertEqual(1, self.placement.release_unfinished(releases))
            self.assertEqual([(self.inflight.current(), undo)],
                             self.inflight.unreleased())
        self.assertEqual(1, releases.pending())
        self.client.failing_deletes.clear()
        self.assertEqual(0, releases.retry_pending())

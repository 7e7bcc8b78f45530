"""Claiming hosts in order, and knowing when the candidates went stale."""

import datetime
import time

import testtools

from scheduler.pipeline import claims as claims_mod
from scheduler import errors
from scheduler import explanation
from scheduler.pipeline import recent_claims
from scheduler.placement import results
from tests.unit import fakes

NOW = datetime.datetime(2026, 12, 8, 12, 0, 0)


class Placement:
    """Answers claims from a script: host uuid -> outcome reason."""

    def __init__(self, answers, deadline_passed=False, on_claim=None):
        self.answers = answers
        self.tried = []
        self.passed = deadline_passed
        self.on_claim = on_claim

    def claim(self, consumer, alloc_req, **kwargs):
        host = alloc_req['host']
        self.tried.append(host)
        if self.on_claim is not None:
            self.on_claim(host)
        reason = self.answers.get(host, results.CAPACITY)
        undo = (results.ClaimUndo(consumer, {})
                if reason == results.CLAIMED else None)
        return results.ClaimOutcome(reason == results.CLAIMED, reason, undo)

    def deadline_passed(self):
        return self.passed


class Releaser:
    def __init__(self):
        self.released = []

    def release(self, undo, *, global_request_id=None, why=''):
        self.released.append(undo.consumer)


def hosts(*names):
    return [fakes.host(n, uuid=n) for n in names]


def _before_now():
    # A moment surely before the refusals that follow (two readings of
    # the monotonic clock may be equal).
    return time.monotonic() - 1.0


def candidates_of(host):
    return ({'host': host.uuid, 'allocations': {}},)


class ClaimFirstTest(testtools.TestCase):
    def setUp(self):
        super().setUp()
        self.worker = recent_claims.RecentClaims(numa_packing=False)
        self.releaser = Releaser()

    def failed(self, exc):
        recorder = explanation.Recorder('req-1', 1)
        recorder.failed(exc.stage, exc.failure, exc.detail, exc.counts,
                        exc.target)
        return recorder.freeze()

    def claims(self, placement):
        return claims_mod.Claims(
            placement, self.releaser, 'req-1', worker=self.worker,
            clock=lambda: NOW)

    def claim(self, placement, names, give_up_after=3, fetched=None):
        return self.claims(placement).claim_first(
            hosts(*names), fakes.spec(project_id='p'), 'inst-1', 'u',
            candidates_of, '1.36', fetched=fetched,
            give_up_after=give_up_after)

    def test_first_host_placement_accepts(self):
        placement = Placement({'c': results.CLAIMED})
        attempt = self.claim(placement, 'abcd')
        self.assertEqual('c', attempt.host.uuid)
        self.assertEqual(['a', 'b', 'c'], placement.tried)
        self.assertEqual({'host': 'c', 'allocations': {}},
                         attempt.allocation_request)
        # This worker's next requests see the host consumed.
        host = self.worker.overlay(hosts('c'))[0]
        self.assertEqual(1, host.num_instances)

    def test_stale_after_refusals_in_a_row(self):
        placement = Placement({'e': results.CLAIMED})
        attempt = self.claim(placement, 'abcde', give_up_after=3)
        self.assertIsNone(attempt.host)
        self.assertTrue(attempt.stale)
        # Three hosts tried, not the whole list.
        self.assertEqual(['a', 'b', 'c'], placement.tried)
        self.assertEqual((3, 3), (attempt.claims.tried,
                                  attempt.claims.capacity))
        # Refused hosts are taken for this worker's older answers.
        self.assertTrue(all(self.worker.refused_after(h, 0.0)
                            for h in 'abc'))

    def test_without_a_limit_every_host_is_tried(self):
        placement = Placement({'e': results.CLAIMED})
        attempt = self.claim(placement, 'abcde', give_up_after=None)
        self.assertEqual('e', attempt.host.uuid)
        self.assertEqual(list('abcde'), placement.tried)
        self.assertEqual((5, 4, 1), (attempt.claims.tried,
                                     attempt.claims.capacity,
                                     attempt.claims.claimed))

    def test_hosts_taken_are_not_tried(self):
        placement = Placement({'b': results.CLAIMED, 'c': results.CLAIMED})
        fetched = _before_now()
        self.worker.refused('b')
        attempt = self.claim(placement, 'abc', fetched=fetched)
        self.assertEqual('c', attempt.host.uuid)
        self.assertEqual(['a', 'c'], placement.tried)

    def test_a_refusal_during_the_pass_counts(self):
        # Another request of this worker is refused 'c' while this one
        # tries 'a': this one does not try 'c' after 'b'.
        placement = Placement(
            {'d': results.CLAIMED},
            on_claim=lambda host: host == 'a' and self.worker.refused('c'))
        attempt = self.claim(placement, 'abcd', fetched=_before_now())
        self.assertEqual('d', attempt.host.uuid)
        self.assertEqual(['a', 'b', 'd'], placement.tried)

    def test_refusals_before_the_answer_do_not_count(self):
        placement = Placement({'b': results.CLAIMED})
        self.worker.refused('b')
        attempt = self.claim(placement, 'ab', fetched=time.monotonic())
        self.assertEqual('b', attempt.host.uuid)

    def test_only_taken_hosts_left_is_stale(self):
        placement = Placement({})
        fetched = _before_now()
        self.worker.refused('a')
        self.worker.refused('b')
        attempt = self.claim(placement, 'ab', fetched=fetched)
        self.assertTrue(attempt.stale)
        self.assertEqual([], placement.tried)

    def test_no_candidates_is_not_stale(self):
        placement = Placement({})
        attempt = self.claims(placement).claim_first(
            hosts('a'), fakes.spec(), 'inst-1', 'u', lambda h: (), '1.36')
        self.assertFalse(attempt.stale)
        self.assertIsNone(attempt.host)

    def test_unreachable_stops_the_request(self):
        placement = Placement({'a': results.UNREACHABLE})
        exc = self.assertRaises(errors.StageFailed, self.claim, placement,
                                'ab')
        self.assertEqual(['a'], placement.tried)
        self.assertEqual(explanation.Stage.CLAIMS, exc.stage)
        self.assertEqual(1, exc.counts.unreachable)

    def test_deadline_spent_on_lost_races_is_out_of_time(self):
        placement = Placement({'b': results.UNREACHABLE},
                              deadline_passed=True)
        exc = self.assertRaises(errors.StageFailed, self.claim, placement,
                                'abc')
        claims = exc.counts
        self.assertEqual((1, 0, 1), (claims.capacity, claims.unreachable,
                                     claims.out_of_time))
        reason = explanation.user_reason(self.failed(exc))
        self.assertIn('concurrent requests took their capacity before the '
                      "request's deadline", reason)
        self.assertNotIn('Placement is unavailable', reason)

    def test_deadline_without_lost_races_is_unavailable(self):
        placement = Placement({'a': results.UNREACHABLE},
                              deadline_passed=True)
        exc = self.assertRaises(errors.StageFailed, self.claim, placement,
                                'ab')
        self.assertEqual(1, exc.counts.unreachable)
        reason = explanation.user_reason(self.failed(exc))
        self.assertTrue(reason.startswith('Placement is unavailable'))

    def test_release_forgets_the_worker_claims(self):
        placement = Placement({'a': results.CLAIMED})
        claims = self.claims(placement)
        claims.claim_first(hosts('a'), fakes.spec(), 'inst-1', 'u',
                           candidates_of, '1.36')
        claims.release()
        self.assertEqual(['inst-1'], self.releaser.released)
        self.assertEqual(0, self.worker.overlay(hosts('a'))[0].num_instances)

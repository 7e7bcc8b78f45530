"""Scenario 1: Placement faults, one test per fault kind.

For each kind, requests (single and multi-create of 2-4 instances, some
with upper-case instance UUIDs) run while the fault is on; then it is
turned off and the test asserts that the service is alive and answers a
valid request, that no allocation leaked once the service had time to
retry its pending releases (bounded wait), that no provider is
over-committed, and that every NoValidHost named the fault: Placement
being unavailable for an outage, capacity wording for a refusal.
"""

import time

import testtools

from tests import reliability
from tests.reliability import cloud as cloud_mod
from tests.reliability.fault_proxy import Rule

HOSTS = [cloud_mod.Host(f'host{i}') for i in range(1, 7)]
REQUESTS = reliability.scale(8, 40)
CLIENTS = 3
# Every fault kind's requests finish within this (and each one is
# bounded by the client's call timeout).
LOOP_SECONDS = reliability.scale(60, 300)
RELEASE_WAIT = 60.0

# The reason of an outage names Placement (the candidates stage says it
# is unavailable, the claims stage counts the claims it could not reach).
OUTAGE = ('Placement is unavailable', 'Placement unreachable')
CAPACITY = 'There are not enough hosts available'
ALLOCATIONS = '/allocations/*'


def _shape(i):
    """Request i: 1, 2, 1, 3, 1, 4 instances; every third upper-case."""
    return (1, 2, 1, 3, 1, 4)[i % 6], i % 3 == 2


def long_run_only(test):
    """A fault kind CI's short run leaves to RELIABILITY_LONG=1."""
    return testtools.skipUnless(
        reliability.LONG, 'long run only (RELIABILITY_LONG=1): CI runs '
        'one fault kind of each family')(test)


class PlacementFaultsTest(cloud_mod.CloudTestCase):
    HOSTS = HOSTS

    def setUp(self):
        super().setUp()
        self.cloud.proxy.accept()
        self.cloud.placement.start()
        self.cloud.free_everything()

    def run_fault(self, name, on, off, expect):
        """Requests while ``on()`` holds, then ``off()`` and the checks.

        ``expect``: 'outage' (every request fails, reason names Placement),
        'partial-outage' (requests may succeed; failures name Placement),
        'capacity' (failures say so, never that Placement is down),
        'success' (every request gets its Selections).
        """
        cloud = self.cloud
        started = time.monotonic()
        on()
        try:
            outcomes = cloud.select_many(
                [_shape(i) for i in range(REQUESTS)], CLIENTS, LOOP_SECONDS)
        finally:
            off()
        problems = []
        for o in outcomes:
            if o.error:
                problems.append(f'{o.instance_uuids[0]}: {o.error}')
            elif expect == 'outage' and o.ok:
                problems.append('Selections during a full outage')
            elif expect == 'success' and not o.ok:
                problems.append(f'NoValidHost: {o.reason}')
            elif (expect in ('outage', 'partial-outage') and not o.ok
                    and not any(w in o.reason for w in OUTAGE)):
                problems.append(f'reason does not name the outage: '
                                f'{o.reason!r}')
            elif expect == 'capacity' and not o.ok and (
                    CAPACITY not in o.reason
                    or any(w in o.reason for w in OUTAGE)):
                problems.append(f'reason is not capacity: {o.reason!r}')
        unanswered = REQUESTS - len(outcomes)
        if unanswered:
            problems.append(f'{unanswered} requests not answered in time')
        serving = cloud.assert_serving(self)
        audit = cloud.wait_for_no_leaks(RELEASE_WAIT)
        max_ms = max([o.seconds for o in outcomes + [serving]]) * 1000
        reliability.figures(
            f'placement-fault {name}', cases=len(outcomes),
            failures=len(problems), leaks=len(audit.leaks),
            overcommits=len(audit.overcommits), max_ms=max_ms,
            ok=sum(o.ok for o in outcomes),
            faults_injected=dict(cloud.proxy.counts),
            seconds=round(time.monotonic() - started, 1))
        cloud.proxy.counts.clear()
        self.assertEqual([], problems)
        self.assertEqual([], audit.leaks, audit.describe())
        self.assertEqual([], audit.overcommits, audit.describe())

    def rules(self, *rules):
        return lambda: self.cloud.proxy.set_rules(*rules)

    def off(self):
        self.cloud.proxy.clear()

    # -- outages on every call ---------------------------------------------

    @long_run_only
    def test_refused(self):
        proxy = self.cloud.proxy
        self.run_fault('refused', proxy.refuse, proxy.accept, 'outage')

    @long_run_only
    def test_reset_after_request(self):
        self.run_fault('reset', self.rules(Rule('reset')), self.off,
                       'outage')

    def test_reset_half_answer(self):
        self.run_fault('reset-half-answer', self.rules(Rule('reset_half')),
                       self.off, 'outage')

    @long_run_only
    def test_5xx(self):
        self.run_fault('503', self.rules(Rule('status', status=503)),
                       self.off, 'outage')

    @long_run_only
    def test_lost_answers(self):
        self.run_fault('lost-answers', self.rules(Rule('lose')), self.off,
                       'outage')

    def test_hung(self):
        self.run_fault('hung', self.rules(Rule('hang')), self.off, 'outage')

    def test_killed_and_restarted(self):
        placement = self.cloud.placement
        self.run_fault('killed', placement.kill, placement.start, 'outage')

    # -- faults on the claims and releases ---------------------------------

    def test_lost_claim_answers(self):
        # Placement makes the allocation; the service never hears so.
        self.run_fault('lost-claim-answers', self.rules(
            Rule('lose', methods=('PUT',), path=ALLOCATIONS,
                 probability=0.5)), self.off, 'partial-outage')

    @long_run_only
    def test_hung_claims(self):
        self.run_fault('hung-claims', self.rules(
            Rule('hang', methods=('PUT',), path=ALLOCATIONS,
                 probability=0.5)), self.off, 'partial-outage')

    def test_5xx_on_claims_and_releases(self):
        # Multi-creates claim some instances, fail on the next and cannot
        # release at once: the releases wait in the journal for Placement.
        self.run_fault('503-claims-releases', self.rules(
            Rule('status', methods=('PUT',), path=ALLOCATIONS, status=503,
                 probability=0.4),
            Rule('status', methods=('DELETE',), path=ALLOCATIONS,
                 status=503)), self.off, 'partial-outage')

    @long_run_only
    def test_releases_reset(self):
        self.run_fault('reset-releases', self.rules(
            Rule('status', methods=('PUT',), path=ALLOCATIONS, status=502,
                 probability=0.4),
            Rule('reset', methods=('DELETE',))), self.off, 'partial-outage')

    def test_409_on_claims(self):
        # Placement refuses the claims: capacity, not an outage.
        self.run_fault('409-claims', self.rules(
            Rule('status', methods=('PUT',), path=ALLOCATIONS, status=409)),
            self.off, 'capacity')

    @long_run_only
    def test_generation_conflicts(self):
        # A concurrent update now and then: retried, never a failure.
        self.run_fault('generation-conflicts', self.rules(
            Rule('status', methods=('PUT',), path=ALLOCATIONS, status=409,
                 code='placement.concurrent_update', probability=0.3)),
            self.off, 'success')

    @long_run_only
    def test_delays(self):
        self.run_fault('delays', self.rules(Rule('delay', seconds=0.3)),
                       self.off, 'success')

"""This worker's recent claims over host states, and its refusals."""

import datetime

import testtools

from scheduler.pipeline import recent_claims
from tests.unit import fakes

T0 = datetime.datetime(2026, 12, 8, 12, 0, 0)


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def claim_spec(uuid='inst-1'):
    # The uuid the spec carries is not the one that counts (claimed's).
    return fakes.spec(instance_uuid=f'other-{uuid}', project_id='p1')


class OverlayTest(testtools.TestCase):
    def setUp(self):
        super().setUp()
        self.clock = Clock()
        self.recent = recent_claims.RecentClaims(numa_packing=False,
                                                 monotonic=self.clock)

    def host(self, updated):
        return fakes.host('h1', uuid='h1', free_ram_mb=4096,
                          free_disk_mb=10240, vcpus_total=8, vcpus_used=2,
                          num_instances=3, updated=updated)

    def test_claim_counts_until_the_row_is_newer(self):
        self.recent.claimed('inst-1', 'h1', claim_spec(), T0)
        stale = self.recent.overlay(
            [self.host(T0 - datetime.timedelta(seconds=5))])[0]
        self.assertEqual(4096 - 512, stale.free_ram_mb)
        self.assertEqual(3, stale.vcpus_used)
        self.assertEqual(4, stale.num_instances)
        self.assertIn('inst-1', stale.instances)
        # The row's own time stays: it decides for the next claims.
        self.assertEqual(T0 - datetime.timedelta(seconds=5), stale.updated)

    def test_a_newer_row_counts_the_claim_itself(self):
        self.recent.claimed('inst-1', 'h1', claim_spec(), T0)
        newer = self.host(T0 + datetime.timedelta(seconds=1))
        self.assertEqual([newer], self.recent.overlay([newer]))
        # Forgotten: an older row read later no longer gets it either.
        older = self.host(T0 - datetime.timedelta(seconds=1))
        self.assertEqual([older], self.recent.overlay([older]))

    def test_aware_and_naive_times_compare(self):
        self.recent.claimed('inst-1', 'h1', claim_spec(),
                            T0.replace(tzinfo=datetime.UTC))
        host = self.host(T0 - datetime.timedelta(seconds=1))
        self.assertEqual(4096 - 512,
                         self.recent.overlay([host])[0].free_ram_mb)

    def test_a_row_never_updated_gets_every_claim(self):
        self.recent.claimed('a', 'h1', claim_spec('a'), T0)
        self.recent.claimed('b', 'h1', claim_spec('b'), T0)
        self.recent.claimed('c', 'h2', claim_spec('c'), T0)
        host = self.recent.overlay([self.host(None)])[0]
        self.assertEqual(4096 - 1024, host.free_ram_mb)
        self.assertEqual(5, host.num_instances)

    def test_forgotten_claims_do_not_count(self):
        self.recent.claimed('a', 'h1', claim_spec('a'), T0)
        self.recent.claimed('b', 'h1', claim_spec('b'), T0)
        self.recent.forget(['a'])
        host = self.recent.overlay([self.host(None)])[0]
        self.assertEqual(4096 - 512, host.free_ram_mb)
        self.assertEqual({'b'}, set(host.instances))

    def test_claims_expire(self):
        self.recent.claimed('inst-1', 'h1', claim_spec(), T0)
        self.clock.now += recent_claims.CLAIM_SECONDS + 1
        host = self.host(None)
        self.assertEqual([host], self.recent.overlay([host]))

    def test_the_claimed_instance_is_the_one_on_the_host(self):
        self.recent.claimed('inst-2', 'h1', fakes.spec(), T0)
        host = self.recent.overlay([self.host(None)])[0]
        self.assertEqual({'inst-2'}, set(host.instances))

    def test_claims_are_bounded(self):
        self.patch(recent_claims, 'MAX_CLAIMS', 2)
        for uuid in ('a', 'b', 'c'):
            self.recent.claimed(uuid, 'h1', claim_spec(uuid), T0)
        host = self.recent.overlay([self.host(None)])[0]
        self.assertEqual({'b', 'c'}, set(host.instances))

    def test_a_host_is_laid_over_once_per_claim(self):
        # Requests share the snapshot's host objects: the work of laying
        # claims over one is not done again for every request.
        self.recent.claimed('a', 'h1', claim_spec('a'), T0)
        host = self.host(None)
        first = self.recent.overlay([host])[0]
        self.assertIs(first, self.recent.overlay([host])[0])
        self.recent.claimed('b', 'h1', claim_spec('b'), T0)
        second = self.recent.overlay([host])[0]
        self.assertEqual(4096 - 1024, second.free_ram_mb)
        self.recent.forget(['a'])
        third = self.recent.overlay([host])[0]
        self.assertEqual({'b'}, set(third.instances))
        # A new state of the host (the cache refreshed it) is laid over
        # afresh.
        fresh = self.host(None)
        self.assertEqual(4096 - 512,
                         self.recent.overlay([fresh])[0].free_ram_mb)

    def test_hosts_without_claims_are_untouched(self):
        self.recent.claimed('a', 'h1', claim_spec('a'), T0)
        other = fakes.host('h2', uuid='h2', free_ram_mb=100)
        [laid, same] = self.recent.overlay([self.host(None), other])
        self.assertIs(other, same)
        self.assertEqual(4096 - 512, laid.free_ram_mb)


class RefusalsTest(testtools.TestCase):
    def setUp(self):
        super().setUp()
        self.clock = Clock()
        self.recent = recent_claims.RecentClaims(numa_packing=False,
                                                 monotonic=self.clock)

    def refused(self, since):
        return {h for h in ('h1', 'h2') if self.recent.refused_after(h, since)}

    def test_only_refusals_after_the_answer_count(self):
        self.recent.refused('h1')
        fetched = self.clock.now + 0.5
        self.clock.now += 1
        self.recent.refused('h2')
        self.assertEqual({'h2'}, self.refused(fetched))
        self.assertEqual({'h1', 'h2'}, self.refused(0.0))

    def test_a_new_refusal_counts_from_its_own_time(self):
        self.recent.refused('h1')
        self.clock.now += 1
        self.recent.refused('h2')
        self.clock.now += 1
        self.recent.refused('h1')
        self.assertEqual({'h1'}, self.refused(self.clock.now - 0.5))

    def test_refusals_expire(self):
        self.recent.refused('h1')
        self.clock.now += recent_claims.REFUSAL_SECONDS + 1
        self.assertEqual(set(), self.refused(0.0))

    def test_refusals_are_bounded(self):
        self.patch(recent_claims, 'MAX_REFUSALS', 1)
        self.recent.refused('h1')
        self.clock.now += 1
        self.recent.refused('h2')
        self.assertEqual({'h2'}, self.refused(0.0))

"""Claims lost to concurrent requests: asking Placement again, and what
this worker remembers of its own claims, against the real Placement."""

import threading
import uuid

from scheduler import errors
from scheduler.filters.base import BaseHostFilter
from scheduler.placement import client as client_mod
from scheduler.placement import errors as placement_errors
from tests.functional import cloud as cloud_mod
from tests.functional.test_scheduling import group
from tests.functional.test_scheduling import SchedulingTestBase
from tests.functional.test_scheduling import uuids


class RaceTest(SchedulingTestBase):

    def _racing_client(self, hold, give_back, vcpus):
        """A client racing another request; and its queries' sizes.

        Right after our first allocation-candidates query, the other
        request claims ``vcpus`` on each host of ``hold``; before any later
        query it gives the hosts of ``give_back`` back.
        """
        client = client_mod.PlacementClient(self.conf)
        real_query = client.get_allocation_candidates
        queries, other = [], {}

        def racing_query(*args, **kwargs):
            if queries:
                for name in give_back:
                    self.service.admin.call(
                        'DELETE', f'/allocations/{other[name]}')
            found = real_query(*args, **kwargs)
            queries.append(len(found.allocation_requests))
            if len(queries) == 1:
                for name in hold:
                    other[name] = str(uuid.uuid4())
                    self.service.admin.call(
                        'PUT', f'/allocations/{other[name]}', {
                            'allocations': {self.cloud.hosts[name].uuid: {
                                'resources': {'VCPU': vcpus}}},
                            'project_id': 'other', 'user_id': 'other',
                            'consumer_generation': None,
                            'consumer_type': 'INSTANCE'})
            return found

        client.get_allocation_candidates = racing_query
        return client, queries

    def test_multi_create_asks_placement_again_after_losing_a_race(self):
        for name in ('h1', 'h2', 'h3'):
            self.cloud.add_host(name, vcpus=1)
        # Another request holds h1 and h2 once our query is read, then
        # fails and gives h2 back before we ask again.
        client, queries = self._racing_client(('h1', 'h2'), ('h2',), 1)
        rows = self.select(cloud_mod.spec(), uuids(2),
                           manager=self.cloud.manager(client=client))
        self.assertEqual({'h2', 'h3'}, {row[0].service_host for row in rows})
        # The second query saw what was free then: h2 only.
        self.assertEqual([3, 1], queries)
        self.assertEqual(1, self.cloud.usage('h1').get('VCPU'))

    def test_second_round_keeps_the_group_of_the_first(self):
        # Anti-affinity across the two rounds: the hosts the first round
        # chose are never chosen again after Placement is asked again.
        for name in ('h1', 'h2', 'h3', 'h4'):
            self.cloud.add_host(name, vcpus=4)
        # Another request fills h2 and h4 once our query is read, then
        # gives both back before we ask again.
        client, queries = self._racing_client(('h2', 'h4'), ('h2', 'h4'), 4)
        insts = uuids(3)
        rows = self.select(cloud_mod.spec(
            instance_group=group('anti-affinity', members=insts),
            scheduler_hints={'group': ('g',)}), insts,
            manager=self.cloud.manager(client=client))
        hosts = [row[0].service_host for row in rows]
        self.assertEqual(2, len(queries))
        self.assertEqual(3, len(set(hosts)), hosts)
        for name in hosts:
            self.assertEqual(1, self.cloud.usage(name)['VCPU'])

    def test_two_schedulers_race_for_the_last_slot(self):
        self.cloud.add_host('only', vcpus=1)
        barrier = threading.Barrier(2, timeout=30)
        results = {}

        def scheduler(name):
            client = client_mod.PlacementClient(self.conf)
            real = client.get_allocation_candidates

            def synced(*args, **kwargs):
                found = real(*args, **kwargs)
                if not seen:  # the loser asks again after the race
                    seen.append(True)
                    barrier.wait()  # both saw the slot before either claims
                return found

            seen = []

            client.get_allocation_candidates = synced
            try:
                results[name] = self.select(
                    cloud_mod.spec(), uuids(1),
                    manager=self.cloud.manager(client=client))
            except errors.NoValidHost as exc:
                results[name] = exc
            except placement_errors.PlacementError as exc:
                results[name] = exc

        threads = [threading.Thread(target=scheduler, args=(n,))
                   for n in ('a', 'b')]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        outcomes = sorted(type(r).__name__ for r in results.values())
        self.assertEqual(['NoValidHost', 'list'], outcomes)
        loser = [r for r in results.values()
                 if isinstance(r, errors.NoValidHost)][0]
        self.assertEqual('claims', loser.explanation.failed_stage)
        self.assertEqual({'VCPU': 1, 'MEMORY_MB': 512, 'DISK_GB': 1},
                         self.cloud.usage('only'))


class StaleCandidatesTest(SchedulingTestBase):
    """Claims keep being refused: ask Placement again, not the whole list.
    """

    def setUp(self):
        super().setUp()
        # h6 has the least RAM: RAMWeigher tries it last.
        for i in range(1, 7):
            self.cloud.add_host(f'h{i}', vcpus=1, ram_mb=8192 - i * 512)

    def counting_client(self, fill, after=1):
        """Fills ``fill`` right after query number ``after``; counts the
        calls (claims also by consumer)."""
        client = client_mod.PlacementClient(self.conf)
        real_query, real_claim = (client.get_allocation_candidates,
                                  client.claim)
        calls = {'queries': 0, 'claims': [], 'by': {}}

        def query(*args, **kwargs):
            found = real_query(*args, **kwargs)
            calls['queries'] += 1
            if calls['queries'] == after:
                for name in fill:
                    self.service.admin.call(
                        'PUT', f'/allocations/{uuid.uuid4()}', {
                            'allocations': {self.cloud.hosts[name].uuid: {
                                'resources': {'VCPU': 1}}},
                            'project_id': 'other', 'user_id': 'other',
                            'consumer_generation': None,
                            'consumer_type': 'INSTANCE'})
            return found

        def claim(consumer, alloc_req, *args, **kwargs):
            [rp] = alloc_req['allocations']
            name = next(n for n, h in self.cloud.hosts.items()
                        if h.uuid == rp)
            calls['claims'].append(name)
            calls['by'].setdefault(consumer, []).append(name)
            return real_claim(consumer, alloc_req, *args, **kwargs)

        client.get_allocation_candidates = query
        client.claim = claim
        return client, calls

    def test_asks_again_after_refusals_in_a_row(self):
        client, calls = self.counting_client(('h1', 'h2', 'h3', 'h4', 'h5'))
        [[chosen]] = self.select(cloud_mod.spec(), uuids(1),
                                 manager=self.cloud.manager(client=client))
        self.assertEqual('h6', chosen.service_host)
        # Three refusals ([hardened_scheduler]
        # claim_refusals_before_requery), then Placement's answer of now
        # has h6 only: h4 and h5 are never tried.
        self.assertEqual(['h1', 'h2', 'h3', 'h6'], calls['claims'])
        self.assertEqual(2, calls['queries'])

    def test_one_query_walks_the_whole_list_as_nova(self):
        self.conf.set_override('max_candidate_queries', 1,
                               'hardened_scheduler')
        client, calls = self.counting_client(('h1', 'h2', 'h3', 'h4', 'h5'))
        [[chosen]] = self.select(cloud_mod.spec(), uuids(1),
                                 manager=self.cloud.manager(client=client))
        self.assertEqual('h6', chosen.service_host)
        self.assertEqual(['h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
                         calls['claims'])
        self.assertEqual(1, calls['queries'])

    def test_queries_are_bounded(self):
        self.conf.set_override('max_candidate_queries', 2,
                               'hardened_scheduler')
        self.conf.set_override('claim_refusals_before_requery', 1,
                               'hardened_scheduler')
        client, calls = self.counting_client(('h1', 'h2', 'h3', 'h4', 'h5',
                                              'h6'))
        exc = self.assertNoValidHost(
            cloud_mod.spec(), uuids(1),
            manager=self.cloud.manager(client=client))
        self.assertEqual(2, calls['queries'])
        self.assertEqual(1, exc.explanation.requeries)
        self.assertEqual('claims', exc.explanation.failed_stage)

    def test_hosts_refused_to_this_worker_are_skipped(self):
        # Two requests of one worker read every host, then h1-h3 fill. The
        # first loses them and goes on to h4; the second, whose candidates
        # were read before those refusals, does not try h1-h3 at all.
        first, second = uuids(2)
        paused, go = threading.Event(), threading.Event()

        class Pause(BaseHostFilter):
            # Holds the second request between its query and its claims.
            def host_passes(self, host, spec):
                if spec.instance_uuid == second and not go.is_set():
                    paused.set()
                    go.wait(30)
                return None

        client, calls = self.counting_client(('h1', 'h2', 'h3'), after=2)
        manager = self.cloud.manager(client=client,
                                     filters=(Pause(self.conf),))
        got = {}

        def run_second():
            got['rows'] = self.select(cloud_mod.spec(), [second],
                                      manager=manager)

        thread = threading.Thread(target=run_second)
        thread.start()
        self.addCleanup(thread.join, 60)
        self.addCleanup(go.set)
        self.assertTrue(paused.wait(30))
        [[chosen]] = self.select(cloud_mod.spec(), [first], manager=manager)
        go.set()
        thread.join(60)
        self.assertEqual('h4', chosen.service_host)
        self.assertEqual(['h1', 'h2', 'h3', 'h4'], calls['by'][first])
        # h4 looked free when the second read its hosts; h1-h3 were
        # skipped (without this worker's refusals: h1, h2, h3, then ask
        # again).
        [[chosen]] = got['rows']
        self.assertEqual('h5', chosen.service_host)
        self.assertEqual(['h4', 'h5'], calls['by'][second])


class WorkerClaimsTest(SchedulingTestBase):
    """This worker's claims count until the compute reports them."""

    def setUp(self):
        super().setUp()
        self.cloud.add_host('big', ram_mb=8192)
        self.cloud.add_host('almost', ram_mb=7680)

    def test_the_next_request_does_not_chase_the_host_just_filled(self):
        manager = self.cloud.manager()
        spec = cloud_mod.spec(flavor=cloud_mod.flavor(ram_mb=1024))
        [[first]] = self.select(spec, uuids(1), manager=manager)
        [[second]] = self.select(spec, uuids(1), manager=manager)
        # The compute has not reported: without this worker's memory of
        # its claim, 'big' would still weigh most.
        self.assertEqual(('big', 'almost'),
                         (first.service_host, second.service_host))
        # Another worker (its own memory) would go to 'big' again.
        [[other]] = self.select(spec, uuids(1), manager=self.cloud.manager())
        self.assertEqual('big', other.service_host)

    def test_a_failed_request_is_not_remembered(self):
        manager = self.cloud.manager()
        big = cloud_mod.spec(flavor=cloud_mod.flavor(ram_mb=1024))
        # Two instances; the second cannot fit anywhere (anti-affinity
        # with both hosts taken by the group), so the first is released.
        insts = uuids(3)
        self.assertNoValidHost(cloud_mod.spec(
            flavor=cloud_mod.flavor(ram_mb=1024),
            instance_group=group('anti-affinity', members=insts),
            scheduler_hints={'group': ('g',)}), insts, manager=manager)
        self.assertEqual(0, self.cloud.total_usage('MEMORY_MB'))
        [[chosen]] = self.select(big, uuids(1), manager=manager)
        self.assertEqual('big', chosen.service_host)

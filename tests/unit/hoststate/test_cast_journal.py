"""The journal of casts replayed over a reload's result."""

import testtools

from scheduler.hoststate import cast_journal as j
from scheduler.objects import aggregate as aggregate_obj


def agg(agg_id, *hosts):
    return aggregate_obj.Aggregate(id=agg_id, uuid=f'u{agg_id}',
                                   name=f'a{agg_id}', hosts=frozenset(hosts))


class JournalTest(testtools.TestCase):

    def test_nothing_kept_without_an_open_reload(self):
        journal = j.Journal()
        journal.record(j.InstanceRemoved('h', 'x'))
        self.assertEqual(0, len(journal))

    def test_reload_gets_only_casts_after_it_began(self):
        journal = j.Journal()
        first = journal.begin()
        journal.record(j.InstanceRemoved('h', 'a'))
        second = journal.begin()
        journal.record(j.InstanceRemoved('h', 'b'))
        self.assertEqual(['b'], [op.uuid for op in journal.end(second)])
        self.assertEqual(2, len(journal))
        self.assertEqual(['a', 'b'], [op.uuid for op in journal.end(first)])
        self.assertEqual(0, len(journal))

    def test_trimmed_to_the_oldest_open_reload(self):
        journal = j.Journal()
        first = journal.begin()
        journal.record(j.InstanceRemoved('h', 'a'))
        second = journal.begin()
        journal.record(j.InstanceRemoved('h', 'b'))
        journal.end(first)
        self.assertEqual(1, len(journal))
        self.assertEqual(['b'], [op.uuid for op in journal.end(second)])

    def test_apply_to_instances(self):
        lists = {'h1': {'a': 'p'}}
        j.apply_to_instances(lists, j.InstancesAdded('h1', {'b': 'q'}))
        j.apply_to_instances(lists, j.InstanceRemoved('h1', 'a'))
        j.apply_to_instances(lists, j.InstancesAdded('h2', {'c': None}),
                             hosts=frozenset({'h1'}))
        j.apply_to_instances(lists, j.AggregateDeleted(1))
        self.assertEqual({'h1': {'b': 'q'}}, lists)

    def test_apply_to_aggregates(self):
        aggs = {1: agg(1, 'h1'), 2: agg(2)}
        j.apply_to_aggregates(aggs, j.AggregatesUpdated((agg(1, 'h2'),
                                                         agg(3))))
        j.apply_to_aggregates(aggs, j.AggregateDeleted(2))
        j.apply_to_aggregates(aggs, j.InstanceRemoved('h', 'x'))
        self.assertEqual({1: agg(1, 'h2'), 3: agg(3)}, aggs)

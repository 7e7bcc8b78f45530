"""Reading aggregate metadata as nova's filter utils do."""

import testtools

from scheduler.filters import aggregate_metadata as am
from tests.unit import fakes


def _host(*metadatas):
    return fakes.host('h1', aggregates=[
        fakes.agg(i, f'a{i}', ['h1'], **md)
        for i, md in enumerate(metadatas)])


class AggregateMetadataTest(testtools.TestCase):

    def test_values_for_key_raw_distinct(self):
        host = _host({'k': 'a, b'}, {'k': 'a, b'}, {'k': 'c'}, {'x': '1'})
        self.assertEqual({'a, b', 'c'}, am.values_for_key(host, 'k'))
        self.assertEqual(frozenset(), am.values_for_key(host, 'nope'))

    def test_metadata_by_key_split_and_stripped(self):
        host = _host({'k': 'a, b', 'j': ''}, {'k': ' c ,a'})
        self.assertEqual({'k': {'a', 'b', 'c'}, 'j': {''}},
                         am.metadata_by_key(host))
        self.assertEqual({}, am.metadata_by_key(fakes.host('h2')))

    def test_int_limit_minimum(self):
        host = _host({'max': '7'}, {'max': ' 3'}, {'max': '12'})
        self.assertEqual(3, am.int_limit(host, 'max', 50))

    def test_int_limit_default_when_unset(self):
        self.assertEqual(50, am.int_limit(_host({'x': '1'}), 'max', 50))

    def test_int_limit_default_when_any_value_bad(self):
        # nova ignores the whole override (it logs and falls back).
        for bad in ('bad', '2.5', '1e3', ''):
            host = _host({'max': '1'}, {'max': bad})
            self.assertEqual(50, am.int_limit(host, 'max', 50), bad)

    def test_int_limit_negative_kept(self):
        self.assertEqual(-2, am.int_limit(_host({'max': '-2'}), 'max', 50))

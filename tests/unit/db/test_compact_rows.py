import sys

import testtools

from scheduler.db import compact_rows


class CompactRowTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.columns = compact_rows.Columns(['id', 'host', 'deleted'])
        self.row = compact_rows.CompactRow(self.columns, (1, 'h1', 0))

    def test_reads_like_the_dict(self):
        self.assertEqual({'id': 1, 'host': 'h1', 'deleted': 0},
                         dict(self.row))
        self.assertEqual('h1', self.row['host'])
        self.assertIsNone(self.row.get('missing'))
        self.assertEqual({'id': 1, 'host': 'h1', 'deleted': 5},
                         {**self.row, 'deleted': 5})
        self.assertRaises(KeyError, self.row.__getitem__, 'missing')

    def test_equality(self):
        same = compact_rows.CompactRow(self.columns, (1, 'h1', 0))
        other = compact_rows.CompactRow(self.columns, (1, 'h2', 0))
        self.assertEqual(same, self.row)
        self.assertNotEqual(other, self.row)
        self.assertEqual({'id': 1, 'host': 'h1', 'deleted': 0}, self.row)
        self.assertNotEqual({'id': 1, 'host': 'h1'}, self.row)

    def test_smaller_than_a_dict(self):
        names = [f'column_{i}' for i in range(30)]
        row = compact_rows.CompactRow(compact_rows.Columns(names),
                                      tuple(range(30)))
        as_dict = dict(zip(names, range(30), strict=True))
        compact = sys.getsizeof(row) + sys.getsizeof(row._values)
        self.assertLess(compact * 2, sys.getsizeof(as_dict))

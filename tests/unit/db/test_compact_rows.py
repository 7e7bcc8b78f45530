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


class ValuePoolTest(testtools.TestCase):

    def test_equal_strings_and_ints_are_one_object(self):
        pool = compact_rows.ValuePool()
        # Built at run time so they start as distinct objects.
        a = pool.values(['QEMU'.lower(), 10 ** 6 + int('1'), None])
        b = pool.values(['qemu'.upper().lower(), 10 ** 6 + int('1'), None])
        self.assertEqual(a, b)
        self.assertIs(a[0], b[0])
        self.assertIs(a[1], b[1])

    def test_types_and_signs_are_kept(self):
        pool = compact_rows.ValuePool()
        first = pool.values([1, 0.0, 'x'])
        again = pool.values([True, -0.0, 'x'])
        self.assertIs(True, again[0])
        self.assertEqual('-0.0', repr(again[1]))
        self.assertIs(first[2], again[2])
        self.assertIsInstance(pool.values([1])[0], int)

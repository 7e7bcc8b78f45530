"""nova's CPU set syntax (tests/compat/numa compares it with nova's own)."""

import testtools

from scheduler.numa import cpu_spec

parse = cpu_spec.parse_cpu_spec


class ParseCpuSpecTest(testtools.TestCase):

    def test_grammar(self):
        self.assertEqual({1, 2, 4, 6}, parse('1-4,^3,6'))
        self.assertEqual({0, 5}, parse(' 0 ,, 5 '))
        self.assertEqual({0, 4}, parse('0-4,^1-3'))
        self.assertEqual({2}, parse('^ 1 , 1 - 2'))
        self.assertEqual(set(), parse(''))
        self.assertEqual(set(), parse(' , ,'))

    def test_exclusions_apply_to_the_whole_spec(self):
        # An exclusion before the range it cuts from still removes the id.
        self.assertEqual({0, 2}, parse('^1,0-2'))
        self.assertEqual({0, 3}, parse('0-3,^1-2,2'))

    def test_errors_carry_nova_messages(self):
        for spec, message in (
                ('4-1', "Invalid range expression '4-1'"),
                ('-1', "Invalid range expression '-1'"),
                ('1-x', "Invalid range expression '1-x'"),
                ('^-2', "Invalid range expression '^-2'"),
                ('x', "Invalid inclusion expression 'x'"),
                ('^y', "Invalid exclusion expression '^y'"),
                ('^', "Invalid exclusion expression '^'")):
            error = self.assertRaises(ValueError, parse, spec)
            self.assertEqual(message, str(error), spec)

    def test_limit_counts_every_id_named(self):
        self.assertEqual(set(range(4)), parse('0-3', limit=4))
        self.assertEqual({0}, parse('0-1,^1', limit=3))
        for spec in ('0-4', '0-1,3-5', '0-2,^0-1', '0-99999999999'):
            error = self.assertRaises(
                cpu_spec.TooManyCPUs, parse, spec, limit=4)
            self.assertEqual('more than 4 CPUs', str(error), spec)

    def test_no_limit_by_default(self):
        self.assertEqual(100000, len(parse('0-99999')))

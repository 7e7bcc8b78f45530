"""The extra-spec operator grammar."""

import testtools

from scheduler.filters import extra_specs_ops

match = extra_specs_ops.match


class MatchTest(testtools.TestCase):

    def test_bare_string_is_exact(self):
        self.assertTrue(match('kvm', 'kvm'))
        self.assertFalse(match('kvm', 'KVM'))
        self.assertFalse(match('1', '1.0'))
        self.assertTrue(match('a b', 'a b'))
        self.assertTrue(match('', ''))

    def test_numeric(self):
        self.assertTrue(match('2', '= 1'))
        self.assertTrue(match('1', '= 1'))
        self.assertFalse(match('0.5', '= 1'))
        self.assertTrue(match('1', '== 1.0'))
        self.assertTrue(match('2', '!= 1'))
        self.assertFalse(match('1', '!= 1'))
        self.assertTrue(match('4', '>= 4'))
        self.assertFalse(match('3', '>= 4'))
        self.assertTrue(match('3', '<= 4'))
        self.assertFalse(match('5', '<= 4'))

    def test_numeric_on_non_number_raises(self):
        self.assertRaises(ValueError, match, 'kvm', '>= 1')
        self.assertRaises(ValueError, match, '1', '== one')

    def test_strings(self):
        self.assertTrue(match('abc', 's== abc'))
        self.assertTrue(match('abc', 's!= abd'))
        self.assertTrue(match('abc', 's< abd'))
        self.assertTrue(match('abc', 's<= abc'))
        self.assertTrue(match('b', 's> abc'))
        self.assertTrue(match('abc', 's>= abc'))
        self.assertFalse(match('abc', 's> abc'))
        # String, not numeric, ordering.
        self.assertTrue(match('10', 's< 9'))

    def test_in_and_all_in(self):
        self.assertTrue(match('avx2 sse4', '<in> avx'))
        self.assertFalse(match('sse4', '<in> avx'))
        self.assertTrue(match('avx2 sse4 aes', '<all-in> aes avx2'))
        self.assertFalse(match('avx2 sse4', '<all-in> aes avx2'))

    def test_or(self):
        self.assertTrue(match('b', '<or> a <or> b'))
        self.assertTrue(match('a', '<or> a'))
        self.assertFalse(match('c', '<or> a <or> b'))
        # Every other word is an alternative, whatever sits between.
        self.assertTrue(match('c', '<or> a x c'))
        self.assertFalse(match('x', '<or> a x c'))

    def test_operator_without_operand_fails(self):
        for op in ('=', 's==', '<in>', '<all-in>', '<or>'):
            self.assertFalse(match('x', op), op)

    def test_empty_requirement(self):
        self.assertTrue(match('', ''))
        self.assertFalse(match('x', '  '))

"""Scheduler hints in the shape nova's get_scheduler_hint gives."""

import testtools

from scheduler.filters import hints
from tests.unit import fakes


class HintTest(testtools.TestCase):

    def test_shapes(self):
        spec = fakes.spec(scheduler_hints={
            'one': ('a',), 'two': ('a', 'b'), 'none': ()})
        self.assertEqual('a', hints.hint(spec, 'one'))
        self.assertEqual(('a', 'b'), hints.hint(spec, 'two'))
        self.assertEqual((), hints.hint(spec, 'none'))
        self.assertIsNone(hints.hint(spec, 'absent'))
        self.assertEqual('/24', hints.hint(spec, 'absent', '/24'))
        # A present hint wins over the default, whatever its shape.
        self.assertEqual((), hints.hint(spec, 'none', '/24'))

    def test_values(self):
        self.assertEqual((), hints.hint_values(None))
        self.assertEqual(('a',), hints.hint_values('a'))
        self.assertEqual(('a', 'b'), hints.hint_values(('a', 'b')))

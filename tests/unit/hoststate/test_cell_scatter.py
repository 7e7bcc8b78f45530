"""Parallel cell reads with a deadline."""

import threading

import testtools

from scheduler.hoststate import cell_scatter


class CellScatterTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.scatter = cell_scatter.CellScatter(workers=2, timeout=0.05)
        self.addCleanup(self.scatter.shutdown)

    def test_results_and_failures(self):
        def boom():
            raise RuntimeError('mysql://nova:pw-canary@db/x is down')
        outcome = self.scatter.run({'a': lambda: 1, 'b': boom})
        self.assertEqual({'a': 1}, dict(outcome.results))
        self.assertEqual(['b'], list(outcome.failures))
        self.assertNotIn('pw-canary', outcome.failures['b'].reason)

    def test_a_stuck_cell_is_not_read_again_until_it_returns(self):
        release = threading.Event()
        calls = []

        def stuck():
            calls.append(1)
            release.wait(30)
            return 'late'
        self.addCleanup(release.set)
        first = self.scatter.run({'a': stuck, 'b': lambda: 2})
        self.assertIn('no answer within', first.failures['a'].reason)
        self.assertEqual({'b': 2}, dict(first.results))
        second = self.scatter.run({'a': stuck})
        self.assertIn('still running', second.failures['a'].reason)
        self.assertEqual(1, len(calls))
        release.set()
        self.scatter._busy['a'].result(30)
        third = self.scatter.run({'a': lambda: 3})
        self.assertEqual({'a': 3}, dict(third.results))

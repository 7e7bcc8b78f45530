"""The simulator's progress lines and its refused-request stage."""

import io
import types

import fixtures
import testtools

from scheduler.simulator import progress
from scheduler.simulator import rpc_service


class ProgressTest(testtools.TestCase):

    def test_not_a_terminal_a_line_every_tenth(self):
        out = io.StringIO()
        shown = progress.Progress('building cloud', 288, 'hosts', out)
        for n in range(1, 289):
            shown.update(n)
        shown.done(288)
        lines = out.getvalue().splitlines()
        self.assertEqual(10, len(lines))
        self.assertEqual('building cloud: 29/288 hosts (10%)', lines[0])
        self.assertEqual('building cloud: 288/288 hosts (100%)', lines[-1])

    def test_stopped_early_shows_where(self):
        out = io.StringIO()
        shown = progress.Progress('running baseline', 5, 'requests', out)
        shown.update(1, '0 NoValidHost')
        shown.done(1, '0 NoValidHost')
        self.assertEqual(
            'running baseline: 1/5 requests (20%, 0 NoValidHost)\n',
            out.getvalue())

    def test_terminal_rewrites_one_line(self):
        out = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch(
            'scheduler.simulator.progress.REDRAW_SECONDS', 0))
        shown = progress.Progress('building cloud', 2, 'hosts', out,
                                  tty=True)
        shown.update(1)
        shown.update(2)
        shown.done(2)
        self.assertEqual(
            '\r\x1b[Kbuilding cloud: 1/2 hosts (50%)'
            '\r\x1b[Kbuilding cloud: 2/2 hosts (100%)'
            '\r\x1b[Kbuilding cloud: 2/2 hosts (100%)\n', out.getvalue())


class FailedStageTest(testtools.TestCase):

    def stage(self, before, after):
        counts = iter([before, after])
        self.useFixture(fixtures.MonkeyPatch(
            'scheduler.simulator.rpc_service._no_valid_host_counts',
            lambda metrics: next(counts)))
        run = rpc_service.ServiceRun.__new__(rpc_service.ServiceRun)
        run.service = types.SimpleNamespace(metrics=None)
        run._seen = rpc_service._no_valid_host_counts(None)
        return run.failed_stage()

    def test_the_stage_counted(self):
        self.assertEqual('filters', self.stage(
            {'filters': 1.0}, {'filters': 2.0, 'placement': 0.0}))

    def test_refused_at_the_edge_by_the_service_bounds(self):
        self.assertEqual('refused (bounds)', self.stage(
            {'filters': 1.0}, {'filters': 1.0}))

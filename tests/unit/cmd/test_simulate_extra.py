"""simulate without its extra: one line naming what to install."""

from unittest import mock

import testtools

from scheduler.cmd import outcome
from scheduler.cmd import simulate


class SimulatorExtraTest(testtools.TestCase):

    def test_missing_report_libraries_are_one_command_error(self):
        def find_spec(name):
            return None if name in ('matplotlib', 'jinja2') else object()

        with mock.patch('importlib.util.find_spec', find_spec):
            exc = self.assertRaises(outcome.CommandError,
                                    simulate._require_simulator_extra)
        self.assertEqual('the simulator needs matplotlib, Jinja2: pip '
                         'install "hardened-scheduler[simulator]"', str(exc))

    def test_nothing_missing(self):
        with mock.patch('importlib.util.find_spec', return_value=object()):
            simulate._require_simulator_extra()

"""The simulator's configuration never reaches the real journal."""

import os

import fixtures
import testtools

from scheduler.simulator import session


class FakePlacement:
    def config_lines(self):
        return ('[placement]\nauth_type = admin_token\n'
                'endpoint = http://127.0.0.1:1\ntoken = t\n')


class SimulatorConfTest(testtools.TestCase):

    def test_pending_releases_stay_in_the_simulation(self):
        work = self.useFixture(fixtures.TempDir()).path
        nova_conf = os.path.join(work, 'nova.conf')
        with open(nova_conf, 'w') as f:
            f.write('[hardened_scheduler]\n'
                    'pending_releases_dir = /srv/real-journal\n')
        conf = session._conf(FakePlacement(), [nova_conf], work)
        # The real Placement's pending releases are not the simulated
        # Placement's to retry (it would answer "nothing held" and drop
        # them).
        self.assertEqual(os.path.join(work, 'pending-releases'),
                         conf.hardened_scheduler.pending_releases_dir)

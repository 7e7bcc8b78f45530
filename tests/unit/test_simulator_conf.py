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


class SimulatorNotificationsTest(testtools.TestCase):

    def test_decision_notifications_stay_in_the_process(self):
        from unittest import mock

        import oslo_messaging

        from scheduler.hoststate import source as host_source
        from scheduler.simulator import rpc_service

        work = self.useFixture(fixtures.TempDir()).path
        nova_conf = os.path.join(work, 'nova.conf')
        with open(nova_conf, 'w') as f:
            # The production bus, with notifications on.
            f.write('[DEFAULT]\n'
                    'transport_url = rabbit://nova:pw@127.0.0.1:1/\n'
                    '[oslo_messaging_notifications]\n'
                    'driver = messagingv2\n')
        conf = session._conf(FakePlacement(), [nova_conf], work)
        real = oslo_messaging.get_notification_transport
        urls = []

        def spy(conf, url=None, **kwargs):
            urls.append(url)
            return real(conf, url=url, **kwargs)

        with mock.patch.object(oslo_messaging, 'get_notification_transport',
                               spy):
            run = rpc_service.ServiceRun(
                conf, host_source.InMemoryHostSource())
        self.addCleanup(run.transport.cleanup)
        self.addCleanup(run.notification_transport.cleanup)
        # One notification transport, the in-process one: none built from
        # the configuration's transport_url.
        self.assertEqual([rpc_service.TRANSPORT_URL], urls)

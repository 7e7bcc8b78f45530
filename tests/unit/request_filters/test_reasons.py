"""What the user and the operator see when a request filter refuses."""

import re

from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from scheduler import conf as conf_pkg
from scheduler import errors
from scheduler import explanation
from scheduler.hoststate import source as host_source
from scheduler import manager
from scheduler.objects import context as context_obj
from scheduler.placement import client as placement_client
from scheduler.placement import errors as placement_errors
from tests.unit import fakes

NET = '6f1c3e2a-5b4d-4c3e-9f8a-1b2c3d4e5f60'
UUID_RE = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-')


def _routed_failure(spec, env):
    raise errors.RequestFilterFailed(
        f'Aggregates not found for the network {NET}',
        safe_reason='Aggregates not found for the requested network')


def _impossible_flavor(spec, env):
    raise placement_errors.InvalidFlavorImageRequest(
        'FlavorImageConflict', 'Flavor f has hw:x set to a, image i to b.')


class _NoCalls:
    """A Placement these requests must never reach."""

    def request(self, url, method, **kwargs):
        raise AssertionError(f'unexpected Placement call {method} {url}')


class RequestFilterReasonTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        conf_pkg.register_opts(self.conf)
        self.fixture = self.useFixture(config_fixture.Config(self.conf))
        self.conf([], default_config_files=[])

    def _reason(self, request_filter):
        sched = manager.SchedulerManager(
            self.conf, placement=placement_client.PlacementClient(
                adapter=_NoCalls()),
            hosts=host_source.InMemoryHostSource(),
            filters=[], weighers=[], request_filter_chain=[request_filter],
            neutron=object())
        exc = self.assertRaises(
            errors.NoValidHost, sched.select_destinations,
            context_obj.RequestContext(
                request_id='req-1', project_id='p1', roles=('member',)),
            fakes.spec(project_id='p1'))
        return exc

    def test_user_reason_names_no_network(self):
        exc = self._reason(_routed_failure)
        self.assertEqual('Scheduling failed: Aggregates not found for the '
                         'requested network', exc.reason)
        self.assertIsNone(UUID_RE.search(exc.message))
        # Operators get nova's text, id included.
        record = explanation.operator_record(exc.explanation)
        self.assertEqual('Scheduling failed: Aggregates not found for the '
                         f'network {NET}', record['failure_detail'])
        self.assertEqual('request_filters', record['failed_stage'])

    def test_nova_compatible_reason_is_novas_text(self):
        self.fixture.config(group='hardened_scheduler',
                            nova_compatible_reasons=True)
        exc = self._reason(_routed_failure)
        self.assertEqual('Scheduling failed: Aggregates not found for the '
                         f'network {NET}', exc.reason)

    def test_reason_without_ids_is_the_same_in_both_modes(self):
        def tenant(spec, env):
            raise errors.RequestFilterFailed('No hosts available for tenant')
        self.assertEqual('Scheduling failed: No hosts available for tenant',
                         self._reason(tenant).reason)
        self.fixture.config(group='hardened_scheduler',
                            nova_compatible_reasons=True)
        self.assertEqual('Scheduling failed: No hosts available for tenant',
                         self._reason(tenant).reason)

    def test_impossible_flavor_is_a_request_failure(self):
        exc = self._reason(_impossible_flavor)
        self.assertEqual('request', exc.explanation.failed_stage)
        self.assertIn('hw:x', exc.reason)

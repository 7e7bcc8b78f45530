"""The Neutron client: which credentials each call carries, errors, cache."""

from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from scheduler import conf as conf_pkg
from scheduler.neutron import auth
from scheduler.neutron import client
from scheduler.neutron import errors
from scheduler.objects import context as context_obj
from tests.unit.neutron import fakes

USER_TOKEN = 'gAAAAABuser-token-never-logged'
PORT = {'id': 'port-1', 'network_id': 'net-1', 'fixed_ips': []}
SUBNETS = [
    {'id': 'sub-1', 'network_id': 'net-1', 'segment_id': 'seg-1'},
    {'id': 'sub-2', 'network_id': 'net-1', 'segment_id': None},
    {'id': 'sub-3', 'network_id': 'net-1', 'segment_id': 'seg-3'},
    {'id': 'sub-4', 'network_id': 'net-2', 'segment_id': 'seg-4'},
]


def _context(**kwargs):
    kwargs.setdefault('global_request_id', 'req-global')
    return context_obj.RequestContext(**kwargs)


class ShowPortCredentialsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.adapter = fakes.FakeNeutronAdapter(ports=[PORT])

    def test_user_token_is_sent(self):
        neutron = fakes.neutron(self.adapter)
        port = neutron.show_port(_context(auth_token=USER_TOKEN), 'port-1')
        self.assertEqual('net-1', port['network_id'])
        call = self.adapter.calls[0]
        self.assertEqual(('GET', '/ports/port-1'), (call.method, call.path))
        self.assertEqual({'X-Auth-Token': USER_TOKEN}, call.headers())
        self.assertEqual('req-global', call.global_request_id)

    def test_user_token_wins_over_admin_context(self):
        neutron = fakes.neutron(self.adapter)
        neutron.show_port(_context(auth_token=USER_TOKEN, is_admin=True),
                          'port-1')
        self.assertEqual({'X-Auth-Token': USER_TOKEN},
                         self.adapter.calls[0].headers())

    def test_admin_context_without_token_uses_service_credentials(self):
        neutron = fakes.neutron(self.adapter)
        neutron.show_port(_context(is_admin=True), 'port-1')
        self.assertEqual({'X-Auth-Token': 'admin-token'},
                         self.adapter.calls[0].headers())

    def test_no_token_and_not_admin_is_refused_without_a_call(self):
        neutron = fakes.neutron(self.adapter)
        exc = self.assertRaises(errors.NeutronNoCredentials,
                                neutron.show_port, _context(), 'port-1')
        self.assertIn('no user token', str(exc))
        self.assertEqual([], self.adapter.calls)

    def test_service_token_goes_along(self):
        neutron = fakes.neutron(self.adapter, service=True)
        neutron.show_port(_context(auth_token=USER_TOKEN), 'port-1')
        self.assertEqual({'X-Auth-Token': USER_TOKEN,
                          'X-Service-Token': 'service-token'},
                         self.adapter.calls[0].headers())

    def test_user_endpoint_comes_from_our_credentials(self):
        plugin = auth.UserToken(USER_TOKEN, fakes.FakeAuth('admin-token'))
        self.assertEqual('http://neutron.example.org:9696',
                         plugin.get_endpoint(None, service_type='network'))
        self.assertIsNone(auth.UserToken(USER_TOKEN, None).get_endpoint(
            None, service_type='network'))
        self.assertNotIn(USER_TOKEN, repr(plugin))


class ShowPortErrorsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.adapter = fakes.FakeNeutronAdapter(ports=[PORT])
        self.neutron = fakes.neutron(self.adapter)
        self.context = _context(auth_token=USER_TOKEN)

    def test_unknown_port(self):
        self.assertRaises(errors.NeutronNotFound, self.neutron.show_port,
                          self.context, 'port-9')

    def test_server_error_is_unavailable(self):
        self.adapter.failures['/ports/port-1'] = 503
        exc = self.assertRaises(errors.NeutronUnavailable,
                                self.neutron.show_port, self.context,
                                'port-1')
        self.assertEqual(503, exc.status)

    def test_forbidden_is_a_request_error(self):
        self.adapter.failures['/ports/port-1'] = 403
        exc = self.assertRaises(errors.NeutronRequestError,
                                self.neutron.show_port, self.context,
                                'port-1')
        self.assertEqual(403, exc.status)

    def test_transport_error_hides_the_url(self):
        self.adapter.failures['/ports/port-1'] = ks_exc.ConnectFailure(
            'Unable to establish connection to http://admin:pw@neutron:9696')
        exc = self.assertRaises(errors.NeutronUnavailable,
                                self.neutron.show_port, self.context,
                                'port-1')
        self.assertEqual('ConnectFailure', exc.cause)
        self.assertNotIn('neutron:9696', str(exc))
        self.assertNotIn('pw', str(exc))

    def test_malformed_body(self):
        self.adapter._answer = lambda path, params: fakes.FakeResponse(
            200, {'ports': []})
        self.assertRaises(errors.NeutronRequestError,
                          self.neutron.show_port, self.context, 'port-1')


class SegmentsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.adapter = fakes.FakeNeutronAdapter(subnets=SUBNETS)
        self.now = [100.0]
        self.neutron = fakes.neutron(
            self.adapter, extension_sync_interval=600,
            clock=lambda: self.now[0])
        # Even a user's context: segment reads use service credentials.
        self.context = _context(auth_token=USER_TOKEN)

    def test_segments_of_a_network_with_admin_credentials(self):
        self.assertEqual(['seg-1', 'seg-3'],
                         self.neutron.segment_ids_for_network(
                             self.context, 'net-1'))
        subnets = self.adapter.calls[-1]
        self.assertEqual({'network_id': 'net-1', 'fields': 'segment_id'},
                         subnets.params)
        for call in self.adapter.calls:
            self.assertEqual({'X-Auth-Token': 'admin-token'},
                             call.headers())

    def test_segment_of_a_subnet(self):
        self.assertEqual('seg-4', self.neutron.segment_id_for_subnet(
            self.context, 'sub-4'))
        self.assertIsNone(self.neutron.segment_id_for_subnet(
            self.context, 'sub-2'))
        self.assertRaises(errors.NeutronNotFound,
                          self.neutron.segment_id_for_subnet,
                          self.context, 'sub-9')

    def test_without_segment_extension_nothing_is_routed(self):
        self.adapter.extensions = ['binding']
        self.assertEqual([], self.neutron.segment_ids_for_network(
            self.context, 'net-1'))
        self.assertIsNone(self.neutron.segment_id_for_subnet(
            self.context, 'sub-1'))
        self.assertEqual(['/extensions'], self.adapter.paths())

    def test_extensions_are_cached_for_the_sync_interval(self):
        for _ in range(3):
            self.neutron.segment_ids_for_network(self.context, 'net-1')
        self.assertEqual(1, self.adapter.paths().count('/extensions'))
        self.now[0] += 600
        self.neutron.segment_ids_for_network(self.context, 'net-1')
        self.assertEqual(2, self.adapter.paths().count('/extensions'))

    def test_interval_zero_asks_every_time(self):
        neutron = fakes.neutron(self.adapter, extension_sync_interval=0)
        neutron.segment_ids_for_network(self.context, 'net-1')
        neutron.segment_ids_for_network(self.context, 'net-1')
        self.assertEqual(2, self.adapter.paths().count('/extensions'))

    def test_no_service_credentials(self):
        neutron = fakes.neutron(self.adapter, admin=False)
        exc = self.assertRaises(errors.NeutronNoCredentials,
                                neutron.segment_ids_for_network,
                                self.context, 'net-1')
        self.assertIn('[neutron]', str(exc))
        self.assertEqual([], self.adapter.calls)

    def test_subnet_listing_failure(self):
        self.adapter.failures['/subnets'] = 500
        self.assertRaises(errors.NeutronUnavailable,
                          self.neutron.segment_ids_for_network,
                          self.context, 'net-1')


class FromConfTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        conf_pkg.register_opts(self.conf)
        self.fixture = self.useFixture(config_fixture.Config(self.conf))

    def test_needs_conf_or_adapter(self):
        self.assertRaises(TypeError, client.NeutronClient)

    def test_building_does_not_read_the_config(self):
        # A scheduler that never needs Neutron never configures it.
        neutron = client.NeutronClient(cfg.ConfigOpts())
        self.assertIsNotNone(neutron)

    def test_adapter_from_the_neutron_section(self):
        self.fixture.config(group='neutron', http_retries=5,
                            region_name='RegionTwo',
                            endpoint_override='http://neutron:9696')
        neutron = client.NeutronClient(self.conf)
        adapter, credentials = neutron._setup()
        self.assertEqual('network', adapter.service_type)
        self.assertEqual(['internal', 'public'], adapter.interface)
        self.assertEqual('RegionTwo', adapter.region_name)
        self.assertEqual(5, adapter.connect_retries)
        self.assertIsNone(credentials.admin)
        self.assertIsNone(credentials.service)
        # Without credentials, admin calls are refused before any I/O.
        self.assertRaises(errors.NeutronNoCredentials,
                          neutron.segment_ids_for_network,
                          _context(), 'net-1')

    def test_service_user_without_auth_type_is_ignored(self):
        self.fixture.config(group='service_user',
                            send_service_user_token=True)
        credentials = client._load_credentials(self.conf)
        self.assertIsNone(credentials.service)

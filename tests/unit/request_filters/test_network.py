"""routed_networks_filter and remote_managed_ports_filter over a fake
Neutron (the real client on a fake HTTP adapter) and a fake Placement."""

import dataclasses
import re

import testtools

from scheduler import errors
from scheduler.objects import context as context_obj
from scheduler.objects import destination
from scheduler.objects import network
from scheduler.request_filters import network as network_filters
from tests.unit import fakes
from tests.unit.neutron import fakes as neutron_fakes
from tests.unit.request_filters import env as env_mod

NET_A = '0a0a0a0a-0000-4000-8000-00000000000a'
NET_B = '0b0b0b0b-0000-4000-8000-00000000000b'
UUID_RE = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-')
SUBNETS = [
    {'id': 'sub-a1', 'network_id': NET_A, 'segment_id': 'seg-a1'},
    {'id': 'sub-a2', 'network_id': NET_A, 'segment_id': 'seg-a2'},
    {'id': 'sub-b1', 'network_id': NET_B, 'segment_id': 'seg-b1'},
    {'id': 'sub-flat', 'network_id': 'net-flat', 'segment_id': None},
    {'id': 'sub-lost', 'network_id': 'net-lost', 'segment_id': 'seg-lost'},
]
PORTS = [
    {'id': 'port-bound', 'network_id': NET_A,
     'fixed_ips': [{'subnet_id': 'sub-a2', 'ip_address': '10.0.0.5'},
                   {'subnet_id': 'sub-a1', 'ip_address': '10.0.1.5'}]},
    {'id': 'port-new', 'network_id': NET_B, 'fixed_ips': []},
    {'id': 'port-smartnic', 'network_id': 'net-flat', 'fixed_ips': [],
     'binding:vnic_type': 'remote-managed'},
    {'id': 'port-direct', 'network_id': 'net-flat', 'fixed_ips': [],
     'binding:vnic_type': 'direct'},
]
AGGREGATES = {'seg-a1': {'agg-a1'}, 'seg-a2': {'agg-a2', 'agg-a2b'},
              'seg-b1': {'agg-b1'}, 'seg-lost': set()}


def _nics(*nics):
    return tuple(network.NetworkRequest(**nic) for nic in nics)


class RoutedNetworksTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.adapter = neutron_fakes.FakeNeutronAdapter(
            ports=PORTS, subnets=SUBNETS)
        self.placement = neutron_fakes.FakePlacement(AGGREGATES)
        self.env, self.fixture = env_mod.make_env(
            self, neutron=neutron_fakes.neutron(self.adapter),
            placement=self.placement)
        self.fixture.config(
            group='scheduler',
            query_placement_for_routed_network_aggregates=True)

    def _aggregates(self, *nics, **fields):
        spec = network_filters.routed_networks_filter(
            fakes.spec(requested_networks=_nics(*nics), **fields), self.env)
        return None if spec is None else spec.requested_destination.aggregates

    def test_off_by_default(self):
        self.fixture.config(
            group='scheduler',
            query_placement_for_routed_network_aggregates=False)
        self.assertIsNone(self._aggregates({'network_id': NET_A}))
        self.assertEqual([], self.adapter.calls)

    def test_any_segment_of_a_network(self):
        self.assertEqual(('agg-a1,agg-a2,agg-a2b',),
                         self._aggregates({'network_id': NET_A}))

    def test_every_nic_must_be_satisfied(self):
        self.assertEqual(
            ('x', 'agg-a1,agg-a2,agg-a2b', 'agg-b1'),
            self._aggregates(
                {'network_id': NET_A}, {'network_id': NET_B},
                requested_destination=destination.Destination(
                    aggregates=('x',))))

    def test_bound_port_sticks_to_its_first_subnet(self):
        self.assertEqual(('agg-a2,agg-a2b',),
                         self._aggregates({'port_id': 'port-bound'}))
        port_call = self.adapter.calls[0]
        self.assertEqual({'X-Auth-Token': 'user-token'},
                         port_call.headers())

    def test_unbound_port_may_use_any_segment_of_its_network(self):
        self.assertEqual(('agg-b1',),
                         self._aggregates({'port_id': 'port-new',
                                           'network_id': NET_A}))

    def test_unrouted_network_adds_nothing(self):
        self.assertIsNone(self._aggregates({'network_id': 'net-flat'}))

    def test_auto_and_networkless_nics_add_nothing(self):
        self.assertIsNone(self._aggregates(
            {'network_id': 'auto'}, {'network_id': 'none'}, {}))
        self.assertEqual([], self.adapter.calls)
        # ... and do not repeat the previous NIC's aggregates (nova does).
        self.assertEqual(('agg-b1',), self._aggregates(
            {'network_id': NET_B}, {'address': '10.0.0.9'}))

    def _failure(self, *nics):
        exc = self.assertRaises(
            errors.RequestFilterFailed, network_filters.routed_networks_filter,
            fakes.spec(requested_networks=_nics(*nics)), self.env)
        self.assertIsNone(UUID_RE.search(exc.safe_message), exc.safe_message)
        return exc

    def test_segment_without_aggregate_fails_with_novas_text(self):
        exc = self._failure({'network_id': 'net-lost'})
        self.assertEqual(
            'Scheduling failed: Aggregates not found for the network '
            'net-lost', exc.message)
        self.assertEqual('Scheduling failed: Aggregates not found for the '
                         'requested network', exc.safe_message)

    def test_network_id_is_kept_out_of_the_user_reason(self):
        self.placement.aggregates.pop('seg-b1')
        exc = self._failure({'network_id': NET_B})
        self.assertIn(NET_B, exc.message)

    def test_placement_unavailable(self):
        self.placement.unavailable.add('seg-a1')
        exc = self._failure({'network_id': NET_A})
        self.assertIn('Aggregates not found for the network', exc.message)

    def test_neutron_failure_listing_subnets(self):
        self.adapter.failures['/subnets'] = 500
        exc = self._failure({'network_id': NET_A})
        self.assertIn('Aggregates not found for the network', exc.message)

    def test_subnet_failure(self):
        self.adapter.failures['/subnets/sub-a2'] = 404
        exc = self._failure({'port_id': 'port-bound'})
        self.assertEqual('Scheduling failed: Aggregates not found for the '
                         'subnet sub-a2', exc.message)
        self.assertNotIn('sub-a2', exc.safe_message)

    def test_unknown_port(self):
        port_id = 'ffffffff-0000-4000-8000-00000000000f'
        exc = self._failure({'port_id': port_id})
        self.assertEqual(f'Scheduling failed: Port id {port_id} could not '
                         'be found.', exc.message)
        self.assertEqual('Scheduling failed: A requested port could not be '
                         'found', exc.safe_message)

    def test_no_neutron(self):
        env = dataclasses.replace(self.env, neutron=None)
        self.assertRaises(
            errors.RequestFilterFailed, network_filters.routed_networks_filter,
            fakes.spec(requested_networks=_nics({'network_id': NET_A})), env)


class RemoteManagedPortsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.adapter = neutron_fakes.FakeNeutronAdapter(ports=PORTS)
        self.env, _ = env_mod.make_env(
            self, neutron=neutron_fakes.neutron(self.adapter))

    def _required(self, *nics, env=None):
        spec = network_filters.remote_managed_ports_filter(
            fakes.spec(requested_networks=_nics(*nics)), env or self.env)
        return None if spec is None else (
            spec.request_level_params.root_required)

    def test_remote_managed_port(self):
        self.assertEqual(
            frozenset({'COMPUTE_REMOTE_MANAGED_PORTS'}),
            self._required({'port_id': 'port-smartnic'},
                           {'port_id': 'port-direct'}))
        # Every port is read, with the caller's token.
        self.assertEqual(['/ports/port-smartnic', '/ports/port-direct'],
                         self.adapter.paths())
        for call in self.adapter.calls:
            self.assertEqual({'X-Auth-Token': 'user-token'}, call.headers())

    def test_ordinary_ports_and_networks(self):
        self.assertIsNone(self._required(
            {'port_id': 'port-direct'}, {'port_id': 'port-new'},
            {'network_id': NET_A}))
        self.assertIsNone(self._required())
        self.assertEqual(['/ports/port-direct', '/ports/port-new'],
                         self.adapter.paths())

    def test_admin_context_without_token(self):
        env, _ = env_mod.make_env(
            self, context=context_obj.RequestContext(is_admin=True),
            neutron=neutron_fakes.neutron(self.adapter))
        self.assertEqual(frozenset({'COMPUTE_REMOTE_MANAGED_PORTS'}),
                         self._required({'port_id': 'port-smartnic'},
                                        env=env))
        self.assertEqual({'X-Auth-Token': 'admin-token'},
                         self.adapter.calls[-1].headers())

    def test_no_credentials_refuses_the_request(self):
        env, _ = env_mod.make_env(
            self, context=context_obj.RequestContext(project_id='p'),
            neutron=neutron_fakes.neutron(self.adapter))
        exc = self.assertRaises(
            errors.RequestFilterFailed, self._required,
            {'port_id': 'port-smartnic'}, env=env)
        self.assertIn('no user token', exc.safe_message)
        self.assertEqual([], self.adapter.calls)

    def test_neutron_down(self):
        self.adapter.failures['/ports/port-direct'] = 503
        exc = self.assertRaises(errors.RequestFilterFailed, self._required,
                                {'port_id': 'port-direct'})
        self.assertNotIn('port-direct', exc.safe_message)
        self.assertIn('HTTP 503', exc.safe_message)

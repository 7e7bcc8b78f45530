"""Routed networks and remote-managed ports against the real Placement.

Neutron is faked (our client on a fake HTTP adapter); Placement is the
real service: segment providers sit in the same aggregates as the compute
nodes of their segment, as Neutron's segments plugin arranges it, and the
request filter's member_of must pick those compute nodes.
"""

import uuid

from oslo_config import fixture as config_fixture

from scheduler.objects import network
from tests.functional import cloud as cloud_mod
from tests.functional import test_scheduling
from tests.unit.neutron import fakes as neutron_fakes

AGG_1 = str(uuid.uuid4())
AGG_2 = str(uuid.uuid4())
SEG_1 = str(uuid.uuid4())
SEG_2 = str(uuid.uuid4())
SEG_LOST = str(uuid.uuid4())
PORT_BOUND = str(uuid.uuid4())
PORT_SMARTNIC = str(uuid.uuid4())
SUBNETS = [
    {'id': 'sub-1', 'network_id': 'net-routed', 'segment_id': SEG_1},
    {'id': 'sub-2', 'network_id': 'net-routed', 'segment_id': SEG_2},
    {'id': 'sub-lost', 'network_id': 'net-lost', 'segment_id': SEG_LOST},
]
PORTS = [
    {'id': PORT_BOUND, 'network_id': 'net-routed',
     'fixed_ips': [{'subnet_id': 'sub-2', 'ip_address': '10.2.0.9'}]},
    {'id': PORT_SMARTNIC, 'network_id': 'net-flat', 'fixed_ips': [],
     'binding:vnic_type': 'remote-managed'},
]


class RoutedNetworksTest(test_scheduling.SchedulingTestBase):

    def setUp(self):
        super().setUp()
        self.useFixture(config_fixture.Config(self.conf)).config(
            group='scheduler',
            query_placement_for_routed_network_aggregates=True)
        self.cloud.add_host('seg1-host', aggregates=[AGG_1])
        rp = self.cloud.add_host('seg2-host', aggregates=[AGG_2])
        # A standard trait: set on the provider, never created.
        self.cloud.admin.call('PUT', f'/resource_providers/{rp}/traits', {
            'resource_provider_generation': self.cloud.admin.generation(rp),
            'traits': ['COMPUTE_REMOTE_MANAGED_PORTS']})
        self.cloud.add_host('other-host')
        ipv4 = {'IPV4_ADDRESS': {'total': 254}}
        self.cloud.admin.provider('segment-1', ipv4, aggregates=[AGG_1],
                                  rp_uuid=SEG_1)
        self.cloud.admin.provider('segment-2', ipv4, aggregates=[AGG_2],
                                  rp_uuid=SEG_2)
        self.cloud.admin.provider('segment-lost', ipv4, rp_uuid=SEG_LOST)
        self.neutron_http = neutron_fakes.FakeNeutronAdapter(
            ports=PORTS, subnets=SUBNETS)
        self.manager = self.cloud.manager(
            neutron=neutron_fakes.neutron(self.neutron_http))

    def _hosts(self, *nics, count=4):
        spec = cloud_mod.spec(requested_networks=nics)
        chosen = set()
        for i in range(count):
            [[selection]] = self.select(spec, [str(uuid.uuid4())],
                                        manager=self.manager)
            chosen.add(selection.service_host)
        return chosen

    def test_network_limits_to_its_segments_hosts(self):
        hosts = self._hosts(network.NetworkRequest(network_id='net-routed'),
                            count=6)
        self.assertLessEqual(hosts, {'seg1-host', 'seg2-host'})

    def test_bound_port_sticks_to_its_segment(self):
        self.assertEqual({'seg2-host'}, self._hosts(
            network.NetworkRequest(port_id=PORT_BOUND)))

    def test_remote_managed_port_needs_the_trait(self):
        self.assertEqual({'seg2-host'}, self._hosts(
            network.NetworkRequest(port_id=PORT_SMARTNIC)))

    def test_segment_without_aggregate_is_explained_without_ids(self):
        exc = self.assertNoValidHost(
            cloud_mod.spec(requested_networks=(
                network.NetworkRequest(network_id='net-lost'),)),
            [str(uuid.uuid4())], manager=self.manager)
        self.assertEqual('No valid host was found. Scheduling failed: '
                         'Aggregates not found for the requested network',
                         exc.message)
        self.assertEqual('request_filters', exc.explanation.failed_stage)
        self.assertIn('net-lost', exc.explanation.failure_detail)

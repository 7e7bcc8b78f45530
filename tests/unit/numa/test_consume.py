"""Consuming a host's NUMA and PCI resources for a multi-create."""

import datetime

import fixtures
from oslo_config import cfg
import testtools

from scheduler.pipeline import consumption
from scheduler.numa import consume
from scheduler.numa import topology
from scheduler.objects import numa
from scheduler.objects import pci
from scheduler.objects import request_group
from scheduler.objects import selection
from scheduler.pci import pools as pools_mod
from scheduler.weighers import pci as pci_weigher
from tests.unit import fakes
from tests.unit.filters import conf_fixture
from tests.unit.numa import builders as b

NOW = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)
BEFORE = datetime.datetime(2026, 3, 1, 11, 0, tzinfo=datetime.UTC)
REQUEST_ID = '00000001-3333-4333-8333-000000000001'
RP1 = '00000001-7777-4777-8777-000000000001'
RP2 = '00000002-7777-4777-8777-000000000002'


def _host(*cells, pools=(), limits=None):
    return fakes.host('a', numa_topology=b.topology(*cells),
                      pci_pools=tuple(pools), num_io_ops=2, updated=BEFORE,
                      limits=selection.SchedulerLimits(numa_topology=limits))


def _pool(count, node=0, **tags):
    return pools_mod.PciPool('8086', '1520', count=count, numa_node=node,
                              tags=tags)


def _requests(count=1, alias='a1', policy=None):
    return pci.PCIRequests(requests=(pci.PCIRequest(
        count=count, spec=({'vendor_id': '8086', 'product_id': '1520'},),
        alias_name=alias, numa_policy=policy, request_id=REQUEST_ID),))


class ConsumeNumaTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())

    def test_pinned_instances_of_a_multi_create_take_distinct_cpus(self):
        host = _host(b.cell(0, pcpus=range(4)), b.cell(1, pcpus=range(4, 8)))
        spec = fakes.spec(numa_topology=b.inst(b.dedicated(2)))
        first, spec1 = consumption.consume_request(host, spec, NOW)
        cells = topology.host_topology(first.numa_topology).cells
        pinned = [c.pinned_cpus for c in cells]
        self.assertEqual([{0, 1}, set()], pinned)
        # nova keeps the fitted topology in the request.
        self.assertEqual((0, {0: 0, 1: 1}),
                         (spec1.numa_topology.cells[0].id,
                          dict(spec1.numa_topology.cells[0].cpu_pinning)))
        second, _ = consumption.consume_request(first, spec1, NOW)
        cells = topology.host_topology(second.numa_topology).cells
        self.assertEqual([{0, 1}, {4, 5}], [c.pinned_cpus for c in cells])
        self.assertEqual(4, second.num_io_ops)
        self.assertEqual(NOW, second.updated)

    def test_limits_set_by_the_filter_are_honoured(self):
        limits = numa.NUMATopologyLimits(cpu_allocation_ratio=1.0,
                                         ram_allocation_ratio=1.0)
        host = _host(b.cell(0, cpus=[0], cpu_usage=1), limits=limits)
        spec = fakes.spec(numa_topology=b.inst(b.shared()))
        consumed, spec = consumption.consume_request(host, spec, NOW)
        # Over the limit: nova keeps no topology for the next instances.
        self.assertIsNone(spec.numa_topology)
        self.assertEqual(1, topology.host_topology(
            consumed.numa_topology).cells[0].cpu_usage)

    def test_a_failed_usage_is_not_counted(self):
        host = _host(b.cell(0, cpus=[0], mempages=[]))
        spec = fakes.spec(numa_topology=b.inst(b.shared(memory=512)))
        consumed, spec = consumption.consume_request(host, spec, NOW)
        self.assertIs(host.numa_topology, consumed.numa_topology)
        self.assertIn('no memory page sizes', self.logger.output)
        self.assertEqual((2, BEFORE), (consumed.num_io_ops,
                                       consumed.updated))
        # The other counters are consumed all the same, as in nova.
        self.assertEqual((1, host.free_ram_mb - 512),
                         (consumed.num_instances, consumed.free_ram_mb))
        self.assertEqual(0, spec.numa_topology.cells[0].id)

    def test_no_host_topology(self):
        host = fakes.host('a')
        spec = fakes.spec(numa_topology=b.inst(b.shared()))
        consumed, after = consumption.consume_request(host, spec, NOW)
        self.assertIsNone(consumed.numa_topology)
        self.assertIs(spec, after)

    def test_consume_keeps_returning_only_the_host(self):
        host = _host(b.cell(0, pcpus=range(4)))
        spec = fakes.spec(numa_topology=b.inst(b.dedicated(1)))
        consumed = consumption.consume_host(host, spec, NOW)
        self.assertEqual({0}, topology.host_topology(
            consumed.numa_topology).cells[0].pinned_cpus)


class ConsumePciTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.logger = self.useFixture(fixtures.FakeLogger())

    def test_devices_leave_the_pools_and_empty_pools_go(self):
        host = _host(b.cell(0, cpus=[0]), pools=[_pool(1), _pool(3, node=1)])
        spec = fakes.spec(pci_requests=_requests(2))
        consumed, _ = consumption.consume_request(host, spec, NOW)
        self.assertEqual((_pool(2, node=1),), consumed.pci_pools)

    def test_numa_affinity_decides_which_pool(self):
        host = _host(b.cell(0, cpus=[0]), b.cell(1, cpus=[1], memory=8192),
                     pools=[_pool(2, node=0), _pool(2, node=1)])
        spec = fakes.spec(numa_topology=b.inst(b.shared()),
                          pci_requests=_requests(1, policy='required'))
        consumed, _ = consumption.consume_request(host, spec, NOW)
        self.assertEqual([2, 1], [p.count for p in consumed.pci_pools])

    def test_the_claimed_providers_decide_which_pool(self):
        host = _host(b.cell(0, cpus=[0]),
                     pools=[_pool(2, rp_uuid=RP1), _pool(2, rp_uuid=RP2)])
        spec = fakes.spec(
            pci_requests=_requests(1), requested_resources=(
                request_group.RequestGroup(requester_id=f'{REQUEST_ID}-0',
                                           provider_uuids=(RP2,)),))
        consumed, _ = consumption.consume_request(host, spec, NOW)
        self.assertEqual([2, 1], [p.count for p in consumed.pci_pools])

    def test_failed_requests_are_not_counted(self):
        host = _host(b.cell(0, cpus=[0]), pools=[_pool(1)])
        spec = fakes.spec(pci_requests=_requests(2))
        consumed, _ = consumption.consume_request(host, spec, NOW)
        self.assertEqual((host.pci_pools, 2),
                         (consumed.pci_pools, consumed.num_io_ops))

    def test_the_pci_weigher_sees_the_devices_taken(self):
        conf = conf_fixture.make_conf()
        weigher = pci_weigher.PCIWeigher(conf)
        host = _host(b.cell(0, cpus=[0]), pools=[_pool(3)])
        spec = fakes.spec(pci_requests=_requests(2))
        consumed, _ = consumption.consume_request(host, spec, NOW)
        self.assertEqual(97, weigher.weigh(host, spec))
        self.assertEqual(99, weigher.weigh(consumed, spec))


class NumaPackingOptionTest(testtools.TestCase):

    def test_read_from_conf(self):
        conf = conf_fixture.make_conf(compute={
            'packing_host_numa_cells_allocation_strategy': True})
        self.assertTrue(consume.numa_packing(conf))
        self.assertFalse(consume.numa_packing(conf_fixture.make_conf()))

    def test_unregistered_means_nova_default(self):
        self.assertFalse(consume.numa_packing(cfg.ConfigOpts()))

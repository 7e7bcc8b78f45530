"""host_builder against nova 34: the same rows give the same HostState.

nova's side is ComputeNode._from_db_object (its write-back of converted
ratios and NUMA topologies stubbed) and HostState.update, as its
HostManager does per request; ours is build_host_state. Every field
filters and weighers read is compared.
"""

import logging

import fixtures
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import testtools

from tests.compat.filters import generators as gen
from tests.compat.filters import sides
from tests.compat.filters import specs
from tests.compat.filters.nova_env import nova_base
from tests.compat.filters.nova_env import objects

SCALARS = (
    'host', 'nodename', 'uuid', 'cell_uuid', 'total_usable_ram_mb',
    'free_ram_mb', 'total_usable_disk_gb', 'disk_mb_used', 'free_disk_mb',
    'vcpus_total', 'vcpus_used', 'cpu_allocation_ratio',
    'ram_allocation_ratio', 'disk_allocation_ratio', 'num_instances',
    'num_io_ops', 'failed_builds', 'hypervisor_type', 'hypervisor_version',
    'hypervisor_hostname', 'cpu_info', 'updated')
SERVICE_FIELDS = (
    'id', 'uuid', 'host', 'binary', 'topic', 'report_count', 'disabled',
    'disabled_reason', 'last_seen_up', 'forced_down', 'version',
    'created_at', 'updated_at')


def _nova_pool(pool):
    return {k: v for k, v in pool.items()
            if not (k == 'numa_node' and v is None)}


def _our_pool(pool):
    result = {'vendor_id': pool.vendor_id, 'product_id': pool.product_id,
              'count': pool.count, **pool.tags}
    if pool.numa_node is not None:
        result['numa_node'] = pool.numa_node
    return result


def _without_changes(primitive):
    if isinstance(primitive, dict):
        return {k: _without_changes(v) for k, v in primitive.items()
                if k != 'nova_object.changes'}
    if isinstance(primitive, list):
        return [_without_changes(v) for v in primitive]
    return primitive


@st.composite
def cases(draw):
    world = draw(gen.worlds(min_hosts=1, max_hosts=3))
    for host_rows in world.hosts:
        if draw(st.integers(0, 9)) == 0:
            host_rows.row['free_disk_gb'] = None
        if draw(st.integers(0, 3)) == 0:
            host_rows.row['stats'] = '{}'
    return world, draw(specs.config())


class HostBuilderParityTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(name='nova',
                                            level=logging.WARNING))

    def compare(self, nova, ours):
        for name in SCALARS:
            self.assertEqual(getattr(nova, name), getattr(ours, name), name)
        self.assertEqual(str(nova.host_ip), ours.host_ip)
        self.assertEqual(dict(nova.stats), dict(ours.stats))
        self.assertEqual([tuple(t) for t in nova.supported_instances],
                         list(ours.supported_instances))
        self.assertEqual(
            [(m.name, m.value, m.source, m.timestamp) for m in nova.metrics],
            [(m.name, m.value, m.source, m.timestamp) for m in ours.metrics])
        self.assertEqual([_nova_pool(p) for p in nova.pci_stats.pools],
                         [_our_pool(p) for p in ours.pci_pools])
        if nova.numa_topology is None:
            self.assertIsNone(ours.numa_topology)
        else:
            rebuilt = objects.NUMATopology.obj_from_primitive(
                dict(ours.numa_topology))
            self.assertEqual(
                _without_changes(nova_base.obj_to_primitive(
                    nova.numa_topology)),
                _without_changes(nova_base.obj_to_primitive(rebuilt)))
        for name in SERVICE_FIELDS:
            self.assertEqual(nova.service[name],
                             getattr(ours.service, name), f'service.{name}')
        self.assertEqual(
            [(a.id, a.uuid, a.name, set(a.hosts), a.metadata)
             for a in nova.aggregates],
            [(a.id, a.uuid, a.name, set(a.hosts), dict(a.metadata))
             for a in ours.aggregates])
        self.assertEqual(set(nova.instances), set(ours.instances))

    def test_same_rows_same_host_state(self):
        count = 0
        skipped = 0

        @settings(max_examples=200, deadline=None, suppress_health_check=[
            HealthCheck.too_slow, HealthCheck.data_too_large])
        @given(case=cases())
        def check(case):
            nonlocal count, skipped
            world, overrides = case
            with sides.configured(overrides) as conf:
                for host_rows in world.hosts:
                    nova = sides.nova_host_state(world, host_rows)
                    ours = sides.our_host_state(world, host_rows, conf)
                    if host_rows.row['free_disk_gb'] is None:
                        # nova keeps an empty HostState without a uuid.
                        self.assertIsNone(nova.uuid)
                        self.assertIsNone(ours)
                        skipped += 1
                    else:
                        self.compare(nova, ours)
            count += 1

        check()
        sides.record_examples(self.id(), count, {'null_free_disk': skipped})
        self.assertGreater(skipped, 0)

"""Our host cache against nova 34's HostManager, on nova's real schema.

Both read the same SQLite databases, created by nova's migrations and
filled through nova's objects; every HostState field filters and
weighers read must come out the same.
"""

import logging
import re

import fixtures
import testtools

from scheduler.hoststate import cache as host_cache
from tests.compat.db import nova_db
from tests.compat.filters import sides
from tests.compat.test_host_builder_parity import SCALARS
from tests.compat.test_host_builder_parity import SERVICE_FIELDS

objects = nova_db.objects

LEGACY_NUMA = ('{"cells": [{"id": 0, "cpus": "0-3", "mem": {"total": 2048, '
               '"used": 0}, "cpu_usage": 0}]}')
PCI_STATS = ('[{"vendor_id": "8086", "product_id": "1520", "count": 2, '
             '"numa_node": 0, "physical_network": "physnet1"}]')
METRICS = ('[{"name": "cpu.percent", "value": 0.25, "source": "libvirt", '
           '"timestamp": "2026-03-01T12:00:00.000000"}]')


def nova_states(dbs):
    """nova's host states for every node of every enabled cell."""
    manager = nova_db.host_manager.HostManager()
    return list(manager.get_host_states_by_uuids(dbs.ctxt, None, None))


class ParityTestBase(testtools.TestCase):
    cells = ('cell1', 'cell2')
    templated = ('cell2',)
    disabled = ()

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(level=logging.INFO))
        self.dbs = self.useFixture(nova_db.NovaDatabases(
            self.cells, templated=self.templated, disabled=self.disabled,
            backend=self.make_backend()))
        # nova reads instance lists per host when it does not track them.
        self.dbs.nova_conf.config(track_instance_changes=False,
                                  group='filter_scheduler')

    def make_backend(self):
        """Where the databases live; None: SQLite files."""
        return None

    def ours(self, **groups):
        cache = host_cache.HostStateCache.from_conf(self.dbs.our_conf(
            **groups))
        self.addCleanup(cache.stop)
        cache.refresh()
        return cache

    def assertSameHost(self, nova, ours):
        for name in SCALARS:
            self.assertEqual(getattr(nova, name), getattr(ours, name), name)
        self.assertEqual(str(nova.host_ip), ours.host_ip)
        self.assertEqual(dict(nova.stats), dict(ours.stats))
        self.assertEqual([tuple(t) for t in nova.supported_instances],
                         list(ours.supported_instances))
        self.assertEqual(
            [(m.name, m.value, m.source, m.timestamp) for m in nova.metrics],
            [(m.name, m.value, m.source, m.timestamp) for m in ours.metrics])
        self.assertEqual(
            [dict(p) for p in nova.pci_stats.pools],
            [{'vendor_id': p.vendor_id, 'product_id': p.product_id,
              'count': p.count, 'numa_node': p.numa_node, **p.tags}
             for p in ours.pci_pools])
        if nova.numa_topology is None:
            self.assertIsNone(ours.numa_topology)
        else:
            rebuilt = objects.NUMATopology.obj_from_primitive(
                dict(ours.numa_topology))
            self.assertEqual(
                [(c.id, c.cpuset, c.memory) for c in nova.numa_topology.cells],
                [(c.id, c.cpuset, c.memory) for c in rebuilt.cells])
        for name in SERVICE_FIELDS:
            self.assertEqual(nova.service[name],
                             getattr(ours.service, name), f'service.{name}')
        self.assertEqual(
            sorted((a.id, a.uuid, a.name, frozenset(a.hosts),
                    tuple(sorted(a.metadata.items())))
                   for a in nova.aggregates),
            sorted((a.id, a.uuid, a.name, a.hosts,
                    tuple(sorted(a.metadata.items())))
                   for a in ours.aggregates))
        self.assertEqual(set(nova.instances), set(ours.instances))

    def assertSameStates(self, cache):
        nova = {s.uuid: s for s in nova_states(self.dbs)}
        snapshot = cache.snapshot()
        # nova keeps never-updated nodes as empty states without a uuid
        # that can never be chosen; we leave them out.
        self.assertEqual({u for u in nova if u is not None},
                         set(snapshot.hosts))
        for node_uuid, state in snapshot.hosts.items():
            self.assertSameHost(nova[node_uuid], state)
        return nova, snapshot


class HostStateParityTest(ParityTestBase):
    cells = ('cell1', 'cell2', 'cell3')
    disabled = ('cell3',)

    def setUp(self):
        super().setUp()
        dbs = self.dbs
        self.plain = dbs.add_compute('cell1', 'cmp1')
        # NULL/0.0 ratios fall back to [DEFAULT] options, legacy NUMA and
        # PCI formats are converted (nova writes both back; we do not).
        self.legacy = dbs.add_compute(
            'cell1', 'cmp2', metrics=METRICS, disk_available_least=None,
            raw={'cpu_allocation_ratio': 0.0, 'ram_allocation_ratio': None,
                 'numa_topology': LEGACY_NUMA, 'pci_stats': PCI_STATS})
        # Two nodes behind one service (ironic-style).
        dbs.add_compute('cell2', 'ironic', node='node-a')
        dbs.add_compute('cell2', 'ironic', node='node-b', service=False,
                        map_host=False)
        # A node whose service row is gone: nova skips it.
        self.orphan = dbs.add_compute('cell2', 'orphan', service=False)
        # A node never updated by its resource tracker.
        self.fresh = dbs.add_compute('cell1', 'fresh', free_disk_gb=None)
        # Hosts of a disabled cell are never scheduled to.
        dbs.add_compute('cell3', 'off')
        agg = dbs.add_aggregate('agg1', hosts=['cmp1', 'ironic'],
                                metadata={'availability_zone': 'az1',
                                          'cpu_allocation_ratio': '2.0'})
        dbs.add_aggregate('agg2', hosts=['cmp1'])
        self.agg = agg
        for host, cell in (('cmp1', 'cell1'), ('cmp1', 'cell1'),
                           ('ironic', 'cell2')):
            dbs.add_instance(cell, host)

    def test_same_host_states_as_nova(self):
        cache = self.ours(DEFAULT={'cpu_allocation_ratio': 3.0})
        self.dbs.nova_conf.config(cpu_allocation_ratio=3.0)
        nova, snapshot = self.assertSameStates(cache)
        self.assertEqual(5, len(nova))  # cmp1, cmp2, node-a, node-b, fresh
        self.assertEqual(4, len(snapshot.hosts))
        self.assertIsNone(nova[None].uuid)
        self.assertEqual(3.0, snapshot.hosts[
            self.legacy.node.uuid].cpu_allocation_ratio)
        self.assertEqual(2, len(snapshot.hosts[self.plain.node.uuid]
                                .instances))
        self.assertIn('free_disk_gb NULL',
                      snapshot.incomplete_nodes[self.fresh.node.uuid])
        self.assertIn('no nova-compute service',
                      snapshot.incomplete_nodes[self.orphan.node.uuid])
        self.assertEqual(frozenset(), snapshot.unavailable_cells)
        self.assertEqual([self.agg.id, self.agg.id + 1],
                         [a.id for a in snapshot.aggregates])

    def test_cell0_and_disabled_cells_are_not_read(self):
        snapshot = self.ours().snapshot()
        cells = {s.cell_uuid for s in snapshot.hosts.values()}
        self.assertEqual({self.dbs.cells['cell1'].uuid,
                          self.dbs.cells['cell2'].uuid}, cells)
        self.assertNotIn('off', {s.host for s in snapshot.hosts.values()})

    def test_incremental_resync_follows_nova_writes(self):
        cache = self.ours()
        dbs = self.dbs
        with dbs.target('cell1') as cctxt:
            node = objects.ComputeNode.get_by_uuid(cctxt,
                                                   self.plain.node.uuid)
            node.free_ram_mb = 1024
            node.vcpus_used = 6
            node.save()
            service = objects.Service.get_by_compute_host(cctxt, 'cmp1')
            service.disabled = True
            service.disabled_reason = 'maintenance'
            service.save()
            # nova deletes a compute service with its nodes (soft delete).
            objects.Service.get_by_compute_host(cctxt, 'cmp2').destroy()
        added = dbs.add_compute('cell2', 'cmp9')
        with dbs.target('cell1') as cctxt:
            fresh = objects.ComputeNode.get_by_uuid(cctxt,
                                                    self.fresh.node.uuid)
            fresh.free_disk_gb = 100
            fresh.save()
        cache.resync()
        nova, snapshot = self.assertSameStates(cache)
        state = snapshot.hosts[self.plain.node.uuid]
        self.assertEqual((1024, 6, True, 'maintenance'),
                         (state.free_ram_mb, state.vcpus_used,
                          state.service.disabled,
                          state.service.disabled_reason))
        self.assertNotIn(self.legacy.node.uuid, snapshot.hosts)
        self.assertIn(added.node.uuid, snapshot.hosts)
        self.assertIn(self.fresh.node.uuid, snapshot.hosts)
        self.assertNotIn(self.fresh.node.uuid, snapshot.incomplete_nodes)

    def test_request_read_follows_nova_writes(self):
        # No resync: the read fresh_snapshot() makes explains everything.
        cache = self.ours()
        dbs = self.dbs
        agg = dbs.add_aggregate('parity-agg', ['cmp1'], {'k': 'v'})
        with dbs.target('cell1') as cctxt:
            node = objects.ComputeNode.get_by_uuid(cctxt,
                                                   self.plain.node.uuid)
            node.free_ram_mb = 2048
            node.save()
            service = objects.Service.get_by_compute_host(cctxt, 'cmp1')
            service.forced_down = True
            service.save()
            objects.Service.get_by_compute_host(cctxt, 'cmp2').destroy()
        added = dbs.add_compute('cell2', 'cmp9')
        inst = dbs.add_instance('cell2', 'cmp9', project='p-new')
        snapshot = cache.fresh_snapshot()
        state = snapshot.hosts[self.plain.node.uuid]
        self.assertEqual((2048, True), (state.free_ram_mb,
                                        state.service.forced_down))
        self.assertNotIn(self.legacy.node.uuid, snapshot.hosts)
        self.assertIn(added.node.uuid, snapshot.hosts)
        self.assertEqual({inst.uuid: 'p-new'},
                         dict(snapshot.hosts[added.node.uuid].instances))
        self.assertIn('parity-agg', [
            a.name for a in snapshot.hosts[self.plain.node.uuid].aggregates])
        # nova deletes the aggregate_hosts row for good.
        agg.delete_host('cmp1')
        with dbs.target('cell2') as cctxt:
            # nova's compute: saved as DELETED, then destroyed.
            gone = objects.Instance.get_by_uuid(cctxt, inst.uuid)
            gone.vm_state = 'deleted'
            gone.save()
            gone.destroy()
        snapshot = cache.fresh_snapshot()
        self.assertNotIn('parity-agg', [
            a.name for a in snapshot.hosts[self.plain.node.uuid].aggregates])
        self.assertEqual({}, dict(snapshot.hosts[added.node.uuid].instances))
        self.assertSameStates(cache)

    def test_sync_mismatch_reloads_the_host_from_its_cell(self):
        cache = self.ours()
        before = cache.snapshot()
        created = self.dbs.add_instance('cell2', 'ironic', project='p9')
        cache.sync_instance_info('ironic', [created.uuid])
        # Not on the request path: the snapshot changes only once the
        # background reload has run.
        self.assertIs(before, cache.snapshot())
        self.assertEqual(1, cache.reload_pending_hosts())
        nova, snapshot = self.assertSameStates(cache)
        node_a = [s for s in snapshot.hosts.values()
                  if s.nodename == 'node-a'][0]
        self.assertEqual('p9', node_a.instances[created.uuid])

    def test_aggregate_casts_match_the_database(self):
        cache = self.ours()
        agg = objects.Aggregate.get_by_id(self.dbs.ctxt, self.agg.id)
        agg.add_host('cmp2')
        agg.update_metadata({'availability_zone': 'az2'})
        cache.update_aggregates([_our_aggregate(agg)])
        self.assertSameStates(cache)
        # nova's read wrote its ratio and NUMA conversions back to cmp2's
        # row (it always does); the next resync picks that up.
        cache.resync()
        nova_agg = objects.Aggregate.get_by_id(self.dbs.ctxt,
                                               self.agg.id + 1)
        cache.delete_aggregate(_our_aggregate(nova_agg))
        nova_agg.delete_host('cmp1')
        nova_agg.destroy()
        self.assertSameStates(cache)


def _plain_sets(text):
    return re.sub(r'CoercedSet\((\{[^}]*\})\)', r'\1', text)


def _our_aggregate(agg):
    from scheduler.codec import aggregate as aggregate_codec
    return aggregate_codec.decode_aggregate(nova_db.nova_env.to_wire(agg))


class InstanceImagesParityTest(ParityTestBase):
    cells = ('cell1',)
    templated = ()

    SYSMETA = (
        {'image_hw_cpu_cores': '4', 'image_hw_vif_model': 'virtio',
         'image_os_distro': 'ubuntu', 'image_min_ram': '512',
         'image_hw_numa_cpus.0': '0-1', 'image_hw_numa_mem.0': '1024',
         'image_trait:CUSTOM_GOLD': 'required', 'owner_user_name': 'x',
         'image_architecture': 'amd64', 'image_hw_boot_menu': 'yes'},
        {'image_img_hv_type': 'kvm', 'image_mappings': '[]'},
        {},
    )

    def test_instance_images_as_nova_reads_them(self):
        self.dbs.add_compute('cell1', 'cmp1')
        made = [self.dbs.add_instance('cell1', 'cmp1', system_metadata=sm)
                for sm in self.SYSMETA]
        cache = self.ours(filter_scheduler={
            'image_props_weight_multiplier': 1.0})
        [state] = cache.snapshot().hosts.values()
        for inst in made:
            with self.dbs.target('cell1') as cctxt:
                loaded = objects.Instance.get_by_uuid(
                    cctxt, inst.uuid, expected_attrs=['system_metadata'])
            # nova prints sets inside lists as CoercedSet(...) on both the
            # request and the instance side; only equal rendering matters.
            expected = {k: _plain_sets(str(v)) for k, v in
                        loaded.image_meta.properties.to_dict().items()}
            self.assertEqual(expected,
                             dict(state.instance_images[inst.uuid]))
        self.assertEqual('4', state.instance_images[made[0].uuid][
            'hw_cpu_cores'])

    def test_images_not_read_when_the_weigher_is_off(self):
        self.dbs.add_compute('cell1', 'cmp1')
        self.dbs.add_instance('cell1', 'cmp1', system_metadata={
            'image_hw_cpu_cores': '4'})
        [state] = self.ours().snapshot().hosts.values()
        self.assertEqual(1, len(state.instances))
        self.assertEqual({}, dict(state.instance_images))


class EventletTest(testtools.TestCase):
    def test_importing_nova_does_not_patch(self):
        self.assertFalse(nova_db.nova_env.eventlet_patched())
        self.assertIsNotNone(sides)

"""select_destinations end to end against the real Placement service."""

import dataclasses
import json
import uuid

import fixtures
from oslo_config import cfg
import testtools

from scheduler import conf as conf_pkg

from scheduler import errors
from scheduler.filters.base import BaseHostFilter
from scheduler.objects import destination
from scheduler.objects import instance_group
from scheduler.placement import client as client_mod
from scheduler.weighers import ram
from tests.functional import cloud as cloud_mod
from tests.functional import placement_service


def uuids(n):
    return [str(uuid.uuid4()) for _ in range(n)]


def group(policy, members=(), **rules):
    return instance_group.InstanceGroup(
        uuid=str(uuid.uuid4()), policy=policy, policies=(policy,),
        members=tuple(members), rules=rules)


class SchedulingTestBase(testtools.TestCase):
    extra_config = ''

    def wrap_placement_app(self):
        """A WSGI middleware around Placement (fault injection), or None."""
        return None

    def setUp(self):
        super().setUp()
        self.service = self.useFixture(placement_service.PlacementService(
            self.extra_config, wrap_app=self.wrap_placement_app()))
        self.conf = self.service.conf
        self.cloud = cloud_mod.Cloud(self.service)

    def select(self, spec, instance_uuids, manager=None, **kwargs):
        manager = manager or self.cloud.manager()
        return manager.select_destinations(
            cloud_mod.CONTEXT, spec, instance_uuids, **kwargs)

    def assertNoValidHost(self, spec, instance_uuids, manager=None,
                          **kwargs):
        exc = self.assertRaises(errors.NoValidHost, self.select, spec,
                                instance_uuids, manager, **kwargs)
        self.assertTrue(exc.message.startswith('No valid host was found. '))
        self.assertLessEqual(len(exc.message), 255)
        return exc


class BootTest(SchedulingTestBase):

    def setUp(self):
        super().setUp()
        for name, ram_mb in (('host1', 4096), ('host2', 8192),
                             ('host3', 2048)):
            self.cloud.add_host(name, ram_mb=ram_mb)

    def test_single_boot_claims_the_best_host(self):
        [inst] = uuids(1)
        [[chosen]] = self.select(cloud_mod.spec(), [inst])
        # RAMWeigher prefers the host with most free RAM.
        self.assertEqual('host2', chosen.service_host)
        self.assertEqual(cloud_mod.CELL1, chosen.cell_uuid)
        self.assertEqual('1.36', chosen.allocation_request_version)
        alloc = json.loads(chosen.allocation_request)
        self.assertEqual({chosen.compute_node_uuid},
                         set(alloc['allocations']))
        self.assertEqual({'VCPU': 1, 'MEMORY_MB': 512, 'DISK_GB': 1},
                         self.cloud.usage('host2'))
        self.assertEqual(
            {chosen.compute_node_uuid: {'resources': {
                'VCPU': 1, 'MEMORY_MB': 512, 'DISK_GB': 1}}},
            {rp: {'resources': a['resources']} for rp, a in
             self.service.admin.allocations(inst).items()})
        self.assertEqual('nova', chosen.availability_zone)

    def test_multi_create_sees_its_own_consumption(self):
        insts = uuids(3)
        manager = self.cloud.manager(
            weighers=(ram.RAMWeigher(self.conf),))
        rows = self.select(cloud_mod.spec(
            flavor=cloud_mod.flavor(ram_mb=3000)), insts, manager)
        hosts = [row[0].service_host for row in rows]
        # By free RAM: host2 (8192, then 5192) takes two before host1
        # (4096) beats what is left on it (2192).
        self.assertEqual(['host2', 'host2', 'host1'], hosts)
        self.assertEqual(3, self.cloud.total_usage('VCPU'))
        for inst, row in zip(insts, rows):
            self.assertEqual({row[0].compute_node_uuid},
                             set(self.service.admin.allocations(inst)))

    def test_alternates_same_cell_unclaimed(self):
        self.cloud.add_host('host4', ram_mb=1024)
        self.cloud.add_host('other-cell', ram_mb=1024,
                            cell=cloud_mod.CELL2)
        insts = uuids(2)
        rows = self.select(cloud_mod.spec(), insts, return_alternates=True)
        self.assertEqual(2, len(rows))
        for row in rows:
            # max_attempts=3: the chosen host plus two alternates.
            self.assertEqual(3, len(row))
            cells = {s.cell_uuid for s in row}
            self.assertEqual(1, len(cells))
            for alt in row[1:]:
                self.assertEqual('1.36', alt.allocation_request_version)
                self.assertIn(alt.compute_node_uuid,
                              json.loads(alt.allocation_request)[
                                  'allocations'])
        chosen = {row[0].service_host for row in rows}
        for row in rows:
            self.assertFalse({s.service_host for s in row[1:]} & chosen)
        self.assertNotIn('other-cell', {s.service_host for row in rows
                                        for s in row})
        # Only the chosen hosts carry usage: alternates are unclaimed.
        self.assertEqual(2, self.cloud.total_usage('VCPU'))

    def test_no_alternates_unless_asked(self):
        [[chosen]] = self.select(cloud_mod.spec(), uuids(1))
        self.assertEqual('host2', chosen.service_host)

    def test_affinity_puts_all_on_one_host(self):
        rows = self.select(cloud_mod.spec(
            instance_group=group('affinity'),
            scheduler_hints={'group': ('g',)}), uuids(3))
        self.assertEqual(1, len({row[0].service_host for row in rows}))

    def test_anti_affinity_spreads(self):
        insts = uuids(3)
        rows = self.select(cloud_mod.spec(
            instance_group=group('anti-affinity', members=insts),
            scheduler_hints={'group': ('g',)}), insts)
        self.assertEqual({'host1', 'host2', 'host3'},
                         {row[0].service_host for row in rows})

    def test_forced_host_skips_filters(self):
        self.cloud.add_host('disabled', ram_mb=65536, disabled=True)
        [[chosen]] = self.select(cloud_mod.spec(force_hosts=('disabled',)),
                                 uuids(1))
        self.assertEqual('disabled', chosen.service_host)

    def test_legacy_path_claims_nothing(self):
        rows = self.select(cloud_mod.spec(num_instances=2), None)
        self.assertEqual(2, len(rows))
        self.assertEqual('host2', rows[0][0].service_host)
        self.assertEqual('null', rows[0][0].allocation_request)
        self.assertIsNone(rows[0][0].allocation_request_version)
        self.assertEqual(0, self.cloud.total_usage('VCPU'))

    def test_rebuild_skips_placement_and_claims(self):
        calls = []
        client = client_mod.PlacementClient(self.conf)
        real = client.get_allocation_candidates
        client.get_allocation_candidates = lambda *a, **k: (
            calls.append(1), real(*a, **k))[1]
        # nova-api's rebuild check: the instance's own host and node.
        [inst] = uuids(1)
        self.cloud.place_instance('host3', inst)
        spec = cloud_mod.spec(force_hosts=('host3',), force_nodes=('host3',),
                              scheduler_hints={
                                  '_nova_check_type': ('rebuild',)})
        [[chosen]] = self.select(spec, [inst],
                                 manager=self.cloud.manager(client=client))
        self.assertEqual('host3', chosen.service_host)
        self.assertEqual('null', chosen.allocation_request)
        self.assertEqual([], calls)
        self.assertEqual(0, self.cloud.total_usage('VCPU'))


class NoValidHostTest(SchedulingTestBase):

    def setUp(self):
        super().setUp()
        for name in ('host1', 'host2', 'host3'):
            self.cloud.add_host(name, vcpus=2)

    def test_filters_stage_counts_per_filter(self):
        for name in ('host1', 'host2'):
            self.cloud.hosts[name] = self.cloud.hosts[name].__class__(**{
                **{f: getattr(self.cloud.hosts[name], f)
                   for f in self.cloud.hosts[name].__dataclass_fields__},
                'service': self.cloud.hosts[name].service.__class__(
                    host=name, disabled=True)})
        self.cloud.publish()
        exc = self.assertNoValidHost(cloud_mod.spec(
            flavor=cloud_mod.flavor(**{'capabilities:hypervisor_type':
                                       'Xen'})), uuids(1))
        self.assertEqual(
            'No valid host was found. There are not enough hosts '
            'available. 0/3 hosts are available: 2 ComputeFilter, '
            '1 ComputeCapabilitiesFilter', exc.message)
        self.assertEqual(0, self.cloud.total_usage())

    def test_truncation_is_reported(self):
        self.conf.set_override('max_placement_results', 2, 'scheduler')
        self.addCleanup(self.conf.clear_override, 'max_placement_results',
                        'scheduler')
        exc = self.assertNoValidHost(cloud_mod.spec(
            flavor=cloud_mod.flavor(**{'capabilities:hypervisor_type':
                                       'Xen'})), uuids(1))
        self.assertIn('0/2 hosts are available: 2 ComputeCapabilitiesFilter',
                      exc.message)
        self.assertIn('(candidates truncated at 2)', exc.message)

    def test_no_candidates(self):
        exc = self.assertNoValidHost(cloud_mod.spec(
            flavor=cloud_mod.flavor(vcpus=64)), uuids(1))
        self.assertIn('Placement found 0 allocation candidates', exc.reason)
        self.assertEqual('placement', exc.explanation.failed_stage)

    def test_placement_unreachable_is_not_no_capacity(self):
        # Nothing listens on the discard port.
        conf = cfg.ConfigOpts()
        conf_pkg.register_opts(conf)
        path = self.useFixture(fixtures.TempDir()).join('down.conf')
        with open(path, 'w') as f:
            f.write('[placement]\nauth_type = admin_token\n'
                    'endpoint = http://127.0.0.1:9/placement\n'
                    'token = admin\n')
        conf(['--config-file', path], default_config_files=[])
        client = client_mod.PlacementClient(
            conf, retry_attempts=2, sleep=lambda s: None)
        exc = self.assertNoValidHost(
            cloud_mod.spec(), uuids(1),
            manager=self.cloud.manager(client=client))
        self.assertIn('Placement is unavailable', exc.reason)
        self.assertNotIn('0 allocation candidates', exc.reason)
        self.assertNotIn('127.0.0.1', exc.message)

    def test_request_filter_stage(self):
        self.conf.set_override('limit_tenants_to_placement_aggregate', True,
                               'scheduler')
        self.conf.set_override('placement_aggregate_required_for_tenants',
                               True, 'scheduler')
        exc = self.assertNoValidHost(cloud_mod.spec(), uuids(1))
        self.assertEqual('No valid host was found. Scheduling failed: No '
                         'hosts available for tenant', exc.message)

    def test_unknown_forced_destination(self):
        exc = self.assertNoValidHost(
            cloud_mod.spec(force_hosts=('nowhere',)), uuids(1))
        self.assertTrue(exc.reason.startswith('No such host'))
        self.assertNotIn('nowhere', exc.message)

    def test_invalid_flavor_is_explained(self):
        exc = self.assertNoValidHost(cloud_mod.spec(
            flavor=cloud_mod.flavor(**{'hw:cpu_policy': 'bogus'})),
            uuids(1))
        self.assertEqual('request', exc.explanation.failed_stage)
        self.assertTrue(exc.reason.startswith(
            'The request cannot be scheduled: '))
        self.assertEqual(0, self.cloud.total_usage())

    def test_nova_compatible_reasons(self):
        self.conf.set_override('nova_compatible_reasons', True,
                               'hardened_scheduler')
        exc = self.assertNoValidHost(cloud_mod.spec(
            flavor=cloud_mod.flavor(vcpus=64)), uuids(1))
        self.assertEqual('No valid host was found. ', exc.message)

    def test_multi_create_failing_part_way_releases_claims(self):
        insts = uuids(4)
        # Conductor fills members with the instances being built.
        exc = self.assertNoValidHost(cloud_mod.spec(
            instance_group=group('anti-affinity', members=insts),
            scheduler_hints={'group': ('g',)}), insts)
        self.assertIn('ServerGroupAntiAffinityFilter', exc.reason)
        self.assertIn('3 of 4 instances placed', exc.reason)
        self.assertEqual(0, self.cloud.total_usage('VCPU'))
        for inst in insts:
            self.assertEqual({}, self.service.admin.allocations(inst))

    def test_any_failure_after_a_claim_releases_it(self):
        class Explodes(BaseHostFilter):
            def host_passes(self, host, spec):
                if spec.instance_uuid == second:
                    raise RuntimeError('bug in a filter')
                return None

        first, second = uuids(2)
        manager = self.cloud.manager(filters=(Explodes(self.conf),))
        self.assertRaises(RuntimeError, self.select, cloud_mod.spec(),
                          [first, second], manager)
        self.assertEqual(0, self.cloud.total_usage('VCPU'))

    def test_claims_stage_when_capacity_vanishes(self):
        # Someone else takes every host between our GET and our PUTs.
        client = client_mod.PlacementClient(self.conf)
        real = client.get_allocation_candidates

        def then_fill(*args, **kwargs):
            result = real(*args, **kwargs)
            if filled:
                return result  # the second query sees them full
            filled.append(True)
            for name, state in self.cloud.hosts.items():
                self.service.admin.call(
                    'PUT', f'/allocations/{uuid.uuid4()}', {
                        'allocations': {state.uuid: {'resources': {
                            'VCPU': 2}}},
                        'project_id': 'other', 'user_id': 'other',
                        'consumer_generation': None,
                        'consumer_type': 'INSTANCE'})
            return result

        filled = []
        client.get_allocation_candidates = then_fill
        exc = self.assertNoValidHost(
            cloud_mod.spec(), uuids(1),
            manager=self.cloud.manager(client=client))
        self.assertEqual('claims', exc.explanation.failed_stage)
        self.assertIn('3 tried, 3 taken by concurrent requests', exc.reason)
        # Placement was asked again after the race; nothing was left.
        self.assertEqual(1, exc.explanation.requeries)
        self.assertTrue(exc.reason.startswith(
            'There are not enough hosts available.'))


class CellTest(SchedulingTestBase):

    def setUp(self):
        super().setUp()
        self.cloud.add_host('cell1-host', ram_mb=4096)
        self.cloud.add_host('cell2-host', ram_mb=65536, cell=cloud_mod.CELL2)

    def test_move_stays_in_the_requested_cell(self):
        spec = cloud_mod.spec(requested_destination=destination.Destination(
            cell=destination.CellRef(uuid=cloud_mod.CELL1)))
        [[chosen]] = self.select(spec, uuids(1))
        # cell2-host has far more RAM, but the move is confined to cell1.
        self.assertEqual('cell1-host', chosen.service_host)

    def test_cross_cell_move_may_leave_it(self):
        # Only cell2-host has room for 8 GiB.
        big = cloud_mod.flavor(ram_mb=8192)
        dest = destination.Destination(
            cell=destination.CellRef(uuid=cloud_mod.CELL1))
        exc = self.assertNoValidHost(cloud_mod.spec(
            flavor=big, requested_destination=dest), uuids(1))
        self.assertIn('1 outside the requested cell', exc.reason)
        [[chosen]] = self.select(cloud_mod.spec(
            flavor=big, requested_destination=dataclasses.replace(
                dest, allow_cross_cell_move=True)), uuids(1))
        self.assertEqual('cell2-host', chosen.service_host)

    def test_unreachable_cell_and_bad_nodes_are_named(self):
        snapshot = self.cloud.source.snapshot()
        cell2_host = self.cloud.hosts['cell2-host']
        hosts = {u: h for u, h in snapshot.hosts.items()
                 if u != cell2_host.uuid}
        self.cloud.source.replace(dataclasses.replace(
            snapshot, hosts=hosts,
            incomplete_nodes={cell2_host.uuid: 'free_disk_gb is NULL'},
            unavailable_cells=frozenset({'dead-cell'})))
        exc = self.assertNoValidHost(cloud_mod.spec(
            flavor=cloud_mod.flavor(**{'capabilities:hypervisor_type':
                                       'Xen'})), uuids(1))
        self.assertEqual(
            'No valid host was found. There are not enough hosts '
            'available. 0/2 hosts are available: 1 with incomplete '
            'compute node data, 1 ComputeCapabilitiesFilter '
            '(1 cell unreachable)', exc.message)

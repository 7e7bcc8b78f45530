"""Building HostState from compute_nodes/services rows."""

import datetime
import json

from oslo_config import cfg
import testtools

from scheduler import conf as conf_pkg
from scheduler.hoststate import builder as host_builder
from scheduler.pci import pools as pools_mod
from tests.unit import fakes

UUID = '8d7c1b4a-6a52-4d2e-9a0c-0b5f7a0b5e11'
DEFAULTS = host_builder.AllocationRatioDefaults()


def _row(**overrides):
    row = dict(
        id=1, uuid=UUID, service_id=7, host='cmp1', vcpus=8,
        memory_mb=4096, local_gb=100, vcpus_used=2, memory_mb_used=512,
        local_gb_used=10, hypervisor_type='QEMU', hypervisor_version=8002000,
        hypervisor_hostname='cmp1.example', free_ram_mb=3584,
        free_disk_gb=90, current_workload=0, running_vms=3,
        cpu_info='{"maxphysaddr": {"bits": 46}}', disk_available_least=None,
        metrics='[]', stats='{}', host_ip='192.0.2.10', numa_topology=None,
        supported_instances='[["x86_64", "kvm", "hvm"]]', pci_stats=None,
        cpu_allocation_ratio=16.0, ram_allocation_ratio=1.5,
        disk_allocation_ratio=1.0, mapped=1,
        created_at=datetime.datetime(2026, 1, 1),
        updated_at=datetime.datetime(2026, 3, 1, 12, 0, 5),
        deleted_at=None, deleted=0)
    row.update(overrides)
    return row


def _service(**overrides):
    service = dict(
        id=7, uuid='5c1d2cbb-0d7e-4b5f-bb9e-5d6e7f809a1b', host='cmp1',
        binary='nova-compute', topic='compute', report_count=12,
        disabled=False, disabled_reason=None,
        last_seen_up=datetime.datetime(2026, 3, 1, 12, 0, 0),
        forced_down=False, version=70,
        created_at=datetime.datetime(2026, 1, 1), updated_at=None,
        deleted_at=None, deleted=0)
    service.update(overrides)
    return service


def _build(row=None, service=None, **kwargs):
    kwargs.setdefault('cell_uuid', fakes.CELL1)
    kwargs.setdefault('aggregates', ())
    kwargs.setdefault('instances', {})
    kwargs.setdefault('allocation_ratio_defaults', DEFAULTS)
    return host_builder.build_host_state(
        row if row is not None else _row(),
        service if service is not None else _service(), **kwargs)


class BuildHostStateTest(testtools.TestCase):

    def test_plain_fields(self):
        agg = fakes.agg(1, 'agg-uuid', hosts=['cmp1'])
        state = _build(aggregates=[agg], instances={'i1': 'p1'})
        self.assertEqual('cmp1', state.host)
        self.assertEqual('cmp1.example', state.nodename)
        self.assertEqual(UUID, state.uuid)
        self.assertEqual(fakes.CELL1, state.cell_uuid)
        self.assertEqual(4096, state.total_usable_ram_mb)
        self.assertEqual(3584, state.free_ram_mb)
        self.assertEqual(100, state.total_usable_disk_gb)
        self.assertEqual(10 * 1024, state.disk_mb_used)
        self.assertEqual(90 * 1024, state.free_disk_mb)
        self.assertEqual(8, state.vcpus_total)
        self.assertEqual(2, state.vcpus_used)
        self.assertEqual((16.0, 1.5, 1.0),
                         (state.cpu_allocation_ratio,
                          state.ram_allocation_ratio,
                          state.disk_allocation_ratio))
        self.assertEqual('{"maxphysaddr": {"bits": 46}}', state.cpu_info)
        self.assertEqual('192.0.2.10', state.host_ip)
        self.assertEqual('QEMU', state.hypervisor_type)
        self.assertEqual(8002000, state.hypervisor_version)
        self.assertEqual('cmp1.example', state.hypervisor_hostname)
        self.assertEqual(datetime.datetime(2026, 3, 1, 12, 0, 5,
                                           tzinfo=datetime.UTC),
                         state.updated)
        self.assertEqual((agg,), state.aggregates)
        self.assertEqual({'i1': 'p1'}, dict(state.instances))
        self.assertEqual((('x86_64', 'kvm', 'hvm'),),
                         state.supported_instances)
        self.assertIsNone(state.numa_topology)
        self.assertEqual((), state.pci_pools)

    def test_service(self):
        service = _build().service
        self.assertEqual('cmp1', service.host)
        self.assertEqual(7, service.id)
        self.assertFalse(service.disabled)
        self.assertEqual(datetime.datetime(2026, 3, 1, 12, 0,
                                           tzinfo=datetime.UTC),
                         service.last_seen_up)
        self.assertEqual(70, service.version)
        self.assertEqual(12, service.report_count)

    def test_service_string_timestamps_and_flags(self):
        service = _build(service=_service(
            last_seen_up='2026-03-01T12:00:00.000000',
            created_at='2026-01-01 00:00:00', disabled=1,
            forced_down=None)).service
        self.assertEqual(datetime.datetime(2026, 3, 1, 12, 0,
                                           tzinfo=datetime.UTC),
                         service.last_seen_up)
        self.assertEqual(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
                         service.created_at)
        self.assertIs(True, service.disabled)
        self.assertIs(False, service.forced_down)

    def test_missing_uuid_is_invalid(self):
        e = self.assertRaises(host_builder.InvalidComputeNode, _build,
                              _row(uuid=None))
        self.assertEqual('uuid', e.column)

    def test_null_free_disk_skips_node(self):
        self.assertIsNone(_build(_row(free_disk_gb=None)))

    def test_disk_available_least_lowers_free_disk(self):
        self.assertEqual(40 * 1024, _build(
            _row(disk_available_least=40)).free_disk_mb)
        # More than the database thinks: the smaller value still wins.
        self.assertEqual(90 * 1024, _build(
            _row(disk_available_least=120)).free_disk_mb)
        self.assertEqual(-5 * 1024, _build(
            _row(disk_available_least=-5)).free_disk_mb)

    def test_host_from_service_when_null(self):
        self.assertEqual('svc-host', _build(
            _row(host=None), _service(host='svc-host')).host)

    def test_stats_counters(self):
        state = _build(_row(stats=json.dumps({
            'num_instances': '5', 'io_workload': '2', 'failed_builds': '1',
            'num_proj_x': '5', 'null': None})))
        self.assertEqual(5, state.num_instances)
        self.assertEqual(2, state.num_io_ops)
        self.assertEqual(1, state.failed_builds)
        self.assertEqual({'num_instances': '5', 'io_workload': '2',
                          'failed_builds': '1', 'num_proj_x': '5'},
                         dict(state.stats))

    def test_stats_values_become_strings(self):
        state = _build(_row(stats='{"num_instances": 4, "flag": true}'))
        self.assertEqual({'num_instances': '4', 'flag': 'True'},
                         dict(state.stats))
        self.assertEqual(4, state.num_instances)

    def test_null_stats_are_empty(self):
        state = _build(_row(stats=None))
        self.assertEqual({}, dict(state.stats))
        self.assertEqual(0, state.num_instances)

    def test_bad_stats(self):
        for stats in ('{', '[1]', '{"num_instances": "x"}'):
            e = self.assertRaises(host_builder.InvalidComputeNode, _build,
                                  _row(stats=stats))
            self.assertEqual('stats', e.column)
            self.assertIn(UUID, str(e))

    def test_metrics(self):
        state = _build(_row(metrics=json.dumps([
            {'name': 'cpu.frequency', 'value': 1600.9, 'source': 'libvirt',
             'timestamp': '2026-03-01T11:59:00.000000+00:00'},
            {'name': 'cpu.percent', 'value': 0.257, 'source': 'libvirt',
             'timestamp': '2026-03-01T11:59:00Z'},
            {'name': 'numa.membw.current', 'numa_membw_values': {'0': 1},
             'source': 'x', 'timestamp': '2026-03-01T11:59:00Z'},
        ])))
        self.assertEqual(
            [('cpu.frequency', 1600.0), ('cpu.percent', 25.0)],
            [(m.name, m.value) for m in state.metrics])
        self.assertEqual('libvirt', state.metrics[0].source)
        self.assertEqual(datetime.datetime(2026, 3, 1, 11, 59,
                                           tzinfo=datetime.UTC),
                         state.metrics[0].timestamp)

    def test_metrics_null_or_empty(self):
        self.assertEqual((), _build(_row(metrics=None)).metrics)
        self.assertEqual((), _build(_row(metrics='')).metrics)

    def test_supported_instances_canonicalized(self):
        state = _build(_row(supported_instances=json.dumps(
            [['AMD64', 'xapi', 'PV'], ['i386', 'QEMU', 'baremetal']])))
        self.assertEqual((('x86_64', 'xen', 'xen'), ('i686', 'qemu', 'hvm')),
                         state.supported_instances)

    def test_supported_instances_invalid(self):
        for value in ('[["x86_64", "kvm"]]', '[["vax", "kvm", "hvm"]]',
                      '[[null, "kvm", "hvm"]]', '7'):
            e = self.assertRaises(host_builder.InvalidComputeNode, _build,
                                  _row(supported_instances=value))
            self.assertEqual('supported_instances', e.column)

    def test_supported_instances_shared_between_alike_hosts(self):
        text = '[["x86_64", "kvm", "hvm"], ["i686", "kvm", "hvm"]]'
        first = _build(_row(supported_instances=text))
        second = _build(_row(supported_instances=''.join(text)))
        self.assertIs(first.supported_instances,
                      second.supported_instances)
        e = self.assertRaises(host_builder.InvalidComputeNode, _build,
                              _row(supported_instances='[["x86_64"'))
        self.assertIn('bad JSON', str(e))

    def test_empty_maps_are_shared(self):
        first, second = _build(), _build(_row(stats='{}', uuid='other'))
        self.assertEqual({}, dict(first.stats))
        self.assertIs(first.stats, second.stats)
        self.assertIs(first.instances, second.instances)
        self.assertIs(first.instance_images, second.instance_images)
        self.assertEqual({'i1': 'p1'}, dict(_build(
            instances={'i1': 'p1'}).instances))

    def test_supported_instances_null(self):
        self.assertEqual((), _build(
            _row(supported_instances=None)).supported_instances)

    def test_host_ip_normalized(self):
        self.assertEqual('2001:db8::1', _build(
            _row(host_ip='2001:DB8:0:0::1')).host_ip)
        self.assertIsNone(_build(_row(host_ip=None)).host_ip)
        self.assertRaises(host_builder.InvalidComputeNode, _build,
                          _row(host_ip='not-an-ip'))

    def test_hypervisor_version_null(self):
        self.assertIsNone(_build(
            _row(hypervisor_version=None)).hypervisor_version)

    def test_instance_images(self):
        state = _build(instances={'i1': None},
                       instance_images={'i1': {'os_distro': 'ubuntu'}})
        self.assertEqual({'os_distro': 'ubuntu'},
                         dict(state.instance_images['i1']))
        self.assertEqual({}, dict(_build().instance_images))


class AllocationRatioTest(testtools.TestCase):

    def test_stored_ratio_wins(self):
        defaults = host_builder.AllocationRatioDefaults(
            cpu_allocation_ratio=2.0)
        self.assertEqual(16.0, _build(
            allocation_ratio_defaults=defaults).cpu_allocation_ratio)

    def test_null_or_zero_uses_config_then_initial(self):
        defaults = host_builder.AllocationRatioDefaults(
            cpu_allocation_ratio=2.0, ram_allocation_ratio=0.0,
            initial_ram_allocation_ratio=1.25,
            initial_disk_allocation_ratio=1.1)
        state = _build(_row(cpu_allocation_ratio=None,
                            ram_allocation_ratio=0.0,
                            disk_allocation_ratio=None),
                       allocation_ratio_defaults=defaults)
        self.assertEqual(2.0, state.cpu_allocation_ratio)
        # 0.0 in the config counts as unset, as in nova.
        self.assertEqual(1.25, state.ram_allocation_ratio)
        self.assertEqual(1.1, state.disk_allocation_ratio)

    def test_int_ratio_becomes_float(self):
        state = _build(_row(cpu_allocation_ratio=3))
        self.assertIsInstance(state.cpu_allocation_ratio, float)

    def test_from_conf(self):
        conf = cfg.ConfigOpts()
        conf_pkg.register_opts(conf)
        conf([])
        self.assertEqual(host_builder.AllocationRatioDefaults(),
                         host_builder.AllocationRatioDefaults.from_conf(conf))
        conf.set_override('ram_allocation_ratio', 1.5)
        conf.set_override('initial_cpu_allocation_ratio', 8.0)
        defaults = host_builder.AllocationRatioDefaults.from_conf(conf)
        self.assertEqual(1.5, defaults.ram_allocation_ratio)
        self.assertEqual(8.0, defaults.initial_cpu_allocation_ratio)

    def test_from_conf_without_options_uses_nova_defaults(self):
        conf = cfg.ConfigOpts()
        conf([])
        self.assertEqual(host_builder.AllocationRatioDefaults(),
                         host_builder.AllocationRatioDefaults.from_conf(conf))


class PciPoolsTest(testtools.TestCase):

    def _pools(self, pci_stats):
        return _build(_row(pci_stats=pci_stats)).pci_pools

    def test_object_primitive(self):
        primitive = {
            'nova_object.name': 'PciDevicePoolList',
            'nova_object.namespace': 'nova',
            'nova_object.version': '1.1',
            'nova_object.data': {'objects': [
                {'nova_object.name': 'PciDevicePool',
                 'nova_object.namespace': 'nova',
                 'nova_object.version': '1.1',
                 'nova_object.data': {
                     'product_id': '1520', 'vendor_id': '8086',
                     'numa_node': 1, 'count': 4,
                     'tags': {'physical_network': 'physnet1',
                              'dev_type': 'type-VF'}}},
                {'nova_object.name': 'PciDevicePool',
                 'nova_object.namespace': 'nova',
                 'nova_object.version': '1.0',
                 'nova_object.data': {
                     'product_id': '10fb', 'vendor_id': '8086',
                     'count': 1, 'tags': {}}},
            ]}}
        pools = self._pools(json.dumps(primitive))
        # nova sorts by the size of the flattened pool dicts.
        self.assertEqual(
            [pools_mod.PciPool('8086', '10fb', 1),
             pools_mod.PciPool('8086', '1520', 4, 1, {
                 'physical_network': 'physnet1', 'dev_type': 'type-VF'})],
            list(pools))

    def test_legacy_list_and_dict(self):
        pools = self._pools(json.dumps([
            {'vendor_id': '8086', 'product_id': '1520', 'count': '2',
             'numa_node': 0, 'physical_network': 'p1', 'extra': None},
            {'vendor_id': 8086, 'product_id': '10fb', 'count': 3},
        ]))
        self.assertEqual(
            [pools_mod.PciPool('8086', '10fb', 3),
             pools_mod.PciPool('8086', '1520', 2, 0,
                                {'physical_network': 'p1', 'extra': None})],
            list(pools))
        pools = self._pools('{"vendor_id": "v", "product_id": "p", '
                            '"count": 1}')
        self.assertEqual([pools_mod.PciPool('v', 'p', 1)], list(pools))

    def test_empty_or_unreadable_is_no_pools(self):
        for value in (None, '', '[]', '{}', 'not json', 'null'):
            self.assertEqual((), self._pools(value), value)

    def test_pool_without_count_is_invalid(self):
        e = self.assertRaises(host_builder.InvalidComputeNode, self._pools,
                              '[{"vendor_id": "v", "product_id": "p"}]')
        self.assertEqual('pci_stats', e.column)


class NumaTopologyTest(testtools.TestCase):

    def test_primitive_is_decoded(self):
        primitive = {'nova_object.name': 'NUMATopology',
                     'nova_object.version': '1.2',
                     'nova_object.namespace': 'nova',
                     'nova_object.data': {'cells': []}}
        state = _build(_row(numa_topology=json.dumps(primitive)))
        self.assertEqual(primitive, state.numa_topology)

    def test_legacy_format_converted(self):
        legacy = {'cells': [{'id': 0, 'cpus': '0-3,^1', 'cpu_usage': 1,
                             'mem': {'total': 2048, 'used': 512}},
                            {'id': 1}]}
        topology = _build(_row(numa_topology=json.dumps(legacy))
                          ).numa_topology
        self.assertEqual('NUMATopology', topology['nova_object.name'])
        cells = [c['nova_object.data']
                 for c in topology['nova_object.data']['cells']]
        self.assertEqual({'id': 0, 'cpuset': [0, 2, 3], 'memory': 2048,
                          'cpu_usage': 1, 'memory_usage': 512,
                          'pinned_cpus': [], 'siblings': [], 'mempages': []},
                         cells[0])
        self.assertEqual([], cells[1]['cpuset'])
        self.assertEqual(0, cells[1]['memory'])

    def test_legacy_cell_without_id_is_invalid(self):
        self.assertRaises(host_builder.InvalidComputeNode, _build,
                          _row(numa_topology='{"cells": [{"cpus": "0"}]}'))

"""The thirteen weighers: raw weights, options and overrides."""

import testtools

from scheduler.hoststate import host_state
from scheduler.objects import destination
from scheduler.objects import image
from scheduler.objects import instance_group
from scheduler.pci import pools as pools_mod
from scheduler.weighers import affinity
from scheduler.weighers import compute
from scheduler.weighers import cpu
from scheduler.weighers import cross_cell
from scheduler.weighers import disk
from scheduler.weighers import engine
from scheduler.weighers import hypervisor_version
from scheduler.weighers import image_props
from scheduler.weighers import io_ops
from scheduler.weighers import metrics
from scheduler.weighers import num_instances
from scheduler.weighers import pci
from scheduler.weighers import ram
from tests.unit import fakes
from tests.unit.filters import conf_fixture


def _conf(**groups):
    return conf_fixture.make_conf(**groups)


def _order(weigher, hosts, spec=None):
    ordered, weights = engine.weigh_sorted([weigher], hosts,
                                           spec or fakes.spec())
    return [(h.host, round(w, 6))
            for h, w in zip(ordered, weights, strict=True)]


class ResourceWeighersTest(testtools.TestCase):

    def test_ram(self):
        hosts = [fakes.host('a', free_ram_mb=512),
                 fakes.host('b', free_ram_mb=2048),
                 fakes.host('c', free_ram_mb=-100)]
        self.assertEqual([('b', 1.0), ('a', 0.25), ('c', 0.0)],
                         _order(ram.RAMWeigher(_conf()), hosts))
        self.assertEqual(
            [('c', 0.0), ('a', -0.5), ('b', -2.0)],
            _order(ram.RAMWeigher(_conf(filter_scheduler={
                'ram_weight_multiplier': -2.0})), hosts))

    def test_disk(self):
        hosts = [fakes.host('a', free_disk_mb=1024),
                 fakes.host('b', free_disk_mb=4096)]
        self.assertEqual([('b', 1.0), ('a', 0.25)],
                         _order(disk.DiskWeigher(_conf()), hosts))

    def test_cpu(self):
        hosts = [fakes.host('a', vcpus_total=8, vcpus_used=30,
                            cpu_allocation_ratio=4.0),
                 fakes.host('b', vcpus_total=8, vcpus_used=0,
                            cpu_allocation_ratio=2.0),
                 fakes.host('c', vcpus_total=4, vcpus_used=20,
                            cpu_allocation_ratio=4.0)]
        # Free: 2, 16, -4 (clamped to 0).
        self.assertEqual([('b', 1.0), ('a', 0.125), ('c', 0.0)],
                         _order(cpu.CPUWeigher(_conf()), hosts))

    def test_io_ops_prefers_idle(self):
        hosts = [fakes.host('a', num_io_ops=4), fakes.host('b', num_io_ops=0)]
        self.assertEqual([('b', 0.0), ('a', -1.0)],
                         _order(io_ops.IoOpsWeigher(_conf()), hosts))

    def test_num_instances_disabled_by_default(self):
        hosts = [fakes.host('a', num_instances=1),
                 fakes.host('b', num_instances=9)]
        self.assertEqual([('a', 0.0), ('b', 0.0)],
                         _order(num_instances.NumInstancesWeigher(_conf()),
                                hosts))
        weigher = num_instances.NumInstancesWeigher(_conf(filter_scheduler={
            'num_instances_weight_multiplier': -1.0}))
        self.assertEqual([('a', 0.0), ('b', -1.0)], _order(weigher, hosts))

    def test_hypervisor_version(self):
        hosts = [fakes.host('a', hypervisor_version=None),
                 fakes.host('b', hypervisor_version=9000000),
                 fakes.host('c', hypervisor_version=4500000)]
        self.assertEqual(
            [('b', 1.0), ('c', 0.5), ('a', 0.0)],
            _order(hypervisor_version.HypervisorVersionWeigher(_conf()),
                   hosts))

    def test_build_failures_negated_and_overridable(self):
        agg = fakes.agg(1, 'a1', build_failure_weight_multiplier='10')
        hosts = [fakes.host('a', failed_builds=3),
                 fakes.host('b', failed_builds=0),
                 fakes.host('c', failed_builds=3, aggregates=[agg])]
        self.assertEqual(
            [('b', 0.0), ('c', -10.0), ('a', -1000000.0)],
            _order(compute.BuildFailureWeigher(_conf()), hosts))


class CrossCellWeigherTest(testtools.TestCase):

    def _spec(self, allow=True, cell=fakes.CELL1):
        return fakes.spec(requested_destination=destination.Destination(
            cell=destination.CellRef(cell) if cell else None,
            allow_cross_cell_move=allow))

    def test_prefers_requested_cell(self):
        hosts = [fakes.host('a', cell=fakes.CELL2),
                 fakes.host('b', cell=fakes.CELL1)]
        self.assertEqual([('b', 1000000.0), ('a', 0.0)],
                         _order(cross_cell.CrossCellWeigher(_conf()), hosts,
                                self._spec()))

    def test_noop_without_cross_cell_move(self):
        weigher = cross_cell.CrossCellWeigher(_conf())
        host = fakes.host('a', cell=fakes.CELL2)
        for spec in (fakes.spec(), self._spec(allow=False),
                     self._spec(cell=None)):
            self.assertEqual(0, weigher.weigh(host, spec))
        self.assertEqual(-1, weigher.weigh(host, self._spec()))


class PCIWeigherTest(testtools.TestCase):

    def test_fewer_free_devices_weigh_more(self):
        def pools(*counts):
            return tuple(pools_mod.PciPool('8086', '1520', c)
                         for c in counts)
        weigher = pci.PCIWeigher(_conf())
        self.assertEqual(100, weigher.weigh(fakes.host('a'), fakes.spec()))
        self.assertEqual(95, weigher.weigh(
            fakes.host('a', pci_pools=pools(2, 3)), fakes.spec()))
        self.assertEqual(1, weigher.weigh(
            fakes.host('a', pci_pools=pools(150)), fakes.spec()))


class SoftAffinityWeighersTest(testtools.TestCase):

    def _spec(self, policy):
        return fakes.spec(instance_group=instance_group.InstanceGroup(
            policy=policy, members=('m1', 'm2', 'm3')))

    def test_soft_affinity_counts_members(self):
        weigher = affinity.ServerGroupSoftAffinityWeigher(_conf())
        host = fakes.host('a', instances={'m1': None, 'm2': None, 'x': None})
        self.assertEqual(2, weigher.weigh(host, self._spec('soft-affinity')))
        self.assertEqual(0, weigher.weigh(
            host, self._spec('soft-anti-affinity')))
        self.assertEqual(0, weigher.weigh(host, fakes.spec()))

    def test_soft_anti_affinity_negative(self):
        weigher = affinity.ServerGroupSoftAntiAffinityWeigher(_conf())
        hosts = [fakes.host('a', instances={'m1': None, 'm2': None}),
                 fakes.host('b', instances={'m3': None}),
                 fakes.host('c')]
        self.assertEqual([('c', 1.0), ('b', 0.5), ('a', 0.0)],
                         _order(weigher, hosts,
                                self._spec('soft-anti-affinity')))


class MetricsWeigherTest(testtools.TestCase):

    def _host(self, name, **values):
        return fakes.host(name, metrics=tuple(
            host_state.Metric(n.replace('_', '.'), v)
            for n, v in values.items()))

    def _weigher(self, setting, **options):
        return metrics.MetricsWeigher(_conf(metrics={
            'weight_setting': setting, **options}))

    def test_weighted_sum(self):
        weigher = self._weigher(['cpu.frequency=1', 'cpu.percent=-2.5'])
        host = self._host('a', cpu_frequency=1000.0, cpu_percent=40.0)
        self.assertEqual(900.0, weigher.weigh(host, fakes.spec()))

    def test_no_setting_weighs_zero(self):
        self.assertEqual(0.0, self._weigher([]).weigh(self._host('a'),
                                                      fakes.spec()))

    def test_missing_required_metric_raises(self):
        weigher = self._weigher(['cpu.frequency=1', 'cpu.percent=1'])
        host = self._host('a', cpu_frequency=1.0)
        e = self.assertRaises(metrics.MetricNotFound, weigher.weigh,
                              host, fakes.spec())
        self.assertEqual('cpu.percent', e.name)
        self.assertEqual(('a', 'a'), (e.host, e.nodename))
        self.assertIn('cpu.percent', str(e))
        self.assertNotIn("'a'", str(e))

    def test_missing_optional_metric_weighs_unavailable(self):
        weigher = self._weigher(['cpu.frequency=1'], required=False,
                                weight_of_unavailable=-500.0)
        self.assertEqual(-500.0, weigher.weigh(self._host('a'),
                                               fakes.spec()))

    def test_missing_metric_with_zero_ratio_ignored(self):
        weigher = self._weigher(['cpu.percent=0', 'cpu.frequency=2'],
                                required=False)
        host = self._host('a', cpu_frequency=3.0)
        self.assertEqual(6.0, weigher.weigh(host, fakes.spec()))

    def test_missing_metric_with_zero_aggregate_multiplier_ignored(self):
        weigher = self._weigher(['cpu.percent=1'], required=False)
        agg = fakes.agg(1, 'a1', metrics_weight_multiplier='0')
        host = fakes.host('a', aggregates=[agg])
        self.assertEqual(0.0, weigher.weigh(host, fakes.spec()))

    def test_multiplier_option_and_aggregate_key(self):
        weigher = self._weigher([], weight_multiplier=3.0)
        self.assertEqual(3.0, weigher.weight_multiplier(fakes.host('a')))
        agg = fakes.agg(1, 'a1', metrics_weight_multiplier='-1',
                        weight_multiplier='7')
        self.assertEqual(-1.0, weigher.weight_multiplier(
            fakes.host('a', aggregates=[agg])))

    def test_engine_raises_only_with_several_hosts(self):
        weigher = self._weigher(['cpu.frequency=1'])
        ordered, _weights = engine.weigh_sorted(
            [weigher], [self._host('a')], fakes.spec())
        self.assertEqual(1, len(ordered))
        self.assertRaises(metrics.MetricNotFound, engine.weigh_sorted,
                          [weigher], [self._host('a'), self._host('b')],
                          fakes.spec())


class ImagePropertiesWeigherTest(testtools.TestCase):

    IMAGES = {
        'i1': {'os_distro': 'ubuntu', 'hw_machine_type': 'q35'},
        'i2': {'os_distro': 'ubuntu', 'hw_machine_type': 'pc'},
        'i3': {'os_distro': 'windows'},
    }

    def _host(self, name, *uuids):
        return fakes.host(name, instances=dict.fromkeys(uuids),
                          instance_images={u: self.IMAGES[u] for u in uuids})

    def _spec(self, **props):
        return fakes.spec(image=image.ImageMeta(
            properties=image.ImageProperties(props)))

    def _weigher(self, multiplier=1.0, setting=()):
        return image_props.ImagePropertiesWeigher(_conf(filter_scheduler={
            'image_props_weight_multiplier': multiplier,
            'image_props_weight_setting': list(setting)}))

    def test_disabled_by_default(self):
        weigher = image_props.ImagePropertiesWeigher(_conf())
        self.assertEqual(0.0, weigher.weigh(self._host('a', 'i1'),
                                            self._spec(os_distro='ubuntu')))

    def test_counts_shared_pairs(self):
        spec = self._spec(os_distro='ubuntu', hw_machine_type='q35')
        weigher = self._weigher()
        self.assertEqual(3.0, weigher.weigh(self._host('a', 'i1', 'i2'),
                                            spec))
        self.assertEqual(0.0, weigher.weigh(self._host('b', 'i3'), spec))
        self.assertEqual(0.0, weigher.weigh(fakes.host('c'), spec))
        self.assertEqual(0.0, weigher.weigh(self._host('a', 'i1'),
                                            fakes.spec()))

    def test_setting_ratios(self):
        spec = self._spec(os_distro='ubuntu', hw_machine_type='q35')
        weigher = self._weigher(setting=['os_distro=0.5'])
        self.assertEqual(1.0, weigher.weigh(self._host('a', 'i1', 'i2'),
                                            spec))

    def test_only_instances_on_host_count(self):
        host = fakes.host('a', instances={'i1': None},
                          instance_images=self.IMAGES)
        spec = self._spec(os_distro='ubuntu')
        self.assertEqual(1.0, self._weigher().weigh(host, spec))

    def test_requested_values_rendered_like_nova(self):
        images = {'i1': {'traits_required': "['A', 'B']",
                         'hw_qemu_guest_agent': 'True'}}
        host = fakes.host('a', instances={'i1': None},
                          instance_images=images)
        spec = self._spec(traits_required=('A', 'B'),
                          hw_qemu_guest_agent=True)
        self.assertEqual(2.0, self._weigher().weigh(host, spec))

    def test_aggregate_override_does_not_enable(self):
        agg = fakes.agg(1, 'a1', image_props_weight_multiplier='5')
        host = fakes.host('a', instances={'i1': None},
                          instance_images=self.IMAGES, aggregates=[agg])
        weigher = image_props.ImagePropertiesWeigher(_conf())
        self.assertEqual(0.0, weigher.weigh(host,
                                            self._spec(os_distro='ubuntu')))
        self.assertEqual(5.0, weigher.weight_multiplier(host))

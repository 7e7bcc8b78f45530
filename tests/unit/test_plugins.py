"""Loading filters and weighers through stevedore by nova's names."""

from oslo_config import cfg
import testtools

from scheduler import conf as conf_pkg
from scheduler import filters
from scheduler import plugins
from scheduler import weighers

FILTERS = {
    'ComputeFilter': 'compute_filter',
    'ComputeCapabilitiesFilter': 'compute_capabilities_filter',
    'ImagePropertiesFilter': 'image_props_filter',
    'ServerGroupAffinityFilter': 'affinity_filter',
    'ServerGroupAntiAffinityFilter': 'affinity_filter',
    'AggregateImagePropertiesIsolation':
        'aggregate_image_properties_isolation',
    'AggregateInstanceExtraSpecsFilter': 'aggregate_instance_extra_specs',
    'AggregateIoOpsFilter': 'io_ops_filter',
    'AggregateMultiTenancyIsolation': 'aggregate_multitenancy_isolation',
    'AggregateNumInstancesFilter': 'num_instances_filter',
    'AggregateTypeAffinityFilter': 'type_filter',
    'AllHostsFilter': 'all_hosts_filter',
    'DifferentHostFilter': 'affinity_filter',
    'IoOpsFilter': 'io_ops_filter',
    'IsolatedHostsFilter': 'isolated_hosts_filter',
    'JsonFilter': 'json_filter',
    'MetricsFilter': 'metrics_filter',
    'NumInstancesFilter': 'num_instances_filter',
    'SameHostFilter': 'affinity_filter',
    'SimpleCIDRAffinityFilter': 'affinity_filter',
    'NUMATopologyFilter': 'numa_topology_filter',
    'PciPassthroughFilter': 'pci_passthrough_filter',
}
WEIGHERS = {
    'BuildFailureWeigher': 'compute',
    'CPUWeigher': 'cpu',
    'CrossCellWeigher': 'cross_cell',
    'DiskWeigher': 'disk',
    'HypervisorVersionWeigher': 'hypervisor_version',
    'ImagePropertiesWeigher': 'image_props',
    'IoOpsWeigher': 'io_ops',
    'MetricsWeigher': 'metrics',
    'NumInstancesWeigher': 'num_instances',
    'PCIWeigher': 'pci',
    'RAMWeigher': 'ram',
    'ServerGroupSoftAffinityWeigher': 'affinity',
    'ServerGroupSoftAntiAffinityWeigher': 'affinity',
}


def _conf(**overrides):
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    conf([])
    for name, value in overrides.items():
        conf.set_override(name, value, 'filter_scheduler')
    return conf


def _names(loaded):
    return [type(p).__name__ for p in loaded]


class LoadFiltersTest(testtools.TestCase):

    def test_defaults_are_novas_five_in_order(self):
        loaded = plugins.load_filters(_conf())
        self.assertEqual(
            ['ComputeFilter', 'ComputeCapabilitiesFilter',
             'ImagePropertiesFilter', 'ServerGroupAntiAffinityFilter',
             'ServerGroupAffinityFilter'], _names(loaded))
        for filter_ in loaded:
            self.assertIsInstance(filter_, filters.BaseHostFilter)

    def test_each_by_plain_and_nova_dotted_name(self):
        for name, module in FILTERS.items():
            dotted = f'nova.scheduler.filters.{module}.{name}'
            for entry in (name, dotted):
                loaded = plugins.load_filters(_conf(enabled_filters=[entry]))
                self.assertEqual([name], _names(loaded))
                self.assertEqual(f'scheduler.filters.{module}',
                                 type(loaded[0]).__module__)

    def test_constructed_with_conf(self):
        conf = _conf(enabled_filters=['ImagePropertiesFilter'])
        self.assertIs(conf, plugins.load_filters(conf)[0].conf)

    def test_all_filters_in_enabled(self):
        loaded = plugins.load_filters(_conf(
            enabled_filters=['nova.scheduler.filters.all_filters']))
        self.assertEqual(sorted(FILTERS), _names(loaded))

    def test_order_and_duplicates_kept(self):
        loaded = plugins.load_filters(_conf(enabled_filters=[
            'ServerGroupAffinityFilter', 'ComputeFilter',
            'ServerGroupAffinityFilter']))
        self.assertEqual(['ServerGroupAffinityFilter', 'ComputeFilter',
                          'ServerGroupAffinityFilter'], _names(loaded))

    def test_unknown_names_listed_in_one_error(self):
        e = self.assertRaises(
            plugins.UnknownPluginError, plugins.load_filters,
            _conf(enabled_filters=[
                'FooFilter', 'ComputeFilter', 'BarFilter',
                'nova.scheduler.filters.core_filter.CoreFilter',
                'nova.scheduler.filters.ram_filter.ComputeFilter']))
        self.assertEqual(
            ('FooFilter', 'BarFilter',
             'nova.scheduler.filters.core_filter.CoreFilter',
             'nova.scheduler.filters.ram_filter.ComputeFilter'), e.unknown)
        self.assertTrue(str(e).startswith(
            'Unknown filter(s) in [filter_scheduler] enabled_filters: '
            'FooFilter, BarFilter, '))
        self.assertNotIn('out-of-tree', str(e))

    def test_out_of_tree_nova_plugin(self):
        e = self.assertRaises(
            plugins.UnknownPluginError, plugins.load_filters,
            _conf(enabled_filters=['ComputeFilter', 'mycloud.filters.Rack',
                                   'Nope']))
        self.assertEqual(('mycloud.filters.Rack',), e.out_of_tree)
        self.assertEqual(('Nope',), e.unknown)
        self.assertIn('mycloud.filters.Rack', str(e))
        self.assertIn('out-of-tree nova plugins are not supported yet',
                      str(e))

    def test_available_filters_restricts_enabled(self):
        conf = _conf(available_filters=[
            'ComputeFilter',
            'nova.scheduler.filters.image_props_filter.'
            'ImagePropertiesFilter'],
            enabled_filters=['ImagePropertiesFilter', 'ComputeFilter'])
        self.assertEqual(['ImagePropertiesFilter', 'ComputeFilter'],
                         _names(plugins.load_filters(conf)))
        conf.set_override('enabled_filters', [
            'ComputeFilter', 'ServerGroupAffinityFilter'],
            'filter_scheduler')
        e = self.assertRaises(plugins.UnknownPluginError,
                              plugins.load_filters, conf)
        self.assertEqual(('ServerGroupAffinityFilter',), e.unavailable)
        self.assertIn('not in [filter_scheduler] available_filters', str(e))

    def test_unknown_available_filter(self):
        e = self.assertRaises(
            plugins.UnknownPluginError, plugins.load_filters,
            _conf(available_filters=['nova.scheduler.filters.all_filters',
                                     'Bogus']))
        self.assertEqual('available_filters', e.option)
        self.assertEqual(('Bogus',), e.unknown)


class LoadWeighersTest(testtools.TestCase):

    def test_default_is_all_thirteen(self):
        loaded = plugins.load_weighers(_conf())
        self.assertEqual(sorted(WEIGHERS), _names(loaded))
        for weigher in loaded:
            self.assertIsInstance(weigher, weighers.BaseWeigher)

    def test_each_by_plain_and_nova_dotted_name(self):
        for name, module in WEIGHERS.items():
            dotted = f'nova.scheduler.weights.{module}.{name}'
            for entry in (name, dotted):
                loaded = plugins.load_weighers(_conf(weight_classes=[entry]))
                self.assertEqual([name], _names(loaded))
                self.assertEqual(f'scheduler.weighers.{module}',
                                 type(loaded[0]).__module__)

    def test_unknown_and_out_of_tree(self):
        e = self.assertRaises(
            plugins.UnknownPluginError, plugins.load_weighers,
            _conf(weight_classes=['RAMWeigher', 'FooWeigher',
                                  'nova.scheduler.weights.foo.FooWeigher',
                                  'acme.weights.Green']))
        self.assertEqual(('FooWeigher',
                          'nova.scheduler.weights.foo.FooWeigher'),
                         e.unknown)
        self.assertEqual(('acme.weights.Green',), e.out_of_tree)
        self.assertIn('Unknown weigher(s) in [filter_scheduler] '
                      'weight_classes: FooWeigher', str(e))

    def test_filter_dotted_path_is_not_a_weigher(self):
        e = self.assertRaises(
            plugins.UnknownPluginError, plugins.load_weighers,
            _conf(weight_classes=[
                'nova.scheduler.filters.compute_filter.ComputeFilter']))
        self.assertEqual(
            ('nova.scheduler.filters.compute_filter.ComputeFilter',),
            e.unknown)
        self.assertEqual((), e.out_of_tree)

"""Loading filters and weighers through stevedore by nova's names.

Dotted paths are resolved as nova's loader resolves them; the classes
here derive from our own bases, so no nova is needed (it is blocked, as
on a host without nova). nova-derived classes: tests/compat/bridge.
"""

import textwrap

from oslo_config import cfg
import testtools

from scheduler import conf as conf_pkg
from scheduler import plugins
from scheduler.filters import base as filters_base
from scheduler.weighers import base as weighers_base
from tests.unit import fakes
from tests.unit import site_modules

SITE = textwrap.dedent('''\
    from scheduler.filters import base as filters_base
    from scheduler.weighers import base as weighers_base
    from scheduler.filters import compute_filter


    class RackFilter(filters_base.BaseHostFilter):
        def host_passes(self, host, spec):
            return None if host.host.startswith('rack1') else self.reject(
                'not in rack 1', filters_base.RejectionCode.OTHER)


    class ComputeFilter(filters_base.BaseHostFilter):
        """Named like one of ours: a site's own ComputeFilter."""

        def host_passes(self, host, spec):
            return self.reject('site compute filter',
                               filters_base.RejectionCode.OTHER)


    class _Hidden(RackFilter):
        pass


    class NeedsSetup(filters_base.BaseHostFilter):
        def __init__(self, conf):
            raise RuntimeError('site setup missing')


    class Green(weighers_base.BaseWeigher):
        multiplier_option = 'ram_weight_multiplier'

        def weigh(self, host, spec):
            return host.free_ram_mb


    def site_filters():
        return [RackFilter, compute_filter.ComputeFilter]


    def not_classes():
        return ['RackFilter']


    def broken():
        raise ValueError('no list today')


    LIMIT = 3
    ''')
NOVA_STYLE = textwrap.dedent('''\
    from nova.scheduler import weights


    class NovaWeigher(weights.BaseHostWeigher):
        pass
    ''')

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
            self.assertIsInstance(filter_, filters_base.BaseHostFilter)

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
        # Removed nova filters are dotted paths nova cannot load either.
        e = self.assertRaises(
            plugins.UnknownPluginError, plugins.load_filters,
            _conf(enabled_filters=[
                'FooFilter', 'ComputeFilter', 'BarFilter',
                'nova.scheduler.filters.core_filter.CoreFilter',
                'nova.scheduler.filters.ram_filter.ComputeFilter']))
        self.assertEqual(('FooFilter', 'BarFilter'), e.unknown)
        self.assertEqual(
            ('nova.scheduler.filters.core_filter.CoreFilter',
             'nova.scheduler.filters.ram_filter.ComputeFilter'),
            e.unloadable)
        self.assertTrue(str(e).startswith(
            'Unknown filter(s) in [filter_scheduler] enabled_filters: '
            'FooFilter, BarFilter; Cannot load filter(s) in '
            '[filter_scheduler] enabled_filters: '
            'nova.scheduler.filters.core_filter.CoreFilter ('))
        self.assertNotIn('\n', str(e))

    def test_unimportable_dotted_path(self):
        e = self.assertRaises(
            plugins.UnknownPluginError, plugins.load_filters,
            _conf(enabled_filters=['ComputeFilter', 'mycloud.filters.Rack',
                                   'Nope']))
        self.assertEqual(('mycloud.filters.Rack',), e.unloadable)
        self.assertEqual(('Nope',), e.unknown)
        self.assertIn('mycloud.filters.Rack (cannot import module '
                      'mycloud.filters: ', str(e))

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
            self.assertIsInstance(weigher, weighers_base.BaseWeigher)

    def test_each_by_plain_and_nova_dotted_name(self):
        for name, module in WEIGHERS.items():
            dotted = f'nova.scheduler.weights.{module}.{name}'
            for entry in (name, dotted):
                loaded = plugins.load_weighers(_conf(weight_classes=[entry]))
                self.assertEqual([name], _names(loaded))
                self.assertEqual(f'scheduler.weighers.{module}',
                                 type(loaded[0]).__module__)

    def test_unknown_and_unloadable(self):
        e = self.assertRaises(
            plugins.UnknownPluginError, plugins.load_weighers,
            _conf(weight_classes=['RAMWeigher', 'FooWeigher',
                                  'nova.scheduler.weights.foo.FooWeigher',
                                  'acme.weights.Green']))
        self.assertEqual(('FooWeigher',), e.unknown)
        self.assertEqual(('nova.scheduler.weights.foo.FooWeigher',
                          'acme.weights.Green'), e.unloadable)
        self.assertIn('Unknown weigher(s) in [filter_scheduler] '
                      'weight_classes: FooWeigher; ', str(e))

    def test_filter_dotted_path_is_not_a_weigher(self):
        for path in ('nova.scheduler.filters.compute_filter.ComputeFilter',
                     'nova.scheduler.filters.all_filters'):
            e = self.assertRaises(
                plugins.UnknownPluginError, plugins.load_weighers,
                _conf(weight_classes=[path]))
            self.assertEqual((path,), e.unloadable)
            self.assertEqual(
                'Cannot load weigher(s) in [filter_scheduler] '
                f"weight_classes: {path} (one of nova's filters, not a "
                'weigher)', str(e))


class DottedPathsTest(testtools.TestCase):
    """Dotted paths read as nova's loader reads them (nova absent)."""

    def setUp(self):
        super().setUp()
        self.useFixture(site_modules.SiteModules(
            site_plugins=SITE, site_nova_style=NOVA_STYLE))

    def assertUnloadable(self, option, entry, reason, **overrides):
        loader = (plugins.load_weighers if option == 'weight_classes'
                  else plugins.load_filters)
        e = self.assertRaises(plugins.UnknownPluginError, loader,
                              _conf(**overrides))
        self.assertEqual(option, e.option)
        self.assertEqual((entry,), e.unloadable)
        self.assertEqual(reason, e.reasons[entry])
        self.assertIn(f'[filter_scheduler] {option}: {entry} ({reason})',
                      str(e))
        self.assertNotIn('\n', str(e))
        return e

    def test_function_returning_classes_in_available_filters(self):
        # As nova.scheduler.filters.all_filters: enabled by class name.
        # Our ComputeFilter stands for itself, not a copy.
        conf = _conf(available_filters=['site_plugins.site_filters'],
                     enabled_filters=['RackFilter', 'ComputeFilter'])
        loaded = plugins.load_filters(conf)
        self.assertEqual(['RackFilter', 'ComputeFilter'], _names(loaded))
        self.assertEqual('scheduler.filters.compute_filter',
                         type(loaded[1]).__module__)
        self.assertIsNone(loaded[0].host_passes(fakes.host('rack1-a'),
                                                fakes.spec()))
        conf.set_override('enabled_filters', ['ImagePropertiesFilter'],
                          'filter_scheduler')
        e = self.assertRaises(plugins.UnknownPluginError,
                              plugins.load_filters, conf)
        self.assertEqual(('ImagePropertiesFilter',), e.unavailable)

    def test_class_name_means_the_last_available_class_of_that_name(self):
        # nova's HostManager.filter_cls_map: the later class wins.
        loaded = plugins.load_filters(_conf(
            available_filters=['nova.scheduler.filters.all_filters',
                               'site_plugins.ComputeFilter'],
            enabled_filters=['ComputeFilter']))
        self.assertEqual('site compute filter', loaded[0].host_passes(
            fakes.host('h1'), fakes.spec()).reason)
        loaded = plugins.load_filters(_conf(
            available_filters=['site_plugins.ComputeFilter',
                               'nova.scheduler.filters.all_filters'],
            enabled_filters=['ComputeFilter',
                             'site_plugins.ComputeFilter']))
        self.assertEqual('scheduler.filters.compute_filter',
                         type(loaded[0]).__module__)
        self.assertEqual('site_plugins', type(loaded[1]).__module__)

    def test_all_filters_means_ours_only(self):
        loaded = plugins.load_filters(_conf(
            available_filters=['nova.scheduler.filters.all_filters',
                               'site_plugins.RackFilter'],
            enabled_filters=['nova.scheduler.filters.all_filters']))
        self.assertNotIn('RackFilter', _names(loaded))
        self.assertEqual(len(FILTERS), len(loaded))

    def test_module_path_is_refused_as_nova_refuses_it(self):
        self.assertUnloadable(
            'available_filters', 'scheduler.filters',
            'a module; name a class in it, or a function returning '
            'classes, as nova requires',
            available_filters=['scheduler.filters'])

    def test_what_is_no_plugin_says_why(self):
        self.assertUnloadable(
            'available_filters', 'site_plugins._Hidden',
            "a private class (its name starts with '_'), which nova does "
            'not load either', available_filters=['site_plugins._Hidden'])
        self.assertUnloadable(
            'available_filters', 'site_plugins.not_classes',
            "it returned 'RackFilter', not a class",
            available_filters=['site_plugins.not_classes'])
        self.assertUnloadable(
            'available_filters', 'site_plugins.broken',
            'calling it failed: ValueError: no list today',
            available_filters=['site_plugins.broken'])
        self.assertUnloadable(
            'weight_classes', 'site_plugins.LIMIT',
            'neither a class nor a function returning classes (type int)',
            weight_classes=['site_plugins.LIMIT'])
        self.assertUnloadable(
            'weight_classes', 'site_plugins.Missing',
            'module site_plugins has no class Missing',
            weight_classes=['site_plugins.Missing'])
        self.assertUnloadable(
            'weight_classes', 'site_plugins.site_filters',
            'not one of our weighers, and nova, whose weighers it could '
            'be, is not installed',
            weight_classes=['site_plugins.site_filters'])

    def test_nova_path_without_nova_is_one_clear_line(self):
        # Any nova. path outside nova's in-tree plugins goes to nova.
        reason = ('nova is not installed; a nova plugin needs nova (the '
                  'same release as the deployment) installed next to the '
                  'scheduler')
        for entry in ('nova.tests.fixtures.nova.HostNameWeigher',
                      'site_nova_style.NovaWeigher'):
            e = self.assertUnloadable(
                'weight_classes', entry, reason,
                weight_classes=['RAMWeigher', entry])
            self.assertEqual(
                'Cannot load weigher(s) in [filter_scheduler] '
                f'weight_classes: {entry} ({reason})', str(e))
        self.assertUnloadable(
            'available_filters',
            'nova.tests.unit.scheduler.test_host_manager.FakeFilterClass1',
            reason, available_filters=[
                'nova.scheduler.filters.all_filters',
                'nova.tests.unit.scheduler.test_host_manager.'
                'FakeFilterClass1'])

    def test_in_tree_nova_paths_still_need_no_nova(self):
        loaded = plugins.load_weighers(_conf(weight_classes=[
            'nova.scheduler.weights.all_weighers',
            'nova.scheduler.weights.ram.RAMWeigher', 'site_plugins.Green']))
        self.assertEqual([*sorted(WEIGHERS), 'RAMWeigher', 'Green'],
                         _names(loaded))

    def test_a_plugin_that_cannot_be_created_is_named(self):
        self.assertUnloadable(
            'enabled_filters', 'site_plugins.NeedsSetup',
            'creating it failed: RuntimeError: site setup missing',
            available_filters=['site_plugins.NeedsSetup'],
            enabled_filters=['NeedsSetup'])

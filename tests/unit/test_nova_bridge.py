"""Dotted-path plugins without nova: what loads and what fails, clearly.

nova is never imported here: where a path needs it, ``nova`` is blocked
in sys.modules, as on a scheduler host without nova installed.
"""

import textwrap

from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from scheduler import conf as conf_pkg
from scheduler import nova_bridge
from scheduler import plugins
from scheduler.filters import base as filters_base
from tests.unit import fakes
from tests.unit import site_modules

NOVA_STYLE = textwrap.dedent('''\
    from nova.scheduler import filters


    class RackFilter(filters.BaseHostFilter):
        def host_passes(self, host_state, spec_obj):
            return True
    ''')
NATIVE = textwrap.dedent('''\
    from scheduler.filters import base as filters_base
    from scheduler.weighers import base as weighers_base


    class RackFilter(filters_base.BaseHostFilter):
        def host_passes(self, host, spec):
            return None if host.host.startswith('rack1') else self.reject(
                'not in rack 1', filters_base.RejectionCode.OTHER)


    class Green(weighers_base.BaseWeigher):
        multiplier_option = 'ram_weight_multiplier'

        def weigh(self, host, spec):
            return host.free_ram_mb


    class NotAPlugin:
        pass


    VALUE = 3
    ''')
BROKEN = 'raise RuntimeError("site plugin bug")\n'


def _conf(**overrides):
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    fixture = config_fixture.Config(conf)
    fixture.setUp()
    fixture.config(group='filter_scheduler', **overrides)
    return conf


class BridgeWithoutNovaTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(site_modules.SiteModules(
            site_nova_style=NOVA_STYLE, site_native=NATIVE,
            site_broken=BROKEN))

    def test_nova_plugin_without_nova_is_a_clear_error(self):
        e = self.assertRaises(
            plugins.UnknownPluginError, plugins.load_filters, _conf(
                available_filters=['nova.scheduler.filters.all_filters',
                                   'site_nova_style.RackFilter'],
                enabled_filters=['ComputeFilter', 'RackFilter']))
        self.assertEqual('available_filters', e.option)
        self.assertEqual(('site_nova_style.RackFilter',), e.unloadable)
        self.assertEqual(
            'Cannot load filter(s) in [filter_scheduler] available_filters: '
            'site_nova_style.RackFilter (nova is not installed; a nova '
            'plugin needs nova (the same release as the deployment) '
            'installed next to the scheduler)', str(e))

    def test_weigher_without_nova(self):
        e = self.assertRaises(
            plugins.UnknownPluginError, plugins.load_weighers, _conf(
                weight_classes=['RAMWeigher', 'site_nova_style.RackFilter']))
        self.assertIn('nova is not installed', str(e))

    def test_unimportable_names_are_still_named(self):
        e = self.assertRaises(
            plugins.UnknownPluginError, plugins.load_filters, _conf(
                enabled_filters=['site_missing.Rack', 'site_broken.X',
                                 'site_native.Nope', 'site_native.VALUE']))
        self.assertEqual(('site_missing.Rack', 'site_broken.X',
                          'site_native.Nope', 'site_native.VALUE'),
                         e.unloadable)
        self.assertIn("cannot import module site_missing",
                      e.reasons['site_missing.Rack'])
        self.assertIn('RuntimeError: site plugin bug',
                      e.reasons['site_broken.X'])
        self.assertIn('has no class Nope', e.reasons['site_native.Nope'])
        self.assertEqual(
            'neither a class nor a function returning classes (type int)',
            e.reasons['site_native.VALUE'])

    def test_a_class_that_is_no_plugin_needs_nova_to_tell(self):
        e = self.assertRaises(nova_bridge.BridgeError,
                              nova_bridge.load_plugin,
                              'site_native.NotAPlugin', 'filter')
        self.assertIn('nova', str(e))

    def test_our_own_plugins_load_by_dotted_path_without_nova(self):
        conf = _conf(
            available_filters=['nova.scheduler.filters.all_filters',
                               'site_native.RackFilter'],
            enabled_filters=['RackFilter', 'ComputeFilter'])
        loaded = plugins.load_filters(conf)
        self.assertEqual(['RackFilter', 'ComputeFilter'],
                         [f.name for f in loaded])
        rack = loaded[0]
        self.assertIsInstance(rack, filters_base.BaseHostFilter)
        self.assertIsNone(rack.host_passes(fakes.host('rack1-a'),
                                           fakes.spec()))
        self.assertEqual('not in rack 1', rack.host_passes(
            fakes.host('rack2-a'), fakes.spec()).reason)
        weighers = plugins.load_weighers(_conf(
            weight_classes=['site_native.Green', 'RAMWeigher']))
        self.assertEqual(['Green', 'RAMWeigher'], [w.name for w in weighers])

    def test_enabled_path_must_be_available(self):
        e = self.assertRaises(
            plugins.UnknownPluginError, plugins.load_filters, _conf(
                enabled_filters=['ComputeFilter', 'site_native.RackFilter']))
        self.assertEqual(('RackFilter',), e.unavailable)

    def test_load_plugin_wants_a_class(self):
        e = self.assertRaises(nova_bridge.BridgeError,
                              nova_bridge.load_plugin, 'site_native.VALUE',
                              'filter')
        self.assertEqual('site_native.VALUE: not a class (type int)', str(e))

    def test_not_a_dotted_path(self):
        self.assertRaises(nova_bridge.BridgeError, nova_bridge.load_plugin,
                          'Rack.', 'filter')

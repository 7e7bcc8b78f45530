"""nova-derived plugins under any dotted path, nova's own test classes too.

nova's loader takes any class deriving from its BaseHostFilter /
BaseHostWeigher, or a function returning classes, whatever the module;
so do we, ``nova.`` paths outside nova's in-tree plugins included:
nova.tests.fixtures.nova.HostNameWeigher (nova's functional tests order
hosts by name with it) and
nova.tests.unit.scheduler.test_host_manager.FakeFilterClass1 (passes no
host). Importing those runs nova's monkey_patch.patch(), which a test
process that has imported eventlet cannot survive, so they are loaded
in a process started as the service starts (:mod:`.service_process`),
where the SchedulerManager loads them and filters and weighs with them.
(Never import that module here: it makes this process the service's.)
"""

import json
import os
import subprocess
import sys
import tempfile
import textwrap

import testtools

from scheduler import plugins
from tests.compat.filters import nova_env  # noqa: F401  (no patching)
from tests.unit import fakes
from tests.unit import test_plugins

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
HOST_NAME_WEIGHER = 'nova.tests.fixtures.nova.HostNameWeigher'
FAKE_FILTER = 'nova.tests.unit.scheduler.test_host_manager.FakeFilterClass1'


_conf = test_plugins._conf  # the same [filter_scheduler] helper


class ServiceProcessTest(testtools.TestCase):
    """Configured in a file, loaded and run by the service's code."""

    def run_service(self, config, case='sort'):
        with tempfile.NamedTemporaryFile('w', suffix='.conf',
                                         delete=False) as f:
            f.write(textwrap.dedent(config))
        self.addCleanup(os.unlink, f.name)
        proc = subprocess.run(
            [sys.executable, '-W', 'ignore', '-m',
             'tests.compat.bridge.service_process', f.name, case],
            cwd=REPO, capture_output=True, text=True, timeout=120,
            env={**os.environ, 'PYTHONPATH': REPO})
        self.assertEqual(0, proc.returncode, proc.stderr[-3000:])
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        # Loaded as the service loads them: eventlet never imported.
        self.assertFalse(result.pop('eventlet'))
        self.assertFalse(result.pop('eventlet_after', False))
        return result

    def test_host_name_weigher_orders_hosts_by_name(self):
        result = self.run_service(f"""\
            [filter_scheduler]
            available_filters = nova.scheduler.filters.all_filters
            available_filters = tests.compat.bridge.site_plugins.site_filters
            available_filters = tests.compat.bridge.site_plugins.Probe
            enabled_filters = AllHostsFilter,PoolFilter,Probe
            weight_classes = {HOST_NAME_WEIGHER}
            """)
        self.assertEqual(['AllHostsFilter', 'PoolFilter', 'Probe'],
                         result['filters'])
        self.assertEqual(
            ['scheduler.filters.all_hosts_filter.AllHostsFilter',
             'tests.compat.bridge.site_plugins.PoolFilter',
             'tests.compat.bridge.site_plugins.Probe'],
            result['filter_classes'])
        self.assertEqual(['HostNameWeigher'], result['weighers'])
        self.assertEqual([HOST_NAME_WEIGHER], result['weigher_classes'])
        # The fixture's weights, not free RAM (h5 has the most).
        weights = result['weights']
        self.assertEqual(sorted(weights, key=weights.get, reverse=True),
                         result['hosts'])
        self.assertEqual({'AllHostsFilter': 5, 'PoolFilter': 5, 'Probe': 5},
                         result['remaining'])
        # The nova filters are handed nova's objects.
        self.assertEqual(['nova.scheduler.host_manager.HostState',
                          'nova.objects.request_spec.RequestSpec'],
                         result['probe_saw'])

    def test_nova_test_filter_filters(self):
        result = self.run_service(f"""\
            [filter_scheduler]
            available_filters = nova.scheduler.filters.all_filters
            available_filters = {FAKE_FILTER}
            enabled_filters = AllHostsFilter,FakeFilterClass1
            weight_classes = {HOST_NAME_WEIGHER}
            """)
        self.assertEqual([FAKE_FILTER], result['filter_classes'][1:])
        # Its host_passes returns None: no host passes, as in nova.
        self.assertEqual({'AllHostsFilter': 5, 'FakeFilterClass1': 0},
                         result['remaining'])
        self.assertEqual([], result['hosts'])

    def test_what_cannot_run_is_named_at_start(self):
        result = self.run_service(f"""\
            [filter_scheduler]
            available_filters = nova.scheduler.filters.all_filters
            available_filters = {HOST_NAME_WEIGHER}
            weight_classes = {HOST_NAME_WEIGHER}
            """, case='validate')
        self.assertEqual([
            'Cannot load filter(s) in [filter_scheduler] available_filters: '
            f'{HOST_NAME_WEIGHER} (not a filter: it derives from neither '
            'nova.scheduler.filters.BaseHostFilter nor our base class)',
            # Without nova's HostNameWeigherFixture it cannot be created,
            # in nova either.
            'Cannot load weigher(s) in [filter_scheduler] weight_classes: '
            f'{HOST_NAME_WEIGHER} (creating it failed: NotImplementedError)',
        ], result['problems'])


class NovaPathsTest(testtools.TestCase):
    """nova's in-tree paths and the errors, in this process."""

    def test_function_returning_novas_classes_maps_to_ours(self):
        loaded = plugins.load_filters(_conf(
            available_filters=[
                'tests.compat.bridge.site_plugins.site_filters'],
            enabled_filters=['PoolFilter', 'AllHostsFilter']))
        self.assertEqual(['PoolFilter', 'AllHostsFilter'],
                         [f.name for f in loaded])
        self.assertEqual('scheduler.filters.all_hosts_filter',
                         type(loaded[1]).__module__)
        self.assertIsNone(loaded[0].host_passes(fakes.host('h1'),
                                                fakes.spec()))

    def test_in_tree_paths_stay_ours(self):
        loaded = plugins.load_weighers(_conf(weight_classes=[
            'nova.scheduler.weights.ram.RAMWeigher',
            'nova.scheduler.weights.all_weighers']))
        self.assertEqual({'scheduler.weighers'},
                         {type(w).__module__.rpartition('.')[0]
                          for w in loaded})

    def test_nova_paths_that_are_no_plugins_say_why(self):
        cases = [
            ('weight_classes', 'nova.scheduler.host_manager.HostManager',
             'not a weigher: it derives from neither '
             'nova.scheduler.weights.BaseHostWeigher nor our base class'),
            ('weight_classes', 'nova.scheduler.weights.ram',
             'a module; name a class in it, or a function returning '
             'classes, as nova requires'),
            ('available_filters', 'nova.scheduler.weights.all_weighers',
             "one of nova's weighers, not a filter"),
            ('available_filters', 'nova.scheduler.filters.core_filter.'
             'CoreFilter',
             'cannot import module nova.scheduler.filters.core_filter: '
             "No module named 'nova.scheduler.filters.core_filter'"),
            ('available_filters', 'nova.scheduler.filters.NoSuchFilter',
             'module nova.scheduler.filters has no class NoSuchFilter'),
        ]
        for option, entry, reason in cases:
            loader = (plugins.load_weighers if option == 'weight_classes'
                      else plugins.load_filters)
            e = self.assertRaises(plugins.UnknownPluginError, loader,
                                  _conf(**{option: ['nova.scheduler.'
                                                    'filters.all_filters'
                                                    if option ==
                                                    'available_filters'
                                                    else 'RAMWeigher',
                                                    entry]}))
            self.assertEqual(
                f'Cannot load {e.kind}(s) in [filter_scheduler] {option}: '
                f'{entry} ({reason})', str(e))

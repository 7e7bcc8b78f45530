"""Out-of-tree nova plugins configured by dotted path, run unchanged.

The plugins in :mod:`.site_plugins` are loaded by scheduler.plugins from
a configuration file, as a nova.conf names them, and run through our
pipeline (host_ordering.sorted_hosts) with the effect they have in nova.
Their own option is read from the same file.
"""

import os
import random
import tempfile
import textwrap

import fixtures
from oslo_config import cfg
import testtools

from scheduler import conf as conf_pkg
from scheduler.pipeline import host_ordering
from scheduler import plugins
from scheduler.nova_bridge import runtime
from scheduler.objects import aggregate
from tests.compat.bridge import site_plugins
from tests.compat.filters import nova_env
from tests.unit import fakes

CONF_FILE = textwrap.dedent("""\
    [filter_scheduler]
    available_filters = nova.scheduler.filters.all_filters
    available_filters = tests.compat.bridge.site_plugins.PoolFilter
    enabled_filters = AllHostsFilter,PoolFilter
    weight_classes = tests.compat.bridge.site_plugins.FreeRamPerCpuWeigher

    [site_pools]
    pool_prefix = blazar-
    """)


def _agg(id_, name, hosts, **metadata):
    return aggregate.Aggregate(id=id_, uuid=f'agg-{id_}', name=name,
                               hosts=frozenset(hosts), metadata=metadata)


GOLD = _agg(1, 'blazar-gold', ['h3', 'h4'], proj='allowed')
OLD = _agg(2, 'pool-old', ['h5'])
LOW = _agg(3, 'low', ['h1'], site_weight_multiplier='-1')


def _hosts(with_low=False):
    return [
        fakes.host('h1', free_ram_mb=4096, vcpus_total=4,
                   aggregates=[LOW] if with_low else []),
        fakes.host('h2', free_ram_mb=8192, vcpus_total=4),
        fakes.host('h3', free_ram_mb=16384, vcpus_total=4,
                   aggregates=[GOLD]),
        fakes.host('h4', free_ram_mb=16384, vcpus_total=4,
                   aggregates=[_agg(1, 'blazar-gold', ['h3', 'h4'])]),
        fakes.host('h5', free_ram_mb=2048, vcpus_total=4, aggregates=[OLD]),
    ]


class SitePluginsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # The bridge loads nova's global CONF once per process; start and
        # end each test with it unloaded.
        self.useFixture(fixtures.MockPatchObject(runtime, '_PREPARED',
                                                 False))
        nova_env.CONF.clear()
        self.addCleanup(nova_env.CONF.clear)
        with tempfile.NamedTemporaryFile('w', suffix='.conf',
                                         delete=False) as f:
            f.write(CONF_FILE)
        self.addCleanup(os.unlink, f.name)
        self.conf = cfg.ConfigOpts()
        conf_pkg.register_opts(self.conf)
        self.conf(args=[], default_config_files=[f.name])
        self.filters = plugins.load_filters(self.conf)
        self.weighers = plugins.load_weighers(self.conf)

    def _sorted(self, spec, index=0, with_low=False):
        ordered = host_ordering.sorted_hosts(
            _hosts(with_low), spec, index, filters=self.filters,
            weighers=self.weighers, conf=self.conf, rng=random.Random(0),
            is_rebuild=False)
        return [h.host for h in ordered.hosts], ordered

    def test_loaded_by_name_and_path(self):
        self.assertEqual(['AllHostsFilter', 'PoolFilter'],
                         [f.name for f in self.filters])
        self.assertEqual(['FreeRamPerCpuWeigher'],
                         [w.name for w in self.weighers])
        self.assertIsInstance(self.filters[1].plugin, site_plugins.PoolFilter)

    def test_no_pool_requested_keeps_out_of_pools(self):
        hosts, ordered = self._sorted(fakes.spec(project_id='proj'))
        # blazar- is the prefix from the file: pool-old is no pool here.
        self.assertEqual(['h2', 'h1', 'h5'], hosts)
        pool = ordered.counts[-1]
        self.assertEqual(('PoolFilter', 5, 3), (pool.name, pool.hosts_in,
                                               pool.hosts_out))

    def test_pool_for_an_allowed_project(self):
        spec = fakes.spec(project_id='proj',
                          scheduler_hints={'pool': ('gold',)})
        self.assertEqual(['h3'], self._sorted(spec)[0])
        spec = spec.replace(project_id='other')
        hosts, ordered = self._sorted(spec)
        self.assertEqual([], hosts)
        self.assertEqual(0, ordered.counts[-1].hosts_out)

    def test_once_per_request_as_in_nova(self):
        spec = fakes.spec(project_id='proj',
                          scheduler_hints={'pool': ('gold',)})
        self.assertEqual(5, len(self._sorted(spec, index=1)[0]))

    def test_multiplier_from_aggregate_metadata(self):
        hosts, _ = self._sorted(fakes.spec(project_id='proj'),
                                with_low=True)
        self.assertEqual(['h2', 'h5', 'h1'], hosts)

    def test_nova_did_not_monkey_patch_us(self):
        self.assertFalse(nova_env.eventlet_patched())

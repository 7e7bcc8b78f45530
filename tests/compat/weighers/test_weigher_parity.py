"""nova 34's thirteen weighers against ours on generated cases.

For every generated world, request spec and configuration (multipliers,
per-aggregate overrides, metrics and image-property settings), nova's
HostWeightHandler and our weigh_sorted must give the same hosts in the same
order with the same weights, for each weigher alone and for all together.
A required metric that is missing must make both fail.

The image properties of the instances on each host reach nova through
their system_metadata (nova reads it from the cell database; the lookup is
stubbed with the same data) and reach us precomputed in
HostState.instance_images.
"""

import collections
import importlib
import logging
import math
import warnings

import fixtures
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import testtools

from scheduler.weighers import engine
from scheduler.weighers import metrics
from tests.compat.filters import generators as gen
from tests.compat.filters import nova_env
from tests.compat.filters import sides
from tests.compat.filters import specs
from tests.unit.test_plugins import WEIGHERS

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    for _module in set(WEIGHERS.values()):
        importlib.import_module(f'nova.scheduler.weights.{_module}')

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.data_too_large])


def _classes(name):
    module = WEIGHERS[name]
    nova_cls = getattr(importlib.import_module(
        f'nova.scheduler.weights.{module}'), name)
    our_cls = getattr(importlib.import_module(
        f'scheduler.weighers.{module}'), name)
    return nova_cls, our_cls


@st.composite
def cases(draw, policy=None, cross_cell=False, metrics_min=0):
    world = draw(gen.worlds())
    names = [h.name for h in world.hosts]
    return (world, draw(specs.request_spec(names, policy, cross_cell)),
            draw(specs.config(metrics_min)))


def _close(a, b):
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


class WeigherParityTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(name='nova',
                                            level=logging.WARNING))
        self.tally = collections.Counter()

    def assertSameWeighing(self, nova_weighed, ours):
        """``ours``: weigh_sorted's hosts and weights."""
        nova_rows = [((w.obj.host, w.obj.nodename), w.weight)
                     for w in nova_weighed]
        our_rows = [((h.host, h.nodename), w)
                    for h, w in zip(*ours, strict=True)]
        self.assertEqual(len(nova_rows), len(our_rows))
        for (_, nova_weight), (_, our_weight) in zip(nova_rows, our_rows):
            self.assertTrue(_close(nova_weight, our_weight),
                            f'{nova_rows} != {our_rows}')
        # Hosts must come in the same order; among weights equal only up
        # to float rounding (summed in another order) any order is fine.
        start = 0
        while start < len(nova_rows):
            end = start + 1
            while (end < len(nova_rows)
                   and _close(nova_rows[end][1], nova_rows[start][1])):
                end += 1
            nova_run = [h for h, _ in nova_rows[start:end]]
            our_run = [h for h, _ in our_rows[start:end]]
            exact = all(w == nova_rows[start][1]
                        for _, w in nova_rows[start:end] + our_rows[start:end])
            if exact:
                self.assertEqual(nova_run, our_run)
            else:
                self.assertEqual(sorted(nova_run), sorted(our_run))
            start = end

    def _compare(self, names, case):
        world, nova_spec_in, overrides = case
        with sides.configured(overrides) as conf:
            nova_spec, spec = sides.spec_pair(nova_spec_in)
            pairs = sides.host_pairs(world, conf)
            nova_ws = [_classes(n)[0]() for n in names]
            our_ws = [_classes(n)[1](conf) for n in names]
            handler = nova_env.nova_weights.HostWeightHandler()
            try:
                with sides.nova_cell_db():
                    nova_weighed = handler.get_weighed_objects(
                        nova_ws, [n for n, _ in pairs], nova_spec)
            except nova_env.nova_exception.ComputeHostMetricNotFound as e:
                error = self.assertRaises(
                    metrics.MetricNotFound, engine.weigh_sorted, our_ws,
                    [o for _, o in pairs], spec)
                self.assertEqual(e.kwargs['name'], error.name)
                self.tally['metric_not_found'] += 1
                return
            ours = engine.weigh_sorted(our_ws, [o for _, o in pairs], spec)
            self.assertSameWeighing(nova_weighed, ours)
            spread = {round(w, 6) for w in ours[1]}
            self.tally['distinct' if len(spread) > 1 else 'flat'] += 1

    def _run_property(self, names, **focus):
        count = 0

        @SETTINGS
        @given(case=cases(**focus))
        def check(case):
            nonlocal count
            self._compare(names, case)
            count += 1

        check()
        sides.record_examples(self.id(), count, self.tally)
        # The cases must tell hosts apart, not only weigh them all alike.
        self.assertGreater(self.tally['distinct'], 10, self.tally)

    def test_build_failure_weigher(self):
        self._run_property(['BuildFailureWeigher'])

    def test_cpu_weigher(self):
        self._run_property(['CPUWeigher'])

    def test_cross_cell_weigher(self):
        self._run_property(['CrossCellWeigher'], cross_cell=True)

    def test_disk_weigher(self):
        self._run_property(['DiskWeigher'])

    def test_hypervisor_version_weigher(self):
        self._run_property(['HypervisorVersionWeigher'])

    def test_image_properties_weigher(self):
        self._run_property(['ImagePropertiesWeigher'])

    def test_io_ops_weigher(self):
        self._run_property(['IoOpsWeigher'])

    def test_metrics_weigher(self):
        self._run_property(['MetricsWeigher'], metrics_min=1)
        self.assertGreater(self.tally['metric_not_found'], 5, self.tally)

    def test_num_instances_weigher(self):
        self._run_property(['NumInstancesWeigher'])

    def test_pci_weigher(self):
        self._run_property(['PCIWeigher'])

    def test_ram_weigher(self):
        self._run_property(['RAMWeigher'])

    def test_soft_affinity_weigher(self):
        self._run_property(['ServerGroupSoftAffinityWeigher'],
                           policy='soft-affinity')

    def test_soft_anti_affinity_weigher(self):
        self._run_property(['ServerGroupSoftAntiAffinityWeigher'],
                           policy='soft-anti-affinity')

    def test_all_weighers_together(self):
        self._run_property(sorted(WEIGHERS))

"""AllHostsFilter, IsolatedHostsFilter and MetricsFilter."""

import testtools

from scheduler.hoststate import host_state
from scheduler.filters import all_hosts_filter
from scheduler.filters import isolated_hosts_filter as ihf
from scheduler.filters import metrics_filter
from scheduler.objects import image
from tests.unit import fakes
from tests.unit.filters import conf_fixture


class AllHostsFilterTest(testtools.TestCase):

    def test_passes_everything(self):
        f = all_hosts_filter.AllHostsFilter(conf_fixture.make_conf())
        self.assertIsNone(f.host_passes(fakes.host('h1'), fakes.spec()))
        self.assertTrue(f.run_filter_once_per_request)
        self.assertFalse(f.RUN_ON_REBUILD)


def _image_spec(image_id):
    if image_id is None:
        return fakes.spec()
    return fakes.spec(image=image.ImageMeta(id=image_id))


class IsolatedHostsFilterTest(testtools.TestCase):

    def passes(self, host, image_id, *, images=('iso',), hosts=('hiso',),
               restrict=True):
        f = ihf.IsolatedHostsFilter(conf_fixture.make_conf(
            filter_scheduler={
                'isolated_images': list(images),
                'isolated_hosts': list(hosts),
                'restrict_isolated_hosts_to_isolated_images': restrict}))
        return f.host_passes(fakes.host(host), _image_spec(image_id)) is None

    def test_matrix_restricted(self):
        self.assertTrue(self.passes('hiso', 'iso'))
        self.assertFalse(self.passes('hiso', 'other'))
        self.assertFalse(self.passes('h1', 'iso'))
        self.assertTrue(self.passes('h1', 'other'))

    def test_matrix_unrestricted(self):
        self.assertTrue(self.passes('hiso', 'iso', restrict=False))
        self.assertTrue(self.passes('hiso', 'other', restrict=False))
        self.assertFalse(self.passes('h1', 'iso', restrict=False))
        self.assertTrue(self.passes('h1', 'other', restrict=False))

    def test_volume_backed_is_not_isolated(self):
        self.assertFalse(self.passes('hiso', None))
        self.assertTrue(self.passes('h1', None))
        self.assertTrue(self.passes('hiso', None, restrict=False))

    def test_no_isolated_images(self):
        self.assertFalse(self.passes('hiso', 'x', images=()))
        self.assertTrue(self.passes('h1', 'x', images=()))
        self.assertTrue(self.passes('hiso', 'x', images=(),
                                    restrict=False))

    def test_no_isolated_hosts(self):
        self.assertFalse(self.passes('h1', 'iso', hosts=()))
        self.assertTrue(self.passes('h1', 'other', hosts=()))

    def test_flags(self):
        self.assertTrue(ihf.IsolatedHostsFilter.run_filter_once_per_request)
        self.assertTrue(ihf.IsolatedHostsFilter.RUN_ON_REBUILD)


def _metrics(*names):
    return tuple(host_state.Metric(name=n, value=1.0) for n in names)


class MetricsFilterTest(testtools.TestCase):

    def make(self, setting):
        return metrics_filter.MetricsFilter(conf_fixture.make_conf(
            metrics={'weight_setting': setting}))

    def test_all_configured_metrics_needed(self):
        f = self.make(['cpu.frequency=1', 'cpu.percent=-0.5'])
        host = fakes.host('h1', metrics=_metrics(
            'cpu.frequency', 'cpu.percent', 'other'))
        self.assertIsNone(f.host_passes(host, fakes.spec()))
        rejection = f.host_passes(
            fakes.host('h2', metrics=_metrics('cpu.frequency')),
            fakes.spec())
        self.assertEqual(metrics_filter.MISSING_METRICS, rejection.reason)

    def test_invalid_entries_ignored(self):
        f = self.make(['cpu.frequency=x', 'nosep', '=1', 'cpu.percent=2'])
        self.assertEqual({'cpu.percent'}, f.names)
        self.assertIsNone(f.host_passes(
            fakes.host('h1', metrics=_metrics('cpu.percent')), fakes.spec()))

    def test_nothing_configured_passes(self):
        self.assertIsNone(self.make([]).host_passes(fakes.host('h1'),
                                                    fakes.spec()))

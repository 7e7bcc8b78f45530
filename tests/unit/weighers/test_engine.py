"""weigh_hosts, normalize and the aggregate multiplier override."""

import testtools

from scheduler import weighers
from tests.unit import fakes
from tests.unit.filters import conf_fixture


class _ByRam(weighers.BaseWeigher):
    multiplier_option = 'ram_weight_multiplier'

    def weigh(self, host, spec):
        return host.free_ram_mb


class _Bounded(_ByRam):
    minval = 0
    maxval = 1000


class _Boom(_ByRam):
    def weigh(self, host, spec):
        raise RuntimeError('bug')


def _conf(**filter_scheduler):
    return conf_fixture.make_conf(filter_scheduler=filter_scheduler)


def _hosts(*rams, aggregates=()):
    return [fakes.host(f'h{i}', free_ram_mb=ram, aggregates=aggregates)
            for i, ram in enumerate(rams)]


class NormalizeTest(testtools.TestCase):

    def test_range(self):
        self.assertEqual([0.0, 0.5, 1.0], weighers.normalize([1, 2, 3]))

    def test_all_equal_is_zero(self):
        self.assertEqual([0.0, 0.0], weighers.normalize([5, 5]))

    def test_bounds(self):
        self.assertEqual([0.5, 1.0], weighers.normalize([5, 10], minval=0))
        self.assertEqual([0.25, 0.5],
                         weighers.normalize([5, 10], minval=0, maxval=20))
        self.assertEqual([1.0, 1.0], weighers.normalize([5, 5], minval=0))
        self.assertEqual([0.0, 0.0], weighers.normalize([0, 0], minval=0))

    def test_empty(self):
        self.assertEqual([], weighers.normalize([]))


class AggregateMultiplierTest(testtools.TestCase):

    def _host(self, *values):
        aggs = [fakes.agg(i, f'a{i}', ram_weight_multiplier=v)
                for i, v in enumerate(values)]
        aggs.append(fakes.agg(99, 'other', other='1'))
        return fakes.host('h1', aggregates=aggs)

    def test_no_override(self):
        self.assertEqual(1.5, weighers.aggregate_multiplier(
            fakes.host('h1'), 'ram_weight_multiplier', 1.5))
        self.assertEqual(1.5, weighers.aggregate_multiplier(
            self._host(), 'ram_weight_multiplier', 1.5))

    def test_minimum_of_values(self):
        self.assertEqual(-2.0, weighers.aggregate_multiplier(
            self._host('3', '-2', '3'), 'ram_weight_multiplier', 1.0))

    def test_any_unparsable_means_config(self):
        self.assertEqual(1.0, weighers.aggregate_multiplier(
            self._host('2', 'lots'), 'ram_weight_multiplier', 1.0))
        self.assertEqual(1.0, weighers.aggregate_multiplier(
            self._host('nan'), 'ram_weight_multiplier', 1.0))

    def test_weigher_uses_its_option_and_key(self):
        weigher = _ByRam(_conf(ram_weight_multiplier=3.0))
        self.assertEqual(3.0, weigher.weight_multiplier(fakes.host('h1')))
        self.assertEqual(0.5, weigher.weight_multiplier(self._host('0.5')))


class WeighHostsTest(testtools.TestCase):

    def test_sorted_descending_with_weights(self):
        hosts = _hosts(100, 300, 200)
        weighed = weighers.weigh_hosts([_ByRam(_conf())], hosts,
                                       fakes.spec())
        self.assertEqual(['h1', 'h2', 'h0'], [w.host.host for w in weighed])
        self.assertEqual([1.0, 0.5, 0.0], [w.weight for w in weighed])

    def test_multiplier_and_sum(self):
        hosts = _hosts(100, 300)
        conf = _conf(ram_weight_multiplier=2.0)
        weighed = weighers.weigh_hosts([_ByRam(conf), _ByRam(conf)], hosts,
                                       fakes.spec())
        self.assertEqual([4.0, 0.0], [w.weight for w in weighed])

    def test_negative_multiplier_reverses(self):
        weighed = weighers.weigh_hosts(
            [_ByRam(_conf(ram_weight_multiplier=-1.0))], _hosts(100, 300),
            fakes.spec())
        self.assertEqual(['h0', 'h1'], [w.host.host for w in weighed])

    def test_per_host_multiplier(self):
        agg = fakes.agg(1, 'a1', ram_weight_multiplier='10')
        hosts = [fakes.host('h0', free_ram_mb=100),
                 fakes.host('h1', free_ram_mb=50, aggregates=[agg]),
                 fakes.host('h2', free_ram_mb=0)]
        weighed = weighers.weigh_hosts([_ByRam(_conf())], hosts,
                                       fakes.spec())
        self.assertEqual([('h1', 5.0), ('h0', 1.0), ('h2', 0.0)],
                         [(w.host.host, w.weight) for w in weighed])

    def test_ties_keep_input_order(self):
        hosts = _hosts(5, 9, 5, 9, 5)
        weighed = weighers.weigh_hosts([_ByRam(_conf())], hosts,
                                       fakes.spec())
        self.assertEqual(['h1', 'h3', 'h0', 'h2', 'h4'],
                         [w.host.host for w in weighed])

    def test_clamped_to_bounds(self):
        hosts = _hosts(-50, 500, 5000)
        weighed = weighers.weigh_hosts([_Bounded(_conf())], hosts,
                                       fakes.spec())
        self.assertEqual([('h2', 1.0), ('h1', 0.5), ('h0', 0.0)],
                         [(w.host.host, w.weight) for w in weighed])

    def test_single_host_not_weighed(self):
        weighed = weighers.weigh_hosts([_Boom(_conf())], _hosts(100),
                                       fakes.spec())
        self.assertEqual([0.0], [w.weight for w in weighed])
        self.assertEqual((), weighers.weigh_hosts([_Boom(_conf())], [],
                                                  fakes.spec()))

    def test_weigher_exception_propagates(self):
        self.assertRaises(RuntimeError, weighers.weigh_hosts,
                          [_Boom(_conf())], _hosts(1, 2), fakes.spec())

    def test_no_weighers(self):
        weighed = weighers.weigh_hosts([], _hosts(1, 2), fakes.spec())
        self.assertEqual(['h0', 'h1'], [w.host.host for w in weighed])


class ParseWeightSettingTest(testtools.TestCase):

    def test_parse(self):
        self.assertEqual(
            [('a', 1.0), ('b', -2.5), ('c ', 3.0)],
            weighers.parse_weight_setting(
                ['a=1', 'b=-2.5', 'bad', '=1', 'x=y', 'c = 3'], 'opt'))

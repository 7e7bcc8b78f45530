"""weigh_sorted, normalize and the aggregate multiplier override."""

import testtools

from scheduler.weighers import base
from scheduler.weighers import engine
from tests.unit import fakes
from tests.unit.filters import conf_fixture


class _ByRam(base.BaseWeigher):
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


def _weighed(weighers, hosts, spec, memo=None):
    """(host name, total weight) of each host, best first, as
    weigh_sorted orders them."""
    ordered, weights = engine.weigh_sorted(weighers, hosts, spec, memo)
    return [(h.host, w) for h, w in zip(ordered, weights, strict=True)]


def _names(weighed):
    return [name for name, _weight in weighed]


def _weights(weighed):
    return [weight for _name, weight in weighed]


def _hosts(*rams, aggregates=()):
    return [fakes.host(f'h{i}', free_ram_mb=ram, aggregates=aggregates)
            for i, ram in enumerate(rams)]


class NormalizeTest(testtools.TestCase):

    def test_range(self):
        self.assertEqual([0.0, 0.5, 1.0], engine.normalize([1, 2, 3]))

    def test_all_equal_is_zero(self):
        self.assertEqual([0.0, 0.0], engine.normalize([5, 5]))

    def test_bounds(self):
        self.assertEqual([0.5, 1.0], engine.normalize([5, 10], minval=0))
        self.assertEqual([0.25, 0.5],
                         engine.normalize([5, 10], minval=0, maxval=20))
        self.assertEqual([1.0, 1.0], engine.normalize([5, 5], minval=0))
        self.assertEqual([0.0, 0.0], engine.normalize([0, 0], minval=0))

    def test_empty(self):
        self.assertEqual([], engine.normalize([]))


class AggregateMultiplierTest(testtools.TestCase):

    def _host(self, *values):
        aggs = [fakes.agg(i, f'a{i}', ram_weight_multiplier=v)
                for i, v in enumerate(values)]
        aggs.append(fakes.agg(99, 'other', other='1'))
        return fakes.host('h1', aggregates=aggs)

    def test_no_override(self):
        self.assertEqual(1.5, base.aggregate_multiplier(
            fakes.host('h1'), 'ram_weight_multiplier', 1.5))
        self.assertEqual(1.5, base.aggregate_multiplier(
            self._host(), 'ram_weight_multiplier', 1.5))

    def test_minimum_of_values(self):
        self.assertEqual(-2.0, base.aggregate_multiplier(
            self._host('3', '-2', '3'), 'ram_weight_multiplier', 1.0))

    def test_any_unparsable_means_config(self):
        self.assertEqual(1.0, base.aggregate_multiplier(
            self._host('2', 'lots'), 'ram_weight_multiplier', 1.0))
        self.assertEqual(1.0, base.aggregate_multiplier(
            self._host('nan'), 'ram_weight_multiplier', 1.0))

    def test_weigher_uses_its_option_and_key(self):
        weigher = _ByRam(_conf(ram_weight_multiplier=3.0))
        self.assertEqual(3.0, weigher.weight_multiplier(fakes.host('h1')))
        self.assertEqual(0.5, weigher.weight_multiplier(self._host('0.5')))


class WeighSortedTest(testtools.TestCase):

    def test_sorted_descending_with_weights(self):
        hosts = _hosts(100, 300, 200)
        weighed = _weighed([_ByRam(_conf())], hosts, fakes.spec())
        self.assertEqual(['h1', 'h2', 'h0'], _names(weighed))
        self.assertEqual([1.0, 0.5, 0.0], _weights(weighed))

    def test_multiplier_and_sum(self):
        hosts = _hosts(100, 300)
        conf = _conf(ram_weight_multiplier=2.0)
        weighed = _weighed([_ByRam(conf), _ByRam(conf)], hosts, fakes.spec())
        self.assertEqual([4.0, 0.0], _weights(weighed))

    def test_negative_multiplier_reverses(self):
        weighed = _weighed(
            [_ByRam(_conf(ram_weight_multiplier=-1.0))], _hosts(100, 300),
            fakes.spec())
        self.assertEqual(['h0', 'h1'], _names(weighed))

    def test_per_host_multiplier(self):
        agg = fakes.agg(1, 'a1', ram_weight_multiplier='10')
        hosts = [fakes.host('h0', free_ram_mb=100),
                 fakes.host('h1', free_ram_mb=50, aggregates=[agg]),
                 fakes.host('h2', free_ram_mb=0)]
        weighed = _weighed([_ByRam(_conf())], hosts, fakes.spec())
        self.assertEqual([('h1', 5.0), ('h0', 1.0), ('h2', 0.0)], weighed)

    def test_ties_keep_input_order(self):
        hosts = _hosts(5, 9, 5, 9, 5)
        weighed = _weighed([_ByRam(_conf())], hosts, fakes.spec())
        self.assertEqual(['h1', 'h3', 'h0', 'h2', 'h4'], _names(weighed))

    def test_clamped_to_bounds(self):
        hosts = _hosts(-50, 500, 5000)
        weighed = _weighed([_Bounded(_conf())], hosts, fakes.spec())
        self.assertEqual([('h2', 1.0), ('h1', 0.5), ('h0', 0.0)], weighed)

    def test_single_host_not_weighed(self):
        weighed = _weighed([_Boom(_conf())], _hosts(100), fakes.spec())
        self.assertEqual([0.0], _weights(weighed))
        self.assertEqual(([], []), engine.weigh_sorted(
            [_Boom(_conf())], [], fakes.spec()))

    def test_weigher_exception_propagates(self):
        self.assertRaises(RuntimeError, engine.weigh_sorted,
                          [_Boom(_conf())], _hosts(1, 2), fakes.spec())

    def test_no_weighers(self):
        weighed = _weighed([], _hosts(1, 2), fakes.spec())
        self.assertEqual(['h0', 'h1'], _names(weighed))


class ParseWeightSettingTest(testtools.TestCase):

    def test_parse(self):
        self.assertEqual(
            [('a', 1.0), ('b', -2.5), ('c ', 3.0)],
            base.parse_weight_setting(
                ['a=1', 'b=-2.5', 'bad', '=1', 'x=y', 'c = 3'], 'opt'))


class _Counting(_ByRam):
    """Counts the hosts it weighs and the multipliers it works out."""

    def __init__(self, conf):
        super().__init__(conf)
        self.weighed = []
        self.multiplied = []

    def weigh(self, host, spec):
        self.weighed.append(host.host)
        return super().weigh(host, spec)

    def weight_multiplier(self, host):
        self.multiplied.append(host.host)
        return super().weight_multiplier(host)


class _SharedCounting(_Counting):
    # Its multiplier still reads only the aggregates.
    multiplier_from_aggregates = True


class _Constant(_Boom):
    """Every host weighs 7 for this request; weigh() must not run."""

    minval = 0

    def constant_weight(self, spec):
        return 7.0


class _ByAttribute(base.BaseWeigher):
    multiplier_option = 'ram_weight_multiplier'
    weight_attribute = 'free_ram_mb'


class _AttributeOverridden(_ByAttribute):
    def weigh(self, host, spec):
        return -host.free_ram_mb


class ColumnEngineTest(testtools.TestCase):
    """The shortcuts give what weighing host by host gives."""

    def test_constant_weight_asks_no_host(self):
        hosts = _hosts(100, 300, 200)
        both = _weighed([_Constant(_conf()), _ByRam(_conf())], hosts,
                        fakes.spec())
        alone = _weighed([_ByRam(_conf())], hosts, fakes.spec())
        # minval=0 scales 7 to 1.0 for every host: one more for each.
        self.assertEqual([(h, w + 1.0) for h, w in alone], both)

    def test_weight_attribute(self):
        hosts = _hosts(100, 300, 200)
        self.assertEqual(300, _ByAttribute(_conf()).weigh(hosts[1],
                                                          fakes.spec()))
        self.assertEqual(
            _weighed([_ByRam(_conf())], hosts, fakes.spec()),
            _weighed([_ByAttribute(_conf())], hosts, fakes.spec()))
        # A subclass that weighs differently is asked host by host.
        self.assertEqual(['h0', 'h2', 'h1'], _names(
            _weighed([_AttributeOverridden(_conf())], hosts, fakes.spec())))

    def test_weight_must_be_implemented(self):
        class _Nothing(base.BaseWeigher):
            multiplier_option = 'ram_weight_multiplier'
        self.assertRaises(NotImplementedError, engine.weigh_sorted,
                          [_Nothing(_conf())], _hosts(1, 2), fakes.spec())

    def test_multiplier_once_per_aggregate_set(self):
        fast = fakes.agg(1, 'a1', ram_weight_multiplier='3')
        other = fakes.agg(2, 'a2')
        hosts = [fakes.host(f'h{i}', free_ram_mb=i * 10,
                            aggregates=[fast] if i % 2 else [fast, other])
                 for i in range(6)] + [fakes.host('h6', free_ram_mb=5)]
        weigher = _SharedCounting(_conf())
        weighed = _weighed([weigher], hosts, fakes.spec())
        self.assertEqual(['h0', 'h1', 'h6'], weigher.multiplied)
        self.assertEqual(
            [(f'h{i}', 3.0 * (i * 10 / 50)) for i in (5, 4, 3, 2, 1)]
            + [('h6', 0.1), ('h0', 0.0)], weighed)

    def test_own_multiplier_asked_per_host(self):
        class _PerHost(_ByRam):
            def weight_multiplier(self, host):
                return float(len(host.host))
        agg = fakes.agg(1, 'a1')
        hosts = [fakes.host('h', free_ram_mb=10, aggregates=[agg]),
                 fakes.host('hhh', free_ram_mb=10, aggregates=[agg]),
                 fakes.host('hh', free_ram_mb=0, aggregates=[agg])]
        self.assertEqual(
            [('hhh', 3.0), ('h', 1.0), ('hh', 0.0)],
            _weighed([_PerHost(_conf())], hosts, fakes.spec()))

    def test_nan_first_is_still_clamped(self):
        self.assertEqual([float('inf'), 0, 5],
                         base.clamped([float('inf'), -3, 5], 0, None))
        clamped = base.clamped([float('nan'), -3, 5], 0, None)
        self.assertEqual([0, 5], clamped[1:])
        self.assertEqual([-3, 2], base.clamped([-3, 5], None, 2))


class WeighingMemoTest(testtools.TestCase):

    def test_only_new_hosts_are_weighed(self):
        hosts = _hosts(100, 300, 200)
        weigher = _Counting(_conf())
        memo = engine.WeighingMemo()
        first = _weighed([weigher], hosts, fakes.spec(), memo)
        self.assertEqual(['h0', 'h1', 'h2'], weigher.weighed)
        changed = fakes.host('h1', free_ram_mb=50)
        again = [hosts[0], changed, hosts[2]]
        second = _weighed([weigher], again, fakes.spec(), memo)
        self.assertEqual(['h0', 'h1', 'h2', 'h1'], weigher.weighed)
        self.assertEqual(first, _weighed([_ByRam(_conf())], hosts,
                                         fakes.spec()))
        self.assertEqual(second, _weighed([_ByRam(_conf())], again,
                                          fakes.spec()))

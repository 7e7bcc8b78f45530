"""Host weighers and the engine that combines them (nova/weights.py).

Each weigher gives every host a raw weight (clamped to its minval/maxval).
The engine normalizes one weigher's weights to [0, 1] over the candidate
set (using minval/maxval when the weigher sets them; all equal -> 0),
multiplies each by the host's multiplier for that weigher and adds them
up, then sorts by total weight, highest first. The sort is stable, so
hosts of equal weight keep their input order exactly as in nova. As in
nova, a single host (or none) is not weighed at all.
"""

from collections.abc import Iterable, Sequence
import dataclasses
import logging
import math
import operator
from typing import ClassVar

from oslo_config import cfg

from scheduler import host_state
from scheduler.objects import request_spec

LOG = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True, slots=True)
class WeighedHost:
    host: host_state.HostState
    weight: float


def aggregate_multiplier(host: host_state.HostState, key: str,
                         default: float) -> float:
    """nova's get_weight_multiplier: an aggregate metadata override.

    The minimum of the distinct values the host's aggregates set for
    ``key``; the configured value when none sets it or when any value is
    not a number (nova then logs and falls back as a whole). A NaN counts
    as not a number here: in nova its effect depends on set order.
    """
    values = {agg.metadata[key] for agg in host.aggregates
              if key in agg.metadata}
    if not values:
        return default
    try:
        numbers = [float(value) for value in values]
    except ValueError:
        return default
    if any(math.isnan(number) for number in numbers):
        return default
    return min(numbers)


def parse_weight_setting(entries: Iterable[str], option: str
                         ) -> list[tuple[str, float]]:
    """``name=ratio`` entries as nova's parse_options reads them.

    Keys are kept as written (not stripped); invalid entries are dropped
    with a warning.
    """
    good: list[tuple[str, float]] = []
    bad: list[str] = []
    for entry in entries:
        key, sep, value = entry.partition('=')
        try:
            ratio = float(value)
        except ValueError:
            bad.append(entry)
            continue
        if key and sep:
            good.append((key, ratio))
        else:
            bad.append(entry)
    if bad:
        LOG.warning('Ignoring the invalid elements of the option %s: %s',
                    option, ', '.join(bad))
    return good


def normalize(weights: Sequence[float], minval: float | None = None,
              maxval: float | None = None) -> list[float]:
    """Scale weights to [0, 1] between minval and maxval (nova's rule)."""
    if not weights:
        return []
    scaled = _scaled(weights, minval, maxval)
    return [scaled] * len(weights) if isinstance(scaled, float) else scaled


def _scaled(weights: Sequence[float], minval: float | None,
            maxval: float | None) -> list[float] | float:
    """normalize(), as one float when every host gets the same value."""
    bounds = _bounds(weights, minval, maxval)
    if bounds is None:
        return 0.0
    low, span = bounds
    return [(weight - low) / span for weight in weights]


def _bounds(weights: Sequence[float], minval: float | None,
            maxval: float | None) -> tuple[float, float] | None:
    """(low, span) that normalize() scales by; None when all weights
    scale to 0.0."""
    high = float(max(weights) if maxval is None else maxval)
    low = float(min(weights) if minval is None else minval)
    if low == high:
        return None
    return low, high - low


def _clamped(weights: list[float], minval: float | None,
             maxval: float | None) -> list[float]:
    """Each weight clamped to [minval, maxval] as nova clamps it.

    The list is copied only when a weight is out of bounds (or the first
    is NaN, which hides the true extreme from min()/max()).
    """
    if minval is not None and weights and not min(weights) >= minval:
        weights = [max(weight, minval) for weight in weights]
    if maxval is not None and weights and not max(weights) <= maxval:
        weights = [min(weight, maxval) for weight in weights]
    return weights


class BaseWeigher:
    """Base of host weighers.

    Subclasses set ``multiplier_option`` (the option in
    ``multiplier_group`` and, unless ``aggregate_key`` says otherwise, the
    aggregate metadata key that overrides it) and implement ``weigh``, or
    name the host attribute that is the weight in ``weight_attribute``.
    ``constant_weight`` says when a request gives every host the same
    weight, so no host is looked at.
    """

    minval: ClassVar[float | None] = None
    maxval: ClassVar[float | None] = None
    multiplier_group: ClassVar[str] = 'filter_scheduler'
    multiplier_option: ClassVar[str] = ''
    aggregate_key: ClassVar[str | None] = None
    # The HostState attribute whose value is the raw weight, if that is
    # all the weigher does (read for all hosts at C speed).
    weight_attribute: ClassVar[str | None] = None
    # weight_multiplier reads nothing of the host but its aggregates, so
    # hosts in the same aggregates share it. True when a subclass keeps
    # BaseWeigher's weight_multiplier; others say so themselves.
    multiplier_from_aggregates: ClassVar[bool | None] = None

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        self.conf = conf
        # Read once: option lookups cost microseconds and weighing runs
        # per host per request. The multipliers are not mutable options,
        # so a configuration reload builds new weighers.
        self._multiplier = float(getattr(
            getattr(conf, self.multiplier_group), self.multiplier_option))
        self._aggregate_key = self.aggregate_key or self.multiplier_option

    @property
    def name(self) -> str:
        return type(self).__name__

    def configured_multiplier(self) -> float:
        return self._multiplier

    def weight_multiplier(self, host: host_state.HostState) -> float:
        if not host.aggregates:
            return self._multiplier
        return aggregate_multiplier(host, self._aggregate_key,
                                    self._multiplier)

    def multipliers(self, hosts: Sequence[host_state.HostState],
                    aggregate_keys: Sequence[object]) -> list[float]:
        """weight_multiplier of each host; ``aggregate_keys`` identify
        each host's aggregates (hosts with equal keys share them)."""
        cls = type(self)
        shared = (cls.weight_multiplier is BaseWeigher.weight_multiplier
                  if cls.multiplier_from_aggregates is None
                  else cls.multiplier_from_aggregates)
        if not shared:
            return [self.weight_multiplier(host) for host in hosts]
        known: dict[object, float] = {}
        values = []
        for host, key in zip(hosts, aggregate_keys, strict=True):
            value = known.get(key)
            if value is None:
                value = known[key] = self.weight_multiplier(host)
            values.append(value)
        return values

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        if self.weight_attribute is None:
            raise NotImplementedError
        weight: float = getattr(host, self.weight_attribute)
        return weight

    def constant_weight(self, spec: request_spec.RequestSpec
                        ) -> float | None:
        """The raw weight every host gets for this request, if known
        without looking at the hosts (the weigher does not apply)."""
        return None

    def weigh_all(self, hosts: Sequence[host_state.HostState],
                  spec: request_spec.RequestSpec) -> list[float]:
        """Raw weights, clamped to minval/maxval."""
        constant = self.constant_weight(spec)
        if constant is not None:
            weights = [constant] * len(hosts)
        elif (self.weight_attribute is not None
              and type(self).weigh is BaseWeigher.weigh):
            weights = list(map(operator.attrgetter(self.weight_attribute),
                               hosts))
        else:
            weights = self.weigh_many(hosts, spec)
        return _clamped(weights, self.minval, self.maxval)

    def weigh_many(self, hosts: Sequence[host_state.HostState],
                   spec: request_spec.RequestSpec) -> list[float]:
        """``weigh`` of each host (before clamping); weighers that can
        read all hosts at C speed say so here."""
        weigh = self.weigh
        return [weigh(host, spec) for host in hosts]


class WeighingMemo:
    """Raw weights already computed for one request.

    Within a request a host changes only by becoming a new object (when
    an instance is placed on it), and weighers read only the parts of the
    spec that every instance of the request shares (flavor, image, group
    policy and members, destination). So the raw weights of a host object
    are reused for the next instances, and a multi-create pays the full
    weighing cost once, then only for the hosts it consumed.
    """

    def __init__(self) -> None:
        # Every host seen, by position; holding them keeps their ids from
        # being reused while the memo lives.
        self._hosts: list[host_state.HostState] = []
        self._position: dict[int, int] = {}
        # id(weigher) -> (weigher, raw weights by host position so far).
        self._columns: dict[int, tuple[BaseWeigher, list[float]]] = {}

    def positions(self, hosts: Sequence[host_state.HostState]) -> list[int]:
        """Each host's position in the memo (new hosts are added)."""
        known, position = self._hosts, self._position
        if not known:  # the first instance: every host is new
            known.extend(hosts)
            position.update(zip(map(id, hosts), range(len(hosts)),
                                strict=True))
            return list(range(len(hosts)))
        # The memo holds every host it saw, so an id is never reused.
        found: list[int | None] = list(map(position.get, map(id, hosts)))
        if None not in found:
            return found  # type: ignore[return-value]
        for i, at in enumerate(found):
            if at is None:
                host = hosts[i]
                at = position.get(id(host))  # listed twice
                if at is None:
                    at = position[id(host)] = len(known)
                    known.append(host)
                found[i] = at
        return found  # type: ignore[return-value]

    def raw_weights(self, weigher: BaseWeigher, positions: Sequence[int],
                    spec: request_spec.RequestSpec) -> list[float]:
        """The weigher's raw weights of the hosts at ``positions``,
        weighing only hosts it has not weighed yet."""
        entry = self._columns.get(id(weigher))
        if entry is None:
            entry = self._columns[id(weigher)] = (weigher, [])
        column = entry[1]
        if len(column) < len(self._hosts):
            column.extend(weigher.weigh_all(self._hosts[len(column):], spec))
        return list(map(column.__getitem__, positions))


_AGGREGATES = operator.attrgetter('aggregates')


def _aggregate_keys(hosts: Sequence[host_state.HostState]
                    ) -> list[object] | None:
    """What identifies each host's aggregates; None when no host has any
    (every weigher's multiplier is then the same for all hosts)."""
    if not any(map(_AGGREGATES, hosts)):
        return None
    return [tuple(map(id, host.aggregates)) for host in hosts]


def weigh_hosts(weighers: Sequence[BaseWeigher],
                hosts: Sequence[host_state.HostState],
                spec: request_spec.RequestSpec,
                memo: WeighingMemo | None = None
                ) -> tuple[WeighedHost, ...]:
    """The hosts with their total weights, best first."""
    ordered, weights = weigh_sorted(weighers, hosts, spec, memo)
    return tuple(map(WeighedHost, ordered, weights))


def weigh_sorted(weighers: Sequence[BaseWeigher],
                 hosts: Sequence[host_state.HostState],
                 spec: request_spec.RequestSpec,
                 memo: WeighingMemo | None = None
                 ) -> tuple[list[host_state.HostState], list[float]]:
    """The hosts best first, and their total weights in that order.

    Computed a weigher at a time over all hosts (columns), adding each
    host's terms in weigher order exactly as nova does, so equal weights
    stay equal and the order matches nova's bit for bit (the sort is
    stable). A term that is 0.0 for every host is not added: x + 0.0 == x.
    """
    totals = [0.0] * len(hosts)
    if len(hosts) > 1 and weighers:
        positions = memo.positions(hosts) if memo is not None else None
        keys = _aggregate_keys(hosts)
        for weigher in weighers:
            totals = _add_terms(totals, weigher, hosts, spec, keys,
                                memo, positions)
    order = sorted(range(len(hosts)), key=totals.__getitem__, reverse=True)
    return [hosts[i] for i in order], [totals[i] for i in order]


def _add_terms(totals: list[float], weigher: BaseWeigher,
               hosts: Sequence[host_state.HostState],
               spec: request_spec.RequestSpec, keys: list[object] | None,
               memo: WeighingMemo | None, positions: list[int] | None
               ) -> list[float]:
    """The totals after adding one weigher's terms.

    Each term is multiplier * ((weight - low) / span), added to the total,
    the same operations in the same order as normalize() then nova's sum.
    """
    minval, maxval = weigher.minval, weigher.maxval
    constant = weigher.constant_weight(spec)
    if constant is not None:
        # Scaled as a column of equal weights: one value for all hosts.
        one = _scaled(_clamped([constant], minval, maxval), minval, maxval)
        return _add_same(totals, weigher, hosts, keys,
                         one if isinstance(one, float) else one[0])
    if memo is not None and positions is not None:
        column = memo.raw_weights(weigher, positions, spec)
    else:
        column = weigher.weigh_all(hosts, spec)
    bounds = _bounds(column, minval, maxval)
    if bounds is None:
        return _add_same(totals, weigher, hosts, keys, 0.0)
    low, span = bounds
    if keys is None:
        m = weigher.weight_multiplier(hosts[0])
        return [t + m * ((w - low) / span)
                for t, w in zip(totals, column, strict=True)]
    multipliers = weigher.multipliers(hosts, keys)
    return [t + m * ((w - low) / span)
            for t, m, w in zip(totals, multipliers, column, strict=True)]


def _add_same(totals: list[float], weigher: BaseWeigher,
              hosts: Sequence[host_state.HostState],
              keys: list[object] | None, scaled: float) -> list[float]:
    """The totals after a weigher that scales every host to ``scaled``."""
    if keys is None:
        term = weigher.weight_multiplier(hosts[0]) * scaled
        return totals if term == 0.0 else [t + term for t in totals]
    terms = [m * scaled for m in weigher.multipliers(hosts, keys)]
    if not any(terms):  # NaN is truthy: only zeros are left out
        return totals
    return [t + term for t, term in zip(totals, terms, strict=True)]

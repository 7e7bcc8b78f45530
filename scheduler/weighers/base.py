"""What a host weigher plugin implements (nova/weights.py).

Each weigher gives every host a raw weight, clamped to its minval/maxval,
and a multiplier (its option, or the aggregate metadata that overrides
it). How the weights of all weighers are combined and the hosts ordered
is the engine's (``scheduler.weighers.engine``).
"""

from collections.abc import Iterable, Sequence
import logging
import math
import operator
from typing import ClassVar

from oslo_config import cfg

from scheduler.hoststate import host_state
from scheduler.objects import request_spec

LOG = logging.getLogger(__name__)


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


def clamped(weights: list[float], minval: float | None,
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
        return clamped(weights, self.minval, self.maxval)

    def weigh_many(self, hosts: Sequence[host_state.HostState],
                   spec: request_spec.RequestSpec) -> list[float]:
        """``weigh`` of each host (before clamping); weighers that can
        read all hosts at C speed say so here."""
        weigh = self.weigh
        return [weigh(host, spec) for host in hosts]

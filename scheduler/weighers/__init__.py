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
    high = float(max(weights) if maxval is None else maxval)
    low = float(min(weights) if minval is None else minval)
    if low == high:
        return [0.0] * len(weights)
    span = high - low
    return [(weight - low) / span for weight in weights]


class BaseWeigher:
    """Base of host weighers.

    Subclasses set ``multiplier_option`` (the option in
    ``multiplier_group`` and, unless ``aggregate_key`` says otherwise, the
    aggregate metadata key that overrides it) and implement ``weigh``.
    """

    minval: ClassVar[float | None] = None
    maxval: ClassVar[float | None] = None
    multiplier_group: ClassVar[str] = 'filter_scheduler'
    multiplier_option: ClassVar[str] = ''
    aggregate_key: ClassVar[str | None] = None

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

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        raise NotImplementedError

    def weigh_all(self, hosts: Sequence[host_state.HostState],
                  spec: request_spec.RequestSpec) -> list[float]:
        """Raw weights, clamped to minval/maxval."""
        weights = []
        for host in hosts:
            weight = self.weigh(host, spec)
            if self.minval is not None:
                weight = max(weight, self.minval)
            if self.maxval is not None:
                weight = min(weight, self.maxval)
            weights.append(weight)
        return weights


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
        # id(host) -> (host, its raw weight per weigher); holding the host
        # keeps its id from being reused while the memo lives.
        self._rows: dict[int, tuple[host_state.HostState,
                                    tuple[float, ...]]] = {}

    def raw_rows(self, weighers: Sequence[BaseWeigher],
                 hosts: Sequence[host_state.HostState],
                 spec: request_spec.RequestSpec
                 ) -> list[tuple[float, ...]]:
        rows = self._rows
        missing = [h for h in hosts
                   if (hit := rows.get(id(h))) is None or hit[0] is not h]
        if missing:
            columns = [w.weigh_all(missing, spec) for w in weighers]
            for i, host in enumerate(missing):
                rows[id(host)] = (host, tuple(c[i] for c in columns))
        return [rows[id(h)][1] for h in hosts]


def weigh_hosts(weighers: Sequence[BaseWeigher],
                hosts: Sequence[host_state.HostState],
                spec: request_spec.RequestSpec,
                memo: WeighingMemo | None = None
                ) -> tuple[WeighedHost, ...]:
    """The hosts with their total weights, best first.

    Computed a weigher at a time over all hosts (columns), summing each
    host's terms in weigher order exactly as nova does, so equal weights
    stay equal and the order matches nova's bit for bit.
    """
    if len(hosts) <= 1 or not weighers:
        totals = [0.0] * len(hosts)
    else:
        if memo is not None:
            columns: Sequence[Sequence[float]] = list(
                zip(*memo.raw_rows(weighers, hosts, spec), strict=True))
        else:
            columns = [w.weigh_all(hosts, spec) for w in weighers]
        # Without aggregates a weigher's multiplier is the same for all.
        uniform = not any(h.aggregates for h in hosts)
        terms = []
        for weigher, column in zip(weighers, columns, strict=True):
            normalized = normalize(column, weigher.minval, weigher.maxval)
            if uniform:
                multiplier = weigher.weight_multiplier(hosts[0])
                terms.append([multiplier * x for x in normalized])
            else:
                terms.append([weigher.weight_multiplier(h) * x
                              for h, x in zip(hosts, normalized,
                                              strict=True)])
        totals = [sum(parts) for parts in zip(*terms, strict=True)]
    weighed = [WeighedHost(host, total)
               for host, total in zip(hosts, totals, strict=True)]
    return tuple(sorted(weighed, key=lambda w: w.weight, reverse=True))

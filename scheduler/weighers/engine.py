"""The engine that combines the host weighers (nova/weights.py).

The engine normalizes one weigher's weights to [0, 1] over the candidate
set (using minval/maxval when the weigher sets them; all equal -> 0),
multiplies each by the host's multiplier for that weigher and adds them
up, then sorts by total weight, highest first. The sort is stable, so
hosts of equal weight keep their input order exactly as in nova. As in
nova, a single host (or none) is not weighed at all.
"""

from collections.abc import Sequence
import operator

from scheduler.hoststate import host_state
from scheduler.objects import request_spec
from scheduler.weighers import base


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
        self._columns: dict[int, tuple[base.BaseWeigher, list[float]]] = {}

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

    def raw_weights(self, weigher: base.BaseWeigher, positions: Sequence[int],
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


def weigh_sorted(weighers: Sequence[base.BaseWeigher],
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


def _add_terms(totals: list[float], weigher: base.BaseWeigher,
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
        one = _scaled(base.clamped([constant], minval, maxval), minval, maxval)
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


def _add_same(totals: list[float], weigher: base.BaseWeigher,
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

"""Casts that arrive while a reload reads the database.

A reload reads the database without holding the cache lock, so casts
keep being applied meanwhile. Whatever they changed must survive the
reload's swap: each reload opens the journal when it starts, and when it
swaps its result in, the casts recorded since are applied again on top.
Applying a cast twice is harmless (set an entry, remove an entry).

Not thread-safe by itself: the cache calls it under its lock.
"""

from collections.abc import Mapping
import dataclasses
import itertools

from scheduler.objects import aggregate as aggregate_obj


@dataclasses.dataclass(frozen=True, slots=True)
class InstancesAdded:
    host: str
    instances: Mapping[str, str | None]


@dataclasses.dataclass(frozen=True, slots=True)
class InstanceRemoved:
    host: str
    uuid: str


@dataclasses.dataclass(frozen=True, slots=True)
class AggregatesUpdated:
    aggregates: tuple[aggregate_obj.Aggregate, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class AggregateDeleted:
    aggregate_id: int


Op = InstancesAdded | InstanceRemoved | AggregatesUpdated | AggregateDeleted


def apply_to_instances(lists: dict[str, dict[str, str | None]], op: Op,
                       hosts: frozenset[str] | None = None) -> None:
    """Apply an instance cast to host -> {uuid: project} (in place).

    ``hosts`` limits it to the hosts a reload covers.
    """
    if isinstance(op, InstancesAdded | InstanceRemoved):
        if hosts is not None and op.host not in hosts:
            return
        current = lists.setdefault(op.host, {})
        if isinstance(op, InstancesAdded):
            current.update(op.instances)
        else:
            current.pop(op.uuid, None)


def apply_to_aggregates(aggregates: dict[int, aggregate_obj.Aggregate],
                        op: Op) -> None:
    """Apply an aggregate cast to id -> Aggregate (in place)."""
    if isinstance(op, AggregatesUpdated):
        for agg in op.aggregates:
            aggregates[agg.id] = agg
    elif isinstance(op, AggregateDeleted):
        aggregates.pop(op.aggregate_id, None)


class Journal:
    def __init__(self) -> None:
        self._next = itertools.count(1)
        self._last = 0
        self._ops: list[tuple[int, Op]] = []
        # reload token -> sequence number when it started
        self._open: dict[int, int] = {}
        self._tokens = itertools.count(1)

    def record(self, op: Op) -> None:
        self._last = next(self._next)
        if self._open:
            self._ops.append((self._last, op))

    def begin(self) -> int:
        token = next(self._tokens)
        self._open[token] = self._last
        return token

    def end(self, token: int) -> list[Op]:
        """The casts recorded since ``token`` began; closes it."""
        start = self._open.pop(token)
        ops = [op for seq, op in self._ops if seq > start]
        oldest = min(self._open.values(), default=None)
        if oldest is None:
            self._ops.clear()
        else:
            self._ops = [(seq, op) for seq, op in self._ops if seq > oldest]
        return ops

    def __len__(self) -> int:
        return len(self._ops)

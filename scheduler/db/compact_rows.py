"""Compact read-only rows for what the host cache keeps.

The cache keeps every compute_nodes and services row it read (to spot
changes and rebuild hosts). As dicts, nova's ~30-column rows cost about a
kilobyte each in key tables alone, per host; here all rows of one query
share one column index and each row is a tuple of values, and equal
values read in one go (hypervisor types, cpu_info and supported_instances
of alike hosts, service binaries, sizes) are one shared object.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

# Immutable types whose equal values may be one object. Not float: -0.0
# equals 0.0 and would take its sign; not bool: True equals 1.
_POOLED = (str, int)


class Columns:
    """Column names of one query and their positions, shared by its rows."""

    __slots__ = ('names', 'positions')

    def __init__(self, names: Sequence[str]) -> None:
        self.names = tuple(names)
        self.positions = {name: i for i, name in enumerate(self.names)}


class ValuePool:
    """Hands out one object per distinct value of the pooled types."""

    __slots__ = ('_pools',)

    def __init__(self) -> None:
        self._pools: dict[type, dict[Any, Any]] = {
            kind: {} for kind in _POOLED}

    def values(self, values: Iterable[Any]) -> tuple[Any, ...]:
        pools = self._pools
        return tuple(
            pools[v.__class__].setdefault(v, v)
            if v.__class__ in pools else v for v in values)


class CompactRow(Mapping[str, Any]):
    __slots__ = ('_columns', '_values')

    def __init__(self, columns: Columns, values: Sequence[Any]) -> None:
        self._columns = columns
        self._values = tuple(values)

    def __getitem__(self, key: str) -> Any:
        return self._values[self._columns.positions[key]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._columns.names)

    def __len__(self) -> int:
        return len(self._values)

    def holds(self, names: Sequence[str], values: Sequence[Any]) -> bool:
        """Whether this row equals a row of these columns and values.

        Without building that row: what a re-read compares first.
        """
        if tuple(names) == self._columns.names:
            return self._values == tuple(values)
        return dict(self) == dict(zip(names, values, strict=True))

    def __eq__(self, other: object) -> bool:
        if (isinstance(other, CompactRow)
                and other._columns.names == self._columns.names):
            return self._values == other._values
        return Mapping.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f'CompactRow({dict(self)!r})'

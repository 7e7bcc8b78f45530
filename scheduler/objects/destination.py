"""The requested destination of a move or a targeted boot."""

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class CellRef:
    """A cell named by the caller.

    nova sends a whole CellMapping, database and MQ credentials included.
    We keep the uuid and name only: cells are resolved from our own API
    database, never from URLs that arrive over the bus.
    """

    uuid: str
    name: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Destination:
    host: str | None = None
    node: str | None = None
    cell: CellRef | None = None
    # Each entry is a comma-joined OR-set of aggregate uuids; entries AND.
    aggregates: tuple[str, ...] | None = None
    allow_cross_cell_move: bool = False
    forbidden_aggregates: frozenset[str] | None = None

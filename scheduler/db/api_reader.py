"""Reads of nova's API database: cells, host mappings, aggregates.

Each function takes an open connection and issues SELECTs only; the
caller picks the transaction (one per reload, so the reads agree).
"""

from collections.abc import Mapping
import dataclasses
import logging
import types

import sqlalchemy as sa

from scheduler import redaction
from scheduler.db import tables as t
from scheduler.objects import aggregate as aggregate_obj

LOG = logging.getLogger(__name__)
CELL0_UUID = '00000000-0000-0000-0000-000000000000'


@dataclasses.dataclass(frozen=True, slots=True)
class CellRecord:
    """One cell_mappings row (transport_url is never read)."""

    id: int
    uuid: str
    name: str | None
    # The stored value: a URL with credentials or a template. Kept out of
    # repr() so no log line or traceback shows it.
    database_connection: str = dataclasses.field(repr=False)
    disabled: bool = False

    @property
    def is_cell0(self) -> bool:
        return self.uuid == CELL0_UUID

    @property
    def identity(self) -> str:
        """How nova names a cell in messages: uuid(name)."""
        return f'{self.uuid}({self.name})' if self.name else self.uuid


def read_cells(conn: sa.Connection) -> list[CellRecord]:
    """Every cell mapping, cell0 and disabled cells included, by id."""
    c = t.cell_mappings.c
    rows = conn.execute(
        sa.select(c.id, c.uuid, c.name, c.database_connection, c.disabled)
        .order_by(c.id)).all()
    return [CellRecord(id=row.id, uuid=row.uuid, name=row.name,
                       database_connection=row.database_connection or '',
                       disabled=bool(row.disabled)) for row in rows]


def schedulable_cells(cells: list[CellRecord]) -> list[CellRecord]:
    """The cells nova schedules to: not cell0, not disabled."""
    return [cell for cell in cells if not cell.is_cell0 and not cell.disabled]


def read_host_mappings(conn: sa.Connection,
                       cell_uuids: Mapping[int, str]) -> dict[str, str]:
    """host -> cell uuid, for hosts mapped to a known cell."""
    c = t.host_mappings.c
    mapping: dict[str, str] = {}
    for row in conn.execute(sa.select(c.host, c.cell_id)):
        cell = cell_uuids.get(row.cell_id)
        if cell is not None:
            mapping[row.host] = cell
    return mapping


def read_host_cell(conn: sa.Connection, host: str) -> int | None:
    """The cell id one host is mapped to, if it is mapped."""
    c = t.host_mappings.c
    value = conn.execute(
        sa.select(c.cell_id).where(c.host == host).limit(1)).scalar()
    return None if value is None else int(value)


def read_aggregates(conn: sa.Connection) -> list[aggregate_obj.Aggregate]:
    """Every aggregate with its hosts and metadata, by id.

    An aggregate without a uuid (a row older than nova's uuid migration,
    which nova would fill in and save) is left out with a warning: we
    never write, and the scheduler cannot name it.
    """
    a, h, m = t.aggregates.c, t.aggregate_hosts.c, t.aggregate_metadata.c
    hosts: dict[int, set[str]] = {}
    for member in conn.execute(sa.select(h.aggregate_id, h.host)):
        hosts.setdefault(member.aggregate_id, set()).add(member.host)
    metadata: dict[int, dict[str, str]] = {}
    for item in conn.execute(
            sa.select(m.aggregate_id, m.key, m.value).order_by(m.id)):
        metadata.setdefault(item.aggregate_id, {})[item.key] = item.value
    result = []
    for row in conn.execute(
            sa.select(a.id, a.uuid, a.name).order_by(a.id)):
        if not row.uuid:
            LOG.warning('Aggregate %s has no uuid; it is ignored until nova '
                        'gives it one', redaction.aggregate(str(row.id)))
            continue
        result.append(aggregate_obj.Aggregate(
            id=row.id, uuid=row.uuid, name=row.name or '',
            hosts=frozenset(hosts.get(row.id, ())),
            metadata=types.MappingProxyType(metadata.get(row.id, {}))))
    return result


# The API tables the cache reads. They hard-delete rows (a host leaving
# an aggregate, a metadata key removed, a host mapping deleted), so no
# timestamp shows every change.
FINGERPRINTED = (t.cell_mappings, t.host_mappings, t.aggregates,
                 t.aggregate_hosts, t.aggregate_metadata)


def _fingerprint_statement() -> sa.Executable:
    columns: list[sa.ScalarSelect[object]] = []
    for table in FINGERPRINTED:
        c = table.c
        for aggregate in (sa.func.count(c.id), sa.func.sum(c.id),
                          sa.func.max(c.id), sa.func.max(c.created_at),
                          sa.func.max(c.updated_at)):
            columns.append(sa.select(aggregate).scalar_subquery())
    return sa.select(*columns)


# Built once: every request runs it.
_FINGERPRINT = _fingerprint_statement()


def read_fingerprint(conn: sa.Connection) -> tuple[object, ...]:
    """A value that changes whenever the content read_* return changes.

    One round trip: per table COUNT(id), SUM(id), MAX(id),
    MAX(created_at), MAX(updated_at). An insert moves the count and the
    ids, a delete the count and the sum, an update (nova's models stamp
    updated_at) the newest updated_at.
    """
    return tuple(conn.execute(_FINGERPRINT).one())

"""Reads of one cell database: compute nodes, services, instances.

SELECTs only, on a connection the caller opened. Rows come back as plain
dicts keyed by nova's column names, the shape host_builder takes.

A full read returns the live rows. An incremental read returns every row
created, updated or soft-deleted at or after a watermark, deleted rows
included, so the caller can drop what nova deleted. nova's timestamps
come from the clocks of the services that write them, so the caller
reads back a little before its watermark (an overlap) and a periodic
full read heals what even that misses.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
import dataclasses
import datetime
from typing import Any

import sqlalchemy as sa

from scheduler.db import compact_rows
from scheduler.db import tables as t

COMPUTE_BINARY = 'nova-compute'
# Values per IN (...) list: well under every backend's parameter limit.
BATCH = 500

Row = Mapping[str, Any]


@dataclasses.dataclass(frozen=True, slots=True)
class ComputeRows:
    nodes: tuple[Row, ...]
    services: tuple[Row, ...]
    # The newest created/updated/deleted timestamp among the rows read.
    newest: datetime.datetime | None


def _changed_since(table: sa.Table,
                   since: datetime.datetime) -> sa.ColumnElement[bool]:
    c = table.c
    return sa.or_(c.updated_at >= since, c.created_at >= since,
                  c.deleted_at >= since)


def _newest(rows: Iterable[Row]) -> datetime.datetime | None:
    stamps = [row[name] for row in rows
              for name in ('created_at', 'updated_at', 'deleted_at')
              if isinstance(row.get(name), datetime.datetime)]
    return max(stamps) if stamps else None


def _compact(result: sa.CursorResult[Any],
             pool: compact_rows.ValuePool) -> tuple[Row, ...]:
    columns = compact_rows.Columns(list(result.keys()))
    return tuple(compact_rows.CompactRow(columns, pool.values(row))
                 for row in result)


def read_compute_rows(conn: sa.Connection,
                      since: datetime.datetime | None = None) -> ComputeRows:
    """compute_nodes and nova-compute services rows of this cell.

    With ``since``, only rows changed at or after it, deleted included.
    """
    cn, sv = t.compute_nodes, t.services
    nodes_q = sa.select(cn).order_by(cn.c.id)
    services_q = (sa.select(sv).where(sv.c.binary == COMPUTE_BINARY)
                  .order_by(sv.c.id))
    if since is None:
        nodes_q = nodes_q.where(cn.c.deleted == 0)
        services_q = services_q.where(sv.c.deleted == 0)
    else:
        nodes_q = nodes_q.where(_changed_since(cn, since))
        services_q = services_q.where(_changed_since(sv, since))
    pool = compact_rows.ValuePool()
    nodes = _compact(conn.execute(nodes_q), pool)
    services = _compact(conn.execute(services_q), pool)
    return ComputeRows(nodes, services, _newest(nodes + services))


def _batches(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), BATCH):
        yield values[start:start + BATCH]


def read_instances(conn: sa.Connection, hosts: Iterable[str] | None = None
                   ) -> dict[str, dict[str, str | None]]:
    """host -> {instance uuid: project id} of the live instances.

    ``hosts`` limits the read to those hosts (every host asked for is in
    the result, with no instances if it has none); None reads them all.
    """
    c = t.instances.c
    query = sa.select(c.host, c.uuid, c.project_id).where(c.deleted == 0)
    result: dict[str, dict[str, str | None]] = {}
    if hosts is None:
        rows: Iterable[Any] = conn.execute(query.where(c.host.is_not(None)))
    else:
        names = sorted(set(hosts))
        result = {name: {} for name in names}
        rows = (row for batch in _batches(names)
                for row in conn.execute(query.where(c.host.in_(batch))))
    for row in rows:
        result.setdefault(row.host, {})[row.uuid] = row.project_id
    return result


def read_system_metadata(conn: sa.Connection, uuids: Iterable[str]
                         ) -> dict[str, dict[str, str | None]]:
    """instance uuid -> its live system_metadata keys and values."""
    c = t.instance_system_metadata.c
    query = (sa.select(c.instance_uuid, c.key, c.value)
             .where(c.deleted == 0).order_by(c.id))
    result: dict[str, dict[str, str | None]] = {}
    for batch in _batches(sorted(set(uuids))):
        for row in conn.execute(query.where(c.instance_uuid.in_(batch))):
            result.setdefault(row.instance_uuid, {})[row.key] = row.value
    return result

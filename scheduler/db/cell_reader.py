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
    # Rows read but left out: they change nothing the caller knows.
    unchanged: int = 0


def _changed_since(table: sa.Table) -> sa.ColumnElement[bool]:
    c = table.c
    since = sa.bindparam('since', type_=c.updated_at.type)
    return sa.or_(c.updated_at >= since, c.created_at >= since,
                  c.deleted_at >= since)


_STAMPS = ('created_at', 'updated_at', 'deleted_at')


@dataclasses.dataclass(frozen=True, slots=True)
class _Compacted:
    rows: tuple[Row, ...]
    # The newest created/updated/deleted timestamp among them.
    newest: datetime.datetime | None
    # Rows left out as they change nothing in ``known``.
    unchanged: int = 0


# The types ValuePool pools (compact_rows._POOLED).
_POOLED = frozenset((str, int))


def _pooled(pool: compact_rows.ValuePool,
            column: tuple[Any, ...]) -> tuple[Any, ...]:
    """``pool.values(column)``, without asking it per value when no value
    is of a pooled type (timestamps, floats, NULLs: it would hand every
    one back as it is)."""
    if _POOLED.isdisjoint(map(type, column)):
        return column
    return pool.values(column)


def _compact(result: sa.CursorResult[Any], pool: compact_rows.ValuePool,
             known: Mapping[int, Row] | None = None) -> _Compacted:
    """The rows as CompactRows, and their newest timestamp.

    With ``known`` (id -> the row the caller holds), a row equal to the
    known one, or deleted and not known, is left out before any other
    work (an incremental read mostly reads such rows again); its
    timestamps still count.

    Pooled a column at a time (one ``pool.values`` call per column rather
    than one per row, for the thousands of rows a request-time read can
    return), the timestamps taken from their columns rather than looked
    up in each row.
    """
    names = tuple(result.keys())
    fetched: Sequence[Sequence[Any]] = result.tuples().all()
    if not fetched:
        return _Compacted((), None)
    positions = {name: i for i, name in enumerate(names)}
    stamp_positions = [positions[name] for name in _STAMPS
                       if name in positions]
    newest: datetime.datetime | None = None
    for row in fetched:
        for i in stamp_positions:
            value = row[i]
            if isinstance(value, datetime.datetime) and (
                    newest is None or value > newest):
                newest = value
    before = len(fetched)
    if known is not None:
        fetched = _changed(fetched, names, known)
        if not fetched:
            return _Compacted((), newest, before)
    pooled = [_pooled(pool, column)
              for column in zip(*fetched, strict=True)]
    columns = compact_rows.Columns(names)
    return _Compacted(
        tuple(compact_rows.CompactRow(columns, values)
              for values in zip(*pooled, strict=True)),
        newest, before - len(fetched))


def _changed(fetched: Sequence[Sequence[Any]], names: tuple[str, ...],
             known: Mapping[int, Row]) -> list[Sequence[Any]]:
    """The rows that differ from the known ones (deleted: that are known).
    """
    id_at, deleted_at = names.index('id'), names.index('deleted')
    changed = []
    for row in fetched:
        held = known.get(row[id_at])
        if held is None:
            if not row[deleted_at]:
                changed.append(row)
        elif not (held.holds(names, row)
                  if isinstance(held, compact_rows.CompactRow)
                  else dict(held) == dict(zip(names, row, strict=True))):
            changed.append(row)
    return changed


# Built once: every request runs the incremental ones.
_CN, _SV = t.compute_nodes, t.services
_NODES_LIVE = (sa.select(_CN).where(_CN.c.deleted == 0)
               .order_by(_CN.c.id))
_NODES_SINCE = (sa.select(_CN).where(_changed_since(_CN))
                .order_by(_CN.c.id))
_SERVICES = sa.select(_SV).where(_SV.c.binary == COMPUTE_BINARY)
_SERVICES_LIVE = _SERVICES.where(_SV.c.deleted == 0).order_by(_SV.c.id)
_SERVICES_SINCE = (_SERVICES.where(_changed_since(_SV))
                   .order_by(_SV.c.id))


def read_compute_rows(conn: sa.Connection,
                      since: datetime.datetime | None = None,
                      known: tuple[Mapping[int, Row], Mapping[int, Row]]
                      | None = None) -> ComputeRows:
    """compute_nodes and nova-compute services rows of this cell.

    With ``since``, only rows changed at or after it, deleted included;
    and with ``known`` (the caller's nodes and services by id), without
    the rows that change nothing in them (equal, or deleted and not
    there), counted in ``unchanged``. ``newest`` counts every row read.
    """
    pool = compact_rows.ValuePool()
    if since is None:
        nodes = _compact(conn.execute(_NODES_LIVE), pool)
        services = _compact(conn.execute(_SERVICES_LIVE), pool)
    else:
        params = {'since': since}
        known_nodes, known_services = known or (None, None)
        nodes = _compact(conn.execute(_NODES_SINCE, params), pool,
                         known_nodes)
        services = _compact(conn.execute(_SERVICES_SINCE, params), pool,
                            known_services)
    return ComputeRows(nodes.rows, services.rows,
                       _latest(nodes.newest, services.newest),
                       nodes.unchanged + services.unchanged)


def _latest(*stamps: datetime.datetime | None) -> datetime.datetime | None:
    return max((s for s in stamps if s is not None), default=None)


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


@dataclasses.dataclass(frozen=True, slots=True)
class InstanceChange:
    """Where an instance is now, as one instances row says."""

    uuid: str
    # None when the instance is deleted or not on a host.
    host: str | None
    node: str | None
    project_id: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class InstanceChanges:
    changes: tuple[InstanceChange, ...]
    # The newest created/updated/deleted timestamp among the rows read.
    newest: datetime.datetime | None


_IN = t.instances.c
# created_at, updated_at last: the watermark's columns.
_INSTANCES = sa.select(_IN.uuid, _IN.host, _IN.node, _IN.project_id,
                       _IN.deleted, _IN.created_at, _IN.updated_at)
_INSTANCES_EVER = _INSTANCES.where(sa.or_(
    _IN.updated_at.is_not(None), _IN.created_at.is_not(None))).order_by(
        _IN.id)
_SINCE = sa.bindparam('since', type_=_IN.updated_at.type)
_INSTANCES_SINCE = _INSTANCES.where(sa.or_(
    _IN.updated_at >= _SINCE,
    sa.and_(_IN.deleted == 0, _IN.created_at >= _SINCE))).order_by(_IN.id)


def read_instance_changes(conn: sa.Connection,
                          since: datetime.datetime | None
                          ) -> InstanceChanges:
    """Instances rows created or updated at or after ``since``.

    Deleted rows are included. Both conditions are range scans of nova's
    own indexes (``instances_updated_at_project_id_idx`` and
    ``instances_deleted_created_at_idx``), never a scan of the table.
    ``deleted_at`` is not compared (no index has it): nova saves an
    instance as DELETED right before it soft-deletes it, and the soft
    delete keeps updated_at, so the save brings the row. None reads every
    row created or updated at all: what follows a full read that found
    none (newest_instance_change returned None).
    """
    if since is None:
        result = conn.execute(_INSTANCES_EVER)
    else:
        result = conn.execute(_INSTANCES_SINCE, {'since': since})
    rows = result.tuples().all()
    changes = tuple(InstanceChange(
        uuid=uuid, host=None if deleted else host, node=node,
        project_id=project_id)
        for uuid, host, node, project_id, deleted, _, _ in rows)
    # The watermark follows the columns the read compares.
    stamps = [_as_datetime(value) for row in rows for value in row[5:]
              if value is not None]
    return InstanceChanges(changes, max(stamps, default=None))


def newest_instance_change(conn: sa.Connection) -> datetime.datetime | None:
    """The newest created_at or updated_at in the instances table.

    Where the first incremental read of instances starts after a full read
    (read_instance_changes compares those two).
    """
    c = t.instances.c
    row = conn.execute(sa.select(sa.func.max(c.created_at),
                                 sa.func.max(c.updated_at))).one()
    stamps = [_as_datetime(value) for value in row if value is not None]
    return max(stamps) if stamps else None


def _as_datetime(value: Any) -> datetime.datetime:
    # SQLite hands MAX() of a DATETIME back as text.
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value)
    return value  # type: ignore[no-any-return]


def read_nodes_by_uuid(conn: sa.Connection,
                       uuids: Iterable[str]) -> ComputeRows:
    """The live compute nodes with these uuids and their hosts' services.

    One query per BATCH uuids for the nodes and one per BATCH hosts for
    the nova-compute services. ``newest`` is None: a lookup by uuid says
    nothing about the rows it did not read, so it moves no watermark.
    """
    cn, sv = t.compute_nodes, t.services
    pool = compact_rows.ValuePool()
    nodes: tuple[Row, ...] = ()
    for batch in _batches(sorted(set(uuids))):
        nodes += _compact(conn.execute(
            sa.select(cn).where(cn.c.deleted == 0, cn.c.uuid.in_(batch))
            .order_by(cn.c.id)), pool).rows
    hosts = sorted({str(r['host']) for r in nodes if r.get('host')})
    service_ids = sorted({int(r['service_id']) for r in nodes
                          if not r.get('host')
                          and r.get('service_id') is not None})
    services: tuple[Row, ...] = ()
    base = (sa.select(sv).where(sv.c.binary == COMPUTE_BINARY,
                                sv.c.deleted == 0).order_by(sv.c.id))
    for batch in _batches(hosts):
        services += _compact(conn.execute(
            base.where(sv.c.host.in_(batch))), pool).rows
    for ids in _batches([str(i) for i in service_ids]):
        services += _compact(conn.execute(
            base.where(sv.c.id.in_([int(i) for i in ids]))), pool).rows
    return ComputeRows(nodes, services, None)

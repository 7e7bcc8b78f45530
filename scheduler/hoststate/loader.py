"""The database side of the host cache: what one reload reads.

``Loader`` owns the read-only engines (one for the API database, one per
cell) and the cell thread pool. It returns plain data; deciding what to
keep is the cache's job. Cell URLs come only from the API database's
cell_mappings, formatted against ``[database]connection`` as nova does,
or from the embedder's ``cell_database_url`` when one is given; nothing
received over RPC ever opens a connection.
"""

from collections.abc import Callable, Iterable, Mapping
import dataclasses
import datetime
import logging
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from scheduler.hoststate import cell_scatter
from scheduler.hoststate import instance_images
from scheduler import redaction
from scheduler.db import api_reader
from scheduler.db import cell_reader
from scheduler.db import engines
from scheduler.db import urls
from scheduler.objects import aggregate as aggregate_obj

LOG = logging.getLogger(__name__)
T = TypeVar('T')
HostInstances = dict[str, dict[str, str | None]]
Images = dict[str, Mapping[str, str]]
# A cell's compute rows as the cache holds them: nodes, services by id.
KnownRows = tuple[Mapping[int, cell_reader.Row], Mapping[int, cell_reader.Row]]
# How an embedder derives a cell's database URL from its cell_mappings row.
CellUrl = Callable[[api_reader.CellRecord], str]


class ApiDatabaseError(Exception):
    """The API database could not be read (the message holds no URL)."""


@dataclasses.dataclass(frozen=True, slots=True)
class LoaderSettings:
    api_connection: str | None = dataclasses.field(repr=False)
    # [database]connection: the template base of cell URLs.
    cell_url_default: str | None = dataclasses.field(repr=False)
    api_pool: engines.PoolOptions = engines.PoolOptions()
    cell_pool: engines.PoolOptions = engines.PoolOptions()
    cell_timeout: float = 30.0
    cell_workers: int = 5


@dataclasses.dataclass(frozen=True, slots=True)
class CellContent:
    """What a read of one cell returned."""

    rows: cell_reader.ComputeRows
    instances: HostInstances
    images: Images
    # Where the first incremental read of instances starts.
    instances_newest: datetime.datetime | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class CellDelta:
    """What changed in one cell since the times asked for."""

    rows: cell_reader.ComputeRows
    instances: cell_reader.InstanceChanges


@dataclasses.dataclass(frozen=True, slots=True)
class ApiContent:
    cells: tuple[api_reader.CellRecord, ...]
    host_cells: Mapping[str, str]
    aggregates: tuple[aggregate_obj.Aggregate, ...]
    # api_reader.read_fingerprint, read in the same transaction.
    fingerprint: tuple[object, ...] | None = None


class Loader:
    def __init__(self, settings: LoaderSettings, *,
                 cell_database_url: CellUrl | None = None) -> None:
        self.settings = settings
        self._cell_url = cell_database_url
        self._api_engine: sa.Engine | None = None
        self._cells = engines.EngineSet(settings.cell_pool,
                                        settings.cell_timeout)
        self._scatter = cell_scatter.CellScatter(settings.cell_workers,
                                                 settings.cell_timeout)
        self._bad_images: set[str] = set()

    # -- API database --------------------------------------------------

    def _api(self) -> sa.Engine:
        if self._api_engine is None:
            if not self.settings.api_connection:
                raise ApiDatabaseError('[api_database]connection is not set')
            try:
                self._api_engine = engines.create_reader_engine(
                    self.settings.api_connection, self.settings.api_pool,
                    self.settings.cell_timeout)
            except engines.UnsupportedDatabase as exc:
                raise ApiDatabaseError(
                    f'[api_database]connection: {exc}') from None
        return self._api_engine

    def _read_api(self, read: Callable[[sa.Connection], T]) -> T:
        try:
            with self._api().connect() as conn, conn.begin():
                return read(conn)
        except sa_exc.SQLAlchemyError as exc:
            raise ApiDatabaseError(
                f'API database: {urls.describe_error(exc)}') from None

    def read_api(self) -> ApiContent:
        """Cells, host mappings and aggregates, in one transaction."""
        def read(conn: sa.Connection) -> ApiContent:
            cells = api_reader.read_cells(conn)
            by_id = {cell.id: cell.uuid for cell in cells}
            return ApiContent(tuple(cells),
                              api_reader.read_host_mappings(conn, by_id),
                              tuple(api_reader.read_aggregates(conn)),
                              api_reader.read_fingerprint(conn))
        return self._read_api(read)

    def api_fingerprint(self) -> tuple[object, ...]:
        """One cheap query whose answer changes with the API content."""
        return self._read_api(api_reader.read_fingerprint)

    def mapped_cell(self, host: str) -> int | None:
        """The id of the cell ``host`` is mapped to (host_mappings)."""
        return self._read_api(
            lambda conn: api_reader.read_host_cell(conn, host))

    # -- cell databases ------------------------------------------------

    def _engine(self, cell: api_reader.CellRecord) -> sa.Engine:
        if self._cell_url is not None:
            return self._cells.get(cell.uuid, self._cell_url(cell))
        stored = cell.database_connection
        default = self.settings.cell_url_default
        if urls.is_template(stored) and default is None:
            raise engines.UnsupportedDatabase(
                'its database_connection is a template but '
                '[database]connection is not set')
        return self._cells.get(cell.uuid,
                               urls.format_cell_url(stored, default))

    def _on_cells(self, cells: Iterable[api_reader.CellRecord],
                  read: Callable[[api_reader.CellRecord, sa.Connection], T]
                  ) -> cell_scatter.Outcome[T]:
        def task(cell: api_reader.CellRecord) -> Callable[[], T]:
            def run() -> T:
                with self._engine(cell).connect() as conn, conn.begin():
                    return read(cell, conn)
            return run
        return self._scatter.run({cell.uuid: task(cell) for cell in cells})

    def retain_cells(self, cells: Iterable[str]) -> None:
        """Close the engines of cells no longer mapped."""
        self._cells.retain({uuid: None for uuid in cells})

    def read_cells(self, cells: Iterable[api_reader.CellRecord],
                   with_images: bool) -> cell_scatter.Outcome[CellContent]:
        """Everything the cache holds of each cell: a full read."""
        def read(cell: api_reader.CellRecord,
                 conn: sa.Connection) -> CellContent:
            rows = cell_reader.read_compute_rows(conn)
            instances = cell_reader.read_instances(conn)
            hosts = {r['host'] for r in rows.nodes if r.get('host')}
            for host in hosts - set(instances):
                instances[host] = {}
            images = (self._images(conn, _uuids(instances))
                      if with_images else {})
            return CellContent(rows, instances, images,
                               cell_reader.newest_instance_change(conn))
        return self._on_cells(cells, read)

    def read_deltas(self, cells: Iterable[api_reader.CellRecord],
                    since: Mapping[str, datetime.datetime | None],
                    instances_since: Mapping[str, datetime.datetime | None],
                    known: Mapping[str, KnownRows] | None = None
                    ) -> cell_scatter.Outcome[CellDelta]:
        """Compute rows and instance rows changed since each cell's times.

        Both in one transaction per cell; what a request reads first.
        ``known``: per cell, the compute rows the caller holds (nodes and
        services by id); compute rows that change nothing in them are
        left out (cell_reader.read_compute_rows).
        """
        held = known or {}

        def read(cell: api_reader.CellRecord,
                 conn: sa.Connection) -> CellDelta:
            return CellDelta(
                cell_reader.read_compute_rows(conn, since.get(cell.uuid),
                                              held.get(cell.uuid)),
                cell_reader.read_instance_changes(
                    conn, instances_since.get(cell.uuid)))
        return self._on_cells(cells, read)

    def read_nodes(self, cells: Iterable[api_reader.CellRecord],
                   uuids: Iterable[str]
                   ) -> cell_scatter.Outcome[cell_reader.ComputeRows]:
        """The compute nodes with these uuids (and services), per cell."""
        wanted = sorted(set(uuids))
        return self._on_cells(cells, lambda cell, conn: (
            cell_reader.read_nodes_by_uuid(conn, wanted)))

    def read_changes(self, cells: Iterable[api_reader.CellRecord],
                     since: Mapping[str, datetime.datetime | None]
                     ) -> cell_scatter.Outcome[cell_reader.ComputeRows]:
        """Compute rows changed since each cell's time (None: all live)."""
        return self._on_cells(cells, lambda cell, conn: (
            cell_reader.read_compute_rows(conn, since.get(cell.uuid))))

    def read_hosts(self, cells: Iterable[api_reader.CellRecord],
                   hosts: Mapping[str, Iterable[str]],
                   with_images: bool, known_images: Iterable[str] = ()
                   ) -> cell_scatter.Outcome[tuple[HostInstances, Images]]:
        """The instance lists of some hosts, by cell (and their images)."""
        known = frozenset(known_images)

        def read(cell: api_reader.CellRecord, conn: sa.Connection
                 ) -> tuple[HostInstances, Images]:
            found = cell_reader.read_instances(conn, hosts[cell.uuid])
            images = (self._images(conn, _uuids(found) - known)
                      if with_images else {})
            return found, images
        return self._on_cells(cells, read)

    def _images(self, conn: sa.Connection, uuids: Iterable[str]) -> Images:
        images: Images = {}
        metadata = cell_reader.read_system_metadata(conn, uuids)
        for uuid in uuids:
            try:
                images[uuid] = instance_images.image_properties(
                    metadata.get(uuid, {}))
            except instance_images.InvalidImageMetadata as exc:
                if uuid not in self._bad_images:
                    self._bad_images.add(uuid)
                    LOG.warning('Instance %s: image properties in its '
                                'system_metadata are not valid (%s); the '
                                'ImagePropertiesWeigher ignores them',
                                redaction.instance(uuid), exc)
                images[uuid] = {}
        return images

    def close(self) -> None:
        self._scatter.shutdown()
        self._cells.dispose()
        if self._api_engine is not None:
            self._api_engine.dispose()


def _uuids(instances: Mapping[str, Mapping[str, object]]) -> set[str]:
    return {uuid for insts in instances.values() for uuid in insts}

"""``hardened-scheduler-manage check``: can this service see its data?

Connects to the API database, to every cell database and to Placement
with the service's own configuration, and reports what it finds: cells,
compute services and nodes per cell, the host states the scheduler would
build, aggregates, and the privileges of the database user. Every URL is
shown with its password masked and SHOW GRANTS output has its password
hashes masked; on PostgreSQL the user's privileges on each table read
are listed. Exits non-zero on any problem.
"""

from collections.abc import Callable
import dataclasses
import re

from oslo_config import cfg
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from scheduler import host_cache
from scheduler.db import api_reader
from scheduler.db import cell_reader
from scheduler.db import engines
from scheduler.db import tables
from scheduler.db import urls
from scheduler.placement import client as client_mod
from scheduler.placement import errors as placement_errors

Out = Callable[[str], None]
_QUOTED = re.compile(r"'[^']*'")
_WRITES = re.compile(r'\b(ALL PRIVILEGES|INSERT|UPDATE|DELETE|DROP|ALTER|'
                     r'CREATE|INDEX|TRUNCATE)\b', re.IGNORECASE)
_PG_PRIVILEGES = ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
# NULL (nothing granted) for a table that does not exist: the SELECT
# check that follows reports it.
_PG_HAS = sa.text('SELECT has_table_privilege(to_regclass(:table), :priv)')


@dataclasses.dataclass
class Report:
    out: Out
    problems: int = 0

    def info(self, text: str) -> None:
        self.out(text)

    def problem(self, text: str) -> None:
        self.problems += 1
        self.out(f'ERROR: {text}')

    def warning(self, text: str) -> None:
        self.out(f'WARNING: {text}')


def mask_grant(line: str) -> str:
    """A SHOW GRANTS line with anything quoted after IDENTIFIED masked."""
    head, sep, tail = line.partition('IDENTIFIED')
    if not sep:
        return line
    return head + sep + _QUOTED.sub("'***'", tail)


def _pg_grants(conn: sa.Connection,
               needed: tuple[sa.Table, ...]) -> list[str]:
    """The current user's privileges on each table, in GRANT's words."""
    user = conn.exec_driver_sql('SELECT current_user').scalar()
    lines = []
    for table in needed:
        held = [priv for priv in _PG_PRIVILEGES if conn.execute(
            _PG_HAS, {'table': table.name, 'priv': priv}).scalar()]
        lines.append(f'{", ".join(held) or "no privileges"} ON '
                     f'{table.name} TO {user}')
    return lines


def _grants(conn: sa.Connection,
            needed: tuple[sa.Table, ...]) -> list[str] | None:
    dialect = conn.dialect.name
    if dialect == 'mysql':
        return [mask_grant(str(row[0]))
                for row in conn.exec_driver_sql('SHOW GRANTS')]
    if dialect == 'postgresql':
        return _pg_grants(conn, needed)
    return None


def _check_database(report: Report, label: str, engine: sa.Engine,
                    needed: tuple[sa.Table, ...]) -> bool:
    """Connection, read-only session, grants and our SELECTs."""
    report.info(f'{label}: {urls.mask_url(engine.url)}')
    try:
        with engine.connect() as conn:
            read_only = engines.session_read_only(conn)
            report.info('  read-only session: ' + {
                True: 'yes', False: 'NO', None: 'unknown'}[read_only])
            if read_only is False:
                report.problem(f'{label}: the session is not read-only')
            grants = _grants(conn, needed)
            if grants is None:
                report.info('  grants: not applicable (SQLite)')
            else:
                report.info('  grants:')
                for grant in grants:
                    report.info(f'    {grant}')
                if any(_WRITES.search(g.split(' TO ')[0]) for g in grants):
                    report.warning(
                        f'{label}: this user may write; SELECT on the '
                        'tables listed in the README is all it needs')
    except sa_exc.SQLAlchemyError as exc:
        report.problem(f'{label}: cannot connect: '
                       f'{urls.describe_error(exc)}')
        return False
    ok = True
    with engine.connect() as conn:
        for table in needed:
            try:
                conn.execute(sa.select(table).limit(1)).all()
            except sa_exc.SQLAlchemyError as exc:
                ok = False
                conn.rollback()
                report.problem(f'{label}: cannot read {table.name}: '
                               f'{urls.describe_error(exc)}')
    return ok


def _count(conn: sa.Connection, table: sa.Table,
           *where: sa.ColumnElement[bool]) -> int:
    query = sa.select(sa.func.count()).select_from(table)
    return int(conn.execute(query.where(*where)).scalar() or 0)


def _check_cells(report: Report, conf: cfg.ConfigOpts,
                 cells: list[api_reader.CellRecord]) -> None:
    pool = engines.PoolOptions.from_group(conf, 'database')
    timeout = conf.hardened_scheduler.cell_database_timeout
    default = conf.database.connection
    for cell in cells:
        label = f'cell {cell.identity}'
        if cell.is_cell0 or cell.disabled:
            report.info(f'{label}: skipped ('
                        f'{"cell0" if cell.is_cell0 else "disabled"})')
            continue
        stored = cell.database_connection
        if urls.is_template(stored) and default is None:
            report.problem(f'{label}: database_connection is a template but '
                           '[database]connection is not set')
            continue
        try:
            engine = engines.create_reader_engine(
                urls.format_cell_url(stored, default), pool, timeout)
        except engines.UnsupportedDatabase as exc:
            report.problem(f'{label}: {exc}')
            continue
        try:
            if not _check_database(report, label, engine,
                                   tuple(tables.CELL.tables.values())):
                continue
            with engine.connect() as conn:
                sv = tables.services
                live = (sv.c.deleted == 0,
                        sv.c.binary == cell_reader.COMPUTE_BINARY)
                services = _count(conn, sv, *live)
                disabled = _count(conn, sv, *live, sv.c.disabled)
                nodes = _count(conn, tables.compute_nodes,
                               tables.compute_nodes.c.deleted == 0)
                instances = _count(conn, tables.instances,
                                   tables.instances.c.deleted == 0)
            report.info(f'  compute services: {services} ({disabled} '
                        f'disabled), compute nodes: {nodes}, instances: '
                        f'{instances}')
        finally:
            engine.dispose()


def _check_api(report: Report, conf: cfg.ConfigOpts
               ) -> list[api_reader.CellRecord] | None:
    url = conf.api_database.connection
    if not url:
        report.problem('[api_database]connection is not set')
        return None
    try:
        engine = engines.create_reader_engine(
            url, engines.PoolOptions.from_group(conf, 'api_database'),
            conf.hardened_scheduler.cell_database_timeout)
    except engines.UnsupportedDatabase as exc:
        report.problem(f'[api_database]connection: {exc}')
        return None
    try:
        if not _check_database(report, 'API database', engine,
                               tuple(tables.API.tables.values())):
            return None
        with engine.connect() as conn:
            cells = api_reader.read_cells(conn)
            aggregates = api_reader.read_aggregates(conn)
            mappings = _count(conn, tables.host_mappings)
    finally:
        engine.dispose()
    schedulable = api_reader.schedulable_cells(cells)
    report.info(f'  cells: {len(cells)} ({len(schedulable)} schedulable), '
                f'host mappings: {mappings}, aggregates: {len(aggregates)}')
    if not schedulable:
        report.problem('no schedulable cell (only cell0 or disabled cells)')
    return cells


def _check_host_states(report: Report, conf: cfg.ConfigOpts) -> None:
    """Build the host states exactly as the service would."""
    cache = host_cache.HostStateCache.from_conf(conf)
    try:
        cache.refresh()
    except host_cache.HostCacheError as exc:
        report.problem(f'host states: {exc}')
        return
    finally:
        cache.stop()
    snap = cache.snapshot()
    per_cell: dict[str, int] = {}
    for state in snap.hosts.values():
        per_cell[state.cell_uuid] = per_cell.get(state.cell_uuid, 0) + 1
    report.info(f'Host states: {len(snap.hosts)} usable compute nodes')
    for cell, count in sorted(per_cell.items()):
        report.info(f'  cell {cell}: {count}')
    for cell in sorted(snap.unavailable_cells):
        report.problem(f'cell {cell} could not be read')
    for node, reason in sorted(snap.incomplete_nodes.items()):
        report.warning(f'compute node {node} is left out: {reason}')


def _check_placement(report: Report, conf: cfg.ConfigOpts,
                     make_client: Callable[[cfg.ConfigOpts],
                                           client_mod.PlacementClient]
                     ) -> None:
    try:
        version = make_client(conf).probe()
    except placement_errors.PlacementError as exc:
        report.problem(str(exc))
        return
    except Exception as exc:  # keystoneauth configuration errors
        report.problem(f'Placement: {type(exc).__name__}')
        return
    report.info(f'Placement: reachable, max microversion {version}')


def run(conf: cfg.ConfigOpts, out: Out = print,
        make_client: Callable[[cfg.ConfigOpts], client_mod.PlacementClient]
        = client_mod.PlacementClient) -> int:
    """Run every check; 0 when there is no problem, 1 otherwise."""
    report = Report(out)
    cells = _check_api(report, conf)
    if cells is not None:
        _check_cells(report, conf, cells)
        _check_host_states(report, conf)
    _check_placement(report, conf, make_client)
    if report.problems:
        report.info(f'FAILED: {report.problems} problem(s)')
        return 1
    report.info('OK')
    return 0

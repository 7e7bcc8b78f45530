"""``hardened-scheduler-manage check``: can this service see its data?

Connects to the API database, to every cell database, to Placement and
to the message bus with the service's own configuration, and reports
what it finds as named checks, like ``nova-status upgrade check``: each
check (API database, each cell, host states, Placement, message bus) has
a result (Success, Warning, Failure) and detail lines: cells, compute
services and nodes per cell, the host states the scheduler would build,
aggregates, the privileges of the database user, each RabbitMQ host.
Every URL is shown with its password masked and SHOW GRANTS output has
its password hashes masked; on PostgreSQL the user's privileges on each
table read are listed. A SQLite database file is never created: a
missing one is a failure. ``-f json|yaml`` prints the report as one
document. The exit code is nova-status's: 0 success, 1 warnings only,
2 a failure.
"""

import argparse
from collections.abc import Callable
import os
import re

from oslo_config import cfg
import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from scheduler.cmd import config_loading
from scheduler.cmd import check_bus
from scheduler.cmd import check_report
from scheduler.cmd import output
from scheduler.hoststate import cache as host_cache
from scheduler.db import api_reader
from scheduler.db import cell_reader
from scheduler.db import engines
from scheduler.db import tables
from scheduler.db import urls
from scheduler.placement import client as client_mod
from scheduler.placement import errors as placement_errors

HELP = ('connect to the databases, Placement and the message bus and '
        'report what the service would see')
DESCRIPTION = (
    'Connect to the API and cell databases, Placement and the message bus '
    '([DEFAULT] transport_url) with the service\'s configuration and '
    'report each check (API database, each cell, host states, Placement, '
    'message bus) with its result (Success, Warning, Failure) and '
    'details. Passwords are never shown; no database file is created. '
    'Exit codes (nova-status\'s): 0 every check succeeded, 1 warnings '
    'only, 2 a check failed (or a bad argument or configuration file), '
    '255 an unexpected error.')

Out = Callable[[str], None]
MakeClient = Callable[[cfg.ConfigOpts], client_mod.PlacementClient]
Check = check_report.CheckBuilder
_QUOTED = re.compile(r"'[^']*'")
_WRITES = re.compile(r'\b(ALL PRIVILEGES|INSERT|UPDATE|DELETE|DROP|ALTER|'
                     r'CREATE|INDEX|TRUNCATE)\b', re.IGNORECASE)
_PG_PRIVILEGES = ('SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
# NULL (nothing granted) for a table that does not exist: the SELECT
# check that follows reports it.
_PG_HAS = sa.text('SELECT has_table_privilege(to_regclass(:table), :priv)')


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


def _missing_file(url: str | sa.URL) -> str | None:
    """The file of a SQLite URL when it does not exist (it would not be
    created: the readers open SQLite files read-only)."""
    path = engines.sqlite_file(url)
    if path is not None and not os.path.exists(path):
        return path
    return None


def _open(check: Check, url: str | sa.URL, pool: engines.PoolOptions,
          timeout: float | None) -> sa.Engine | None:
    """A reader engine for ``url``, or None and a problem said."""
    check.info(f'database: {urls.mask_url(url)}')
    missing = _missing_file(url)
    if missing is not None:
        check.problem(f'database file {missing} does not exist')
        return None
    try:
        return engines.create_reader_engine(url, pool, timeout)
    except engines.UnsupportedDatabase as exc:
        check.problem(str(exc))
        return None


def _check_database(check: Check, engine: sa.Engine,
                    needed: tuple[sa.Table, ...]) -> bool:
    """Connection, read-only session, grants and our SELECTs."""
    try:
        with engine.connect() as conn:
            read_only = engines.session_read_only(conn)
            check.info('read-only session: ' + {
                True: 'yes', False: 'NO', None: 'unknown'}[read_only])
            if read_only is False:
                check.problem('the session is not read-only')
            grants = _grants(conn, needed)
            if grants is None:
                check.info('grants: not applicable (SQLite)')
            else:
                check.info('grants:')
                for grant in grants:
                    check.info(f'  {grant}')
                if any(_WRITES.search(g.split(' TO ')[0]) for g in grants):
                    check.warning(
                        'this user may write; SELECT on the tables listed '
                        'in the README is all it needs')
    except sa_exc.SQLAlchemyError as exc:
        check.problem(f'cannot connect: {urls.describe_error(exc)}')
        return False
    ok = True
    with engine.connect() as conn:
        for table in needed:
            try:
                conn.execute(sa.select(table).limit(1)).all()
            except sa_exc.SQLAlchemyError as exc:
                ok = False
                conn.rollback()
                check.problem(f'cannot read {table.name}: '
                              f'{urls.describe_error(exc)}')
    return ok


def _count(conn: sa.Connection, table: sa.Table,
           *where: sa.ColumnElement[bool]) -> int:
    query = sa.select(sa.func.count()).select_from(table)
    return int(conn.execute(query.where(*where)).scalar() or 0)


def _check_cell(conf: cfg.ConfigOpts,
                cell: api_reader.CellRecord) -> check_report.CheckResult:
    check = Check(f'Cell {cell.identity}')
    if cell.is_cell0 or cell.disabled:
        check.info(f'skipped ({"cell0" if cell.is_cell0 else "disabled"})')
        return check.result()
    stored = cell.database_connection
    default = conf.database.connection
    if urls.is_template(stored) and default is None:
        check.problem('database_connection is a template but '
                      '[database]connection is not set')
        return check.result()
    engine = _open(check, urls.format_cell_url(stored, default),
                   engines.PoolOptions.from_group(conf, 'database'),
                   conf.hardened_scheduler.cell_database_timeout)
    if engine is None:
        return check.result()
    try:
        if _check_database(check, engine,
                           tuple(tables.CELL.tables.values())):
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
            check.info(f'compute services: {services} ({disabled} '
                       f'disabled), compute nodes: {nodes}, instances: '
                       f'{instances}')
    finally:
        engine.dispose()
    return check.result()


def _check_api(conf: cfg.ConfigOpts
               ) -> tuple[check_report.CheckResult,
                          list[api_reader.CellRecord] | None]:
    check = Check('API database')
    url = conf.api_database.connection
    if not url:
        check.problem('[api_database]connection is not set')
        return check.result(), None
    engine = _open(check, url,
                   engines.PoolOptions.from_group(conf, 'api_database'),
                   conf.hardened_scheduler.cell_database_timeout)
    if engine is None:
        return check.result(), None
    try:
        if not _check_database(check, engine,
                               tuple(tables.API.tables.values())):
            return check.result(), None
        with engine.connect() as conn:
            cells = api_reader.read_cells(conn)
            aggregates = api_reader.read_aggregates(conn)
            mappings = _count(conn, tables.host_mappings)
    finally:
        engine.dispose()
    schedulable = api_reader.schedulable_cells(cells)
    check.info(f'cells: {len(cells)} ({len(schedulable)} schedulable), '
               f'host mappings: {mappings}, aggregates: {len(aggregates)}')
    if not schedulable:
        check.problem('no schedulable cell (only cell0 or disabled cells)')
    return check.result(), cells


HOST_STATES = 'Host states'
CONFIGURATION = 'Configuration'


def _check_host_states(conf: cfg.ConfigOpts) -> check_report.CheckResult:
    """Build the host states exactly as the service would."""
    check = Check(HOST_STATES)
    cache = host_cache.HostStateCache.from_conf(conf)
    try:
        cache.refresh()
    except host_cache.HostCacheError as exc:
        check.problem(str(exc))
        return check.result()
    finally:
        cache.stop()
    snap = cache.snapshot()
    per_cell: dict[str, int] = {}
    for state in snap.hosts.values():
        per_cell[state.cell_uuid] = per_cell.get(state.cell_uuid, 0) + 1
    check.info(f'{len(snap.hosts)} usable compute nodes')
    for cell, count in sorted(per_cell.items()):
        check.info(f'cell {cell}: {count}')
    for cell in sorted(snap.unavailable_cells):
        check.problem(f'cell {cell} could not be read')
    for node, reason in sorted(snap.incomplete_nodes.items()):
        check.warning(f'compute node {node} is left out: {reason}')
    return check.result()


def _check_placement(conf: cfg.ConfigOpts, make_client: MakeClient
                     ) -> check_report.CheckResult:
    check = Check('Placement')
    try:
        version = make_client(conf).probe()
    except placement_errors.PlacementError as exc:
        check.problem(str(exc))
    except Exception as exc:  # keystoneauth configuration errors
        check.problem(f'Placement: {type(exc).__name__}')
    else:
        check.info(f'reachable, max microversion {version}')
    return check.result()


def _check_configuration(conf: cfg.ConfigOpts) -> check_report.CheckResult:
    """What the service checks at start (validate-config's lines)."""
    check = Check(CONFIGURATION)
    check.info('files: ' + (', '.join(conf.config_file) or 'none'))
    for problem in config_loading.validate(conf):
        check.problem(problem)
    return check.result()


def check_all(conf: cfg.ConfigOpts,
              make_client: MakeClient = client_mod.PlacementClient,
              connect_broker: check_bus.Connect = check_bus.connect
              ) -> check_report.Report:
    """Every check, in order; nothing printed."""
    api, cells = _check_api(conf)
    checks = [_check_configuration(conf), api]
    if cells is None:
        not_built = Check(HOST_STATES)
        not_built.problem('not built: the API database could not be read')
        checks.append(not_built.result())
    else:
        checks.extend(_check_cell(conf, cell) for cell in cells)
        checks.append(_check_host_states(conf))
    checks.append(_check_placement(conf, make_client))
    checks.append(check_bus.check_message_bus(conf, connect_broker))
    return check_report.Report(tuple(checks))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    output.add_format_argument(parser)


def run(conf: cfg.ConfigOpts, fmt: str = output.TABLE, out: Out = print,
        make_client: MakeClient = client_mod.PlacementClient,
        connect_broker: check_bus.Connect = check_bus.connect) -> int:
    """Run every check and print the report (``fmt``: table, json or
    yaml); the exit code: 0 success, 1 warnings only, 2 a failure."""
    report = check_all(conf, make_client, connect_broker)
    for line in check_report.render(report, fmt):
        out(line)
    return report.exit_code

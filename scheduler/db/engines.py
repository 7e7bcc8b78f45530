"""Read-only SQLAlchemy engines for nova's API and cell databases.

Every connection is made read-only by the database itself as soon as it
is opened, so even a bug here cannot write to nova's tables:

- MySQL/MariaDB: ``SET SESSION TRANSACTION READ ONLY``;
- PostgreSQL: ``SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY``;
- SQLite: the file is opened read-only (``file:<path>?mode=ro``, so a
  missing file is an error, never created) and ``PRAGMA query_only = ON``.

Driver timeouts bound how long one read can hang on a dead server, so a
stuck cell frees its reader thread eventually. Pool settings come from
the same oslo.db options nova uses ([database] / [api_database]).

SQLite connections are pooled too (a new connection parses nova's whole
schema before its first read, which would cost more than the read). A
kept connection would go on reading a file that was since moved away or
replaced, so each checkout first checks that the path still names the
file the connection opened, and opens a new connection when it does not.
"""

from collections.abc import Mapping
import dataclasses
import os
import threading
from typing import Any
from urllib import parse

from oslo_config import cfg
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy import pool as sa_pool


class UnsupportedDatabase(ValueError):
    """A URL whose backend we cannot make read-only."""


SUPPORTED = ('mysql', 'postgresql', 'sqlite')


@dataclasses.dataclass(frozen=True, slots=True)
class PoolOptions:
    """The oslo.db pool options of one group that apply to a reader."""

    max_pool_size: int | None = 5
    max_overflow: int | None = 50
    pool_timeout: int | None = None
    connection_recycle_time: int = 3600

    @classmethod
    def from_group(cls, conf: cfg.ConfigOpts, group: str) -> 'PoolOptions':
        opts = getattr(conf, group)
        return cls(max_pool_size=opts.max_pool_size,
                   max_overflow=opts.max_overflow,
                   pool_timeout=opts.pool_timeout,
                   connection_recycle_time=opts.connection_recycle_time)


def _mysql_read_only(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute('SET SESSION TRANSACTION READ ONLY')
    finally:
        cursor.close()


def _postgresql_read_only(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY')
    finally:
        cursor.close()
    # psycopg2 opened a transaction for the SET; a rollback (the pool's
    # reset) would undo it, so make it stick now.
    dbapi_conn.commit()


def _sqlite_read_only(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    try:
        cursor.execute('PRAGMA query_only = ON')
    finally:
        cursor.close()


def _sqlite_file(url: sa.URL) -> str | None:
    """The file a SQLite URL opens; None for in-memory and URI forms."""
    database = url.database
    if not database or database == ':memory:' or database.startswith(
            'file:') or _is_uri(url):
        return None
    return os.path.abspath(database)


def sqlite_file(url: str | sa.URL) -> str | None:
    """The file a plain SQLite URL names (absolute); None otherwise."""
    try:
        parsed = sa.make_url(url)
    except (sa_exc.ArgumentError, ValueError, TypeError):
        return None
    if parsed.get_backend_name() != 'sqlite':
        return None
    return _sqlite_file(parsed)


def _is_uri(url: sa.URL) -> bool:
    return url.query.get('uri') in ('true', 'True', '1')


def _sqlite_read_only_url(url: sa.URL, path: str | None) -> sa.URL:
    """``url`` opened read-only: sqlite3 never creates the file.

    A plain path becomes ``file:<path>?mode=ro`` (a URI, so the driver
    passes ``mode`` to SQLite); a URI form gets ``mode=ro`` unless it
    names an in-memory database.
    """
    query = dict(url.query)
    if path is not None:
        query.update(mode='ro', uri='true')
        return url.set(database='file:' + parse.quote(path), query=query)
    database = url.database or ''
    if (_is_uri(url) and not database.startswith('file::memory:')
            and query.get('mode') != 'memory'):
        query['mode'] = 'ro'
        return url.set(query=query)
    return url


def _file_identity(path: str) -> tuple[int, int] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


def _same_sqlite_file(path: str) -> tuple[Any, Any]:
    """Pool hooks: a kept connection is used only while ``path`` is still
    the file it opened (moved, replaced or deleted: a new connection)."""
    def on_connect(_dbapi_conn: Any, record: Any) -> None:
        record.info['sqlite_file'] = _file_identity(path)

    def on_checkout(_dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        opened = record.info.get('sqlite_file')
        if opened is None or opened != _file_identity(path):
            # The pool closes this connection and opens another.
            raise sa_exc.DisconnectionError(
                'the SQLite file changed since the connection opened it')
    return on_connect, on_checkout


def _connect_args(backend: str, timeout: float | None) -> dict[str, Any]:
    seconds = None if timeout is None else max(1, int(timeout + 0.999))
    if backend == 'mysql':
        if seconds is None:
            return {}
        return {'connect_timeout': seconds, 'read_timeout': seconds,
                'write_timeout': seconds}
    if backend == 'postgresql':
        if seconds is None:
            return {}
        # libpq has no read timeout: the server ends a longer statement.
        return {'connect_timeout': seconds,
                'options': f'-c statement_timeout={seconds * 1000}'}
    # SQLite: a cell reader may run in any of our threads.
    return {'check_same_thread': False}


def create_reader_engine(url: str | sa.URL, pool: PoolOptions = PoolOptions(),
                         timeout: float | None = None) -> sa.Engine:
    """A pooled engine whose every connection is read-only.

    ``timeout`` (seconds) bounds connecting and each read where the driver
    allows it. Raises UnsupportedDatabase for other backends; nothing
    raised here contains the URL.
    """
    parsed = _supported_url(url)
    backend = parsed.get_backend_name()
    kwargs: dict[str, Any] = {
        'connect_args': _connect_args(backend, timeout),
        'pool_pre_ping': True,
        'pool_recycle': pool.connection_recycle_time,
    }
    sqlite_file = _sqlite_file(parsed) if backend == 'sqlite' else None
    if backend == 'sqlite':
        parsed = _sqlite_read_only_url(parsed, sqlite_file)
    if backend == 'sqlite' and sqlite_file is None:
        # In memory: SQLAlchemy's default, one connection per thread (each
        # its own database, as SQLite has it).
        kwargs['poolclass'] = sa_pool.SingletonThreadPool
        kwargs.pop('pool_recycle')
        kwargs.pop('pool_pre_ping')
    else:
        if backend == 'sqlite':
            # No server to lose: the checkout hook below replaces the
            # ping (a SELECT 1 per read).
            kwargs['poolclass'] = sa_pool.QueuePool
            kwargs.pop('pool_pre_ping')
        if pool.max_pool_size is not None:
            kwargs['pool_size'] = pool.max_pool_size
        if pool.max_overflow is not None:
            kwargs['max_overflow'] = pool.max_overflow
        if pool.pool_timeout is not None:
            kwargs['pool_timeout'] = pool.pool_timeout
    try:
        engine = sa.create_engine(parsed, **kwargs)
    except ImportError as exc:
        raise UnsupportedDatabase(
            f'the database driver is not installed ({exc.name})') from None
    except (sa_exc.ArgumentError, ValueError, TypeError):
        raise UnsupportedDatabase(
            'the database URL has invalid options') from None
    _listen_read_only(engine, backend, sqlite_file)
    return engine


def _supported_url(url: str | sa.URL) -> sa.URL:
    """``url`` parsed, on a backend and driver we can make read-only."""
    try:
        parsed = sa.make_url(url)
    except (sa_exc.ArgumentError, ValueError, TypeError):
        raise UnsupportedDatabase('the database URL does not parse') from None
    backend = parsed.get_backend_name()
    if backend not in SUPPORTED:
        raise UnsupportedDatabase(
            f'database backend {backend!r} is not supported (use one of '
            f'{", ".join(SUPPORTED)})')
    if backend == 'postgresql':
        # SQLAlchemy 2.1 defaults to psycopg 3; our connect arguments and
        # read-only hook are written and tested for psycopg2.
        if parsed.drivername == 'postgresql':
            parsed = parsed.set(drivername='postgresql+psycopg2')
        if parsed.get_driver_name() != 'psycopg2':
            raise UnsupportedDatabase(
                'only the psycopg2 driver is supported for postgresql')
    return parsed


def _listen_read_only(engine: sa.Engine, backend: str,
                      sqlite_file: str | None) -> None:
    """Make each new connection read-only (and a SQLite file checked)."""
    if backend == 'mysql':
        event.listen(engine, 'connect', _mysql_read_only)
    elif backend == 'postgresql':
        event.listen(engine, 'connect', _postgresql_read_only)
    elif backend == 'sqlite':
        event.listen(engine, 'connect', _sqlite_read_only)
        if sqlite_file is not None:
            on_connect, on_checkout = _same_sqlite_file(sqlite_file)
            event.listen(engine, 'connect', on_connect)
            event.listen(engine, 'checkout', on_checkout)


def session_read_only(conn: sa.Connection) -> bool | None:
    """Whether the database reports this session as read-only.

    None when the backend has no such setting we know how to ask for.
    """
    dialect = conn.dialect.name
    if dialect == 'sqlite':
        value = conn.exec_driver_sql('PRAGMA query_only').scalar()
        return bool(value)
    if dialect == 'mysql':
        # MySQL 8 and MariaDB >= 11.1 name it transaction_read_only; older
        # MariaDB only tx_read_only.
        for name in ('transaction_read_only', 'tx_read_only'):
            try:
                value = conn.exec_driver_sql(
                    f'SELECT @@session.{name}').scalar()
            except sa_exc.DBAPIError:
                conn.rollback()
                continue
            return bool(int(value or 0))
    if dialect == 'postgresql':
        value = conn.exec_driver_sql('SHOW transaction_read_only').scalar()
        return str(value).lower() == 'on'
    return None


class EngineSet:
    """One reader engine per cell, replaced when the cell's URL changes.

    An engine no longer used (its cell is gone or points elsewhere) is
    disposed: connections checked out by a read in progress close when
    that read gives them back.
    """

    def __init__(self, pool: PoolOptions, timeout: float | None) -> None:
        self._pool = pool
        self._timeout = timeout
        self._lock = threading.Lock()
        self._engines: dict[str, tuple[str, sa.Engine]] = {}

    def get(self, key: str, url: str) -> sa.Engine:
        with self._lock:
            known = self._engines.get(key)
            if known is not None and known[0] == url:
                return known[1]
            engine = create_reader_engine(url, self._pool, self._timeout)
            self._engines[key] = (url, engine)
        if known is not None:
            known[1].dispose()
        return engine

    def retain(self, keys: Mapping[str, object]) -> None:
        """Dispose of the engines of every key not in ``keys``."""
        with self._lock:
            gone = [k for k in self._engines if k not in keys]
            dropped = [self._engines.pop(k)[1] for k in gone]
        for engine in dropped:
            engine.dispose()

    def dispose(self) -> None:
        with self._lock:
            dropped = [engine for _, engine in self._engines.values()]
            self._engines.clear()
        for engine in dropped:
            engine.dispose()

    def __repr__(self) -> str:
        # Never the URLs.
        return f'<EngineSet of {len(self._engines)} engines>'


"""Throwaway nova-shaped PostgreSQL databases and a SELECT-only role.

The tables are our own (scheduler.db.tables), created and filled as the
superuser through fake_nova_db's writer helpers; the databases share a
random prefix and are dropped at cleanup, as is the reader role. Every
cell mapping is a template, so the reader fills in its own credentials
from its own [database]connection.
"""

import itertools
import secrets

import sqlalchemy as sa

from scheduler.db import api_reader
from scheduler.db import tables as t
from tests.integration import POSTGRESQL
from tests.unit.db import fake_nova_db

HOST = f'{POSTGRESQL[0]}:{POSTGRESQL[1]}'
ADMIN_URL = f'postgresql+psycopg2://postgres@{HOST}/'


class PostgreSQLDatabases(fake_nova_db.FakeNovaDatabases):

    def _setUp(self):
        self.prefix = f'hs_{secrets.token_hex(4)}'
        self.admin = sa.create_engine(ADMIN_URL + 'postgres',
                                      isolation_level='AUTOCOMMIT',
                                      poolclass=sa.pool.NullPool)
        self.addCleanup(self.admin.dispose)
        self.reader = (f'{self.prefix}_ro', secrets.token_hex(12))
        self._sql(f"CREATE ROLE {self.reader[0]} LOGIN PASSWORD "
                  f"'{self.reader[1]}'")
        # Registered first, so it runs after every database is dropped.
        self.addCleanup(self._sql, f'DROP ROLE IF EXISTS {self.reader[0]}')
        self.api_url = self.cell_url('api')
        self.api = self._engine(self.api_url, t.API)
        self.cells = {}
        self.engines = {}
        self._ids = itertools.count(100)
        self.add_cell('cell0', api_reader.CELL0_UUID)
        for index, name in enumerate(self.cell_names, start=1):
            self.add_cell(name, f'00000000-0000-0000-0000-{index:012d}')

    def _sql(self, statement, database='postgres'):
        engine = self.admin
        if database != 'postgres':
            engine = sa.create_engine(ADMIN_URL + database,
                                      poolclass=sa.pool.NullPool)
        try:
            with engine.connect() as conn:
                conn.exec_driver_sql(statement)
                conn.commit()
        finally:
            if engine is not self.admin:
                engine.dispose()

    def name(self, name):
        return f'{self.prefix}_{name}'

    def _engine(self, url, metadata):
        database = sa.make_url(url).database
        self._sql(f'CREATE DATABASE {database}')
        self.addCleanup(self._sql,
                        f'DROP DATABASE IF EXISTS {database} WITH (FORCE)')
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        metadata.create_all(engine)
        self.addCleanup(engine.dispose)
        return engine

    def cell_url(self, name):
        """The superuser's URL, for writing as nova would."""
        return ADMIN_URL + self.name(name)

    def reader_url(self, name):
        user, password = self.reader
        return f'postgresql://{user}:{password}@{HOST}/{self.name(name)}'

    def add_cell(self, name, cell_uuid, **kwargs):
        kwargs.setdefault('url', '{scheme}://{username}:{password}@'
                          '{hostname}:{port}/' + self.name(name))
        return super().add_cell(name, cell_uuid, **kwargs)

    def grant_reader(self):
        """SELECT on exactly the tables the scheduler reads."""
        for name in ('api', 'cell0', *self.cell_names):
            needed = t.API if name == 'api' else t.CELL
            for table in needed.tables:
                self._sql(f'GRANT SELECT ON {table} TO {self.reader[0]}',
                          database=self.name(name))

    def conf(self, **groups):
        """The scheduler's configuration: the reader everywhere."""
        conf = super().conf(**groups)
        conf.set_override('connection', self.reader_url('api'),
                          'api_database')
        conf.set_override('connection',
                          self.reader_url(self.cell_names[0]), 'database')
        return conf

"""Throwaway MariaDB databases and users for one test.

Databases are named with a random prefix and dropped at cleanup, as are
two users: a writer for nova (its migrations and objects) and a reader
with SELECT on only the tables the README lists, which the scheduler
uses. Every cell mapping is a template, so each side fills in its own
credentials from its own [database]connection.
"""

import secrets

import fixtures
import sqlalchemy as sa

from scheduler.db import tables
from tests.integration import MARIADB

ADMIN_URL = f'mysql+pymysql://root@{MARIADB[0]}:{MARIADB[1]}/'


class MariaDB(fixtures.Fixture):

    def _setUp(self):
        self.prefix = f'hs_{secrets.token_hex(4)}'
        self.admin = sa.create_engine(ADMIN_URL, poolclass=sa.pool.NullPool)
        self.addCleanup(self.admin.dispose)
        self.writer = (f'{self.prefix}_rw', secrets.token_hex(12))
        self.reader = (f'{self.prefix}_ro', secrets.token_hex(12))
        self.databases = []
        for user, password in (self.writer, self.reader):
            self._sql(f"CREATE USER '{user}'@'%' IDENTIFIED BY "
                      f"'{password}'")
            self.addCleanup(self._sql, f"DROP USER IF EXISTS '{user}'@'%'")

    def _sql(self, statement):
        with self.admin.begin() as conn:
            # The driver formats with %: the host wildcard must be doubled.
            conn.exec_driver_sql(statement.replace('%', '%%'))

    def name(self, name):
        return f'{self.prefix}_{name}'

    def create(self, name):
        db = self.name(name)
        self._sql(f'CREATE DATABASE `{db}` CHARACTER SET utf8mb4')
        self.addCleanup(self._sql, f'DROP DATABASE IF EXISTS `{db}`')
        self._sql(f"GRANT ALL ON `{db}`.* TO '{self.writer[0]}'@'%'")
        self.databases.append(name)

    def url(self, name, reader=False):
        user, password = self.reader if reader else self.writer
        return (f'mysql+pymysql://{user}:{password}@{MARIADB[0]}:'
                f'{MARIADB[1]}/{self.name(name)}')

    def template(self, name):
        return ('{scheme}://{username}:{password}@{hostname}:{port}/'
                + self.name(name))

    def grant_reader(self):
        """SELECT on exactly the tables the scheduler reads."""
        for name in self.databases:
            needed = tables.API if name == 'api' else tables.CELL
            for table in needed.tables:
                self._sql(f'GRANT SELECT ON `{self.name(name)}`.`{table}` '
                          f"TO '{self.reader[0]}'@'%'")

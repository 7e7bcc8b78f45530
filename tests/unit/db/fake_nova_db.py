"""nova-shaped SQLite databases for unit tests, without nova.

The tables are our own (scheduler.db.tables): the columns we read and
nothing else, created in temporary files and written through a separate,
writable engine the way nova's services would write them.
"""

import datetime
import itertools
import uuid as uuid_mod

import fixtures
from oslo_config import cfg
import sqlalchemy as sa

from scheduler import conf as conf_pkg
from scheduler.db import api_reader
from scheduler.db import tables as t

NOW = datetime.datetime(2026, 3, 1, 12, 0, 0)


def node_row(name, **overrides):
    row = dict(
        uuid=str(uuid_mod.uuid4()), host=name, hypervisor_hostname=name,
        vcpus=8, memory_mb=8192, local_gb=200, vcpus_used=1,
        memory_mb_used=512, local_gb_used=10, free_ram_mb=7680,
        free_disk_gb=190, disk_available_least=None, hypervisor_type='QEMU',
        hypervisor_version=8002000, cpu_info='{}', host_ip='192.0.2.1',
        supported_instances='[["x86_64", "kvm", "hvm"]]', metrics='[]',
        pci_stats=None, stats='{}', numa_topology=None,
        cpu_allocation_ratio=16.0, ram_allocation_ratio=1.5,
        disk_allocation_ratio=1.0, mapped=1, created_at=NOW,
        updated_at=NOW, deleted_at=None, deleted=0)
    row.update(overrides)
    return row


class FakeNovaDatabases(fixtures.Fixture):
    """An API database and cell databases named ``cells``."""

    def __init__(self, cells=('cell1',)):
        super().__init__()
        self.cell_names = tuple(cells)

    def _setUp(self):
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.api_url = f'sqlite:///{self.dir}/api.sqlite'
        self.api = self._engine(self.api_url, t.API)
        self.cells = {}
        self.engines = {}
        self._ids = itertools.count(100)
        self.add_cell('cell0', api_reader.CELL0_UUID)
        for index, name in enumerate(self.cell_names, start=1):
            self.add_cell(name, str(uuid_mod.UUID(int=index)))

    def _engine(self, url, metadata):
        engine = sa.create_engine(url)
        # Test data need not survive a power cut: skip the fsyncs.
        sa.event.listen(engine, 'connect', lambda conn, _: conn.execute(
            'PRAGMA synchronous = OFF'))
        metadata.create_all(engine)
        self.addCleanup(engine.dispose)
        return engine

    def cell_url(self, name):
        return f'sqlite:///{self.dir}/{name}.sqlite'

    def add_cell(self, name, cell_uuid, *, url=None, disabled=False,
                 create=True):
        url = url or self.cell_url(name)
        if create:
            self.engines[name] = self._engine(self.cell_url(name), t.CELL)
        with self.api.begin() as conn:
            cell_id = conn.execute(t.cell_mappings.insert().values(
                uuid=cell_uuid, name=name, database_connection=url,
                disabled=disabled)).inserted_primary_key[0]
        self.cells[name] = (cell_id, cell_uuid)
        return cell_uuid

    def uuid(self, cell):
        return self.cells[cell][1]

    def write(self, cell, statement):
        with self.engines[cell].begin() as conn:
            return conn.execute(statement)

    def add_service(self, cell, host, **overrides):
        values = dict(uuid=str(uuid_mod.uuid4()), host=host,
                      binary='nova-compute', topic='compute',
                      report_count=1, disabled=False, forced_down=False,
                      version=74, last_seen_up=NOW, created_at=NOW,
                      updated_at=NOW, deleted=0)
        values.update(overrides)
        result = self.write(cell, t.services.insert().values(**values))
        return result.inserted_primary_key[0]

    def add_compute(self, cell, name, *, service=True, map_host=True,
                    **overrides):
        """A service (unless told not to) and a compute node; the row.

        ``name`` is the host and node name unless ``overrides`` say else.
        """
        host = name
        service_id = self.add_service(cell, host) if service else None
        row = node_row(name, **{'service_id': service_id, **overrides})
        result = self.write(cell, t.compute_nodes.insert().values(**row))
        row['id'] = result.inserted_primary_key[0]
        if map_host:
            with self.api.begin() as conn:
                conn.execute(t.host_mappings.insert().values(
                    host=host, cell_id=self.cells[cell][0]))
        return row

    def update_node(self, cell, node_id, **values):
        self.write(cell, t.compute_nodes.update().where(
            t.compute_nodes.c.id == node_id).values(**values))

    def update_service(self, cell, host, **values):
        """Change the service rows of ``host`` (None: of every host)."""
        statement = t.services.update()
        if host is not None:
            statement = statement.where(t.services.c.host == host)
        self.write(cell, statement.values(**values))

    def add_instance(self, cell, host, *, project='project-a',
                     instance_uuid=None, system_metadata=None, deleted=0,
                     **columns):
        instance_uuid = instance_uuid or str(uuid_mod.uuid4())
        self.write(cell, t.instances.insert().values(
            uuid=instance_uuid, host=host, project_id=project,
            deleted=deleted, **columns))
        for key, value in (system_metadata or {}).items():
            self.write(cell, t.instance_system_metadata.insert().values(
                instance_uuid=instance_uuid, key=key, value=value,
                deleted=0))
        return instance_uuid

    def delete_instance(self, cell, instance_uuid, **columns):
        self.write(cell, t.instances.update().where(
            t.instances.c.uuid == instance_uuid).values(
                deleted=t.instances.c.id, **columns))

    def update_instance(self, cell, instance_uuid, **values):
        self.write(cell, t.instances.update().where(
            t.instances.c.uuid == instance_uuid).values(**values))

    def add_aggregate(self, name, hosts=(), metadata=None):
        with self.api.begin() as conn:
            agg_id = conn.execute(t.aggregates.insert().values(
                uuid=str(uuid_mod.uuid4()), name=name, created_at=NOW)
            ).inserted_primary_key[0]
            for host in hosts:
                conn.execute(t.aggregate_hosts.insert().values(
                    aggregate_id=agg_id, host=host))
            for key, value in (metadata or {}).items():
                conn.execute(t.aggregate_metadata.insert().values(
                    aggregate_id=agg_id, key=key, value=value))
        return agg_id

    def conf(self, config_files=(), **groups):
        conf = cfg.ConfigOpts()
        conf_pkg.register_opts(conf)
        conf([], default_config_files=list(config_files))
        conf.set_override('connection', self.api_url, 'api_database')
        conf.set_override('connection', self.cell_url(self.cell_names[0]),
                          'database')
        for group, values in groups.items():
            for name, value in values.items():
                conf.set_override(name, value,
                                  None if group == 'DEFAULT' else group)
        return conf

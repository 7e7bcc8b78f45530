"""The columns of nova's databases that the scheduler reads, and no more.

Our own SQLAlchemy Core tables (never nova's ORM models): a table here
declares only what NOVA_COMPAT §6.3 lists, so a SELECT never asks for a
column we do not use, and the grants an operator gives can stay narrow.
Types are the portable ones; ``host_ip`` is nova's IPAddress type, a
string on MySQL and SQLite and INET on PostgreSQL, read as text.
"""

import sqlalchemy as sa

API = sa.MetaData()
CELL = sa.MetaData()


def _api_timestamps() -> list[sa.Column[object]]:
    # nova's API models all carry them; only the per-request change
    # fingerprint (api_reader.read_fingerprint) reads them.
    return [sa.Column(name, sa.DateTime)
            for name in ('created_at', 'updated_at')]


# -- API database ([api_database]connection) ---------------------------

cell_mappings = sa.Table(
    'cell_mappings', API,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('uuid', sa.String(36)),
    sa.Column('name', sa.String(255)),
    # A template or a full URL with credentials: never logged.
    sa.Column('database_connection', sa.Text),
    sa.Column('disabled', sa.Boolean),
    *_api_timestamps(),
)

host_mappings = sa.Table(
    'host_mappings', API,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('cell_id', sa.Integer),
    sa.Column('host', sa.String(255)),
    *_api_timestamps(),
)

aggregates = sa.Table(
    'aggregates', API,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('uuid', sa.String(36)),
    sa.Column('name', sa.String(255)),
    *_api_timestamps(),
)

aggregate_hosts = sa.Table(
    'aggregate_hosts', API,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('aggregate_id', sa.Integer),
    sa.Column('host', sa.String(255)),
    *_api_timestamps(),
)

aggregate_metadata = sa.Table(
    'aggregate_metadata', API,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('aggregate_id', sa.Integer),
    sa.Column('key', sa.String(255)),
    sa.Column('value', sa.String(255)),
    *_api_timestamps(),
)

# -- each cell database (cell_mappings.database_connection) ------------
# Soft delete: ``deleted`` is 0 for a live row and the row id once
# deleted; ``deleted_at`` says when.

_SOFT_DELETE = ('created_at', 'updated_at', 'deleted_at')


def _timestamps() -> list[sa.Column[object]]:
    return [sa.Column(name, sa.DateTime) for name in _SOFT_DELETE]


compute_nodes = sa.Table(
    'compute_nodes', CELL,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('uuid', sa.String(36)),
    sa.Column('host', sa.String(255)),
    sa.Column('service_id', sa.Integer),
    sa.Column('hypervisor_hostname', sa.String(255)),
    sa.Column('vcpus', sa.Integer),
    sa.Column('memory_mb', sa.Integer),
    sa.Column('local_gb', sa.Integer),
    sa.Column('vcpus_used', sa.Integer),
    sa.Column('memory_mb_used', sa.Integer),
    sa.Column('local_gb_used', sa.Integer),
    sa.Column('free_ram_mb', sa.Integer),
    sa.Column('free_disk_gb', sa.Integer),
    sa.Column('disk_available_least', sa.Integer),
    sa.Column('hypervisor_type', sa.Text),
    sa.Column('hypervisor_version', sa.Integer),
    sa.Column('cpu_info', sa.Text),
    sa.Column('host_ip', sa.String(39)),
    sa.Column('supported_instances', sa.Text),
    sa.Column('metrics', sa.Text),
    sa.Column('pci_stats', sa.Text),
    sa.Column('stats', sa.Text),
    sa.Column('numa_topology', sa.Text),
    sa.Column('cpu_allocation_ratio', sa.Float),
    sa.Column('ram_allocation_ratio', sa.Float),
    sa.Column('disk_allocation_ratio', sa.Float),
    sa.Column('mapped', sa.Integer),
    *_timestamps(),
    sa.Column('deleted', sa.Integer),
)

services = sa.Table(
    'services', CELL,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('uuid', sa.String(36)),
    sa.Column('host', sa.String(255)),
    sa.Column('binary', sa.String(255)),
    sa.Column('topic', sa.String(255)),
    sa.Column('report_count', sa.Integer),
    sa.Column('disabled', sa.Boolean),
    sa.Column('disabled_reason', sa.String(255)),
    sa.Column('last_seen_up', sa.DateTime),
    sa.Column('forced_down', sa.Boolean),
    sa.Column('version', sa.Integer),
    *_timestamps(),
    sa.Column('deleted', sa.Integer),
)

instances = sa.Table(
    'instances', CELL,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('uuid', sa.String(36)),
    sa.Column('host', sa.String(255)),
    sa.Column('node', sa.String(255)),
    sa.Column('project_id', sa.String(255)),
    *_timestamps(),
    sa.Column('deleted', sa.Integer),
)

instance_system_metadata = sa.Table(
    'instance_system_metadata', CELL,
    sa.Column('id', sa.Integer, primary_key=True),
    sa.Column('instance_uuid', sa.String(36)),
    sa.Column('key', sa.String(255)),
    sa.Column('value', sa.String(255)),
    sa.Column('deleted', sa.Integer),
)

# What check reports and the README documents as the SELECT grants needed.
API_TABLES = tuple(API.tables)
CELL_TABLES = tuple(CELL.tables)

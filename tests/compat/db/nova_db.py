"""nova's API and cell databases, made and filled by nova itself.

Each ``NovaDatabases`` fixture creates SQLite files in a temporary
directory with nova's own migrations (nova.db.migration.db_sync for the
API database and for each cell), maps the cells (cell0 included) and
fills them through nova's objects under nova.context.target_cell. nova's
global engine facades, cell cache, notifier and CONF are swapped for the
fixture's life and restored after. Importing goes through the codec
tests' nova_env, which keeps nova from monkey-patching the process.
"""

import types
import uuid as uuid_mod

import fixtures
from oslo_config import cfg
from oslo_config import fixture as config_fixture
from oslo_db.sqlalchemy import enginefacade
from oslo_db.sqlalchemy import test_fixtures as db_fixtures
from oslo_messaging import transport as messaging_transport

from scheduler import conf as conf_pkg
from tests.compat.codec import nova_env  # noqa: F401  (no monkey-patching)

from nova import context as nova_context  # noqa: I100
import nova.conf
from nova.db.api import api as api_db_api
from nova.db.main import api as main_db_api
from nova.db import migration
from nova import objects
from nova.scheduler import host_manager  # noqa: F401

CONF = nova.conf.CONF
CELL0 = objects.CellMapping.CELL0_UUID


class _Notifier:
    """nova's notifier, disabled: objects emit on create/save."""

    def is_enabled(self):
        return False

    def prepare(self, **kwargs):
        return self

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def _ensure_transport_opts():
    # CellMapping formats transport_url against [DEFAULT]transport_url.
    try:
        CONF.register_opts(messaging_transport._transport_opts)
    except cfg.DuplicateOptError:
        pass


class SqliteFiles:
    """Databases as SQLite files in a directory."""

    def __init__(self, directory):
        self.directory = directory

    def url(self, name, reader=False):
        return f'sqlite:///{self.directory}/{name}.sqlite'

    def template(self, name):
        """A cell URL template that [database]connection fills to url()."""
        return '{scheme}:///' + f'{self.directory}/{name}.sqlite'

    def create(self, name):
        pass


class NovaDatabases(fixtures.Fixture):
    """An API database, cell0 and ``cells`` cell databases.

    SQLite files unless a ``backend`` (url/template/create, like
    SqliteFiles) says otherwise. ``templated`` cells store a
    database_connection template that nova (and we) fill from
    [database]connection, which is the first cell's URL.
    """

    def __init__(self, cells=('cell1',), templated=(), disabled=(),
                 backend=None):
        super().__init__()
        self.cell_names = tuple(cells)
        self.templated = frozenset(templated)
        self.disabled = frozenset(disabled)
        self.backend = backend

    def _setUp(self):
        if self.backend is None:
            self.backend = SqliteFiles(
                self.useFixture(fixtures.TempDir()).path)
        _ensure_transport_opts()
        self.nova_conf = self.useFixture(config_fixture.Config(CONF))
        for name in ('api', 'cell0', *self.cell_names):
            self.backend.create(name)
        self.api_url = self.backend.url('api')
        self.default_url = self.backend.url(self.cell_names[0])
        self.nova_conf.config(connection=self.api_url, group='api_database')
        self.nova_conf.config(connection=self.default_url, group='database')
        self.nova_conf.config(transport_url='fake://')
        for module in (api_db_api, main_db_api):
            self.useFixture(db_fixtures.ReplaceEngineFacadeFixture(
                module.context_manager, enginefacade.transaction_context()))
        api_db_api.configure(CONF)
        main_db_api.configure(CONF)
        self.useFixture(fixtures.MonkeyPatch('nova.context.CELL_CACHE', {}))
        self.useFixture(fixtures.MonkeyPatch('nova.context.CELLS', []))
        self.useFixture(fixtures.MonkeyPatch('nova.rpc.NOTIFIER',
                                             _Notifier()))
        self.useFixture(fixtures.MonkeyPatch('nova.rpc.LEGACY_NOTIFIER',
                                             _Notifier()))
        self.ctxt = nova_context.get_admin_context()
        migration.db_sync(database='api')
        self.cells = {}
        self._map_cell('cell0', CELL0, self.backend.url('cell0'))
        for index, name in enumerate(self.cell_names, start=1):
            url = (self.backend.template(name) if name in self.templated
                   else self.backend.url(name))
            self._map_cell(name, str(uuid_mod.UUID(int=index)), url,
                           disabled=name in self.disabled)
        self.addCleanup(self._dispose)

    def _map_cell(self, name, cell_uuid, url, disabled=False):
        mapping = objects.CellMapping(
            self.ctxt, uuid=cell_uuid, name=name, transport_url='fake://',
            database_connection=url, disabled=disabled)
        mapping.create()
        # Reload: nova formats a template when it reads the mapping.
        mapping = objects.CellMapping.get_by_uuid(self.ctxt, cell_uuid)
        with nova_context.target_cell(self.ctxt, mapping) as cctxt:
            migration.db_sync(database='main', context=cctxt)
        self.cells[name] = mapping

    def _dispose(self):
        for entry in nova_context.CELL_CACHE.values():
            try:
                entry.db_connection.writer.get_engine().dispose()
            except Exception:  # noqa: S110 - best-effort cleanup
                pass

    def target(self, cell):
        return nova_context.target_cell(self.ctxt, self.cells[cell])

    def add_compute(self, cell, host, *, node=None, node_uuid=None,
                    service=True, map_host=True, raw=None, **fields):
        """A nova-compute service (unless ``service`` is False) and node.

        ``raw`` sets columns directly (values nova's objects refuse, as an
        older release or a half-started compute leaves them).
        """
        node_uuid = node_uuid or str(uuid_mod.uuid4())
        with self.target(cell) as cctxt:
            svc = None
            if service:
                svc = objects.Service(cctxt, host=host, binary='nova-compute',
                                      topic='compute', report_count=1)
                svc.create()
            values = dict(
                host=host, hypervisor_hostname=node or host, uuid=node_uuid,
                vcpus=8, memory_mb=8192, local_gb=200, vcpus_used=1,
                memory_mb_used=512, local_gb_used=10, hypervisor_type='QEMU',
                hypervisor_version=8002000, cpu_info='{"arch": "x86_64"}',
                free_ram_mb=7680, free_disk_gb=190, disk_available_least=180,
                supported_hv_specs=[objects.HVSpec(
                    arch='x86_64', hv_type='kvm', vm_mode='hvm')],
                stats={'num_instances': '1', 'io_workload': '0'},
                host_ip='192.0.2.10', cpu_allocation_ratio=16.0,
                ram_allocation_ratio=1.5, disk_allocation_ratio=1.0)
            if svc is not None:
                values['service_id'] = svc.id
            values.update(fields)
            compute = objects.ComputeNode(cctxt, **values)
            compute.create()
            if raw:
                main_db_api.compute_node_update(cctxt, compute.id, raw)
        if map_host:
            objects.HostMapping(self.ctxt, host=host,
                                cell_mapping=self.cells[cell]).create()
        return types.SimpleNamespace(service=svc, node=compute)

    def add_instance(self, cell, host, *, project='project-a',
                     system_metadata=None, instance_uuid=None):
        instance_uuid = instance_uuid or str(uuid_mod.uuid4())
        with self.target(cell) as cctxt:
            inst = objects.Instance(
                cctxt, uuid=instance_uuid, host=host,
                project_id=project, user_id='user-a',
                system_metadata=dict(system_metadata or {}))
            inst.create()
        return inst

    def add_aggregate(self, name, hosts=(), metadata=None):
        agg = objects.Aggregate(self.ctxt, name=name,
                                metadata=dict(metadata or {}))
        agg.create()
        for host in hosts:
            agg.add_host(host)
        return agg

    def our_conf(self, config_files=(), **groups):
        """Our ConfigOpts pointed at the same databases (as the reader)."""
        conf = cfg.ConfigOpts()
        conf_pkg.register_opts(conf)
        conf([], default_config_files=list(config_files))
        conf.set_override('connection', self.backend.url('api', reader=True),
                          'api_database')
        conf.set_override('connection', self.backend.url(
            self.cell_names[0], reader=True), 'database')
        for group, values in groups.items():
            for name, value in values.items():
                conf.set_override(name, value,
                                  None if group == 'DEFAULT' else group)
        return conf

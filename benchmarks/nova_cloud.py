"""One cloud, seen by both schedulers: nova's databases and Placement.

The API and cell databases are created with nova's own migrations and
filled with nova's rows (bulk SQL through nova's own table definitions);
every compute node is also a resource provider in the embedded Placement,
with the traits nova 34 computes report (OWNER_NOVA).
"""

import datetime
import os
import uuid
import warnings

os.environ.setdefault('OS_NOVA_DISABLE_EVENTLET_PATCHING', '1')
warnings.simplefilter('ignore')

import nova.conf  # noqa: E402
from nova.db.api import api as api_db_api  # noqa: E402
from nova.db.api import models as api_models  # noqa: E402
from nova.db.main import api as main_db_api  # noqa: E402
from nova.db.main import models as main_models  # noqa: E402
from nova.db import migration  # noqa: E402
import sqlalchemy as sa  # noqa: E402

NOVA_CONF = nova.conf.CONF
CELL0 = '00000000-0000-0000-0000-000000000000'
CELL1 = str(uuid.UUID(int=1))
HOST_SIZE = {'vcpus': 32, 'memory_mb': 131072, 'local_gb': 2000}


def create_databases(workdir):
    """nova's schema via nova's migrations; returns (api_url, cell_url)."""
    api_url = f'sqlite:///{workdir}/nova_api.sqlite'
    cell_url = f'sqlite:///{workdir}/nova_cell1.sqlite'
    NOVA_CONF([], project='nova', default_config_files=[])
    NOVA_CONF.set_override('connection', api_url, 'api_database')
    NOVA_CONF.set_override('connection', cell_url, 'database')
    api_db_api.configure(NOVA_CONF)
    main_db_api.configure(NOVA_CONF)
    migration.db_sync(database='api')
    migration.db_sync(database='main')
    now = datetime.datetime.utcnow()
    with sa.create_engine(api_url).begin() as conn:
        conn.execute(sa.insert(api_models.CellMapping.__table__), [
            {'uuid': CELL0, 'name': 'cell0', 'transport_url': 'none:///',
             'database_connection': cell_url, 'created_at': now,
             'disabled': False},
            {'uuid': CELL1, 'name': 'cell1', 'transport_url': 'none:///',
             'database_connection': cell_url, 'created_at': now,
             'disabled': False}])
    return api_url, cell_url


class Cloud:
    def __init__(self, api_url, cell_url, admin):
        self.api = sa.create_engine(api_url)
        self.cell = sa.create_engine(cell_url)
        self.admin = admin
        self.count = 0
        with self.api.connect() as conn:
            self.cell1_id = conn.execute(sa.text(
                'SELECT id FROM cell_mappings WHERE uuid = :u'),
                {'u': CELL1}).scalar_one()

    def grow_to(self, total):
        """Add compute nodes until there are ``total``."""
        now = datetime.datetime.utcnow()
        start = self.count
        names = [f'compute-{i:05d}' for i in range(start, total)]
        rps = [str(uuid.uuid5(uuid.NAMESPACE_DNS, n)) for n in names]
        services = [{
            'created_at': now, 'updated_at': now, 'last_seen_up': now,
            'host': n, 'binary': 'nova-compute', 'topic': 'compute',
            'report_count': 1, 'disabled': False, 'forced_down': False,
            'version': 74, 'uuid': str(uuid.uuid4()), 'deleted': 0}
            for n in names]
        with self.cell.begin() as conn:
            conn.execute(sa.insert(main_models.Service.__table__), services)
            ids = dict(conn.execute(sa.text(
                "SELECT host, id FROM services WHERE binary = "
                "'nova-compute'")).all())
            conn.execute(sa.insert(main_models.ComputeNode.__table__), [{
                'created_at': now, 'updated_at': now, 'uuid': rp,
                'host': n, 'service_id': ids[n],
                'hypervisor_hostname': n, 'vcpus': HOST_SIZE['vcpus'],
                'memory_mb': HOST_SIZE['memory_mb'],
                'local_gb': HOST_SIZE['local_gb'], 'vcpus_used': 0,
                'memory_mb_used': 0, 'local_gb_used': 0,
                'hypervisor_type': 'QEMU', 'hypervisor_version': 8002000,
                'cpu_info': '{}', 'free_ram_mb': HOST_SIZE['memory_mb'],
                'free_disk_gb': HOST_SIZE['local_gb'],
                'current_workload': 0, 'running_vms': 0,
                'disk_available_least': HOST_SIZE['local_gb'],
                'host_ip': '192.0.2.1',
                'supported_instances': '[["x86_64", "kvm", "hvm"]]',
                'stats': '{}', 'metrics': '[]',
                'cpu_allocation_ratio': 4.0, 'ram_allocation_ratio': 1.0,
                'disk_allocation_ratio': 1.0, 'mapped': 1, 'deleted': 0}
                for n, rp in zip(names, rps, strict=True)])
        with self.api.begin() as conn:
            conn.execute(sa.insert(api_models.HostMapping.__table__), [
                {'host': n, 'cell_id': self.cell1_id, 'created_at': now}
                for n in names])
        for n, rp in zip(names, rps, strict=True):
            self.admin.create_provider(
                rp, n, {'VCPU': {'total': HOST_SIZE['vcpus'],
                                 'allocation_ratio': 4.0},
                        'MEMORY_MB': {'total': HOST_SIZE['memory_mb']},
                        'DISK_GB': {'total': HOST_SIZE['local_gb']}},
                traits=['OWNER_NOVA', 'HW_CPU_X86_AVX2'])
        self.count = total

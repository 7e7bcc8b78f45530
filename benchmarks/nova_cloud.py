"""One cloud, seen by both schedulers: nova's databases and Placement.

The API and cell databases are created with nova's own migrations and
filled with nova's rows (bulk SQL through nova's own table definitions);
every compute node is also a resource provider in the embedded Placement,
with the traits nova 34 computes report (OWNER_NOVA), written into
Placement's database in bulk or through its API (``placement_db``).
"""

import datetime
import os
import random
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

from benchmarks import cloud_rows  # noqa: E402
from benchmarks import placement_db as placement_rows  # noqa: E402

NOVA_CONF = nova.conf.CONF
CELL0 = '00000000-0000-0000-0000-000000000000'
CELL1 = str(uuid.UUID(int=1))
# nova's defaults: a service reports every report_interval (10 s), a
# compute writes its compute node every periodic run (60 s).
REPORT_INTERVAL = 10.0
UPDATE_INTERVAL = 60.0


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
    """nova's rows and Placement's: ``admin`` (a ``placement_admin.Admin``)
    None for nova's databases alone; ``placement_db`` (a
    ``placement_db.PlacementDB`` on that Placement's database) to write
    Placement's rows in bulk, None to build them through its API."""

    def __init__(self, api_url, cell_url, admin, placement_db=None):
        self.api = sa.create_engine(api_url)
        self.cell = sa.create_engine(cell_url)
        self.admin = admin
        self.placement_db = placement_db
        self.count = 0
        self.instances = 0
        self.aggregates = {}  # name: id
        with self.api.connect() as conn:
            self.cell1_id = conn.execute(sa.text(
                'SELECT id FROM cell_mappings WHERE uuid = :u'),
                {'u': CELL1}).scalar_one()

    def grow_to(self, total):
        """Add compute hosts until there are ``total``.

        Each with its service, compute node, host mapping, resource
        provider (in its aggregates, as nova-api mirrors them into
        Placement), aggregate memberships (``cloud_rows.host_aggregates``)
        and the instances it runs (``cloud_rows.host_instances``: rows in
        the cell database, allocations in Placement, usage in its compute
        node).
        """
        now = datetime.datetime.utcnow()
        start = self.count
        indexes = range(start, total)
        names = [cloud_rows.host_name(i) for i in indexes]
        rps = [cloud_rows.provider_uuid(n) for n in names]
        with self.cell.begin() as conn:
            conn.execute(sa.insert(main_models.Service.__table__),
                         [cloud_rows.service_row(n, now) for n in names])
            ids = dict(conn.execute(sa.text(
                "SELECT host, id FROM services WHERE binary = "
                "'nova-compute'")).all())
            conn.execute(sa.insert(main_models.ComputeNode.__table__), [
                cloud_rows.compute_row(n, rp, ids[n], now, index=i)
                for i, n, rp in zip(indexes, names, rps, strict=True)])
            instances, extra, caches = [], [], []
            for i in indexes:
                rows = cloud_rows.instance_rows(i, now)
                instances += rows[0]
                extra += rows[1]
                caches += rows[2]
            conn.execute(sa.insert(main_models.Instance.__table__),
                         instances)
            conn.execute(sa.insert(main_models.InstanceExtra.__table__),
                         extra)
            conn.execute(sa.insert(main_models.InstanceInfoCache.__table__),
                         caches)
        self.stamp_heartbeats(now)
        with self.api.begin() as conn:
            conn.execute(sa.insert(api_models.HostMapping.__table__), [
                {'host': n, 'cell_id': self.cell1_id, 'created_at': now}
                for n in names])
            self._add_to_aggregates(conn, indexes, now)
        self.instances += len(instances)
        if self.admin is not None:
            placement_rows.write_hosts(
                self.admin, self.placement_db, names,
                [cloud_rows.instance_fill(i) for i in indexes],
                [[cloud_rows.aggregate_uuid(a)
                  for a in cloud_rows.host_aggregates(i)] for i in indexes])
        self.count = total

    def _add_to_aggregates(self, conn, indexes, now):
        """Aggregate rows (created when first needed) and memberships."""
        members = []
        for i in indexes:
            for name in cloud_rows.host_aggregates(i):
                if name not in self.aggregates:
                    agg_id = conn.execute(sa.insert(
                        api_models.Aggregate.__table__).values(
                        uuid=cloud_rows.aggregate_uuid(name), name=name,
                        created_at=now)).inserted_primary_key[0]
                    conn.execute(
                        sa.insert(api_models.AggregateMetadata.__table__),
                        [{'aggregate_id': agg_id, 'key': k, 'value': v,
                          'created_at': now} for k, v in
                         cloud_rows.aggregate_metadata(name).items()])
                    self.aggregates[name] = agg_id
                members.append({'aggregate_id': self.aggregates[name],
                                'host': cloud_rows.host_name(i),
                                'created_at': now})
        conn.execute(sa.insert(api_models.AggregateHost.__table__), members)

    def stamp_heartbeats(self, now):
        """Stamp every row as a live cloud has it at ``now``.

        Each service last reported within the last REPORT_INTERVAL seconds
        and each compute node was written within the last UPDATE_INTERVAL,
        spread evenly: a request-time read that starts its overlap before
        the newest timestamp finds as many rows as it would in a cloud of
        this size in steady state (minus the rows written between two
        requests, which this static cloud does not have).
        """
        rng = random.Random(0)  # noqa: S311  (timestamps, not secrets)
        # Created long ago: the read compares created_at too.
        created = now - datetime.timedelta(days=1)

        def back(seconds):
            return now - datetime.timedelta(seconds=rng.uniform(0, seconds))

        # (rows, how far back their last update is, columns it stamps)
        tables = (
            ("SELECT id FROM services WHERE binary = 'nova-compute'",
             REPORT_INTERVAL,
             'UPDATE services SET updated_at = :t, last_seen_up = :t, '
             'created_at = :c WHERE id = :i'),
            ('SELECT id FROM compute_nodes', UPDATE_INTERVAL,
             'UPDATE compute_nodes SET updated_at = :t, created_at = :c '
             'WHERE id = :i'))
        with self.cell.begin() as conn:
            for select, interval, update in tables:
                stamps = [{'i': row[0], 't': back(interval), 'c': created}
                          for row in conn.execute(sa.text(select))]
                if stamps:
                    stamps[0]['t'] = now
                    conn.execute(sa.text(update), stamps)

    def shift_compute_stamps(self, seconds):
        """Move every services/compute_nodes timestamp by ``seconds``."""
        with self.cell.begin() as conn:
            for table, extra in (('services', ', last_seen_up = '
                                  "datetime(last_seen_up, :s)"),
                                 ('compute_nodes', '')):
                conn.execute(sa.text(
                    f"UPDATE {table} SET updated_at = "  # noqa: S608
                    f"datetime(updated_at, :s){extra}"),
                    {'s': f'{seconds:+f} seconds'})

    def set_compute_stamps(self, when):
        """Every services/compute_nodes row updated at ``when``."""
        with self.cell.begin() as conn:
            conn.execute(sa.text('UPDATE services SET updated_at = :t, '
                                 'last_seen_up = :t'), {'t': when})
            conn.execute(sa.text('UPDATE compute_nodes SET updated_at = :t'),
                         {'t': when})

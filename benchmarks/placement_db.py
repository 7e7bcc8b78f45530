"""Placement's own SQLite database, written and read directly.

For the benchmarks' set-up and the boot storm's accounting only, never
while a scheduler runs: the compute hosts' providers, inventories,
traits, aggregates, consumers and allocations inserted as Placement's
API writes them (in bulk: through the API a provider costs ~35 ms and a
consumer ~20-50 ms on this machine, an hour at 10,000 hosts), the
allocations read back in one query, and the storm's allocations deleted
between two runs. Placement keeps nothing of these rows in memory (its
resource class and trait caches are of rows that exist before, made
through its API: ``write_hosts`` makes the first host that way).
"""

import datetime

import sqlalchemy as sa

from benchmarks import cloud_rows

RESOURCES = ('VCPU', 'MEMORY_MB', 'DISK_GB')
# What Placement's API stores for an inventory field left out
# (max_unit: placement.db.constants.MAX_INT).
INVENTORY_DEFAULTS = {'reserved': 0, 'min_unit': 1, 'max_unit': 0x7FFFFFFF,
                      'step_size': 1, 'allocation_ratio': 1.0}
# Consumers per POST /allocations when building through the API.
API_BATCH = 500


def resources(size):
    """Placement resources of an instance of ``size`` (nova's names)."""
    return {'VCPU': size['vcpus'], 'MEMORY_MB': size['memory_mb'],
            'DISK_GB': size['root_gb']}


def generation(fill, aggregates):
    """A provider's generation once the API has built it: one for its
    inventory, one for its traits, one for its aggregates (if any), one
    for the POST /allocations of its fill (if any; a host's consumers
    are never split between two POSTs)."""
    return (1 + (1 if cloud_rows.TRAITS else 0) + (1 if aggregates else 0)
            + (1 if fill else 0))


def write_hosts(admin, db, names, fills, aggregates=None):
    """Compute hosts ``names`` as resource providers, each with its fill
    [(instance uuid, project, size)] allocated and in its aggregates
    (``aggregates``: per host, aggregate uuids; none when omitted).

    ``db`` (a ``PlacementDB``): the first host of an empty Placement
    through its API (``admin``), so that its trait, resource class and
    consumer type rows are made as Placement makes them, the others
    written into its database in bulk with the same rows. ``db`` None:
    every host through the API (three or four calls a provider, then
    POST /allocations with API_BATCH consumers a call), as a deployment
    builds them; the two give the same providers, inventories, traits,
    aggregates, generations, consumers and allocations.
    """
    if aggregates is None:
        aggregates = [()] * len(names)
    hosts = list(zip(names, fills, aggregates, strict=True))
    if db is not None and hosts and not db.provider_count():
        _write_through_api(admin, hosts[:1])
        hosts = hosts[1:]
    if db is None:
        _write_through_api(admin, hosts)
    elif hosts:
        db.add_hosts(*map(list, zip(*hosts, strict=True)))


def _write_through_api(admin, hosts):
    batch = {}
    for n, (name, fill, aggs) in enumerate(hosts):
        rp = cloud_rows.provider_uuid(name)
        admin.create_provider(rp, name, cloud_rows.inventory(),
                              traits=list(cloud_rows.TRAITS),
                              aggregates=list(aggs))
        for uuid_, project, size in fill:
            batch[uuid_] = {
                'allocations': {rp: {'resources': resources(size)}},
                'project_id': project, 'user_id': f'{project}-user',
                'consumer_generation': None, 'consumer_type': 'INSTANCE'}
        if batch and (len(batch) >= API_BATCH or n == len(hosts) - 1):
            admin.call('POST', '/allocations', batch)
            batch = {}


class PlacementDB:
    def __init__(self, path):
        self.engine = sa.create_engine(f'sqlite:///{path}')

    def _ids(self, conn, table, column, names):
        rows = conn.execute(sa.text(
            f'SELECT id, {column} FROM {table}'  # noqa: S608
        )).all()
        found = {name: id_ for id_, name in rows if name in names}
        missing = set(names) - set(found)
        if missing:
            raise RuntimeError(f'{table}: no {sorted(missing)}')
        return found

    def _external(self, conn, table, names):
        """Ids of projects/users, made when missing."""
        now = datetime.datetime.utcnow()
        have = dict(conn.execute(sa.text(
            f'SELECT external_id, id FROM {table}')).all())  # noqa: S608
        for name in sorted(set(names) - set(have)):
            conn.execute(sa.text(
                f'INSERT INTO {table} (external_id, created_at) '  # noqa: S608
                'VALUES (:e, :t)'), {'e': name, 't': now})
        return dict(conn.execute(sa.text(
            f'SELECT external_id, id FROM {table}')).all())  # noqa: S608

    def provider_count(self):
        with self.engine.connect() as conn:
            return conn.execute(sa.text(
                'SELECT count(*) FROM resource_providers')).scalar_one()

    def add_hosts(self, names, fills, aggregates=None):
        """Providers ``names``, each with its fill [(uuid, project, size)]
        allocated and in its ``aggregates`` (per host, aggregate uuids),
        as the providers and allocations the API made (``write_hosts``).
        """
        if not names:
            return
        if aggregates is None:
            aggregates = [()] * len(names)
        now = datetime.datetime.utcnow()
        inventory = cloud_rows.inventory()
        with self.engine.begin() as conn:
            rcs = self._ids(conn, 'resource_classes', 'name', RESOURCES)
            traits = self._ids(conn, 'traits', 'name', cloud_rows.TRAITS)
            [ctype] = conn.execute(sa.text(
                "SELECT id FROM consumer_types WHERE name = 'INSTANCE'")
            ).scalars().all()
            projects = self._external(conn, 'projects', cloud_rows.PROJECTS)
            users = self._external(conn, 'users', [
                f'{p}-user' for p in cloud_rows.PROJECTS])
            conn.execute(sa.text(
                'INSERT INTO resource_providers (uuid, name, generation, '
                'created_at) VALUES (:u, :n, :g, :t)'), [
                {'u': cloud_rows.provider_uuid(n), 'n': n,
                 'g': generation(fill, aggs), 't': now}
                for n, fill, aggs in zip(names, fills, aggregates,
                                         strict=True)])
            conn.execute(sa.text(
                'UPDATE resource_providers SET root_provider_id = id '
                'WHERE root_provider_id IS NULL'))
            rp_ids = dict(conn.execute(sa.text(
                'SELECT name, id FROM resource_providers')).all())
            conn.execute(sa.text(
                'INSERT INTO inventories (resource_provider_id, '
                'resource_class_id, total, reserved, min_unit, max_unit, '
                'step_size, allocation_ratio, created_at) VALUES '
                '(:rp, :rc, :total, :reserved, :min_unit, :max_unit, '
                ':step_size, :allocation_ratio, :t)'), [
                dict(INVENTORY_DEFAULTS, **inv, rp=rp_ids[n], rc=rcs[rc],
                     t=now)
                for n in names for rc, inv in inventory.items()])
            conn.execute(sa.text(
                'INSERT INTO resource_provider_traits (resource_provider_id,'
                ' trait_id, created_at) VALUES (:rp, :tr, :t)'), [
                {'rp': rp_ids[n], 'tr': traits[tr], 't': now}
                for n in names for tr in cloud_rows.TRAITS])
            self._add_aggregates(conn, [rp_ids[n] for n in names],
                                 aggregates, now)
            consumers, allocations = [], []
            for name, fill in zip(names, fills, strict=True):
                for uuid_, project, size in fill:
                    consumers.append({
                        'u': uuid_, 'p': projects[project],
                        'us': users[f'{project}-user'], 'ct': ctype,
                        't': now})
                    for rc, used in resources(size).items():
                        allocations.append({'rp': rp_ids[name], 'c': uuid_,
                                            'rc': rcs[rc], 'used': used,
                                            't': now})
            conn.execute(sa.text(
                'INSERT INTO consumers (uuid, project_id, user_id, '
                'generation, consumer_type_id, created_at) VALUES '
                '(:u, :p, :us, 1, :ct, :t)'), consumers)
            conn.execute(sa.text(
                'INSERT INTO allocations (resource_provider_id, consumer_id,'
                ' resource_class_id, used, created_at) VALUES '
                '(:rp, :c, :rc, :used, :t)'), allocations)

    def _add_aggregates(self, conn, rp_ids, aggregates, now):
        """Placement's aggregate rows (made when first named) and the
        providers' memberships."""
        wanted = {a for aggs in aggregates for a in aggs}
        if not wanted:
            return
        have = dict(conn.execute(sa.text(
            'SELECT uuid, id FROM placement_aggregates')).all())
        new = sorted(wanted - set(have))
        if new:
            conn.execute(sa.text(
                'INSERT INTO placement_aggregates (uuid, created_at) '
                'VALUES (:u, :t)'), [{'u': a, 't': now} for a in new])
            have = dict(conn.execute(sa.text(
                'SELECT uuid, id FROM placement_aggregates')).all())
        conn.execute(sa.text(
            'INSERT INTO resource_provider_aggregates '
            '(resource_provider_id, aggregate_id, created_at) '
            'VALUES (:rp, :agg, :t)'), [
            {'rp': rp, 'agg': have[a], 't': now}
            for rp, aggs in zip(rp_ids, aggregates, strict=True)
            for a in aggs])

    def allocations(self):
        """{provider uuid: {consumer: {resource class: used}}}."""
        result = {}
        with self.engine.connect() as conn:
            rows = conn.execute(sa.text(
                'SELECT rp.uuid, a.consumer_id, rc.name, a.used '
                'FROM allocations a '
                'JOIN resource_providers rp '
                'ON rp.id = a.resource_provider_id '
                'JOIN resource_classes rc ON rc.id = a.resource_class_id'))
            for rp, consumer, rc, used in rows:
                per = result.setdefault(rp, {}).setdefault(consumer, {})
                per[rc] = per.get(rc, 0) + used
        return result

    def reset(self, keep):
        """Delete every allocation (and consumer) not in ``keep``; the
        providers' generations move on, as Placement's would."""
        with self.engine.begin() as conn:
            consumers = {c for (c,) in conn.execute(sa.text(
                'SELECT DISTINCT consumer_id FROM allocations'))}
            extra = sorted(consumers - set(keep))
            for i in range(0, len(extra), 500):
                chunk = extra[i:i + 500]
                marks = ', '.join(f':c{j}' for j in range(len(chunk)))
                params = {f'c{j}': c for j, c in enumerate(chunk)}
                # Only bound parameters: ``marks`` names them.
                for statement in (
                        'UPDATE resource_providers SET generation = '
                        'generation + 1 WHERE id IN (SELECT '
                        'resource_provider_id FROM allocations WHERE '
                        'consumer_id IN ({}))',
                        'DELETE FROM allocations WHERE consumer_id IN ({})',
                        'DELETE FROM consumers WHERE uuid IN ({})'):
                    conn.execute(sa.text(statement.format(marks)), params)
        return len(extra)

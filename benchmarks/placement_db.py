"""Placement's own SQLite database, written and read directly.

For the boot storm's set-up and accounting only, never while a scheduler
runs: the fill's providers, inventories, traits, consumers and
allocations inserted as Placement's API writes them (in bulk: through the
API a consumer costs ~50 ms on this machine), the allocations read back
in one query, and the storm's allocations deleted between two runs.
Placement keeps nothing of these rows in memory (its resource class and
trait caches are of rows that exist before, made through its API).
"""

import datetime

import sqlalchemy as sa

from benchmarks import cloud_rows

RESOURCES = ('VCPU', 'MEMORY_MB', 'DISK_GB')


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

    def add_hosts(self, names, fills):
        """Providers ``names``, each with its fill [(uuid, project, size)]
        allocated, as the providers and allocations the API made."""
        if not names:
            return
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
                'created_at) VALUES (:u, :n, 3, :t)'), [
                {'u': cloud_rows.provider_uuid(n), 'n': n, 't': now}
                for n in names])
            conn.execute(sa.text(
                'UPDATE resource_providers SET root_provider_id = id '
                'WHERE root_provider_id IS NULL'))
            rp_ids = dict(conn.execute(sa.text(
                'SELECT name, id FROM resource_providers')).all())
            conn.execute(sa.text(
                'INSERT INTO inventories (resource_provider_id, '
                'resource_class_id, total, reserved, min_unit, max_unit, '
                'step_size, allocation_ratio, created_at) VALUES '
                '(:rp, :rc, :total, 0, 1, :total, 1, :ratio, :t)'), [
                {'rp': rp_ids[n], 'rc': rcs[rc], 'total': inv['total'],
                 'ratio': inv.get('allocation_ratio', 1.0), 't': now}
                for n in names for rc, inv in inventory.items()])
            conn.execute(sa.text(
                'INSERT INTO resource_provider_traits (resource_provider_id,'
                ' trait_id, created_at) VALUES (:rp, :tr, :t)'), [
                {'rp': rp_ids[n], 'tr': traits[tr], 't': now}
                for n in names for tr in cloud_rows.TRAITS])
            consumers, allocations = [], []
            for name, fill in zip(names, fills, strict=True):
                for uuid_, project, size in fill:
                    consumers.append({
                        'u': uuid_, 'p': projects[project],
                        'us': users[f'{project}-user'], 'ct': ctype,
                        't': now})
                    for rc, used in (('VCPU', size['vcpus']),
                                     ('MEMORY_MB', size['memory_mb']),
                                     ('DISK_GB', size['root_gb'])):
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

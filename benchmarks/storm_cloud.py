"""The boot storm's cloud: ~90% full at once, and what Placement holds.

Every host has the size of ``cloud_rows.HOST_SIZE`` (128 GiB of RAM:
16 slots of the storm's flavor, RAM being the scarce resource). Its fill
(fixed per host by the seed) leaves 0-3 free slots and, on half of the
hosts, 4 GiB more that no storm instance fits in: ~90% of the RAM is
used. The fill is instances of the storm flavor (and one half-size
instance where 4 GiB are left): rows in nova's cell database (instances,
instance_extra, info caches), their allocations posted to Placement
directly (many consumers per ``POST /allocations``) and the usage in
each compute node row, as its resource tracker would report it.

``Accounting`` reads Placement's allocations (its database) at the end
of a run: usage against capacity (over-commit), the consumers present
(leaks), the storm flavor's free slots per host (spurious NoValidHost).
"""

import datetime
import json
import random
import uuid

from nova.db.api import models as api_models
from nova.db.main import models as main_models
import sqlalchemy as sa

from benchmarks import cloud_rows
from benchmarks import placement_db as placement_rows

FLAVOR = {'vcpus': 4, 'memory_mb': 8192, 'root_gb': 80}
HALF = {'vcpus': 2, 'memory_mb': 4096, 'root_gb': 40}
# Placement resources of one storm instance.
RESOURCES = {'VCPU': FLAVOR['vcpus'], 'MEMORY_MB': FLAVOR['memory_mb'],
             'DISK_GB': FLAVOR['root_gb']}
SLOTS = cloud_rows.HOST_SIZE['memory_mb'] // FLAVOR['memory_mb']
FREE_SLOTS = (0, 1, 2, 3)


def flavor_primitive(size, flavorid):
    return {
        'nova_object.name': 'Flavor', 'nova_object.namespace': 'nova',
        'nova_object.version': '1.2', 'nova_object.data': {
            'id': int(flavorid), 'flavorid': flavorid,
            'name': f'storm.{flavorid}', 'vcpus': size['vcpus'],
            'memory_mb': size['memory_mb'], 'root_gb': size['root_gb'],
            'ephemeral_gb': 0, 'swap': 0, 'rxtx_factor': 1.0,
            'vcpu_weight': 0, 'disabled': False, 'is_public': True,
            'extra_specs': {}, 'description': None}}


def host_fill(index, seed):
    """[(instance uuid, project, size)] already running on the host."""
    rng = random.Random(f'{seed}/{index}')  # noqa: S311  (a layout)
    free = rng.choice(FREE_SLOTS)
    half = rng.random() < 0.5
    name = cloud_rows.host_name(index)
    sizes = [FLAVOR] * (SLOTS - free - (1 if half else 0))
    if half:
        sizes.append(HALF)
    return [(str(uuid.uuid5(uuid.NAMESPACE_URL, f'{seed}/{name}/{n}')),
             rng.choice(cloud_rows.PROJECTS), size)
            for n, size in enumerate(sizes)]


def _instance_rows(index, fill, now):
    name = cloud_rows.host_name(index)
    flavors = {id(FLAVOR): json.dumps({'cur': flavor_primitive(FLAVOR, '8'),
                                       'old': None, 'new': None}),
               id(HALF): json.dumps({'cur': flavor_primitive(HALF, '4'),
                                     'old': None, 'new': None})}
    created = now - datetime.timedelta(days=2)
    rows, extra, caches = [], [], []
    for n, (uuid_, project, size) in enumerate(fill):
        rows.append({
            'created_at': created, 'updated_at': created, 'uuid': uuid_,
            'host': name, 'node': name, 'launched_on': name,
            'project_id': project, 'user_id': f'{project}-user',
            'vm_state': 'active', 'power_state': 1, 'task_state': None,
            'memory_mb': size['memory_mb'], 'vcpus': size['vcpus'],
            'root_gb': size['root_gb'], 'ephemeral_gb': 0,
            'instance_type_id': 8 if size is FLAVOR else 4,
            'launched_at': created, 'display_name': f'{name}-vm{n}',
            'hostname': f'{name}-vm{n}', 'availability_zone': 'nova',
            'image_ref': str(uuid.UUID(int=7)), 'locked': False,
            'cleaned': 0, 'deleted': 0})
        extra.append({'created_at': created, 'instance_uuid': uuid_,
                      'flavor': flavors[id(size)], 'deleted': 0})
        caches.append({'created_at': created, 'instance_uuid': uuid_,
                       'network_info': '[]', 'deleted': 0})
    return rows, extra, caches


def _compute_row(index, fill, service_id, now):
    name = cloud_rows.host_name(index)
    row = cloud_rows.compute_row(name, cloud_rows.provider_uuid(name),
                                 service_id, now)
    vcpus = sum(s['vcpus'] for _, _, s in fill)
    ram = sum(s['memory_mb'] for _, _, s in fill)
    disk = sum(s['root_gb'] for _, _, s in fill)
    running = str(len(fill))
    row.update(
        vcpus_used=vcpus, memory_mb_used=ram, local_gb_used=disk,
        free_ram_mb=row['memory_mb'] - ram,
        free_disk_gb=row['local_gb'] - disk,
        disk_available_least=row['local_gb'] - disk,
        running_vms=len(fill), stats=json.dumps({
            'num_instances': running, 'num_vm_active': running,
            'num_task_None': running, 'io_workload': '0'}))
    return row


def build(cloud, placement_db, hosts, seed):
    """Hosts 0..hosts-1 in ``cloud`` (a ``nova_cloud.Cloud``) and
    Placement (``placement_db``: a ``PlacementDB``), filled.

    Returns the fill's consumers (instance uuids).
    """
    now = datetime.datetime.utcnow()
    names = [cloud_rows.host_name(i) for i in range(hosts)]
    fills = [host_fill(i, seed) for i in range(hosts)]
    with cloud.cell.begin() as conn:
        conn.execute(sa.insert(main_models.Service.__table__),
                     [cloud_rows.service_row(n, now) for n in names])
        ids = dict(conn.execute(sa.text(
            "SELECT host, id FROM services WHERE binary = "
            "'nova-compute'")).all())
        conn.execute(sa.insert(main_models.ComputeNode.__table__), [
            _compute_row(i, fills[i], ids[n], now)
            for i, n in enumerate(names)])
        for i in range(hosts):
            rows, extra, caches = _instance_rows(i, fills[i], now)
            conn.execute(sa.insert(main_models.Instance.__table__), rows)
            conn.execute(sa.insert(main_models.InstanceExtra.__table__),
                         extra)
            conn.execute(sa.insert(
                main_models.InstanceInfoCache.__table__), caches)
    cloud.stamp_heartbeats(now)
    with cloud.api.begin() as conn:
        conn.execute(sa.insert(api_models.HostMapping.__table__), [
            {'host': n, 'cell_id': cloud.cell1_id, 'created_at': now}
            for n in names])
    # Placement's rows written into its database in bulk (host 0 through
    # its API): POST /allocations takes ~50 ms a consumer on this
    # machine, minutes for a thousand hosts.
    placement_rows.write_hosts(cloud.admin, placement_db, names, fills)
    cloud.count = hosts
    consumers = {u for fill in fills for u, _, _ in fill}
    cloud.instances = len(consumers)
    return consumers


def capacity(inventory):
    return {rc: int((inv['total'] - inv.get('reserved', 0))
                    * inv.get('allocation_ratio', 1.0))
            for rc, inv in inventory.items()}


class Accounting:
    """What Placement holds, provider by provider, read at once."""

    def __init__(self, placement_db, hosts):
        self.capacity = capacity(cloud_rows.inventory())
        held = placement_db.allocations()
        # {rp: {consumer: {rc: amount}}}
        self.allocations = {}
        for i in range(hosts):
            rp = cloud_rows.provider_uuid(cloud_rows.host_name(i))
            self.allocations[rp] = held.pop(rp, {})
        if held:
            raise RuntimeError(f'allocations on unknown providers: {held}')

    def usage(self, rp):
        used = dict.fromkeys(self.capacity, 0)
        for resources in self.allocations[rp].values():
            for rc, amount in resources.items():
                used[rc] = used.get(rc, 0) + amount
        return used

    def over_committed(self):
        """{rp: {rc: (used, capacity)}} wherever usage exceeds capacity."""
        over = {}
        for rp in self.allocations:
            for rc, used in self.usage(rp).items():
                if used > self.capacity.get(rc, 0):
                    over.setdefault(rp, {})[rc] = (used,
                                                   self.capacity.get(rc, 0))
        return over

    def free_slots(self):
        """{rp: storm instances that still fit}."""
        slots = {}
        for rp in self.allocations:
            used = self.usage(rp)
            slots[rp] = min((self.capacity[rc] - used[rc]) // amount
                            for rc, amount in RESOURCES.items())
        return slots

    def consumers(self):
        """{consumer: [rp, ...]}."""
        where = {}
        for rp, allocs in self.allocations.items():
            for consumer in allocs:
                where.setdefault(consumer, []).append(rp)
        return where

    def fits(self, count, anti_affinity):
        """Whether a request of ``count`` storm instances fits now."""
        slots = [s for s in self.free_slots().values() if s > 0]
        if anti_affinity:
            return len(slots) >= count
        return sum(slots) >= count

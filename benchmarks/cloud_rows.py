"""The rows of one benchmark compute host, shared by every driver.

``nova_cloud`` inserts them into nova's databases; ``scheduler_side``
builds host states from them directly. Keeping them in one place means
both measure the same hosts.
"""

import datetime
import json
import random
import uuid

HOST_SIZE = {'vcpus': 32, 'memory_mb': 131072, 'local_gb': 2000}
TRAITS = ('OWNER_NOVA', 'HW_CPU_X86_AVX2')
# nova 34's nova-compute service version.
SERVICE_VERSION = 74
# What each host already runs: 2-8 instances of this size, of these
# projects (fixed per host, so every driver sees the same instances).
INSTANCE_SIZE = {'vcpus': 2, 'memory_mb': 4096, 'root_gb': 40}
INSTANCES_PER_HOST = (2, 8)
PROJECTS = ('project-a', 'project-b', 'project-c', 'project-d',
            'project-e')
# Aggregates (nova's API database, mirrored in Placement as nova-api
# does): one per rack of RACK_SIZE hosts, one per availability zone
# (racks spread over AZS) and 'ssd' (every rack but one in SSD_EVERY,
# metadata ssd=true) that the benchmark's flavor asks for through
# aggregate_instance_extra_specs.
RACK_SIZE = 25
AZS = ('az1', 'az2', 'az3')
SSD_EVERY = 4


def host_name(index):
    return f'compute-{index:05d}'


def provider_uuid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, name))


def service_row(name, now):
    return {
        'created_at': now, 'updated_at': now, 'last_seen_up': now,
        'host': name, 'binary': 'nova-compute', 'topic': 'compute',
        'report_count': 1, 'disabled': False, 'forced_down': False,
        'version': SERVICE_VERSION, 'uuid': str(uuid.uuid4()), 'deleted': 0}


def host_instances(index):
    """[(instance uuid, project)] of the host at ``index``."""
    rng = random.Random(index)  # noqa: S311  (a fixed layout, no secret)
    count = rng.randint(*INSTANCES_PER_HOST)
    name = host_name(index)
    return [(str(uuid.uuid5(uuid.NAMESPACE_URL, f'{name}/{i}')),
             rng.choice(PROJECTS)) for i in range(count)]


def rack(index):
    return index // RACK_SIZE


def host_aggregates(index):
    """Names of the aggregates the host at ``index`` belongs to."""
    r = rack(index)
    names = [f'rack-{r:04d}', AZS[r % len(AZS)]]
    if r % SSD_EVERY != SSD_EVERY - 1:
        names.append('ssd')
    return names


def aggregate_metadata(name):
    if name in AZS:
        return {'availability_zone': name}
    if name == 'ssd':
        return {'ssd': 'true'}
    return {'rack': name.removeprefix('rack-')}


def aggregate_uuid(name):
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, f'aggregate.{name}'))


def instance_flavor():
    """nova's Flavor primitive of the instances already running."""
    return {
        'nova_object.name': 'Flavor', 'nova_object.namespace': 'nova',
        'nova_object.version': '1.2', 'nova_object.data': {
            'id': 2, 'flavorid': '2', 'name': 'm1.medium',
            'vcpus': INSTANCE_SIZE['vcpus'],
            'memory_mb': INSTANCE_SIZE['memory_mb'],
            'root_gb': INSTANCE_SIZE['root_gb'], 'ephemeral_gb': 0,
            'swap': 0, 'rxtx_factor': 1.0, 'vcpu_weight': 0,
            'disabled': False, 'is_public': True, 'extra_specs': {},
            'description': None}}


def instance_rows(index, now):
    """(instances rows, instance_extra rows, instance_info_caches rows)
    of the host at ``index``: active instances, each created and last
    updated 1 to 30 days ago (spread, as in a cloud in steady state)."""
    name = host_name(index)
    rng = random.Random(-1 - index)  # noqa: S311  (timestamps, no secret)
    flavor = json.dumps({'cur': instance_flavor(), 'old': None,
                         'new': None})
    rows, extra, caches = [], [], []
    for n, (uuid_, project) in enumerate(host_instances(index)):
        created = now - datetime.timedelta(days=rng.uniform(1, 30))
        rows.append({
            'created_at': created, 'updated_at': created, 'uuid': uuid_,
            'host': name, 'node': name, 'launched_on': name,
            'project_id': project, 'user_id': f'{project}-user',
            'vm_state': 'active', 'power_state': 1, 'task_state': None,
            'memory_mb': INSTANCE_SIZE['memory_mb'],
            'vcpus': INSTANCE_SIZE['vcpus'],
            'root_gb': INSTANCE_SIZE['root_gb'], 'ephemeral_gb': 0,
            'instance_type_id': 2, 'launched_at': created,
            'display_name': f'{name}-vm{n}', 'hostname': f'{name}-vm{n}',
            'availability_zone': AZS[rack(index) % len(AZS)],
            'image_ref': str(uuid.UUID(int=7)), 'locked': False,
            'cleaned': 0, 'deleted': 0})
        extra.append({'created_at': created, 'instance_uuid': uuid_,
                      'flavor': flavor, 'deleted': 0})
        caches.append({'created_at': created, 'instance_uuid': uuid_,
                       'network_info': '[]', 'deleted': 0})
    return rows, extra, caches


def compute_row(name, rp_uuid, service_id, now, index=None):
    """The compute node; with ``index``, its usage counts that host's
    instances (as its resource tracker reports them)."""
    running = len(host_instances(index)) if index is not None else 0
    return _compute_row(name, rp_uuid, service_id, now, running)


def _compute_row(name, rp_uuid, service_id, now, running):
    vcpus = running * INSTANCE_SIZE['vcpus']
    ram = running * INSTANCE_SIZE['memory_mb']
    disk = running * INSTANCE_SIZE['root_gb']
    stats = {'num_instances': str(running), 'num_vm_active': str(running),
             'num_task_None': str(running), 'io_workload': '0'}
    return {
        'created_at': now, 'updated_at': now, 'uuid': rp_uuid,
        'host': name, 'service_id': service_id,
        'hypervisor_hostname': name, 'vcpus': HOST_SIZE['vcpus'],
        'memory_mb': HOST_SIZE['memory_mb'],
        'local_gb': HOST_SIZE['local_gb'], 'vcpus_used': vcpus,
        'memory_mb_used': ram, 'local_gb_used': disk,
        'hypervisor_type': 'QEMU', 'hypervisor_version': 8002000,
        'cpu_info': '{}',
        'free_ram_mb': HOST_SIZE['memory_mb'] - ram,
        'free_disk_gb': HOST_SIZE['local_gb'] - disk,
        'current_workload': 0, 'running_vms': running,
        'disk_available_least': HOST_SIZE['local_gb'] - disk,
        'host_ip': '192.0.2.1',
        'supported_instances': '[["x86_64", "kvm", "hvm"]]',
        'stats': json.dumps(stats) if running else '{}', 'metrics': '[]',
        'cpu_allocation_ratio': 4.0, 'ram_allocation_ratio': 1.0,
        'disk_allocation_ratio': 1.0, 'mapped': 1, 'deleted': 0}


def inventory():
    """The provider inventory Placement holds for one host."""
    return {'VCPU': {'total': HOST_SIZE['vcpus'], 'allocation_ratio': 4.0},
            'MEMORY_MB': {'total': HOST_SIZE['memory_mb']},
            'DISK_GB': {'total': HOST_SIZE['local_gb']}}


def instance_fill(index):
    """[(instance uuid, project, size)] the host at ``index`` runs, as
    ``placement_db.write_hosts`` allocates them."""
    return [(uuid_, project, INSTANCE_SIZE)
            for uuid_, project in host_instances(index)]


def utcnow():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)

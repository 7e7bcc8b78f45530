"""The rows of one benchmark compute host, shared by every driver.

``nova_cloud`` inserts them into nova's databases; ``scheduler_side``
builds host states from them directly. Keeping them in one place means
both measure the same hosts.
"""

import datetime
import uuid

HOST_SIZE = {'vcpus': 32, 'memory_mb': 131072, 'local_gb': 2000}
TRAITS = ('OWNER_NOVA', 'HW_CPU_X86_AVX2')
# nova 34's nova-compute service version.
SERVICE_VERSION = 74


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


def compute_row(name, rp_uuid, service_id, now):
    return {
        'created_at': now, 'updated_at': now, 'uuid': rp_uuid,
        'host': name, 'service_id': service_id,
        'hypervisor_hostname': name, 'vcpus': HOST_SIZE['vcpus'],
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


def inventory():
    """The provider inventory Placement holds for one host."""
    return {'VCPU': {'total': HOST_SIZE['vcpus'], 'allocation_ratio': 4.0},
            'MEMORY_MB': {'total': HOST_SIZE['memory_mb']},
            'DISK_GB': {'total': HOST_SIZE['local_gb']}}


def utcnow():
    return datetime.datetime.now(datetime.UTC).replace(tzinfo=None)

"""Host states from a JSON file, and a cache that reports its state.

The integration tests run the service in another process; it takes its
hosts from a file the test writes (name, provider uuid, capacity) and, on
every change, writes what its cache holds to ``<state dir>/<pid>.json``
so the test can see what each worker process received.
"""

import datetime
import json
import os
import sys

from oslo_service import backend

from scheduler.hoststate import host_state
from tests.unit.rpc import memory_cache

CELL = '00000000-0000-0000-0000-000000000001'


def write_hosts(path, hosts):
    """``hosts``: dicts with name, uuid, ram_mb (vcpus, disk_gb)."""
    with open(path + '.tmp', 'w') as f:
        json.dump(list(hosts), f)
    os.replace(path + '.tmp', path)


def read_hosts(path):
    now = datetime.datetime.now(datetime.UTC)
    with open(path) as f:
        rows = json.load(f)
    states = []
    for row in rows:
        vcpus, disk_gb = row.get('vcpus', 4), row.get('disk_gb', 100)
        states.append(host_state.HostState(
            host=row['name'], nodename=row['name'], uuid=row['uuid'],
            cell_uuid=CELL, service=host_state.ServiceInfo(
                host=row['name'], last_seen_up=now, created_at=now),
            total_usable_ram_mb=row['ram_mb'], free_ram_mb=row['ram_mb'],
            total_usable_disk_gb=disk_gb, free_disk_mb=disk_gb * 1024,
            vcpus_total=vcpus, cpu_allocation_ratio=1.0,
            ram_allocation_ratio=1.0, disk_allocation_ratio=1.0,
            hypervisor_type='QEMU', hypervisor_version=8002000,
            supported_instances=(('x86_64', 'kvm', 'hvm'),)))
    return states


class ReportingCache(memory_cache.MemoryHostCache):
    def __init__(self, hosts_path, state_dir):
        self.hosts_path = hosts_path
        self.state_path = os.path.join(state_dir, f'{os.getpid()}.json')
        super().__init__(read_hosts(hosts_path),
                         reload=lambda: (read_hosts(hosts_path), ()))

    def _publish(self):
        super()._publish()
        state = {
            'pid': os.getpid(), 'started': self.started,
            'eventlet_loaded': 'eventlet' in sys.modules,
            'backend': backend.get_backend_type().value,
            'refreshes': self.refreshes,
            'hosts': sorted(h.host for h in self._snapshot.hosts.values()),
            'aggregates': {a.uuid: {'hosts': sorted(a.hosts),
                                    'metadata': dict(a.metadata)}
                           for a in self.aggregates.values()},
            'instances': {host: sorted(insts)
                          for host, insts in self.instances.items()},
        }
        with open(self.state_path + '.tmp', 'w') as f:
            json.dump(state, f)
        os.replace(self.state_path + '.tmp', self.state_path)

    def start(self):
        super().start()
        self._publish()


def read_states(state_dir):
    """Every worker's last state, by pid."""
    states = {}
    for name in os.listdir(state_dir):
        if name.endswith('.json'):
            with open(os.path.join(state_dir, name)) as f:
                state = json.load(f)
            states[state['pid']] = state
    return states

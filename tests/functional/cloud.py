"""A small cloud for functional tests: Placement providers + host states.

Each compute node exists twice, as nova has it: a resource provider in the
real Placement service (same uuid) and a HostState in an in-memory host
source, as nova's compute_nodes/services rows would give it.
"""

import random
import re
import uuid

from oslo_utils import timeutils

from scheduler.hoststate import source as host_source
from scheduler.hoststate import host_state
from scheduler import manager
from scheduler.objects import aggregate as aggregate_obj
from scheduler.objects import context
from scheduler.objects import flavor as flavor_obj
from scheduler.objects import request_spec
from scheduler.placement import client as client_mod

CELL1 = str(uuid.UUID(int=1))
CELL2 = str(uuid.UUID(int=2))


UUID_RE = re.compile(r'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-')


def uuid_like(text):
    return UUID_RE.search(text)


def inventory(vcpus, ram_mb, disk_gb):
    return {'VCPU': {'total': vcpus}, 'MEMORY_MB': {'total': ram_mb},
            'DISK_GB': {'total': disk_gb}}


def flavor(vcpus=1, ram_mb=512, disk_gb=1, **extra_specs):
    return flavor_obj.Flavor(vcpus=vcpus, memory_mb=ram_mb, root_gb=disk_gb,
                             ephemeral_gb=0, swap=0, name=f'f{vcpus}',
                             extra_specs=extra_specs)


def spec(**fields):
    fields.setdefault('flavor', flavor())
    fields.setdefault('project_id', 'project-1')
    fields.setdefault('user_id', 'user-1')
    return request_spec.RequestSpec(**fields)


CONTEXT = context.RequestContext(user_id='user-1', project_id='project-1',
                                 request_id='req-functional',
                                 roles=('admin',), is_admin=True)
# What nova-conductor forwards for a boot by a project member.
MEMBER = context.RequestContext(user_id='user-1', project_id='project-1',
                                request_id='req-member',
                                roles=('member', 'reader'))


class Cloud:
    def __init__(self, service):
        self.service = service
        self.admin = service.admin
        self.hosts = {}
        self.aggregates = []
        self.source = host_source.InMemoryHostSource()

    def add_host(self, name, *, vcpus=4, ram_mb=4096, disk_gb=100,
                 cell=CELL1, disabled=False, traits=(), aggregates=(),
                 **fields):
        rp = self.admin.provider(name, inventory(vcpus, ram_mb, disk_gb),
                                 traits=traits, aggregates=aggregates)
        service = host_state.ServiceInfo(
            host=name, disabled=disabled, last_seen_up=timeutils.utcnow(),
            created_at=timeutils.utcnow())
        self.hosts[name] = host_state.HostState(
            host=name, nodename=name, uuid=rp, cell_uuid=cell,
            service=service, total_usable_ram_mb=ram_mb, free_ram_mb=ram_mb,
            total_usable_disk_gb=disk_gb, free_disk_mb=disk_gb * 1024,
            vcpus_total=vcpus, cpu_allocation_ratio=1.0,
            ram_allocation_ratio=1.0, disk_allocation_ratio=1.0,
            hypervisor_type='QEMU', hypervisor_version=8002000,
            supported_instances=(('x86_64', 'kvm', 'hvm'),), **fields)
        self.publish()
        return rp

    def add_aggregate(self, agg_uuid, hosts, **metadata):
        self.aggregates.append(aggregate_obj.Aggregate(
            id=len(self.aggregates) + 1, uuid=agg_uuid,
            name=f'agg{len(self.aggregates) + 1}', hosts=frozenset(hosts),
            metadata=metadata))
        self.publish()

    def place_instance(self, name, instance_uuid, project='project-1'):
        """Record an existing instance on a host, as nova's DB has it."""
        state = self.hosts[name]
        self.hosts[name] = host_state.HostState(**{
            **{f: getattr(state, f) for f in state.__dataclass_fields__},
            'instances': {**state.instances, instance_uuid: project}})
        self.publish()

    def publish(self):
        hosts = []
        for name, state in self.hosts.items():
            aggs = tuple(a for a in self.aggregates if name in a.hosts)
            hosts.append(host_state.HostState(**{
                **{f: getattr(state, f) for f in state.__dataclass_fields__},
                'aggregates': aggs}))
        self.source.replace(host_source.HostSnapshot.of(hosts,
                                                        self.aggregates))

    def usage(self, name):
        return self.admin.usages(self.hosts[name].uuid)

    def total_usage(self, resource='VCPU'):
        return sum(self.usage(n).get(resource, 0) for n in self.hosts)

    def manager(self, conf=None, seed=0, client=None, **kwargs):
        conf = conf or self.service.conf
        return manager.SchedulerManager(
            conf, placement=client or client_mod.PlacementClient(conf),
            hosts=self.source, rng=random.Random(seed), **kwargs)

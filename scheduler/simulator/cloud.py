"""Building a described cloud: Placement providers and host states.

Every compute node becomes what nova would have: a resource provider with
inventory, traits and aggregates in Placement (COMPUTE_STATUS_DISABLED on
disabled ones, as nova-compute sets it), and a HostState as the
compute_nodes and services rows would give it.
"""

from collections.abc import Callable, Iterator
import dataclasses
import datetime
import uuid

from scheduler.hoststate import source as host_source
from scheduler.hoststate import host_state
from scheduler.objects import aggregate as aggregate_obj
from scheduler.simulator import model
from scheduler.simulator import placement_admin

NAMESPACE = uuid.UUID('6ba7b811-9dad-11d1-80b4-00c04fd430c8')


def stable_uuid(*parts: str) -> str:
    """The same description always gives the same uuids."""
    return str(uuid.uuid5(NAMESPACE, '/'.join(parts)))


@dataclasses.dataclass(frozen=True)
class BuiltCloud:
    hosts: tuple[host_state.HostState, ...]
    aggregates: tuple[aggregate_obj.Aggregate, ...]
    zone_of: dict[str, str]

    def snapshot(self) -> host_source.HostSnapshot:
        return host_source.HostSnapshot.of(self.hosts, self.aggregates)


def _hosts(desc: model.CloudDescription) -> Iterator[
        tuple[model.HostGroup, str, bool]]:
    for group in desc.host_groups:
        for i in range(group.count):
            name = f'{group.cell}-{group.zone}-{group.name}-{i:03d}'
            yield group, name, i < group.disabled


def build(desc: model.CloudDescription, admin: placement_admin.Admin,
          now: datetime.datetime,
          progress: Callable[[int], None] | None = None) -> BuiltCloud:
    """The cloud in Placement; ``progress(n)`` after each of its hosts."""
    members: dict[str, set[str]] = {name: set() for name in desc.aggregates}
    zones: dict[str, set[str]] = {}
    for group, name, _ in _hosts(desc):
        for agg in group.aggregates:
            members[agg].add(name)
        zones.setdefault(group.zone, set()).add(name)
    aggregates = [
        aggregate_obj.Aggregate(
            id=i + 1, uuid=stable_uuid('aggregate', name), name=name,
            hosts=frozenset(members[name]), metadata=desc.aggregates[name])
        for i, name in enumerate(sorted(desc.aggregates))]
    # Each availability zone is an aggregate with availability_zone set.
    aggregates += [
        aggregate_obj.Aggregate(
            id=len(aggregates) + i + 1, uuid=stable_uuid('zone', zone),
            name=f'zone-{zone}', hosts=frozenset(hosts),
            metadata={'availability_zone': zone})
        for i, (zone, hosts) in enumerate(sorted(zones.items()))]
    hosts = []
    zone_of = {}
    for group, name, disabled in _hosts(desc):
        rp = stable_uuid('compute', name)
        host_aggs = tuple(a for a in aggregates if name in a.hosts)
        # nova-compute (service version >= 73) tags its providers so, and
        # owner_nova_filter then requires it.
        traits = set(group.traits) | {'OWNER_NOVA'}
        if disabled:
            traits.add('COMPUTE_STATUS_DISABLED')
        admin.create_provider(
            rp, name, {'VCPU': {'total': group.vcpus,
                                'allocation_ratio': 4.0},
                       'MEMORY_MB': {'total': group.ram_mb},
                       'DISK_GB': {'total': group.disk_gb}},
            traits=sorted(traits), aggregates=[a.uuid for a in host_aggs])
        cell = stable_uuid('cell', group.cell)
        hosts.append(host_state.HostState(
            host=name, nodename=name, uuid=rp, cell_uuid=cell,
            service=host_state.ServiceInfo(
                host=name, disabled=disabled, last_seen_up=now,
                created_at=now, version=74),
            total_usable_ram_mb=group.ram_mb, free_ram_mb=group.ram_mb,
            total_usable_disk_gb=group.disk_gb,
            free_disk_mb=group.disk_gb * 1024, vcpus_total=group.vcpus,
            cpu_allocation_ratio=4.0, ram_allocation_ratio=1.0,
            disk_allocation_ratio=1.0, hypervisor_type='QEMU',
            hypervisor_version=8002000, hypervisor_hostname=name,
            supported_instances=(('x86_64', 'kvm', 'hvm'),),
            aggregates=host_aggs, updated=now))
        zone_of[name] = group.zone
        if progress is not None:
            progress(len(hosts))
    return BuiltCloud(tuple(hosts), tuple(aggregates), zone_of)

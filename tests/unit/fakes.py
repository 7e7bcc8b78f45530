"""Small builders for unit tests."""

from scheduler.hoststate import host_state
from scheduler.objects import aggregate
from scheduler.objects import flavor
from scheduler.objects import request_spec

CELL1 = '11111111-1111-4111-8111-111111111111'
CELL2 = '22222222-2222-4222-8222-222222222222'


def host(name, node=None, *, cell=CELL1, uuid=None, candidates=(),
         aggregates=(), **fields):
    node = node or name
    return host_state.HostState(
        host=name, nodename=node, uuid=uuid or f'uuid-{name}-{node}',
        cell_uuid=cell, service=host_state.ServiceInfo(host=name),
        allocation_candidates=tuple(candidates),
        aggregates=tuple(aggregates), **fields)


def spec(**fields):
    fields.setdefault('flavor', flavor.Flavor(
        memory_mb=512, vcpus=1, root_gb=1, ephemeral_gb=0, swap=0,
        name='m1.tiny'))
    return request_spec.RequestSpec(**fields)


def agg(id_, uuid, hosts=(), **metadata):
    return aggregate.Aggregate(id=id_, uuid=uuid, name=f'agg{id_}',
                               hosts=frozenset(hosts), metadata=metadata)

"""InstanceNUMATopology / InstanceNUMACell / VirtCPUTopology 1.x."""

from collections.abc import Mapping

from scheduler.codec import network
from scheduler.codec import primitive
from scheduler.codec import values as v
from scheduler.objects import network as network_obj
from scheduler.objects import numa as numa_obj

_DEDICATED = 'dedicated'


def _int_set(path: v.Path, value: object) -> frozenset[int]:
    return v.as_set(path, value, v.as_int)


def _pinning(path: v.Path, value: object) -> Mapping[int, int]:
    return v.as_dict(path, value, v.as_int, key=v.int_key)


def decode_cpu_topology(obj: primitive.Obj) -> numa_obj.VirtCPUTopology:
    return numa_obj.VirtCPUTopology(
        sockets=obj.get('sockets', v.as_int),
        cores=obj.get('cores', v.as_int),
        threads=obj.get('threads', v.as_int),
    )


read_cpu_topology = primitive.object_reader('VirtCPUTopology',
                                            decode_cpu_topology)


def decode_numa_cell(obj: primitive.Obj) -> numa_obj.InstanceNUMACell:
    empty: frozenset[int] = frozenset()
    cpuset = obj.req('cpuset', _int_set, absent=empty)
    pcpuset = obj.req('pcpuset', _int_set, absent=empty)
    cpu_policy = obj.get('cpu_policy', v.as_str)
    if (obj.older_than(1, 5) and 'pcpuset' not in obj
            and cpu_policy == _DEDICATED):
        # Before 1.5 pinned CPUs lived in cpuset (nova's own data
        # migration moves them the same way).
        cpuset, pcpuset = empty, cpuset
    return numa_obj.InstanceNUMACell(
        id=obj.req('id', v.as_int),
        cpuset=cpuset,
        pcpuset=pcpuset,
        memory=obj.req('memory', v.as_int, absent=0),
        cpuset_reserved=obj.get('cpuset_reserved', _int_set),
        pagesize=obj.get('pagesize', v.as_int),
        cpu_topology=obj.get('cpu_topology', read_cpu_topology),
        cpu_pinning=obj.get('cpu_pinning_raw', _pinning),
        cpu_policy=cpu_policy,
        cpu_thread_policy=obj.get('cpu_thread_policy', v.as_str),
    )


read_numa_cell = primitive.object_reader('InstanceNUMACell', decode_numa_cell)


def decode_numa_topology(obj: primitive.Obj) -> numa_obj.InstanceNUMATopology:
    return numa_obj.InstanceNUMATopology(
        cells=obj.req('cells', lambda p, x: v.as_list(p, x, read_numa_cell),
                      absent=()),
        emulator_threads_policy=obj.get('emulator_threads_policy', v.as_str),
    )


read_numa_topology = primitive.object_reader('InstanceNUMATopology',
                                             decode_numa_topology)


def decode_numa_limits(obj: primitive.Obj) -> numa_obj.NUMATopologyLimits:
    return numa_obj.NUMATopologyLimits(
        cpu_allocation_ratio=obj.req('cpu_allocation_ratio', v.as_float),
        ram_allocation_ratio=obj.req('ram_allocation_ratio', v.as_float),
        network_metadata=obj.req(
            'network_metadata', network.read_network_metadata,
            absent=network_obj.NetworkMetadata()),
    )


read_numa_limits = primitive.object_reader('NUMATopologyLimits',
                                           decode_numa_limits)

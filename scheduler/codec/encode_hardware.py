"""An instance's hardware requests (encode side).

InstanceNUMATopology 1.3 / InstanceNUMACell 1.6 / VirtCPUTopology 1.0 and
InstancePCIRequests 1.1 / InstancePCIRequest 1.4. Nullable fields are sent
as null when unset; ``instance_uuid`` (not nullable) only when known.
"""

from typing import Any

from scheduler.codec import encode_primitive as prim
from scheduler.objects import numa as numa_obj
from scheduler.objects import pci as pci_obj


def encode_cpu_topology(topo: numa_obj.VirtCPUTopology) -> prim.Primitive:
    return prim.obj('VirtCPUTopology', '1.0', {
        'sockets': topo.sockets, 'cores': topo.cores,
        'threads': topo.threads})


def encode_numa_cell(cell: numa_obj.InstanceNUMACell) -> prim.Primitive:
    pinning = cell.cpu_pinning
    return prim.obj('InstanceNUMACell', '1.6', {
        'id': cell.id,
        'cpuset': prim.sorted_set(cell.cpuset),
        'pcpuset': prim.sorted_set(cell.pcpuset),
        'cpuset_reserved': prim.or_null(cell.cpuset_reserved,
                                        prim.sorted_set),
        'memory': cell.memory,
        'pagesize': cell.pagesize,
        'cpu_topology': prim.or_null(cell.cpu_topology, encode_cpu_topology),
        # A dict field: JSON keys are strings (nova's pin_vcpus too).
        'cpu_pinning_raw': (None if pinning is None else
                            {str(k): v for k, v in sorted(pinning.items())}),
        'cpu_policy': cell.cpu_policy,
        'cpu_thread_policy': cell.cpu_thread_policy,
    })


def encode_numa_topology(topo: numa_obj.InstanceNUMATopology,
                         ) -> prim.Primitive:
    return prim.obj('InstanceNUMATopology', '1.3', {
        'cells': [encode_numa_cell(cell) for cell in topo.cells],
        'emulator_threads_policy': topo.emulator_threads_policy,
    })


def encode_pci_request(req: pci_obj.PCIRequest) -> prim.Primitive:
    return prim.obj('InstancePCIRequest', '1.4', {
        'count': req.count,
        'spec': [dict(item) for item in req.spec],
        'alias_name': req.alias_name,
        'is_new': req.is_new,
        'request_id': req.request_id,
        'requester_id': req.requester_id,
        'numa_policy': req.numa_policy,
    })


def encode_pci_requests(reqs: pci_obj.PCIRequests) -> prim.Primitive:
    data: dict[str, Any] = {
        'requests': [encode_pci_request(req) for req in reqs.requests]}
    if reqs.instance_uuid is not None:
        data['instance_uuid'] = reqs.instance_uuid
    return prim.obj('InstancePCIRequests', '1.1', data)

"""Host NUMA topology primitives and instance topologies for unit tests.

The primitives have the shape nova's compute nodes store (NUMATopology
1.2 with NUMACell 1.5 and NUMAPagesTopology 1.1 cells).
"""

from scheduler.objects import numa


def pages(size_kb, total, used=0, reserved=0):
    return {'nova_object.name': 'NUMAPagesTopology',
            'nova_object.namespace': 'nova', 'nova_object.version': '1.1',
            'nova_object.data': {'size_kb': size_kb, 'total': total,
                                 'used': used, 'reserved': reserved}}


def small_pages(memory_mb, used_mb=0):
    return pages(4, memory_mb * 256, used_mb * 256)


def cell(id_, cpus=(), pcpus=(), memory=4096, *, cpu_usage=0,
         memory_usage=0, pinned=(), siblings=None, mempages=None,
         socket=None, physnets=None, tunneled=False):
    """A host cell; siblings default to one thread per core, page sizes
    to small pages for all of the memory."""
    all_cpus = sorted(set(cpus) | set(pcpus))
    data = {
        'id': id_, 'cpuset': list(cpus), 'pcpuset': list(pcpus),
        'memory': memory, 'cpu_usage': cpu_usage,
        'memory_usage': memory_usage, 'pinned_cpus': list(pinned),
        'siblings': [list(s) for s in (
            siblings if siblings is not None else [[c] for c in all_cpus])],
        'mempages': (mempages if mempages is not None
                     else [small_pages(memory)]),
        'socket': socket,
    }
    if physnets is not None:
        data['network_metadata'] = {
            'nova_object.name': 'NetworkMetadata',
            'nova_object.namespace': 'nova', 'nova_object.version': '1.0',
            'nova_object.data': {'physnets': list(physnets),
                                 'tunneled': tunneled}}
    return {'nova_object.name': 'NUMACell', 'nova_object.namespace': 'nova',
            'nova_object.version': '1.5', 'nova_object.data': data}


def topology(*cells):
    return {'nova_object.name': 'NUMATopology',
            'nova_object.namespace': 'nova', 'nova_object.version': '1.2',
            'nova_object.data': {'cells': list(cells)}}


def inst_cell(id_=0, cpus=(), pcpus=(), memory=1024, *, policy=None,
              thread_policy=None, pagesize=None):
    return numa.InstanceNUMACell(
        id=id_, cpuset=frozenset(cpus), pcpuset=frozenset(pcpus),
        memory=memory, pagesize=pagesize, cpu_policy=policy,
        cpu_thread_policy=thread_policy)


def inst(*cells, emulator=None):
    return numa.InstanceNUMATopology(cells=tuple(cells),
                                     emulator_threads_policy=emulator)


def shared(vcpus=1, memory=1024, id_=0, **kwargs):
    return inst_cell(id_, range(vcpus), (), memory, **kwargs)


def dedicated(vcpus=1, memory=1024, id_=0, **kwargs):
    return inst_cell(id_, (), range(vcpus), memory, policy='dedicated',
                     **kwargs)

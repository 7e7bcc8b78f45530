"""A host topology after an instance's cells use it (nova's
numa_usage_from_instance_numa, for the scheduler's consume step)."""

from collections.abc import Sequence
import dataclasses

from scheduler.numa import cpusets
from scheduler.numa import instance
from scheduler.numa import pages
from scheduler.numa import topology


class PinningError(ValueError):
    """The CPUs to pin are not dedicated CPUs of the cell or are pinned
    already (nova raises CPUPinningUnknown / CPUPinningInvalid)."""


def _copy(cell: topology.HostCell) -> topology.HostCell:
    # nova builds a new NUMACell from the old one's fields; its set fields
    # copy the sets (see cpusets).
    return dataclasses.replace(
        cell, cpuset=cpusets.coerce(cell.cpuset),
        pcpuset=cpusets.coerce(cell.pcpuset),
        pinned_cpus=cpusets.coerce(cell.pinned_cpus),
        siblings=tuple(cpusets.coerce(s) for s in cell.siblings),
        cpu_usage=0, memory_usage=0)


def _pin(cell: topology.HostCell, cpus: set[int]) -> set[int]:
    """The cell's pinned CPUs once ``cpus`` are pinned too."""
    if cpus - cell.pcpuset:
        raise PinningError(f'CPUs {sorted(cpus - cell.pcpuset)} are not '
                           f'dedicated CPUs of NUMA cell {cell.id}')
    if cell.pinned_cpus & cpus:
        raise PinningError(f'CPUs {sorted(cell.pinned_cpus & cpus)} of NUMA '
                           f'cell {cell.id} are pinned already')
    # nova's ``pinned_cpus |= cpus``, on the set of the cell copy just made
    # for the new topology (see _copy), which nothing else holds.
    return cpusets.union_in_place(cell.pinned_cpus, cpus)


def _with_siblings(cell: topology.HostCell, cpus: set[int]) -> set[int]:
    # 'isolate' takes whole cores: every thread sibling of a pinned CPU.
    whole: set[int] = set()
    for sibling in cell.siblings:
        if cpus & sibling:
            whole.update(sibling)
    return whole


def add_usage(host: topology.HostTopology,
              cells: Sequence[instance.WorkCell]) -> topology.HostTopology:
    """``host`` with the usage of the fitted instance ``cells``.

    Raises PinningError, or pages.NoPageSizes for a cell without page
    sizes; nova's consume gives up on the host's NUMA usage then.
    """
    result = []
    for host_cell in host.cells:
        memory_usage = host_cell.memory_usage
        cpu_usage = host_cell.cpu_usage
        new = _copy(host_cell)
        for cell in cells:
            if cell.id != host_cell.id:
                continue
            size = cell.pagesize or pages.smallest(new.mempages)
            new = dataclasses.replace(new, mempages=pages.after_usage(
                new.mempages, size, cell.memory, 1))
            memory_usage += cell.memory
            cpu_usage += len(cell.cpuset)
            if cell.cpu_policy in (None, instance.SHARED):
                continue
            pinned = set((cell.cpu_pinning or {}).values())
            if cell.cpuset_reserved:
                pinned |= cell.cpuset_reserved
            if cell.cpu_thread_policy == instance.THREAD_ISOLATE:
                pinned = _with_siblings(new, pinned)
            new = dataclasses.replace(new, pinned_cpus=_pin(new, pinned))
        result.append(dataclasses.replace(
            new, memory_usage=max(0, memory_usage),
            cpu_usage=max(0, cpu_usage)))
    return topology.HostTopology(result)

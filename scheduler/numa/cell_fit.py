"""Whether one instance NUMA cell fits on one host NUMA cell.

nova's _numa_fit_instance_cell: memory (by page size when the host
reports pages), then CPU counts, then pinning for dedicated CPUs, then the
oversubscription limits for shared CPUs. Like nova, the cell is updated
as it goes: the page size it got is kept even when a later check fails.
"""

from scheduler.numa import instance
from scheduler.numa import pages
from scheduler.numa import pinning
from scheduler.numa import topology
from scheduler.objects import numa


def _memory_fits(host_cell: topology.HostCell,
                 cell: instance.WorkCell) -> bool:
    if cell.pagesize:
        size = pages.pick(host_cell.mempages, cell.pagesize, cell.memory)
        if not size:
            return False
        cell.pagesize = size
        return True
    pinned = cell.cpu_policy in instance.PINNED_POLICIES
    if host_cell.mempages:
        # Small pages may be overcommitted, except for pinned instances.
        return pages.can_fit(
            host_cell.mempages, pages.smallest(host_cell.mempages),
            cell.memory * pages.KIB_PER_MIB, use_free=pinned)
    # No page information: never more than the cell has, and for pinned
    # instances never more than is still free.
    if pinned:
        return host_cell.avail_memory >= cell.memory
    return host_cell.memory >= cell.memory


def fit_cell(host_cell: topology.HostCell, cell: instance.WorkCell,
             limits: numa.NUMATopologyLimits | None = None,
             cpuset_reserved: int = 0) -> instance.WorkCell | None:
    """``cell`` placed on ``host_cell`` (its id now the host cell's), or
    None. Raises PageSizeNotSupported for a page size the host cell lacks.
    """
    if not _memory_fits(host_cell, cell):
        return None
    pinned = cell.cpu_policy in instance.PINNED_POLICIES
    unpinned = cell.cpu_policy in instance.UNPINNED_POLICIES
    if pinned and (len(cell.pcpuset) + cpuset_reserved
                   > len(host_cell.pcpuset)):
        return None
    if unpinned and len(cell.cpuset) > len(host_cell.cpuset):
        return None
    if pinned:
        if len(cell.pcpuset) + cpuset_reserved > host_cell.avail_pcpus:
            return None
        packed = pinning.pack(host_cell, cell,
                              num_cpu_reserved=cpuset_reserved)
        if packed is None:
            return None
        cell = packed
    if unpinned and limits is not None:
        cpu_usage = host_cell.cpu_usage + len(cell.cpuset)
        cpu_limit = len(host_cell.cpuset) * limits.cpu_allocation_ratio
        if cpu_usage > cpu_limit:
            return None
        ram_usage = host_cell.memory_usage + cell.memory
        ram_limit = host_cell.memory * limits.ram_allocation_ratio
        if ram_usage > ram_limit:
            return None
    cell.id = host_cell.id
    return cell

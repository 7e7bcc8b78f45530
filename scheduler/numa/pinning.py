"""Pin an instance cell's dedicated vCPUs onto a host cell's free threads.

nova's _pack_instance_onto_cores: prefer filling whole cores, with the
'require' (siblings only), 'isolate' (one thread per fully free core) and
'prefer' (siblings if possible, else any free threads) thread policies,
and reserve extra host CPUs for emulator threads when asked. Which
threads are chosen follows nova's iteration over its sets and lists, so
the pinning is the very one nova computes.
"""

import collections
import itertools

from scheduler.numa import instance
from scheduler.numa import topology

Pinning = list[tuple[int, int]]


class NoSiblingInformation(ValueError):
    """The host cell lists no thread siblings at all (nova fails with
    ValueError on it when pinning)."""


def _pinning(threads: int, sibling_set: list[set[int]],
             vcpus: frozenset[int]) -> Pinning | None:
    if threads * len(sibling_set) < len(vcpus):
        return None
    usable = [list(s)[:threads] for s in sibling_set]
    return list(zip(sorted(vcpus), itertools.chain(*usable), strict=False))


def _reserved(sibling_set: list[set[int]], pinning: Pinning | None,
              count: int, isolate: bool = False) -> set[int] | None:
    """Host CPUs left for the emulator threads, or None."""
    if not pinning:
        return None
    reserved = None
    usable = [list(s) for s in sibling_set]
    if count:
        for _vcpu, pcpu in pinning:
            for sibling in usable:
                if pcpu in sibling:
                    if isolate:
                        usable.remove(sibling)
                    else:
                        sibling.remove(pcpu)
        reserved = set(list(itertools.chain(*usable))[:count])
    return reserved or None


def pack(host_cell: topology.HostCell, cell: instance.WorkCell,
         num_cpu_reserved: int = 0) -> instance.WorkCell | None:
    """Pin ``cell`` onto ``host_cell``; the cell is updated on success."""
    if not host_cell.siblings:
        raise NoSiblingInformation(host_cell.id)
    threads_per_core = max(map(len, host_cell.siblings)) or 1
    # threads available together on one core -> those cores' free threads
    sibling_sets: collections.defaultdict[int, list[set[int]]] = (
        collections.defaultdict(list))
    for sibling in host_cell.free_siblings:
        for threads in range(1, len(sibling) + 1):
            sibling_sets[threads].append(sibling)

    pinning: Pinning | None = None
    reserved: set[int] | None = None
    threads = 1
    policy = cell.cpu_thread_policy
    if policy == instance.THREAD_ISOLATE:
        if threads_per_core not in sibling_sets:
            return None
        # Only hosts still on vcpu_pin_set (cpuset == pcpuset) may emulate
        # 'isolate' on SMT by reserving a pinned core's siblings.
        if threads_per_core != 1 and host_cell.pcpuset != host_cell.cpuset:
            return None
        pinning = _pinning(1, sibling_sets[threads_per_core], cell.pcpuset)
        reserved = _reserved(sibling_sets[1], pinning, num_cpu_reserved,
                             isolate=True)
        if not pinning or (num_cpu_reserved and not reserved):
            pinning, reserved = None, None
    else:
        if policy == instance.THREAD_REQUIRE and threads_per_core <= 1:
            return None
        # Cores with the most free threads first, spreading evenly.
        for threads, sibling_set in sorted(sibling_sets.items(),
                                           reverse=True):
            if policy == instance.THREAD_REQUIRE and threads <= 1:
                continue
            pinning = _pinning(threads, sibling_set, cell.pcpuset)
            reserved = _reserved(sibling_sets[1], pinning, num_cpu_reserved)
            if pinning is None or (num_cpu_reserved and not reserved):
                continue
            break
        if policy != instance.THREAD_REQUIRE and not pinning:
            # Any free threads, each treated as a core of its own. nova
            # keeps the thread count the loop above ended with.
            singles = [{cpu} for cpu in itertools.chain(*sibling_sets[1])]
            pinning = _pinning(threads, singles, cell.pcpuset)
            reserved = _reserved(singles, pinning, num_cpu_reserved)

    if pinning is None or (num_cpu_reserved and not reserved):
        return None
    cell.pin_vcpus(pinning)
    cell.id = host_cell.id
    cell.cpuset_reserved = None if reserved is None else frozenset(reserved)
    return cell

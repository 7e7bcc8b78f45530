"""Memory pages of a host NUMA cell (nova's NUMAPagesTopology).

Sizes are in KiB. An instance cell may ask for small, large or any pages,
or for one size; the host cell must then hold enough free pages of that
size and the memory must be a whole number of pages.
"""

from collections.abc import Mapping, Sequence
import dataclasses
from typing import Any

# nova.virt.hardware's page size requests.
SMALL = -1
LARGE = -2
ANY = -3

KIB_PER_MIB = 1024


class PageSizeNotSupported(LookupError):
    """The host cell has no pages of the requested size (nova raises
    MemoryPageSizeNotSupported and treats the cell as not fitting)."""


class NoPageSizes(LookupError):
    """The host cell reports no page sizes at all while usage needs its
    smallest one (nova fails with IndexError)."""


@dataclasses.dataclass(frozen=True, slots=True)
class PageSize:
    size_kb: int
    total: int
    used: int = 0
    reserved: int = 0

    @property
    def free(self) -> int:
        return self.total - self.used - self.reserved

    @property
    def free_kb(self) -> int:
        return self.free * self.size_kb

    @property
    def total_kb(self) -> int:
        return self.total * self.size_kb

    def to_primitive(self) -> dict[str, Any]:
        return {'nova_object.name': 'NUMAPagesTopology',
                'nova_object.namespace': 'nova',
                'nova_object.version': '1.1',
                'nova_object.data': {
                    'size_kb': self.size_kb, 'total': self.total,
                    'used': self.used, 'reserved': self.reserved}}


def from_primitive(primitive: Mapping[str, Any]) -> PageSize:
    data = primitive['nova_object.data']
    return PageSize(size_kb=int(data['size_kb']), total=int(data['total']),
                    used=int(data.get('used') or 0),
                    reserved=int(data.get('reserved') or 0))


def can_fit(mempages: Sequence[PageSize], size_kb: int, memory_kb: int,
            *, use_free: bool = True) -> bool:
    """Whether ``memory_kb`` fits in pages of ``size_kb`` (the first entry
    of that size decides, as in nova)."""
    for page in mempages:
        if page.size_kb == size_kb:
            available = page.free_kb if use_free else page.total_kb
            return memory_kb <= available and memory_kb % page.size_kb == 0
    raise PageSizeNotSupported(size_kb)


def pick(mempages: Sequence[PageSize], requested: int,
         memory_mb: int) -> int | None:
    """The page size serving a cell that asked for ``requested``.

    Small means the smallest size, large any but the smallest, any every
    size; larger sizes are tried first. An explicit size the cell does not
    have raises PageSizeNotSupported.
    """
    sizes = sorted((page.size_kb for page in mempages), reverse=True)
    if requested == SMALL:
        candidates = sizes[-1:]
    elif requested == LARGE:
        candidates = sizes[:-1]
    elif requested == ANY:
        candidates = sizes
    else:
        candidates = [requested]
    memory_kb = memory_mb * KIB_PER_MIB
    for size in candidates:
        if can_fit(mempages, size, memory_kb):
            return size
    return None


def smallest(mempages: Sequence[PageSize]) -> int:
    if not mempages:
        raise NoPageSizes('the NUMA cell reports no memory page sizes')
    return min(page.size_kb for page in mempages)


def after_usage(mempages: Sequence[PageSize], size_kb: int, memory_mb: int,
                sign: int) -> tuple[PageSize, ...]:
    """The cell's pages once ``memory_mb`` of ``size_kb`` pages is used
    (sign 1) or freed (sign -1)."""
    result = []
    for page in mempages:
        if page.size_kb == size_kb:
            # nova computes this in floats and its IntegerField truncates.
            used = max(0, page.used
                       + memory_mb * KIB_PER_MIB / page.size_kb * sign)
            page = dataclasses.replace(page, used=int(used))
        result.append(page)
    return tuple(result)

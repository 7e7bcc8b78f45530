"""A host's PCI device pools: as the host reports them (``PciPool``)
and as nova's PciDeviceStats works on them (flat dicts).

nova matches requests against a pool's dict of vendor_id, product_id,
numa_node, count and every tag, compares strings case-insensitively and
removes a pool from its list by equality. Working on the same dicts keeps
our answers and the order of the pools identical to nova's.
"""

from collections.abc import Iterable, Mapping, Sequence
import dataclasses
import types
from typing import Any

Pool = dict[str, Any]
_FIXED = ('vendor_id', 'product_id', 'numa_node', 'count')
_EMPTY: Mapping[str, Any] = types.MappingProxyType({})


@dataclasses.dataclass(frozen=True, slots=True)
class PciPool:
    """One PCI device pool (PciDevicePool): identity tags and a count."""

    vendor_id: str
    product_id: str
    count: int
    numa_node: int | None = None
    # Extra tags (physical_network, dev_type, ...); nova allows null values.
    tags: Mapping[str, str | None] = dataclasses.field(
        default_factory=lambda: _EMPTY)


def to_dicts(pools: Iterable[PciPool]) -> list[Pool]:
    """Fresh, mutable dicts of ``pools`` (nova's pools list)."""
    result = []
    for pool in pools:
        entry: Pool = {'product_id': pool.product_id,
                       'vendor_id': pool.vendor_id,
                       'numa_node': pool.numa_node,
                       'count': pool.count}
        entry.update(pool.tags)
        result.append(entry)
    return result


def from_dicts(pools: Iterable[Mapping[str, Any]]
               ) -> tuple[PciPool, ...]:
    return tuple(
        PciPool(
            vendor_id=pool['vendor_id'], product_id=pool['product_id'],
            count=pool['count'], numa_node=pool['numa_node'],
            tags=types.MappingProxyType(
                {k: v for k, v in pool.items() if k not in _FIXED}))
        for pool in pools)


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def prop_match(pool: Mapping[str, Any],
               specs: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the pool meets any of ``specs`` (nova's
    pci_device_prop_match): every key equal, strings ignoring case."""
    return any(
        all(_lower(pool.get(key)) == _lower(value)
            for key, value in spec.items())
        for spec in specs)


def total(pools: Iterable[Mapping[str, Any]]) -> int:
    return sum(pool['count'] for pool in pools)

"""A flavor, as scheduling reads it."""

from collections.abc import Mapping
import dataclasses
import types

EMPTY: Mapping[str, str] = types.MappingProxyType({})


@dataclasses.dataclass(frozen=True, slots=True)
class Flavor:
    memory_mb: int
    vcpus: int
    root_gb: int
    ephemeral_gb: int
    swap: int
    id: int | None = None
    flavorid: str | None = None
    name: str | None = None
    rxtx_factor: float | None = None
    vcpu_weight: int | None = None
    disabled: bool = False
    is_public: bool = True
    extra_specs: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: EMPTY)
    description: str | None = None

"""A host aggregate."""

from collections.abc import Mapping
import dataclasses
import types

EMPTY: Mapping[str, str] = types.MappingProxyType({})


@dataclasses.dataclass(frozen=True, slots=True)
class Aggregate:
    id: int
    uuid: str
    name: str
    hosts: frozenset[str] = frozenset()
    metadata: Mapping[str, str] = dataclasses.field(
        default_factory=lambda: EMPTY)

    @property
    def availability_zone(self) -> str | None:
        return self.metadata.get('availability_zone')

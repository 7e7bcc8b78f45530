"""Image metadata and image properties."""

from collections.abc import Mapping
import dataclasses
import types
from typing import Any

EMPTY: Mapping[str, Any] = types.MappingProxyType({})


@dataclasses.dataclass(frozen=True, slots=True)
class ImageProperties:
    """The image properties that were set.

    nova's ImageMetaProps has ~90 typed fields of which the scheduler reads a
    few dozen; we keep every set property by its nova field name, with the
    value in its wire form (str, int, bool, float or a tuple of str for list
    fields). An unset property is simply absent, as nova's ``'x' in props``.
    """

    values: Mapping[str, Any] = dataclasses.field(
        default_factory=lambda: EMPTY)

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def __contains__(self, name: object) -> bool:
        return name in self.values


@dataclasses.dataclass(frozen=True, slots=True)
class ImageMeta:
    id: str | None = None
    name: str | None = None
    status: str | None = None
    visibility: str | None = None
    owner: str | None = None
    checksum: str | None = None
    container_format: str | None = None
    disk_format: str | None = None
    size: int | None = None
    virtual_size: int | None = None
    min_ram: int | None = None
    min_disk: int | None = None
    tags: tuple[str, ...] = ()
    properties: ImageProperties = ImageProperties()

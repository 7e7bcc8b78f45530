"""PCI requests of an instance."""

from collections.abc import Mapping
import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class PCIRequest:
    count: int
    spec: tuple[Mapping[str, str | None], ...] = ()
    alias_name: str | None = None
    is_new: bool = False
    request_id: str | None = None
    requester_id: str | None = None
    numa_policy: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class PCIRequests:
    instance_uuid: str | None = None
    requests: tuple[PCIRequest, ...] = ()

"""Network-related request data."""

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class NetworkMetadata:
    physnets: frozenset[str] = frozenset()
    tunneled: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class NetworkRequest:
    network_id: str | None = None
    address: str | None = None
    port_id: str | None = None
    pci_request_id: str | None = None
    tag: str | None = None
    arq_uuid: str | None = None
    device_profile: str | None = None

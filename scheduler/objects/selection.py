"""What we answer: one Selection per chosen or alternate host."""

import dataclasses

from scheduler.objects import numa


@dataclasses.dataclass(frozen=True, slots=True)
class SchedulerLimits:
    numa_topology: numa.NUMATopologyLimits | None = None
    vcpu: int | None = None
    disk_gb: int | None = None
    memory_mb: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Selection:
    compute_node_uuid: str
    service_host: str
    nodename: str
    cell_uuid: str
    limits: SchedulerLimits | None = None
    # The whole Placement allocation request as a JSON string, or the JSON
    # literal "null" on paths that claim nothing (legacy and rebuild).
    allocation_request: str | None = None
    allocation_request_version: str | None = None
    availability_zone: str | None = None

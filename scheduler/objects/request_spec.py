"""The RequestSpec: everything a scheduling request says."""

from collections.abc import Mapping
import dataclasses
import types

from scheduler.objects import destination as destination_obj
from scheduler.objects import flavor as flavor_obj
from scheduler.objects import image as image_obj
from scheduler.objects import instance_group as group_obj
from scheduler.objects import network
from scheduler.objects import numa
from scheduler.objects import pci
from scheduler.objects import request_group

EMPTY_HINTS: Mapping[str, tuple[str, ...]] = types.MappingProxyType({})


@dataclasses.dataclass(frozen=True, slots=True)
class SchedulerRetries:
    num_attempts: int = 0
    # (host, nodename) pairs already tried.
    hosts: tuple[tuple[str, str | None], ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class RequestSpec:
    flavor: flavor_obj.Flavor
    image: image_obj.ImageMeta | None = None
    numa_topology: numa.InstanceNUMATopology | None = None
    pci_requests: pci.PCIRequests | None = None
    project_id: str | None = None
    user_id: str | None = None
    availability_zone: str | None = None
    num_instances: int = 1
    ignore_hosts: tuple[str, ...] | None = None
    force_hosts: tuple[str, ...] | None = None
    force_nodes: tuple[str, ...] | None = None
    requested_destination: destination_obj.Destination | None = None
    retry: SchedulerRetries | None = None
    instance_group: group_obj.InstanceGroup | None = None
    # Hint values are always lists on the wire (nova normalizes them).
    scheduler_hints: Mapping[str, tuple[str, ...]] = dataclasses.field(
        default_factory=lambda: EMPTY_HINTS)
    instance_uuid: str | None = None
    network_metadata: network.NetworkMetadata = network.NetworkMetadata()
    is_bfv: bool = False
    requested_resources: tuple[request_group.RequestGroup, ...] = ()
    request_level_params: request_group.RequestLevelParams = (
        request_group.RequestLevelParams())
    requested_networks: tuple[network.NetworkRequest, ...] = ()
    id: int | None = None
    # Whether the caller passes the hardened_scheduler:request:target_hosts
    # rule: set only by admission (request_trust.screen), never decoded
    # from the message. Plugins reading user input that could name a host
    # (JsonFilter's $host) honour it only when true.
    may_target_hosts: bool = False

    def replace(self, **changes: object) -> 'RequestSpec':
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

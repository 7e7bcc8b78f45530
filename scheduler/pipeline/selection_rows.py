"""Building Selection objects from chosen hosts."""

from collections.abc import Mapping
import json
from typing import Any

from scheduler.hoststate import host_state
from scheduler.objects import selection


def availability_zone(host: host_state.HostState, default: str) -> str:
    """The host's AZ from its aggregates, else the default.

    A host is in at most one AZ in a valid deployment; nova picks an
    arbitrary one of a set when it is not, we pick the first by name so the
    answer is at least stable.
    """
    zones = sorted({a.availability_zone for a in host.aggregates
                    if a.availability_zone})
    return zones[0] if zones else default


def build(host: host_state.HostState, *, default_az: str,
          allocation_request: Mapping[str, Any] | None = None,
          allocation_request_version: str | None = None
          ) -> selection.Selection:
    return selection.Selection(
        compute_node_uuid=host.uuid,
        service_host=host.host,
        nodename=host.nodename,
        cell_uuid=host.cell_uuid,
        limits=host.limits,
        # nova json.dumps the whole allocation request; None becomes the
        # JSON literal "null", which conductor expects on no-claim paths.
        allocation_request=json.dumps(allocation_request),
        allocation_request_version=allocation_request_version,
        availability_zone=availability_zone(host, default_az),
    )

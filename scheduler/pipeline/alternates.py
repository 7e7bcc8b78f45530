"""Each chosen host plus up to max_attempts - 1 alternates.

Alternates are unclaimed hosts from the chosen host's cell that were not
chosen for any instance of the request, each with its first remaining
allocation candidate, so the cell conductor can retry a failed build
without coming back to us.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from scheduler.pipeline import claims
from scheduler.hoststate import host_state
from scheduler.pipeline import selection_rows as selections
from scheduler.objects import selection


def build(chosen: Sequence[tuple[host_state.HostState,
                                 Mapping[str, Any] | None]],
          ordered_hosts: Sequence[host_state.HostState], *, num_alts: int,
          allocation_request_version: str | None, default_az: str,
          candidates_of: claims.CandidatesOf | None
          ) -> list[list[selection.Selection]]:
    """``candidates_of`` is None on paths that claim nothing."""
    chosen_uuids = {host.uuid for host, _ in chosen}
    result = []
    for host, alloc_req in chosen:
        row = [selections.build(
            host, default_az=default_az, allocation_request=alloc_req,
            allocation_request_version=allocation_request_version)]
        for alt in ordered_hosts:
            if len(row) >= num_alts + 1:
                break
            if alt.cell_uuid != host.cell_uuid or alt.uuid in chosen_uuids:
                continue
            if candidates_of is not None:
                candidates = candidates_of(alt)
                if not candidates:
                    continue
                row.append(selections.build(
                    alt, default_az=default_az,
                    allocation_request=candidates[0],
                    allocation_request_version=allocation_request_version))
            else:
                row.append(selections.build(alt, default_az=default_az))
        result.append(row)
    return result

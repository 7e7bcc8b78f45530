"""The hosts a request starts from, before any filter.

Either the hosts Placement offered (compute nodes among the providers of
the allocation candidates, confined to the requested cell for a move), or,
for nova's rebuild check, every host of the requested cell without asking
Placement. Losses on the way (unknown providers, incomplete node data,
other cells) are counted in the result.
"""

from collections.abc import Mapping
import dataclasses
from typing import Any

from scheduler.pipeline import candidates as candidates_mod
from scheduler.pipeline import claims as claims_mod
from scheduler.hoststate import source as host_source
from scheduler.hoststate import host_state
from scheduler.objects import request_spec


@dataclasses.dataclass(frozen=True, slots=True)
class Gathered:
    """The hosts a request starts from, and what was lost on the way."""

    hosts: list[host_state.HostState]
    # How to get a host's allocation candidates (none for a rebuild).
    candidates_of: claims_mod.CandidatesOf
    # (why, how many) hosts were left out before any filter.
    losses: tuple[tuple[str, int], ...] = ()
    unavailable_cells: int = 0


def rebuild_hosts(spec: request_spec.RequestSpec,
                  snapshot: host_source.HostSnapshot) -> Gathered:
    """All hosts of the requested cell (or all cells): no Placement."""
    dest = spec.requested_destination
    cells = (frozenset({dest.cell.uuid})
             if dest is not None and dest.cell is not None else None)
    return Gathered(snapshot.in_cells(cells), _no_candidates)


def candidate_hosts(spec: request_spec.RequestSpec,
                    found: candidates_mod.Candidates,
                    snapshot: host_source.HostSnapshot, *, attach: bool,
                    source: host_source.HostSource | None = None
                    ) -> Gathered:
    """The hosts Placement offered, and how to get their candidates.

    With ``attach``, every host carries its candidates (for filters that
    read them); otherwise they are looked up only for hosts claimed or
    offered as alternates. Providers ``snapshot`` does not know are
    looked up by uuid through ``source`` first (a compute that appeared
    after the snapshot was taken).
    """
    if source is not None:
        snapshot = host_source.with_providers(source, snapshot,
                                              found.providers)
    hosts, missing = snapshot.by_uuids(found.providers)
    # Nested and sharing providers are summarized too; only providers
    # that are compute nodes become hosts, so "missing" is not an error,
    # except for nodes we know but left out for bad data. With a source,
    # "unknown" means a provider that has no compute node row.
    left_out = snapshot.incomplete_nodes
    incomplete = (sum(map(left_out.__contains__, found.providers))
                  if left_out else 0)
    losses = [('with incomplete compute node data', incomplete)]
    if not hosts:
        losses.append(('unknown to the scheduler', missing - incomplete))
    hosts, outside = in_target_cell(spec, hosts)
    losses.append(('outside the requested cell', outside))
    candidates_of: claims_mod.CandidatesOf
    if attach:
        hosts = [host_state.with_candidates(
            h, found.by_provider.get(h.uuid, ())) for h in hosts]
        candidates_of = _attached_candidates
    else:
        by_provider = found.by_provider
        candidates_of = lambda h: by_provider.get(h.uuid, ())  # noqa: E731
    return Gathered(hosts, candidates_of,
                    tuple((why, n) for why, n in losses if n),
                    len(snapshot.unavailable_cells))


def in_target_cell(spec: request_spec.RequestSpec,
                   hosts: list[host_state.HostState]
                   ) -> tuple[list[host_state.HostState], int]:
    """Only the requested cell's hosts, unless cross-cell is allowed, and
    how many were left out.

    As nova's HostManager: conductor names the cell for moves.
    """
    dest = spec.requested_destination
    if dest is None or dest.cell is None or dest.allow_cross_cell_move:
        return hosts, 0
    kept = [h for h in hosts if h.cell_uuid == dest.cell.uuid]
    return kept, len(hosts) - len(kept)


def _attached_candidates(host: host_state.HostState
                         ) -> tuple[Mapping[str, Any], ...]:
    return host.allocation_candidates


def _no_candidates(host: host_state.HostState
                   ) -> tuple[Mapping[str, Any], ...]:
    return ()

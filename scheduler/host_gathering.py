"""The hosts a request starts from, before any filter.

Either the hosts Placement offered (compute nodes among the providers of
the allocation candidates, confined to the requested cell for a move), or,
for nova's rebuild check, every host of the requested cell without asking
Placement. Losses on the way (unknown providers, incomplete node data,
other cells) are counted on the request's recorder.
"""

from collections.abc import Mapping
from typing import Any

from scheduler import candidates as candidates_mod
from scheduler import claims as claims_mod
from scheduler import explanation
from scheduler import host_source
from scheduler import host_state
from scheduler.objects import request_spec


def rebuild_hosts(spec: request_spec.RequestSpec,
                  snapshot: host_source.HostSnapshot,
                  recorder: explanation.Recorder
                  ) -> list[host_state.HostState]:
    """All hosts of the requested cell (or all cells): no Placement."""
    dest = spec.requested_destination
    cells = (frozenset({dest.cell.uuid})
             if dest is not None and dest.cell is not None else None)
    hosts = snapshot.in_cells(cells)
    recorder.hosts_found = len(hosts)
    return hosts


def candidate_hosts(spec: request_spec.RequestSpec,
                    found: candidates_mod.Candidates,
                    snapshot: host_source.HostSnapshot,
                    recorder: explanation.Recorder, *, attach: bool,
                    source: host_source.HostSource | None = None
                    ) -> tuple[list[host_state.HostState],
                               claims_mod.CandidatesOf]:
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
    recorder.lose_hosts('with incomplete compute node data', incomplete)
    if not hosts:
        recorder.lose_hosts('unknown to the scheduler', missing - incomplete)
    hosts = in_target_cell(spec, hosts, recorder)
    recorder.unavailable_cells = len(snapshot.unavailable_cells)
    recorder.hosts_found = len(hosts)
    if not attach:
        by_provider = found.by_provider
        return hosts, lambda h: by_provider.get(h.uuid, ())
    hosts = [host_state.with_candidates(h, found.by_provider.get(h.uuid, ()))
             for h in hosts]
    return hosts, _attached_candidates


def in_target_cell(spec: request_spec.RequestSpec,
                   hosts: list[host_state.HostState],
                   recorder: explanation.Recorder
                   ) -> list[host_state.HostState]:
    """Only the requested cell's hosts, unless cross-cell is allowed.

    As nova's HostManager: conductor names the cell for moves.
    """
    dest = spec.requested_destination
    if dest is None or dest.cell is None or dest.allow_cross_cell_move:
        return hosts
    kept = [h for h in hosts if h.cell_uuid == dest.cell.uuid]
    recorder.lose_hosts('outside the requested cell', len(hosts) - len(kept))
    return kept


def _attached_candidates(host: host_state.HostState
                         ) -> tuple[Mapping[str, Any], ...]:
    return host.allocation_candidates

"""From a RequestSpec to Placement's allocation candidates, per host."""

from collections.abc import Mapping
import dataclasses
import types
from typing import Any

from oslo_config import cfg

from scheduler import errors
from scheduler import explanation
from scheduler.hoststate import source as host_source
from scheduler.objects import request_spec
from scheduler.placement import client as placement_client
from scheduler.placement import errors as placement_errors
from scheduler.placement import query as placement_query

_ONE = frozenset({1})


def by_provider(requests: tuple[Mapping[str, Any], ...],
                allocations: tuple[Mapping[str, Any], ...]
                ) -> dict[str, tuple[Mapping[str, Any], ...]]:
    """Provider uuid -> the requests that allocate from it, in order.

    ``allocations`` holds each request's allocations map. When every
    request allocates from one provider of its own (compute nodes without
    nested or sharing providers, the common case), the index is made at
    C speed; otherwise request by request, as nova indexes every provider
    of every request.
    """
    if _ONE.issuperset(map(len, allocations)):
        index: dict[str, tuple[Mapping[str, Any], ...]] = dict(zip(
            map(next, map(iter, allocations)), zip(requests), strict=True))
        if len(index) == len(requests):
            return index
    lists: dict[str, list[Mapping[str, Any]]] = {}
    for req, allocs in zip(requests, allocations, strict=True):
        for rp_uuid in allocs:
            lists.setdefault(rp_uuid, []).append(req)
    return {k: tuple(v) for k, v in lists.items()}


@dataclasses.dataclass(frozen=True, slots=True)
class Candidates:
    # Provider uuid -> the allocation requests that allocate from it, in
    # Placement's order.
    by_provider: Mapping[str, tuple[Mapping[str, Any], ...]]
    # Every provider Placement summarized, in its order.
    providers: tuple[str, ...]
    version: str
    # What was asked and answered, for the explanation.
    count: explanation.PlacementCount


def _query(spec: request_spec.RequestSpec, conf: cfg.ConfigOpts,
           snapshot: host_source.HostSnapshot, pinning: bool
           ) -> placement_query.PlacementQuery:
    return placement_query.build_query(
        spec, max_placement_results=conf.scheduler.max_placement_results,
        enable_pinning_translation=pinning,
        resolve_target=snapshot.find_nodes)


def fetch(client: placement_client.PlacementClient, conf: cfg.ConfigOpts,
          spec: request_spec.RequestSpec, snapshot: host_source.HostSnapshot,
          global_request_id: str | None) -> Candidates:
    """Ask Placement for the request's allocation candidates.

    :raises StageFailed: the request names no compute node (target), it
        cannot be asked for (request), or Placement has no candidate or no
        usable answer (placement, with what it counted).
    """
    queries = _queries(spec, conf, snapshot)
    requests: list[Mapping[str, Any]] = []
    allocations: list[Mapping[str, Any]] = []
    providers: dict[str, None] = {}
    count = explanation.PlacementCount(queries=len(queries))
    version = '1.36'
    try:
        for q in queries:
            result = client.get_allocation_candidates(
                q, global_request_id=global_request_id)
            requests.extend(result.allocation_requests)
            allocations.extend(result.allocations or [
                r.get('allocations', {}) for r in result.allocation_requests])
            providers.update(dict.fromkeys(result.provider_summaries))
            version = result.version
            count = dataclasses.replace(
                count, limit=result.limit,
                truncated=count.truncated or result.truncated)
    except placement_errors.PlacementUnavailable:
        raise errors.StageFailed(
            explanation.Stage.PLACEMENT,
            counts=dataclasses.replace(count, unreachable=True)) from None
    except placement_errors.PlacementRequestError as exc:
        raise errors.StageFailed(
            explanation.Stage.PLACEMENT, counts=dataclasses.replace(
                count, failure=_rejected(exc.status))) from None
    count = dataclasses.replace(
        count, candidates=len(requests), providers=len(providers),
        fallback_query=len(queries) > 1)
    if not requests:
        raise errors.StageFailed(explanation.Stage.PLACEMENT, counts=count)
    return Candidates(
        types.MappingProxyType(by_provider(tuple(requests),
                                           tuple(allocations))),
        tuple(providers), version, count)


def _queries(spec: request_spec.RequestSpec, conf: cfg.ConfigOpts,
             snapshot: host_source.HostSnapshot
             ) -> list[placement_query.PlacementQuery]:
    """The query, and nova's fallback query without CPU pinning."""
    try:
        query = _query(spec, conf, snapshot, pinning=True)
        queries = [query]
        if (query.cpu_pinning_requested
                and not conf.workarounds.disable_fallback_pcpu_query):
            # Hosts still configured with vcpu_pin_set report VCPU only.
            queries.append(_query(spec, conf, snapshot, pinning=False))
    except placement_errors.TargetNotFound as exc:
        raise errors.StageFailed(explanation.Stage.TARGET, exc.reason,
                                 target=(exc.host, exc.node)) from None
    except placement_errors.QueryError as exc:
        # nova lets these escape as unexpected errors; we say what is wrong
        # with the flavor, image or request groups instead.
        raise errors.StageFailed(explanation.Stage.REQUEST,
                                 str(exc)) from None
    return queries


def _rejected(status: int) -> str:
    if status == 200:
        return ('Placement answered the allocation candidates query with '
                'a malformed body')
    return ('Placement rejected the allocation candidates query '
            f'(HTTP {status})')

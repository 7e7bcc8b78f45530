"""The body of a claim: ``PUT /allocations/{consumer}`` as nova sends it."""

from collections.abc import Mapping
import copy
from typing import Any

from scheduler.placement import results

CONSUMER_GENERATION_VERSION = '1.28'


def same_allocations(current: Mapping[str, Any],
                     wanted: Mapping[str, Any]) -> bool:
    """Whether two allocation maps hold the same amounts per provider."""
    def amounts(allocs: Mapping[str, Any]) -> dict[str, dict[str, int]]:
        return {rp: dict(a.get('resources', {})) for rp, a in allocs.items()}
    return amounts(current) == amounts(wanted)


def claim_payload(current: results.ConsumerAllocations,
                  allocation_request: Mapping[str, Any],
                  project_id: str | None, user_id: str | None,
                  version: str) -> dict[str, Any]:
    """The PUT /allocations body, as nova's claim_resources builds it.

    A consumer that already holds allocations is being evacuated: the new
    request is "doubled up" with what it holds (providers it already uses
    keep their current amounts) and the consumer's generation is sent.
    """
    payload: dict[str, Any] = copy.deepcopy(dict(allocation_request))
    generation = None
    if current.allocations:
        generation = payload.get(
            'consumer_generation', current.consumer_generation)
        merged = {rp: {'resources': dict(a['resources'])}
                  for rp, a in current.allocations.items()}
        for rp, alloc in payload['allocations'].items():
            merged.setdefault(rp, alloc)
        payload = {'allocations': merged}
    payload['project_id'] = project_id
    payload['user_id'] = user_id
    if _version(version) >= _version(CONSUMER_GENERATION_VERSION):
        payload['consumer_generation'] = generation
    return payload


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split('.'))

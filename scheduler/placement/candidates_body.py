"""Decoding Placement's allocation-candidates answer."""

from collections.abc import Mapping
from typing import Any

import orjson


def decode(content: bytes) -> tuple[
        tuple[Mapping[str, Any], ...], dict[str, Any]]:
    """(allocation requests, provider summaries) of a candidates answer.

    Checked to the depth scheduling reads, so that a malformed answer
    fails here, as one error, and not later in a stage. The messages name
    the part that is wrong, never a value.
    """
    # orjson: this body lists every candidate host (~1 MB at 1,000
    # hosts); the stdlib parser took most of a decision's CPU time.
    data = orjson.loads(content)
    requests = data['allocation_requests']
    summaries = data['provider_summaries']
    if not isinstance(requests, list) or not isinstance(summaries, dict):
        raise TypeError('allocation_requests/provider_summaries have the '
                        'wrong type')
    for req in requests:
        allocations = req['allocations']
        if not isinstance(allocations, dict):
            raise TypeError('an allocation request has no allocations map')
        for alloc in allocations.values():
            resources = alloc['resources']
            if not isinstance(resources, dict) or not all(
                    type(n) is int for n in resources.values()):
                raise TypeError('an allocation has malformed resources')
    for summary in summaries.values():
        if not isinstance(summary, dict) or not isinstance(
                summary.get('resources', {}), dict) or not isinstance(
                summary.get('traits', []), list):
            raise TypeError('a provider summary is malformed')
    return tuple(requests), summaries

"""Decoding Placement's allocation-candidates answer.

The body lists every candidate host (~500 KB at 1,000 hosts) and is
decoded on every request, so this keeps only what scheduling reads:
the allocation requests (each is the body a claim PUTs, kept as
Placement's dicts) with the providers each allocates from, and the
uuids of the providers Placement summarized. The summaries (two thirds
of the body) are checked for shape and dropped at once. The allocation
checks run at C speed (``map`` over ``operator`` getters, type sets).
The cyclic collector is paused while the body's tens of thousands of
containers are made and the summaries freed: they hold no cycles, and
at 1,000 hosts the collections they started cost more than the parse.
"""

from collections.abc import Iterator, Mapping
import gc
import itertools
import operator
from typing import Any, NamedTuple

import orjson

_ALLOCATIONS = operator.itemgetter('allocations')
_RESOURCES = operator.itemgetter('resources')
# A summary without 'resources' or 'traits' is well formed; one with
# them set to anything but a map or a list (null included) is not.
_NO_MAP: Mapping[str, Any] = {}
_NO_LIST: list[Any] = []
_DICT = frozenset({dict})
_INT = frozenset({int})
_chain = itertools.chain.from_iterable


class Summaries(Mapping[str, Any]):
    """Provider uuid -> Placement's summary, decoded again when read.

    Scheduling reads only which providers were summarized: the keys are
    kept, the summaries themselves (two thirds of the body) are checked
    and dropped as soon as they are decoded, and decoded again from the
    body only if something reads them.
    """

    __slots__ = ('_providers', '_content', '_decoded')

    def __init__(self, providers: tuple[str, ...], content: bytes) -> None:
        self._providers = providers
        self._content = content
        self._decoded: dict[str, Any] | None = None

    def __getitem__(self, rp_uuid: str) -> Any:
        if self._decoded is None:
            self._decoded = orjson.loads(self._content)['provider_summaries']
        return self._decoded[rp_uuid]

    def __iter__(self) -> Iterator[str]:
        return iter(self._providers)

    def __len__(self) -> int:
        return len(self._providers)

    def __contains__(self, rp_uuid: object) -> bool:
        return rp_uuid in self._providers


class Body(NamedTuple):
    """What scheduling reads of one answer, in Placement's order."""

    # Placement's allocation requests, untouched: each is what a claim
    # PUTs for its candidate.
    requests: tuple[Mapping[str, Any], ...]
    # Per request, its allocations map: the providers it allocates from.
    allocations: tuple[Mapping[str, Any], ...]
    # The providers Placement summarized.
    providers: tuple[str, ...]
    summaries: Summaries


def decode(content: bytes) -> Body:
    """The allocation requests and summarized providers of an answer.

    Checked to the depth scheduling reads, so that a malformed answer
    fails here, as one error (ValueError, KeyError or TypeError), and
    not later in a stage. The messages name the part that is wrong,
    never a value.

    The cyclic collector is paused meanwhile (refcounting works as
    ever): the body holds no cycles, and the collections its containers
    started walked them all again. It starts again as it was (a process
    that turned it off keeps it off); another thread's collection waits
    at most one decode.
    """
    enabled = gc.isenabled()
    if enabled:
        gc.disable()
    try:
        data = orjson.loads(content)
        requests = data['allocation_requests']
        summaries = data['provider_summaries']
        if type(requests) is not list or type(summaries) is not dict:
            raise TypeError('allocation_requests/provider_summaries have '
                            'the wrong type')
        # req['allocations'] for each request: KeyError or TypeError for
        # a request that is not a map or has none.
        allocations = tuple(map(_ALLOCATIONS, requests))
        if not _DICT.issuperset(map(type, allocations)):
            raise TypeError('an allocation request has no allocations map')
        resources = list(map(_RESOURCES, _chain(map(
            dict.values, allocations))))
        if not _DICT.issuperset(map(type, resources)) or (
                not _INT.issuperset(map(type, _chain(map(
                    dict.values, resources))))):
            raise TypeError('an allocation has malformed resources')
        for summary in summaries.values():
            if type(summary) is not dict or type(summary.get(
                    'resources', _NO_MAP)) is not dict or type(
                    summary.get('traits', _NO_LIST)) is not list:
                raise TypeError('a provider summary is malformed')
        providers = tuple(summaries)
        # Freed here, while the collector cannot walk them.
        del data, summaries, resources
        return Body(tuple(requests), allocations, providers,
                    Summaries(providers, content))
    finally:
        if enabled:
            gc.enable()

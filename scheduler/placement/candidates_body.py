"""Decoding Placement's allocation-candidates answer.

The body lists every candidate host (~500 KB at 1,000 hosts) and is
decoded on every request, so this keeps only what scheduling reads: the
allocation requests (each is the body a claim PUTs, as Placement 1.36
sends it: its allocations and mappings) with the providers each
allocates from, and the uuids of the providers Placement summarized.
msgspec decodes and checks it against the typed schema below in one
pass in C: a summary (two thirds of the body) is checked for shape
without building its contents. The cyclic collector is paused while the
body's tens of thousands of containers are made: they hold no cycles,
and at 1,000 hosts the collections they started cost more than the
parse.
"""

from collections.abc import Iterator, Mapping
import gc
import operator
from typing import Any, NamedTuple, NotRequired, TypedDict

import msgspec
import orjson

_ALLOCATIONS = operator.itemgetter('allocations')


class _Allocation(TypedDict):
    # Booleans and floats are refused for these, as every non-int.
    resources: dict[str, int]


class _AllocationRequest(TypedDict):
    allocations: dict[str, _Allocation]
    mappings: NotRequired[dict[str, list[str]]]


class _Summary(msgspec.Struct):
    """A summary's shape: scheduling reads none of it (kept raw)."""

    resources: dict[str, msgspec.Raw] = {}
    traits: list[msgspec.Raw] = []


class _Answer(msgspec.Struct):
    allocation_requests: list[_AllocationRequest]
    provider_summaries: dict[str, _Summary]


_DECODER = msgspec.json.Decoder(_Answer)


class Summaries(Mapping[str, Any]):
    """Provider uuid -> Placement's summary, decoded again when read.

    Scheduling reads only which providers were summarized: the keys are
    kept, the summaries themselves (two thirds of the body) are checked
    for shape without being built, and decoded from the body only if
    something reads them.
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

    # Placement's allocation requests (allocations, mappings), in its
    # order: each is what a claim PUTs for its candidate.
    requests: tuple[Mapping[str, Any], ...]
    # Per request, its allocations map: the providers it allocates from.
    allocations: tuple[Mapping[str, Any], ...]
    # The providers Placement summarized.
    providers: tuple[str, ...]
    summaries: Summaries


def decode(content: bytes) -> Body:
    """The allocation requests and summarized providers of an answer.

    Checked to the depth scheduling reads, so that a malformed answer
    fails here, as one ValueError (msgspec's, naming the path of the part
    that is wrong, never a value), and not later in a stage.

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
        answer = _DECODER.decode(content)
        requests: tuple[Mapping[str, Any], ...] = tuple(
            answer.allocation_requests)
        providers = tuple(answer.provider_summaries)
        return Body(requests, tuple(map(_ALLOCATIONS, requests)), providers,
                    Summaries(providers, content))
    finally:
        if enabled:
            gc.enable()

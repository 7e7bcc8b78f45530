"""What the Placement client hands back."""

from collections.abc import Mapping
import dataclasses
import types
from typing import Any

EMPTY: Mapping[str, Any] = types.MappingProxyType({})

CLAIMED = 'claimed'
# Placement refused the allocation: not enough inventory, or another 4xx.
CAPACITY = 'capacity'
# Resource provider generation conflicts outlived the retries.
CONFLICT = 'conflict'
# No answer from Placement (transport failures or 5xx, retries spent, or
# the request's deadline passed).
UNREACHABLE = 'unreachable'
# Placement answered something a claim cannot use (an unexpected 4xx on
# reading the consumer, a malformed body).
FAILED = 'failed'
CLAIM_REASONS = (CLAIMED, CAPACITY, CONFLICT, UNREACHABLE, FAILED)


@dataclasses.dataclass(frozen=True, slots=True)
class CandidateSet:
    """One ``GET /allocation_candidates`` answer.

    ``allocation_requests`` are Placement's dicts, untouched and in its
    order: each is the body a claim PUTs. ``truncated`` says the limit was
    reached, so more hosts may have fit.
    """

    allocation_requests: tuple[Mapping[str, Any], ...] = ()
    provider_summaries: Mapping[str, Any] = dataclasses.field(
        default_factory=lambda: EMPTY)
    version: str = '1.36'
    limit: int | None = None
    # Per allocation request, its allocations map (provider uuid ->
    # allocation): the providers it allocates from. Empty when not given:
    # then read from the requests themselves.
    allocations: tuple[Mapping[str, Any], ...] = ()

    @property
    def truncated(self) -> bool:
        return (self.limit is not None
                and len(self.allocation_requests) >= self.limit)


@dataclasses.dataclass(frozen=True, slots=True)
class ConsumerAllocations:
    """``GET /allocations/{consumer}`` at 1.28.

    ``allocations`` maps a provider uuid to ``{'resources': {...},
    'generation': n}``; ``consumer_generation`` is None for a consumer
    Placement does not know.
    """

    allocations: Mapping[str, Any] = dataclasses.field(
        default_factory=lambda: EMPTY)
    consumer_generation: int | None = None
    project_id: str | None = None
    user_id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ClaimUndo:
    """How to give one claim back: what it put, and what was there before.

    Undoing restores ``previous`` (nothing, unless the consumer already
    held allocations, as an evacuated instance does) only while the
    consumer still holds exactly ``placed``: a consumer that changed since
    belongs to someone else's operation and is left alone. Plain data, so
    that a release Placement could not take can be journaled as JSON.
    """

    consumer: str
    placed: Mapping[str, Any]
    previous: Mapping[str, Any] = dataclasses.field(
        default_factory=lambda: EMPTY)
    project_id: str | None = None
    user_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {'consumer': self.consumer,
                'placed': _plain(self.placed),
                'previous': _plain(self.previous),
                'project_id': self.project_id, 'user_id': self.user_id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> 'ClaimUndo':
        """From ``to_dict``'s output; ValueError when it is not that."""
        try:
            consumer = data['consumer']
            placed = _allocations(data['placed'])
            previous = _allocations(data.get('previous') or {})
            project_id = data.get('project_id')
            user_id = data.get('user_id')
        except (KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f'not a journaled release: {exc!r}') from None
        if not isinstance(consumer, str) or not all(
                v is None or isinstance(v, str)
                for v in (project_id, user_id)):
            raise ValueError('not a journaled release: bad field types')
        return cls(consumer, placed, previous, project_id, user_id)


def _plain(allocations: Mapping[str, Any]) -> dict[str, Any]:
    return {rp: {'resources': dict(a.get('resources', {}))}
            for rp, a in allocations.items()}


def _allocations(value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise TypeError('allocations are not a mapping')
    out = {}
    for rp, alloc in value.items():
        resources = alloc['resources']
        if not isinstance(rp, str) or not isinstance(resources, Mapping) or (
                not all(isinstance(k, str) and isinstance(n, int)
                        for k, n in resources.items())):
            raise TypeError('malformed allocations')
        out[rp] = {'resources': dict(resources)}
    return types.MappingProxyType(out)


@dataclasses.dataclass(frozen=True, slots=True)
class ClaimOutcome:
    claimed: bool
    reason: str
    # Set whenever the claim may be in Placement: it succeeded, or a PUT
    # went out and no answer said whether it landed. Then the claim must
    # be given back (or handed to the caller) with this.
    undo: ClaimUndo | None = dataclasses.field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.reason not in CLAIM_REASONS:
            raise ValueError(f'unknown claim outcome {self.reason!r}')

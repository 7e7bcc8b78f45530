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
# No answer from Placement (transport failures or 5xx, retries spent).
UNREACHABLE = 'unreachable'
CLAIM_REASONS = (CLAIMED, CAPACITY, CONFLICT, UNREACHABLE)


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
class ClaimOutcome:
    claimed: bool
    reason: str

    def __post_init__(self) -> None:
        if self.reason not in CLAIM_REASONS:
            raise ValueError(f'unknown claim outcome {self.reason!r}')

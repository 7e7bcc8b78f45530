"""Granular resource groups and request-level parameters."""

from collections.abc import Mapping
import dataclasses
import types

EMPTY: Mapping[str, int] = types.MappingProxyType({})


@dataclasses.dataclass(frozen=True, slots=True)
class RequestGroup:
    use_same_provider: bool = True
    resources: Mapping[str, int] = dataclasses.field(
        default_factory=lambda: EMPTY)
    required_traits: frozenset[str] = frozenset()
    forbidden_traits: frozenset[str] = frozenset()
    aggregates: tuple[tuple[str, ...], ...] = ()
    forbidden_aggregates: frozenset[str] = frozenset()
    requester_id: str | None = None
    provider_uuids: tuple[str, ...] = ()
    in_tree: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class RequestLevelParams:
    root_required: frozenset[str] = frozenset()
    root_forbidden: frozenset[str] = frozenset()
    same_subtree: tuple[tuple[str, ...], ...] = ()

"""Copy-on-write edits of a RequestSpec that request filters share.

nova's filters mutate the spec in place (``destination.require_aggregates``,
``root_required.add``); these return a new spec with the same effect.
"""

from collections.abc import Iterable
import dataclasses

from scheduler.objects import destination as destination_obj
from scheduler.objects import request_spec


def _destination(spec: request_spec.RequestSpec
                 ) -> destination_obj.Destination:
    return spec.requested_destination or destination_obj.Destination()


def require_aggregates(spec: request_spec.RequestSpec,
                       uuids: Iterable[str]) -> request_spec.RequestSpec:
    """Add one OR-set of aggregates (AND with the existing sets)."""
    dest = _destination(spec)
    dest = dataclasses.replace(
        dest, aggregates=(dest.aggregates or ()) + (','.join(uuids),))
    return spec.replace(requested_destination=dest)


def forbid_aggregates(spec: request_spec.RequestSpec,
                      uuids: Iterable[str]) -> request_spec.RequestSpec:
    """Add aggregates no candidate may be in."""
    dest = _destination(spec)
    dest = dataclasses.replace(
        dest, forbidden_aggregates=(dest.forbidden_aggregates or frozenset())
        | frozenset(uuids))
    return spec.replace(requested_destination=dest)


def require_root_traits(spec: request_spec.RequestSpec,
                        traits: Iterable[str]) -> request_spec.RequestSpec:
    """Traits the root provider (the compute node) must have."""
    params = spec.request_level_params
    params = dataclasses.replace(
        params, root_required=params.root_required | frozenset(traits))
    return spec.replace(request_level_params=params)


def forbid_root_traits(spec: request_spec.RequestSpec,
                       traits: Iterable[str]) -> request_spec.RequestSpec:
    """Traits the root provider must not have."""
    params = spec.request_level_params
    params = dataclasses.replace(
        params, root_forbidden=params.root_forbidden | frozenset(traits))
    return spec.replace(request_level_params=params)

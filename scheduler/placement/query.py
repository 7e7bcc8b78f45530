"""The ``GET /allocation_candidates`` query of a scheduling request.

:func:`build_query` is nova 34's resources_from_request_spec: the request
groups of :mod:`scheduler.placement.resources`, plus the destination's
required and forbidden aggregates, ``in_tree`` for a forced or requested
target, the result limit and the default group policy.
:meth:`PlacementQuery.to_querystring` encodes it byte for byte as nova's
ResourceRequest.to_querystring does.
"""

from collections.abc import Callable, Sequence
import dataclasses
from urllib import parse

from oslo_log import log as logging

from scheduler.objects import request_group as rg_obj
from scheduler.objects import request_spec as spec_obj
from scheduler.placement import errors
from scheduler.placement import resources

LOG = logging.getLogger(__name__)

# Hints whose candidate hosts must not be cut off by the limit.
UNLIMITED_HINTS = ('group', 'same_host', 'different_host')

TargetResolver = Callable[[str | None, str | None], Sequence[str]]


def _group_params(group: rg_obj.RequestGroup) -> list[tuple[str, str]]:
    suffix = group.requester_id or ''
    # nova always sends resources$S, even when the group has none.
    params = [(f'resources{suffix}', ','.join(sorted(
        f'{rclass}:{amount}' for rclass, amount in group.resources.items())))]
    required = ','.join(sorted(group.required_traits) + [
        f'!{trait}' for trait in sorted(group.forbidden_traits)])
    if required:
        params.append((f'required{suffix}', required))
    for any_of in group.aggregates:
        params.append((f'member_of{suffix}', 'in:' + ','.join(
            sorted(any_of))))
    if group.in_tree:
        params.append((f'in_tree{suffix}', group.in_tree))
    if group.forbidden_aggregates:
        params.append((f'member_of{suffix}', '!in:' + ','.join(
            sorted(group.forbidden_aggregates))))
    return params


@dataclasses.dataclass(frozen=True, slots=True)
class PlacementQuery:
    """Everything ``GET /allocation_candidates`` is asked for.

    ``unsuffixed`` carries the destination's aggregates and ``in_tree``
    (nova puts them nowhere else); ``suffixed`` are the granular groups in
    the order they were added, each suffixed by its ``requester_id``.
    """

    unsuffixed: rg_obj.RequestGroup | None = None
    suffixed: tuple[rg_obj.RequestGroup, ...] = ()
    group_policy: str | None = None
    limit: int | None = None
    root_required: frozenset[str] = frozenset()
    root_forbidden: frozenset[str] = frozenset()
    same_subtree: tuple[tuple[str, ...], ...] = ()
    # hw:cpu_policy=dedicated was translated to PCPU: nova then also asks
    # for the VCPU form (build_query(..., enable_pinning_translation=False))
    # to find hosts that do not report PCPU yet.
    cpu_pinning_requested: bool = False

    @property
    def groups(self) -> tuple[rg_obj.RequestGroup, ...]:
        head = (self.unsuffixed,) if self.unsuffixed is not None else ()
        return head + self.suffixed

    @property
    def member_of(self) -> tuple[tuple[str, ...], ...]:
        return self.unsuffixed.aggregates if self.unsuffixed else ()

    @property
    def forbidden_aggregates(self) -> frozenset[str]:
        return (self.unsuffixed.forbidden_aggregates if self.unsuffixed
                else frozenset())

    @property
    def in_tree(self) -> str | None:
        return self.unsuffixed.in_tree if self.unsuffixed else None

    def merged_resources(self) -> dict[str, int]:
        """Amount per resource class over all groups."""
        merged: dict[str, int] = {}
        for group in self.groups:
            for rclass, amount in group.resources.items():
                merged[rclass] = merged.get(rclass, 0) + amount
        return merged

    def to_querystring(self) -> str:
        params: list[tuple[str, str]] = []
        if self.limit is not None:
            params.append(('limit', str(self.limit)))
        if self.group_policy is not None:
            params.append(('group_policy', self.group_policy))
        if self.root_required or self.root_forbidden:
            params.append(('root_required', ','.join(
                sorted(self.root_required)
                + [f'!{t}' for t in sorted(self.root_forbidden)])))
        for suffixes in self.same_subtree:
            params.append(('same_subtree', ','.join(sorted(suffixes))))
        for group in self.groups:
            params.extend(_group_params(group))
        return parse.urlencode(sorted(params))


def _target(spec: spec_obj.RequestSpec) -> tuple[str | None, str | None]:
    """The requested destination's host/node, else the forced ones."""
    host = node = None
    if spec.requested_destination is not None:
        host = spec.requested_destination.host
        node = spec.requested_destination.node
    if spec.force_hosts:
        host = host or spec.force_hosts[0]
    if spec.force_nodes:
        node = node or spec.force_nodes[0]
    return host, node


def _add_destination_aggregates(req: resources.RequestBuilder,
                                spec: spec_obj.RequestSpec) -> None:
    dest = spec.requested_destination
    if dest is None:
        return
    if dest.aggregates:
        # ['a,b', 'c'] means (a OR b) AND c.
        req.group().aggregates = [
            tuple(any_of.split(',')) for any_of in dest.aggregates]
    if dest.forbidden_aggregates:
        req.group().forbidden_aggregates |= set(dest.forbidden_aggregates)


def _default_group_policy(req: resources.RequestBuilder) -> None:
    if req.suffixed_count() < 2 or req.group_policy:
        return
    LOG.warning(
        'There is more than one numbered request group in the allocation '
        'candidate query but the flavor did not specify any group policy. '
        "Specify group_policy 'none' or 'isolate' in the flavor extra specs "
        'if it defines more than one numbered request group.')
    if req.suffixed_groups_from_flavor <= 1:
        # The other groups come from ports, PCI or accelerators, which the
        # user cannot give a policy for: placement would reject the query.
        LOG.info('At least one numbered request group is defined outside '
                 'of the flavor but the flavor did not specify any group '
                 "policy; defaulting the group policy to 'none'.")
        req.group_policy = 'none'


def build_query(spec: spec_obj.RequestSpec, *, max_placement_results: int,
                enable_pinning_translation: bool = True,
                resolve_target: TargetResolver | None = None) -> (
        PlacementQuery):
    """The allocation-candidates query nova 34 would send for ``spec``.

    ``enable_pinning_translation=False`` gives nova's fallback query (CPU
    pinning asked as VCPU). ``resolve_target(host, node)`` returns the
    uuids of the compute nodes matching a forced/requested target; one
    node pins the query with ``in_tree``, several drop the limit (Placement
    takes one ``in_tree`` only) and none raises TargetNotFound. Without a
    resolver a target only drops the limit, so it is never cut off.

    :raises: QueryError subclasses where nova raises.
    """
    req = resources.from_request_spec(spec, enable_pinning_translation)
    _add_destination_aggregates(req, spec)
    limit: int | None = max_placement_results
    host, node = _target(spec)
    if host or node:
        nodes = (None if resolve_target is None
                 else list(resolve_target(host, node)))
        if nodes is not None and not nodes:
            raise errors.TargetNotFound(host, node)
        if nodes is not None and len(nodes) == 1:
            req.group().in_tree = nodes[0]
        else:
            limit = None
    if any(hint in UNLIMITED_HINTS for hint in spec.scheduler_hints):
        limit = None
    _default_group_policy(req)
    params = spec.request_level_params
    return PlacementQuery(
        unsuffixed=(req.groups[None].freeze() if None in req.groups
                    else None),
        suffixed=tuple(group.freeze() for suffix, group in req.groups.items()
                       if suffix is not None),
        group_policy=req.group_policy,
        limit=limit,
        root_required=frozenset(params.root_required),
        root_forbidden=frozenset(params.root_forbidden),
        same_subtree=tuple(tuple(s) for s in params.same_subtree),
        cpu_pinning_requested=req.cpu_pinning_requested)

"""Why a request got the hosts it got, or none.

A ``Recorder`` collects what each stage of one select_destinations did;
``freeze()`` turns it into an immutable ``Explanation``. From that come
two renderings: ``user_reason`` (the NoValidHost reason nova stores as the
instance fault: counts and stage/filter names only, never host names,
UUIDs or aggregate names, and at most 255 characters with nova's prefix)
and ``operator_record`` (one structured record with the full detail,
identifiers rendered by the log redaction: hashed unless configured
clear).
"""

import dataclasses
import enum
from typing import Any

from scheduler import redaction

# nova.exception.NoValidHost's message template is "No valid host was
# found. %(reason)s" and the instance fault message column is 255 long.
NOVA_PREFIX = 'No valid host was found. '
MAX_MESSAGE = 255
MAX_REASON = MAX_MESSAGE - len(NOVA_PREFIX)
# nova's fixed phrases, kept at the start of ours so tooling still matches.
NOT_ENOUGH_HOSTS = 'There are not enough hosts available.'
NO_SUCH_HOST = 'No such host'



class Stage(enum.StrEnum):
    """The stage of select_destinations that failed, in pipeline order."""

    AUTHORIZATION = 'authorization'
    # The request itself cannot be served (an impossible flavor/image).
    REQUEST = 'request'
    REQUEST_FILTERS = 'request_filters'
    # A forced or requested destination that is no compute node.
    TARGET = 'target'
    PLACEMENT = 'placement'
    HOSTS = 'hosts'
    FILTERS = 'filters'
    CLAIMS = 'claims'

# A claim outcome of ours: the request's deadline ran out while concurrent
# requests kept winning its claims (Placement itself answered).
OUT_OF_TIME = 'out_of_time'
CLAIM_OUTCOMES = ('claimed', 'capacity', 'conflict', 'unreachable',
                  'failed', OUT_OF_TIME)


@dataclasses.dataclass(frozen=True, slots=True)
class FilterCount:
    """What one filter (or host pre-filter step) did for one instance."""

    name: str
    hosts_in: int
    hosts_out: int
    reasons: tuple[tuple[str, int], ...] = ()

    @property
    def removed(self) -> int:
        return self.hosts_in - self.hosts_out


@dataclasses.dataclass(frozen=True, slots=True)
class PlacementCount:
    queries: int = 0
    candidates: int = 0
    providers: int = 0
    limit: int | None = None
    truncated: bool = False
    fallback_query: bool = False
    # Set when Placement could not answer; the text is ours (no URLs).
    failure: str | None = None
    unreachable: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class ClaimCount:
    tried: int = 0
    claimed: int = 0
    capacity: int = 0
    conflict: int = 0
    unreachable: int = 0
    # Placement answered in a way a claim cannot use.
    failed: int = 0
    # The deadline ran out after claims were lost to concurrent requests.
    out_of_time: int = 0

    def add(self, outcome: str) -> 'ClaimCount':
        changes: dict[str, int] = {'tried': self.tried + 1}
        if outcome in CLAIM_OUTCOMES:
            changes[outcome] = getattr(self, outcome) + 1
        return dataclasses.replace(self, **changes)

    def plus(self, other: 'ClaimCount') -> 'ClaimCount':
        return ClaimCount(*(
            getattr(self, f.name) + getattr(other, f.name)
            for f in dataclasses.fields(self)))


@dataclasses.dataclass(frozen=True, slots=True)
class Explanation:
    request_id: str | None
    instances_requested: int
    instances_placed: int
    failed_stage: Stage | None
    failure: str | None
    request_filters: tuple[str, ...]
    placement: PlacementCount | None
    hosts_found: int
    # Pre-filter host losses: candidates without a compute node, hosts
    # whose data is incomplete, unreachable cells.
    host_losses: tuple[tuple[str, int], ...]
    filters: tuple[FilterCount, ...]
    claims: ClaimCount
    durations_ms: tuple[tuple[str, float], ...]
    # Cells whose hosts could not be read (dead or slow cell databases).
    unavailable_cells: int = 0
    # nova's own text of the failure when it differs from ``failure``
    # (e.g. it names the network): operators and nova-compatible reasons.
    failure_detail: str | None = None
    # Request fields dropped because the caller may not set them.
    authorization_drops: tuple[str, ...] = ()
    # The forced or requested destination (host, node) that matched no
    # compute node, kept apart from the text so logs can hash the names.
    target: tuple[str | None, str | None] | None = None
    # Time each configured filter took over the whole request (every
    # instance of a multi-create), in filter order; filters that never
    # ran (nova's rules skipped them, or no host was left) are absent.
    filter_durations_ms: tuple[tuple[str, float], ...] = ()
    # How many times Placement was asked again after claims lost races
    # with concurrent requests (the candidates before were stale).
    requeries: int = 0


class Recorder:
    """Per-request, single-threaded collector of stage outcomes."""

    def __init__(self, request_id: str | None, instances: int) -> None:
        self.request_id = request_id
        self.instances_requested = instances
        self.instances_placed = 0
        self.failed_stage: Stage | None = None
        self.failure: str | None = None
        self.failure_detail: str | None = None
        self.request_filters: list[str] = []
        self.placement: PlacementCount | None = None
        self.hosts_found = 0
        self.host_losses: dict[str, int] = {}
        self.filters: tuple[FilterCount, ...] = ()
        self.claims = ClaimCount()
        self.durations_ms: dict[str, float] = {}
        self.unavailable_cells = 0
        self.authorization_drops: tuple[str, ...] = ()
        # The requested destination that matched no compute node.
        self.target: tuple[str | None, str | None] | None = None
        self.filter_durations_ms: dict[str, float] = {}
        self.requeries = 0

    def fail(self, stage: Stage, failure: str | None = None,
             detail: str | None = None) -> None:
        self.failed_stage = stage
        self.failure = failure
        self.failure_detail = detail

    def failed(self, stage: Stage, failure: str | None, detail: str | None,
               counts: 'PlacementCount | ClaimCount | None',
               target: tuple[str | None, str | None] | None) -> None:
        """A stage failed with what it counted (errors.StageFailed)."""
        self.fail(stage, failure, detail)
        if isinstance(counts, PlacementCount):
            self.placement = counts
        elif isinstance(counts, ClaimCount):
            self.claims = self.claims.plus(counts)
        if target is not None:
            self.target = target

    def lose_hosts(self, why: str, count: int) -> None:
        if count:
            self.host_losses[why] = self.host_losses.get(why, 0) + count

    def timed(self, stage: str, milliseconds: float) -> None:
        self.durations_ms[stage] = (
            self.durations_ms.get(stage, 0.0) + milliseconds)

    def timed_filter(self, name: str, milliseconds: float) -> None:
        self.filter_durations_ms[name] = (
            self.filter_durations_ms.get(name, 0.0) + milliseconds)

    def freeze(self) -> Explanation:
        return Explanation(
            request_id=self.request_id,
            instances_requested=self.instances_requested,
            instances_placed=self.instances_placed,
            failed_stage=self.failed_stage,
            failure=self.failure,
            request_filters=tuple(self.request_filters),
            placement=self.placement,
            hosts_found=self.hosts_found,
            host_losses=tuple(sorted(self.host_losses.items())),
            filters=self.filters,
            claims=self.claims,
            durations_ms=tuple(sorted(
                (k, round(v, 3)) for k, v in self.durations_ms.items())),
            failure_detail=self.failure_detail,
            unavailable_cells=self.unavailable_cells,
            authorization_drops=self.authorization_drops,
            target=self.target,
            filter_durations_ms=tuple(
                (k, round(v, 3))
                for k, v in self.filter_durations_ms.items()),
            requeries=self.requeries,
        )


def _placement_note(expl: Explanation) -> str:
    notes = []
    if expl.placement is not None and expl.placement.truncated:
        notes.append(f'candidates truncated at {expl.placement.limit}')
    if expl.unavailable_cells:
        cells = 'cell' if expl.unavailable_cells == 1 else 'cells'
        notes.append(f'{expl.unavailable_cells} {cells} unreachable')
    return f' ({"; ".join(notes)})' if notes else ''


def _fit(head: str, items: list[str], tail: str) -> str:
    """Join as many items as fit in MAX_REASON, noting what was left."""
    kept: list[str] = []
    for i, item in enumerate(items):
        rest = len(items) - i - 1
        more = f', +{rest} more' if rest else ''
        candidate = head + ', '.join(kept + [item]) + more + tail
        if len(candidate) > MAX_REASON:
            left = len(items) - len(kept)
            text = head + ', '.join(kept) + (
                f'{", " if kept else ""}+{left} more') + tail
            return text[:MAX_REASON]
        kept.append(item)
    return (head + ', '.join(kept) + tail)[:MAX_REASON]


def _host_funnel(expl: Explanation) -> str:
    """'0/1000 hosts are available: 612 ComputeFilter, ...'."""
    # The last instance's view: later instances of a multi-create start
    # from the hosts the previous one kept, as in nova.
    seen = expl.filters[0].hosts_in if expl.filters else expl.hosts_found
    start = seen + sum(n for _, n in expl.host_losses)
    items = [f'{n} {why}' for why, n in expl.host_losses]
    for fc in sorted(expl.filters, key=lambda f: -f.removed):
        if fc.removed:
            items.append(f'{fc.removed} {fc.name}')
    passed = expl.filters[-1].hosts_out if expl.filters else expl.hosts_found
    head = f'{NOT_ENOUGH_HOSTS} {passed}/{start} hosts are available'
    head += ': ' if items else ''
    tail = _placement_note(expl)
    if expl.instances_requested > 1:
        tail += (f'; {expl.instances_placed} of '
                 f'{expl.instances_requested} instances placed')
    return _fit(head, items, tail)


def _claims(expl: Explanation) -> str:
    c = expl.claims
    parts = [f'{c.tried} tried']
    # A refusal for capacity of a host our filters passed means another
    # request took that capacity since the candidates were read.
    for label, n in (('taken by concurrent requests', c.capacity),
                     ('conflicted', c.conflict),
                     ('unanswered', c.unreachable),
                     ('answered unexpectedly', c.failed)):
        if n:
            parts.append(f'{n} {label}')
    if expl.requeries:
        parts.append(f'candidates asked for {expl.requeries + 1} times')
    passed = expl.filters[-1].hosts_out if expl.filters else expl.hosts_found
    if c.unreachable or c.failed:
        text = ('Placement is unavailable: claims stopped, retry later: '
                f'{", ".join(parts)}')
    elif c.out_of_time:
        text = (f'{NOT_ENOUGH_HOSTS} {passed} hosts passed filters but '
                'concurrent requests took their capacity before the '
                f'request\'s deadline: {", ".join(parts)}')
    else:
        text = (f'{NOT_ENOUGH_HOSTS} {passed} hosts passed filters but no '
                f'claim succeeded: {", ".join(parts)}')
    if expl.instances_requested > 1:
        text += (f'; {expl.instances_placed} of '
                 f'{expl.instances_requested} instances placed')
    return text[:MAX_REASON]


def user_reason(expl: Explanation, nova_compatible: bool = False) -> str:
    """The reason for NoValidHost, as the user will see it."""
    stage = expl.failed_stage
    if stage == Stage.AUTHORIZATION:
        # nova has no such stage: our text either way.
        return (expl.failure or 'Not authorized')[:MAX_REASON]
    if nova_compatible:
        return _nova_reason(expl)
    if stage == Stage.REQUEST_FILTERS:
        return (expl.failure or 'Scheduling failed: a request filter '
                'rejected the request')[:MAX_REASON]
    if stage == Stage.TARGET:
        return (f'{NO_SUCH_HOST}: the requested destination is not a '
                'known compute node')
    if stage == Stage.REQUEST:
        return (f'The request cannot be scheduled: {expl.failure or ""}'
                .strip())[:MAX_REASON]
    if stage == Stage.PLACEMENT:
        p = expl.placement
        if p is not None and p.unreachable:
            return (f'Placement is unavailable: '
                    f'{p.failure or "could not get allocation candidates"}'
                    f', retry later')[:MAX_REASON]
        if p is not None and p.failure:
            return p.failure[:MAX_REASON]
        return ('Placement found 0 allocation candidates: no resource '
                'provider has the requested resources, traits and '
                'aggregates')
    if stage == Stage.CLAIMS:
        return _claims(expl)
    # Stage.HOSTS / Stage.FILTERS: the host funnel explains it.
    return _host_funnel(expl)


def _nova_reason(expl: Explanation) -> str:
    """nova 34's exact reason texts, for deployments that match on them."""
    stage = expl.failed_stage
    if stage in (Stage.REQUEST_FILTERS, Stage.REQUEST):
        return expl.failure_detail or expl.failure or ''
    if stage == Stage.TARGET:
        return expl.failure or f'{NO_SUCH_HOST} - host: None node: None '
    if stage == Stage.PLACEMENT:
        return ''
    return NOT_ENOUGH_HOSTS


def message(reason: str) -> str:
    return NOVA_PREFIX + reason


def render_id(kind: str, value: str | None,
              identifiers: redaction.Identifiers | None
              ) -> str | redaction.Identifier:
    """A host, node, instance, aggregate or provider id for a record.

    Rendered through ``identifiers`` (a string), or without them an
    ``Identifier`` that the log filter renders when the record is logged.
    """
    if identifiers is None:
        return redaction.Identifier(kind, value)
    return identifiers.render(kind, value)


def operator_record(expl: Explanation,
                    identifiers: redaction.Identifiers | None = None
                    ) -> dict[str, Any]:
    """The full detail for operators, as one structured record.

    Host and node names go through ``render_id`` (see there for
    ``identifiers``); nothing else in it names a host.
    """
    failure = expl.failure
    target = None
    if expl.target is not None:
        host, node = expl.target
        # nova's text names both; the names move to their own field.
        failure = NO_SUCH_HOST
        target = {'host': render_id(redaction.HOST, host, identifiers),
                  'node': render_id(redaction.NODE, node, identifiers)}
    return {
        'request_id': expl.request_id,
        'instances': {'requested': expl.instances_requested,
                      'placed': expl.instances_placed},
        'failed_stage': expl.failed_stage,
        'failure': failure,
        'target': target,
        'failure_detail': expl.failure_detail,
        'request_filters': list(expl.request_filters),
        'placement': (dataclasses.asdict(expl.placement)
                      if expl.placement else None),
        'hosts_found': expl.hosts_found,
        'host_losses': dict(expl.host_losses),
        'filters': [
            {'name': f.name, 'in': f.hosts_in, 'out': f.hosts_out,
             'reasons': dict(f.reasons)} for f in expl.filters],
        'claims': dataclasses.asdict(expl.claims),
        # Kept beside requeries for readers of earlier records.
        'second_query': expl.requeries > 0,
        'requeries': expl.requeries,
        'unavailable_cells': expl.unavailable_cells,
        'authorization_drops': list(expl.authorization_drops),
        'durations_ms': dict(expl.durations_ms),
        'filter_durations_ms': dict(expl.filter_durations_ms),
    }

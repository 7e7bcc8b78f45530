"""Host filters and the engine that runs them (nova/filters.py).

A filter looks at one immutable ``HostState`` and the request and returns
``None`` when the host passes or a ``Rejection`` saying why it does not.
A filter that also narrows the host for the rest of the request (nova's
NUMA and PCI filters drop the allocation candidates that do not fit and
set limits) implements ``refine`` instead, returning the narrowed host or
a ``Rejection``; later filters, the weighers, the claim and the
Selections all see the narrowed host. ``run_filters`` applies the enabled
filters in order with nova's rules and records what each one removed; the
NoValidHost explanation is built from those records. An exception inside
a filter is a bug and propagates.

Per request, the engine asks each filter for a ``host_check``: the
per-host test with what depends only on the request worked out once
(parsed extra specs and image properties, the clock), or ``None`` when
the filter cannot reject any host for this request (no extra spec it
reads, no PCI request...): every host then passes without a per-host
call.
"""

from collections.abc import Callable, Mapping, Sequence
import collections
import dataclasses
import functools
import time
from typing import Any, ClassVar, Literal

from oslo_config import cfg

from scheduler import host_state
from scheduler.objects import request_spec

StageStatus = Literal['ran', 'skipped', 'not_run']


@dataclasses.dataclass(frozen=True, slots=True)
class Rejection:
    """Why a filter turned a host down: its name and a short reason.

    The reason names no host: it is counted across hosts and may reach the
    user (in aggregate) through the NoValidHost explanation.
    """

    filter_name: str
    reason: str


# One host in, the host as later stages see it (or why it fails) out.
HostCheck = Callable[[host_state.HostState],
                     host_state.HostState | Rejection]


class BaseHostFilter:
    """Base of host filters; subclasses implement ``host_passes`` (or,
    to narrow the host, ``refine`` as RefiningHostFilter does)."""

    # Hosts' answers do not change between the instances of a
    # multi-create: run only for the first one.
    run_filter_once_per_request: ClassVar[bool] = False
    # Filters that read or prune HostState.allocation_candidates say so;
    # otherwise the pipeline attaches candidates only to the hosts it
    # claims or offers, not to every host of every request.
    USES_ALLOCATION_CANDIDATES: ClassVar[bool] = False
    # Run when the request only checks the current host for a rebuild.
    RUN_ON_REBUILD: ClassVar[bool] = False

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        self.conf = conf

    @property
    def name(self) -> str:
        return type(self).__name__

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec) -> Rejection | None:
        raise NotImplementedError

    def refine(self, host: host_state.HostState,
               spec: request_spec.RequestSpec
               ) -> host_state.HostState | Rejection:
        """The host as later stages should see it, or why it fails.

        Plain filters keep the host as it is.
        """
        rejection = self.host_passes(host, spec)
        return host if rejection is None else rejection

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> HostCheck | None:
        """The per-host test for this request, or None when every host
        passes it (the filter does not apply to this request).

        Filters override this to do per-request work once; the answer
        for each host must be exactly ``refine``'s.
        """
        return functools.partial(self.refine, spec=spec)

    def run_for_index(self, index: int) -> bool:
        return not (self.run_filter_once_per_request and index > 0)

    def reject(self, reason: str) -> Rejection:
        return Rejection(self.name, reason)


class RefiningHostFilter(BaseHostFilter):
    """A filter that narrows the host: subclasses implement ``refine``."""

    # Refining filters prune the host's allocation candidates.
    USES_ALLOCATION_CANDIDATES: ClassVar[bool] = True

    def refine(self, host: host_state.HostState,
               spec: request_spec.RequestSpec
               ) -> host_state.HostState | Rejection:
        raise NotImplementedError

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec) -> Rejection | None:
        result = self.refine(host, spec)
        return result if isinstance(result, Rejection) else None


def keep_candidates(host: host_state.HostState,
                    fits: Callable[[Mapping[str, Any]], bool]
                    ) -> tuple[Mapping[str, Any], ...]:
    """The host's allocation candidates that ``fits`` accepts, in order
    (nova's CandidateFilterMixin.filter_candidates)."""
    return tuple(c for c in host.allocation_candidates if fits(c))


@dataclasses.dataclass(frozen=True, slots=True)
class FilterStage:
    """What one filter did: hosts before and after, and why it removed.

    ``status`` is 'ran'; 'skipped' when nova's rules pass every host
    without asking the filter (once-per-request filter after the first
    instance, or a filter that does not run on rebuild); 'not_run' when
    earlier filters had already removed every host. ``seconds`` is the
    time the filter took ('ran' only), including when it found it did
    not apply to the request.
    """

    name: str
    hosts_in: int
    hosts_out: int
    reasons: collections.Counter[str] = dataclasses.field(
        default_factory=collections.Counter)
    status: StageStatus = 'ran'
    seconds: float = 0.0

    @property
    def removed(self) -> int:
        return self.hosts_in - self.hosts_out


@dataclasses.dataclass(frozen=True, slots=True)
class FilterOutcome:
    hosts: tuple[host_state.HostState, ...]
    stages: tuple[FilterStage, ...]


def run_filters(filters: Sequence[BaseHostFilter],
                hosts: Sequence[host_state.HostState],
                spec: request_spec.RequestSpec, *, index: int,
                is_rebuild: bool,
                clock: Callable[[], float] = time.perf_counter
                ) -> FilterOutcome:
    """The hosts passing every filter, in their original order (each as
    the filters refined it). ``clock`` (seconds) times each filter."""
    remaining = tuple(hosts)
    stages: list[FilterStage] = []
    for position, filter_ in enumerate(filters):
        if not filter_.run_for_index(index):
            # nova does not even count such a filter; it keeps every host.
            stages.append(FilterStage(filter_.name, len(remaining),
                                      len(remaining), status='skipped'))
            continue
        if is_rebuild and not filter_.RUN_ON_REBUILD:
            stages.append(FilterStage(filter_.name, len(remaining),
                                      len(remaining), status='skipped'))
            continue
        started = clock()
        reasons: collections.Counter[str] = collections.Counter()
        check = filter_.host_check(spec)
        passed: list[host_state.HostState] = []
        if check is None:
            passed.extend(remaining)
        else:
            # Every host asked at C speed; the answers sorted out once.
            results = list(map(check, remaining))
            passed = [r for r in results if not isinstance(r, Rejection)]
            if len(passed) != len(results):
                reasons.update(r.reason for r in results
                               if isinstance(r, Rejection))
        stages.append(FilterStage(filter_.name, len(remaining), len(passed),
                                  reasons,
                                  seconds=clock() - started))
        remaining = tuple(passed)
        if not remaining:
            stages.extend(FilterStage(f.name, 0, 0, status='not_run')
                          for f in filters[position + 1:])
            break
    return FilterOutcome(remaining, tuple(stages))

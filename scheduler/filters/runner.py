"""Running the host filters over the hosts (nova/filters.py).

``run_filters`` applies the enabled filters in order with nova's rules
(once-per-request filters, filters that do not run on rebuild, stop when
no host is left) and records what each one removed, by reason and by
rejection code; the NoValidHost explanation is built from those records.
"""

from collections.abc import Callable, Sequence
import collections
import dataclasses
import time
from typing import Literal

from scheduler.hoststate import host_state
from scheduler.filters import base
from scheduler.objects import request_spec

StageStatus = Literal['ran', 'skipped', 'not_run']


@dataclasses.dataclass(frozen=True, slots=True)
class FilterStage:
    """What one filter did: hosts before and after, and why it removed.

    ``reasons`` counts the rejections by free text (what the explanation
    shows), ``codes`` by their RejectionCode. ``status`` is 'ran';
    'skipped' when nova's rules pass every host without asking the
    filter (once-per-request filter after the first instance, or a
    filter that does not run on rebuild); 'not_run' when earlier filters
    had already removed every host. ``seconds`` is the
    time the filter took ('ran' only), including when it found it did
    not apply to the request.
    """

    name: str
    hosts_in: int
    hosts_out: int
    reasons: collections.Counter[str] = dataclasses.field(
        default_factory=collections.Counter)
    codes: collections.Counter[base.RejectionCode] = dataclasses.field(
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


def run_filters(filters: Sequence[base.BaseHostFilter],
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
        codes: collections.Counter[base.RejectionCode] = (
            collections.Counter())
        check = filter_.host_check(spec)
        passed: list[host_state.HostState] = []
        if check is None:
            passed.extend(remaining)
        else:
            # Every host asked at C speed; the answers sorted out once.
            results = list(map(check, remaining))
            passed = [r for r in results
                      if not isinstance(r, base.Rejection)]
            if len(passed) != len(results):
                rejections = [r for r in results
                              if isinstance(r, base.Rejection)]
                reasons.update(r.reason for r in rejections)
                codes.update(r.code for r in rejections)
        stages.append(FilterStage(filter_.name, len(remaining), len(passed),
                                  reasons, codes,
                                  seconds=clock() - started))
        remaining = tuple(passed)
        if not remaining:
            stages.extend(FilterStage(f.name, 0, 0, status='not_run')
                          for f in filters[position + 1:])
            break
    return FilterOutcome(remaining, tuple(stages))

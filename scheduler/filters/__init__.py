"""Host filters and the engine that runs them (nova/filters.py).

A filter looks at one immutable ``HostState`` and the request and returns
``None`` when the host passes or a ``Rejection`` saying why it does not.
``run_filters`` applies the enabled filters in order with nova's rules and
records what each one removed; the NoValidHost explanation is built from
those records. An exception inside a filter is a bug and propagates.
"""

from collections.abc import Sequence
import collections
import dataclasses
from typing import ClassVar, Literal

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


class BaseHostFilter:
    """Base of host filters; subclasses implement ``host_passes``."""

    # Hosts' answers do not change between the instances of a
    # multi-create: run only for the first one.
    run_filter_once_per_request: ClassVar[bool] = False
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

    def run_for_index(self, index: int) -> bool:
        return not (self.run_filter_once_per_request and index > 0)

    def reject(self, reason: str) -> Rejection:
        return Rejection(self.name, reason)


@dataclasses.dataclass(frozen=True, slots=True)
class FilterStage:
    """What one filter did: hosts before and after, and why it removed.

    ``status`` is 'ran'; 'skipped' when nova's rules pass every host
    without asking the filter (once-per-request filter after the first
    instance, or a filter that does not run on rebuild); 'not_run' when
    earlier filters had already removed every host.
    """

    name: str
    hosts_in: int
    hosts_out: int
    reasons: collections.Counter[str] = dataclasses.field(
        default_factory=collections.Counter)
    status: StageStatus = 'ran'

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
                is_rebuild: bool) -> FilterOutcome:
    """The hosts passing every filter, in their original order."""
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
        reasons: collections.Counter[str] = collections.Counter()
        passed = []
        for host in remaining:
            rejection = filter_.host_passes(host, spec)
            if rejection is None:
                passed.append(host)
            else:
                reasons[rejection.reason] += 1
        stages.append(FilterStage(filter_.name, len(remaining), len(passed),
                                  reasons))
        remaining = tuple(passed)
        if not remaining:
            stages.extend(FilterStage(f.name, 0, 0, status='not_run')
                          for f in filters[position + 1:])
            break
    return FilterOutcome(remaining, tuple(stages))

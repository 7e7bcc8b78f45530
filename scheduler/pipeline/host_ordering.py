"""Filter, weigh and order hosts for one instance of a request.

This is nova's _get_sorted_hosts with get_filtered_hosts folded in: the
request's host constraints, then the filters, then the weighers, then
ranking. What each step removed is counted in the result.
"""

from collections.abc import Sequence
import dataclasses
import random
import time

from oslo_config import cfg

from scheduler import explanation
from scheduler.pipeline import host_constraints
from scheduler.hoststate import host_state
from scheduler.pipeline import ranking
from scheduler.filters import base as filters_base
from scheduler.filters import runner as filters_runner
from scheduler.objects import request_spec
from scheduler.weighers import base as weighers_base
from scheduler.weighers import engine as weighers_engine


def _filter_counts(outcome: filters_runner.FilterOutcome
                   ) -> tuple[explanation.FilterCount, ...]:
    return tuple(
        explanation.FilterCount(
            s.name, s.hosts_in, s.hosts_out,
            tuple(sorted(s.reasons.items())))
        for s in outcome.stages)


@dataclasses.dataclass(frozen=True, slots=True)
class Ordered:
    """The hosts for one instance, best first, and what each step did."""

    hosts: list[host_state.HostState]
    # Per host constraint step and filter: hosts in and out, reasons.
    counts: tuple[explanation.FilterCount, ...]
    # Milliseconds each filter that ran took, in filter order.
    filter_ms: tuple[tuple[str, float], ...]
    filters_ms: float
    # None when no host was left to weigh.
    weighers_ms: float | None


def sorted_hosts(hosts: Sequence[host_state.HostState],
                 spec: request_spec.RequestSpec, index: int, *,
                 filters: Sequence[filters_base.BaseHostFilter],
                 weighers: Sequence[weighers_base.BaseWeigher],
                 conf: cfg.ConfigOpts, rng: random.Random,
                 is_rebuild: bool,
                 memo: weighers_engine.WeighingMemo | None = None
                 ) -> Ordered:
    started = time.monotonic()
    constrained = host_constraints.apply(hosts, spec)
    counts = constrained.steps
    filter_ms: tuple[tuple[str, float], ...] = ()
    passed: Sequence[host_state.HostState] = constrained.hosts
    if not constrained.skip_filters and passed:
        outcome = filters_runner.run_filters(
            filters, passed, spec, index=index, is_rebuild=is_rebuild)
        counts += _filter_counts(outcome)
        filter_ms = tuple((stage.name, stage.seconds * 1000)
                          for stage in outcome.stages
                          if stage.status == 'ran')
        passed = outcome.hosts
    filters_ms = (time.monotonic() - started) * 1000
    if not passed:
        return Ordered([], counts, filter_ms, filters_ms, None)
    started = time.monotonic()
    by_weight, weights = weighers_engine.weigh_sorted(
        weighers, passed, spec, memo)
    ordered = ranking.rank(
        by_weight, weights,
        host_subset_size=conf.filter_scheduler.host_subset_size,
        shuffle_best=conf.filter_scheduler.shuffle_best_same_weighed_hosts,
        rng=rng)
    return Ordered(ordered, counts, filter_ms, filters_ms,
                   (time.monotonic() - started) * 1000)

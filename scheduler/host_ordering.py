"""Filter, weigh and order hosts for one instance of a request.

This is nova's _get_sorted_hosts with get_filtered_hosts folded in: the
request's host constraints, then the filters, then the weighers, then
ranking. What each step removed is recorded for the explanation.
"""

from collections.abc import Sequence
import random
import time

from oslo_config import cfg

from scheduler import explanation
from scheduler import host_constraints
from scheduler import host_state
from scheduler import ranking
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


def sorted_hosts(hosts: Sequence[host_state.HostState],
                 spec: request_spec.RequestSpec, index: int, *,
                 filters: Sequence[filters_base.BaseHostFilter],
                 weighers: Sequence[weighers_base.BaseWeigher],
                 conf: cfg.ConfigOpts, rng: random.Random,
                 recorder: explanation.Recorder, is_rebuild: bool,
                 memo: weighers_engine.WeighingMemo | None = None
                 ) -> list[host_state.HostState]:
    started = time.monotonic()
    constrained = host_constraints.apply(hosts, spec)
    counts = constrained.steps
    passed: Sequence[host_state.HostState] = constrained.hosts
    if not constrained.skip_filters and passed:
        outcome = filters_runner.run_filters(
            filters, passed, spec, index=index, is_rebuild=is_rebuild)
        counts += _filter_counts(outcome)
        for stage in outcome.stages:
            if stage.status == 'ran':
                recorder.timed_filter(stage.name, stage.seconds * 1000)
        passed = outcome.hosts
    recorder.filters = counts
    recorder.timed('filters', (time.monotonic() - started) * 1000)
    if not passed:
        return []
    started = time.monotonic()
    by_weight, weights = weighers_engine.weigh_sorted(
        weighers, passed, spec, memo)
    ordered = ranking.rank(
        by_weight, weights,
        host_subset_size=conf.filter_scheduler.host_subset_size,
        shuffle_best=conf.filter_scheduler.shuffle_best_same_weighed_hosts,
        rng=rng)
    recorder.timed('weighers', (time.monotonic() - started) * 1000)
    return ordered

"""The simulation's results as data, for the report and its JSON export.

One ``Summary`` per run (what ran: its configuration files and the
options they change; what happened: placements, NoValidHost by stage and
by filter, each failed request, utilisation, latency), one
``Comparison`` of each run with the baseline (the first run), and
``document()``, the JSON-able form of both that the HTML page, the
``.json`` export and ``simulate -f json|yaml`` all show.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
import dataclasses
import statistics
from typing import Any

from scheduler import explanation
from scheduler.simulator import config_diff
from scheduler.simulator import workload_run

FORMAT = 'hardened-scheduler-simulation/1'
PERCENTILES = (('p50', 0.5), ('p90', 0.9), ('p99', 0.99))


@dataclasses.dataclass(frozen=True)
class HostUsage:
    host: str
    zone: str
    vcpu_used: int
    vcpu_capacity: float
    ram_used: int
    ram_capacity: int

    @property
    def vcpu_ratio(self) -> float:
        return self.vcpu_used / self.vcpu_capacity if self.vcpu_capacity \
            else 0.0


@dataclasses.dataclass(frozen=True)
class FailedRequest:
    """One request that ended in NoValidHost, as the drill-down shows it.

    ``filters`` is what each filter did (the last instance's view for a
    multi-create), from the service's decision record; ``reason`` is the
    NoValidHost reason the user sees.
    """

    number: int  # in the order the workload sent them, from 1
    flavor: str
    instances: int
    zone: str | None
    group: str | None
    stage: str
    reason: str
    filters: tuple[explanation.FilterCount, ...]

    @property
    def blocking_filter(self) -> str | None:
        """The filter that removed the last hosts, if one did."""
        return next((f.name for f in self.filters if f.hosts_out == 0
                     and f.hosts_in > 0), None)


@dataclasses.dataclass(frozen=True)
class Spread:
    """Host vCPU utilisation (used / capacity) across the hosts."""

    mean: float
    stdev: float
    min: float
    max: float


@dataclasses.dataclass(frozen=True)
class Summary:
    label: str
    config_files: tuple[str, ...]
    changed_options: tuple[config_diff.ChangedOption, ...]
    requests: int
    succeeded: int
    instances_placed: int
    failures_by_stage: Mapping[str, int]
    failures_by_filter: Mapping[str, int]
    top_reasons: tuple[tuple[str, int], ...]
    latency_ms: Mapping[str, float]
    latencies_ms: tuple[float, ...]
    hosts: tuple[HostUsage, ...]
    failed_requests: tuple[FailedRequest, ...]
    wall_seconds: float

    @property
    def no_valid_host(self) -> int:
        return self.requests - self.succeeded

    @property
    def hosts_used(self) -> int:
        return sum(1 for h in self.hosts if h.vcpu_used)

    def zone_vcpu(self) -> dict[str, float]:
        used: dict[str, float] = {}
        cap: dict[str, float] = {}
        for h in self.hosts:
            used[h.zone] = used.get(h.zone, 0.0) + h.vcpu_used
            cap[h.zone] = cap.get(h.zone, 0.0) + h.vcpu_capacity
        return {z: used[z] / cap[z] for z in sorted(cap) if cap[z]}

    def vcpu_spread(self) -> Spread:
        ratios = [h.vcpu_ratio for h in self.hosts] or [0.0]
        return Spread(
            mean=statistics.fmean(ratios),
            stdev=statistics.pstdev(ratios), min=min(ratios),
            max=max(ratios))


@dataclasses.dataclass(frozen=True)
class Metric:
    """One row of a comparison: a number of each run and the delta."""

    key: str
    label: str
    unit: str
    baseline: float
    run: float

    @property
    def delta(self) -> float:
        return self.run - self.baseline


@dataclasses.dataclass(frozen=True)
class Comparison:
    baseline: str
    run: str
    metrics: tuple[Metric, ...]
    # (option, baseline value, this run's value) where they differ.
    options: tuple[tuple[str, str, str], ...]


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _failed(number: int, outcome: workload_run.Outcome) -> FailedRequest:
    return FailedRequest(
        number=number, flavor=outcome.flavor, instances=outcome.instances,
        zone=outcome.zone, group=outcome.group, stage=outcome.stage or '',
        reason=outcome.reason or '', filters=outcome.filters)


def summarize(result: workload_run.RunResult, hosts: Sequence[HostUsage],
              config_files: Sequence[str],
              changed_options: Sequence[config_diff.ChangedOption]
              ) -> Summary:
    ok = [o for o in result.outcomes if o.stage is None]
    failed = tuple(_failed(n, o) for n, o in enumerate(result.outcomes, 1)
                   if o.stage is not None)
    # Rounded once, here: the text, the charts and the JSON export then
    # show the same figures (rounding a rounded value again could differ
    # in the last digit).
    latencies = tuple(_round(o.seconds * 1000) for o in result.outcomes)
    latency = {k: percentile(latencies, q) for k, q in PERCENTILES}
    latency['max'] = max(latencies, default=0.0)
    latency['mean'] = (_round(statistics.fmean(latencies)) if latencies
                       else 0.0)
    return Summary(
        label=result.label, config_files=tuple(config_files),
        changed_options=tuple(changed_options),
        requests=len(result.outcomes), succeeded=len(ok),
        instances_placed=sum(o.instances for o in ok),
        failures_by_stage=dict(sorted(Counter(
            f.stage for f in failed).items())),
        failures_by_filter=dict(sorted(Counter(
            f.blocking_filter for f in failed
            if f.blocking_filter).items())),
        top_reasons=tuple(Counter(f.reason for f in failed)
                          .most_common(8)),
        latency_ms=latency, latencies_ms=latencies, hosts=tuple(hosts),
        failed_requests=failed, wall_seconds=result.wall_seconds)


def _counts(prefix: str, label: str, base: Mapping[str, int],
            run: Mapping[str, int]) -> list[Metric]:
    return [Metric(f'{prefix}.{k}', f'{label} {k}', 'requests',
                   base.get(k, 0), run.get(k, 0))
            for k in sorted(set(base) | set(run))]


def compare(baseline: Summary, run: Summary) -> Comparison:
    """``run`` against ``baseline``, metric by metric."""
    b, r = baseline.vcpu_spread(), run.vcpu_spread()
    metrics = [
        Metric('instances_placed', 'instances placed', 'instances',
               baseline.instances_placed, run.instances_placed),
        Metric('succeeded', 'requests succeeded', 'requests',
               baseline.succeeded, run.succeeded),
        Metric('no_valid_host', 'NoValidHost', 'requests',
               baseline.no_valid_host, run.no_valid_host),
        *_counts('no_valid_host.stage', 'NoValidHost at stage',
                 baseline.failures_by_stage, run.failures_by_stage),
        *_counts('no_valid_host.filter', 'NoValidHost by filter',
                 baseline.failures_by_filter, run.failures_by_filter),
        Metric('hosts_used', 'hosts used', 'hosts',
               baseline.hosts_used, run.hosts_used),
    ]
    for field in ('mean', 'stdev', 'min', 'max'):
        metrics.append(Metric(
            f'host_vcpu.{field}', f'host vCPU utilisation {field}', '%',
            100 * getattr(b, field), 100 * getattr(r, field)))
    for key, _ in PERCENTILES:
        metrics.append(Metric(
            f'latency.{key}', f'latency {key}', 'ms',
            baseline.latency_ms[key], run.latency_ms[key]))
    return Comparison(
        baseline=baseline.label, run=run.label, metrics=tuple(metrics),
        options=config_diff.differences(
            baseline.changed_options, run.changed_options))


def comparisons(summaries: Sequence[Summary]) -> tuple[Comparison, ...]:
    """The first run (the baseline) against each of the others."""
    return tuple(compare(summaries[0], s) for s in summaries[1:])


def _round(value: float) -> float:
    return round(value, 3)


def _failed_document(f: FailedRequest) -> dict[str, Any]:
    return {
        'number': f.number, 'flavor': f.flavor, 'instances': f.instances,
        'zone': f.zone, 'group': f.group, 'stage': f.stage,
        'reason': f.reason, 'blocking_filter': f.blocking_filter,
        'filters': [{'name': c.name, 'hosts_in': c.hosts_in,
                     'hosts_out': c.hosts_out, 'reasons': dict(c.reasons)}
                    for c in f.filters]}


def _run_document(s: Summary) -> dict[str, Any]:
    spread = s.vcpu_spread()
    return {
        'label': s.label,
        'config_files': list(s.config_files),
        'changed_options': [dataclasses.asdict(c)
                            for c in s.changed_options],
        'requests': s.requests, 'succeeded': s.succeeded,
        'no_valid_host': s.no_valid_host,
        'instances_placed': s.instances_placed,
        'wall_seconds': _round(s.wall_seconds),
        'failures_by_stage': dict(s.failures_by_stage),
        'failures_by_filter': dict(s.failures_by_filter),
        'top_reasons': [{'reason': r, 'count': n}
                        for r, n in s.top_reasons],
        'latency_ms': {k: _round(v) for k, v in s.latency_ms.items()},
        'vcpu_utilisation': {
            'by_zone': {z: _round(v) for z, v in s.zone_vcpu().items()},
            'hosts': {k: _round(v)
                      for k, v in dataclasses.asdict(spread).items()},
            'hosts_used': s.hosts_used, 'hosts_total': len(s.hosts)},
        'failed_requests': [_failed_document(f) for f in s.failed_requests],
        'hosts': [dataclasses.asdict(h) for h in s.hosts],
        'latencies_ms': [_round(v) for v in s.latencies_ms],
    }


def _comparison_document(c: Comparison) -> dict[str, Any]:
    return {
        'baseline': c.baseline, 'run': c.run,
        'metrics': [{'key': m.key, 'label': m.label, 'unit': m.unit,
                     'baseline': _round(m.baseline), 'run': _round(m.run),
                     'delta': _round(m.delta)} for m in c.metrics],
        'options': [{'option': o, 'baseline': b, 'run': r}
                    for o, b, r in c.options]}


def document(summaries: Sequence[Summary]) -> dict[str, Any]:
    """Every run and every comparison as plain dicts, lists, numbers."""
    return {
        'format': FORMAT,
        'runs': [_run_document(s) for s in summaries],
        'comparisons': [_comparison_document(c)
                        for c in comparisons(summaries)],
    }

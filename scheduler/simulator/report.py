"""The simulation report: a text summary and an HTML page with plots.

Plots are inline SVG drawn here, so the report needs no plotting library
and opens anywhere.
"""

from collections import Counter
from collections.abc import Mapping, Sequence
import dataclasses
import html
import statistics

from scheduler.simulator import workload_run


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
class Summary:
    label: str
    requests: int
    succeeded: int
    instances_placed: int
    failures_by_stage: Mapping[str, int]
    top_reasons: tuple[tuple[str, int], ...]
    latency_ms: Mapping[str, float]
    latencies_ms: tuple[float, ...]
    hosts: tuple[HostUsage, ...]
    wall_seconds: float

    def zone_vcpu(self) -> dict[str, float]:
        used: dict[str, float] = {}
        cap: dict[str, float] = {}
        for h in self.hosts:
            used[h.zone] = used.get(h.zone, 0.0) + h.vcpu_used
            cap[h.zone] = cap.get(h.zone, 0.0) + h.vcpu_capacity
        return {z: used[z] / cap[z] for z in sorted(cap) if cap[z]}


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def summarize(result: workload_run.RunResult,
              hosts: Sequence[HostUsage]) -> Summary:
    ok = [o for o in result.outcomes if o.stage is None]
    failed = list(workload_run.iter_failures(result))
    latencies = tuple(o.seconds * 1000 for o in result.outcomes)
    return Summary(
        label=result.label, requests=len(result.outcomes),
        succeeded=len(ok), instances_placed=sum(o.instances for o in ok),
        failures_by_stage=dict(Counter(o.stage or '' for o in failed)),
        top_reasons=tuple(Counter(o.reason or '' for o in failed)
                          .most_common(8)),
        latency_ms={
            'p50': _percentile(latencies, 0.5),
            'p90': _percentile(latencies, 0.9),
            'p99': _percentile(latencies, 0.99),
            'max': max(latencies, default=0.0),
            'mean': statistics.fmean(latencies) if latencies else 0.0},
        latencies_ms=latencies, hosts=tuple(hosts),
        wall_seconds=result.wall_seconds)


def text(summaries: Sequence[Summary]) -> str:
    lines = []
    for s in summaries:
        used = sum(1 for h in s.hosts if h.vcpu_used)
        lines += [
            f'== {s.label} ==',
            f'requests: {s.requests}, scheduled: {s.succeeded} '
            f'({s.instances_placed} instances), NoValidHost: '
            f'{s.requests - s.succeeded}, in {s.wall_seconds:.1f} s',
            'latency ms: ' + ', '.join(
                f'{k} {v:.1f}' for k, v in s.latency_ms.items()),
            f'hosts used: {used}/{len(s.hosts)}; vCPU utilisation by '
            'zone: ' + ', '.join(f'{z} {r:.0%}'
                                 for z, r in s.zone_vcpu().items()),
            'NoValidHost by stage: ' + (', '.join(
                f'{k} {v}' for k, v in sorted(s.failures_by_stage.items()))
                or 'none')]
        for reason, count in s.top_reasons:
            lines.append(f'  {count:4d} x {reason}')
        lines.append('')
    return '\n'.join(lines)


def _bars(values: Sequence[float], labels: Sequence[str], title: str,
          width: int = 720, height: int = 200, fmt: str = '{:.0%}',
          top: float | None = None) -> str:
    top = top or max(values, default=1.0) or 1.0
    n = max(1, len(values))
    bar = width / n
    parts = [f'<svg width="{width}" height="{height + 40}" '
             f'xmlns="http://www.w3.org/2000/svg"><text x="0" y="14" '
             f'font-size="13">{html.escape(title)}</text>']
    for i, (v, label) in enumerate(zip(values, labels, strict=True)):
        h = height * min(1.0, v / top)
        parts.append(
            f'<rect x="{i * bar:.2f}" y="{20 + height - h:.2f}" '
            f'width="{max(bar - 1, 0.5):.2f}" height="{h:.2f}" '
            f'fill="#3b78b0"><title>{html.escape(label)}: '
            f'{html.escape(fmt.format(v))}</title></rect>')
        if n <= 12:
            parts.append(
                f'<text x="{i * bar + bar / 2:.1f}" y="{height + 36}" '
                f'font-size="11" text-anchor="middle">'
                f'{html.escape(label)} {html.escape(fmt.format(v))}'
                '</text>')
    parts.append('</svg>')
    return ''.join(parts)


def _histogram(values: Sequence[float], title: str, bins: int = 30) -> str:
    """Bins up to the 99th percentile; slower requests share the last."""
    if not values:
        return ''
    low, high = min(values), _percentile(values, 0.99)
    step = (high - low) / (bins - 1) or 1.0
    counts = [0] * bins
    for v in values:
        counts[min(bins - 1, int((v - low) / step))] += 1
    labels = [f'{low + i * step:.1f}-{low + (i + 1) * step:.1f} ms'
              for i in range(bins - 1)] + [f'over {high:.1f} ms']
    return _bars([float(c) for c in counts], labels,
                 f'{title}: {low:.0f} to {high:.0f} ms (p99), last bar '
                 'slower', fmt='{:.0f}')


def html_page(summaries: Sequence[Summary]) -> str:
    body = ['<!doctype html><html><head><meta charset="utf-8">'
            '<title>hardened-scheduler simulation</title></head>'
            '<body style="font-family: sans-serif">'
            '<h1>hardened-scheduler simulation</h1>']
    for s in summaries:
        hosts = sorted(s.hosts, key=lambda h: (h.zone, h.host))
        zones = s.zone_vcpu()
        body += [
            f'<h2>{html.escape(s.label)}</h2>',
            f'<pre>{html.escape(text([s]))}</pre>',
            _bars([h.vcpu_ratio for h in hosts], [h.host for h in hosts],
                  'vCPU utilisation per host (by zone, then name)', top=1.0),
            _bars(list(zones.values()), list(zones), 'vCPU utilisation per '
                  'zone (bar height: 100%)', width=360, top=1.0),
            _histogram(s.latencies_ms, 'select_destinations latency'),
        ]
    body.append('</body></html>')
    return '\n'.join(body)

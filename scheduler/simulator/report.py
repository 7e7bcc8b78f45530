"""The simulation report: a text summary, an HTML page and its JSON.

The page is ``templates/report.html.j2`` rendered by Jinja2 (autoescape
on: labels, file names, option values and reasons are the operator's
text) with the charts of ``charts`` inline; the JSON export next to it is
``report_data.document``, the same data. Jinja2 and matplotlib come with
the ``simulator`` extra.
"""

from collections.abc import Sequence
import json
import os

import jinja2
import markupsafe

from scheduler.simulator import charts
from scheduler.simulator import report_data

TEMPLATE = 'report.html.j2'


def _lines(s: report_data.Summary) -> list[str]:
    spread = s.vcpu_spread()
    lines = [
        f'== {s.label} ==',
        'configuration: ' + (', '.join(s.config_files) or 'defaults')
        + '; changed options: ' + (', '.join(
            f'{c.key} = {c.value}' for c in s.changed_options) or 'none'),
        f'requests: {s.requests}, scheduled: {s.succeeded} '
        f'({s.instances_placed} instances), NoValidHost: '
        f'{s.no_valid_host}, in {s.wall_seconds:.1f} s',
        'latency ms: ' + ', '.join(
            f'{k} {v:.1f}' for k, v in s.latency_ms.items()),
        f'hosts used: {s.hosts_used}/{len(s.hosts)}; vCPU utilisation by '
        'zone: ' + ', '.join(f'{z} {r:.0%}'
                             for z, r in s.zone_vcpu().items())
        + f'; per host: mean {spread.mean:.0%}, stdev {spread.stdev:.0%}, '
        f'min {spread.min:.0%}, max {spread.max:.0%}',
        'NoValidHost by stage: ' + (', '.join(
            f'{k} {v}' for k, v in s.failures_by_stage.items()) or 'none'),
        'NoValidHost by filter: ' + (', '.join(
            f'{k} {v}' for k, v in s.failures_by_filter.items()) or 'none')]
    lines += [f'  {count:4d} x {reason}' for reason, count in s.top_reasons]
    return lines


def _number(value: float) -> str:
    return f'{value:.0f}' if float(value).is_integer() else f'{value:.1f}'


def _signed(value: float) -> str:
    return ('+' if value > 0 else '') + _number(value)


def _comparison_lines(c: report_data.Comparison) -> list[str]:
    lines = [f'== {c.run} against {c.baseline} ==']
    width = max(len(m.label) for m in c.metrics)
    for m in c.metrics:
        lines.append(f'  {m.label:<{width}}  {_number(m.baseline):>8} '
                     f'{_number(m.run):>8}  {_signed(m.delta):>8} {m.unit}')
    lines += [f'  {option}: {base} -> {run}'
              for option, base, run in c.options]
    return lines


def text(summaries: Sequence[report_data.Summary]) -> str:
    lines: list[str] = []
    for s in summaries:
        lines += [*_lines(s), '']
    for c in report_data.comparisons(summaries):
        lines += [*_comparison_lines(c), '']
    return '\n'.join(lines)


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader('scheduler.simulator', 'templates'),
        autoescape=True, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True)
    env.filters['number'] = _number
    env.filters['signed'] = _signed
    return env


def html_page(summaries: Sequence[report_data.Summary]) -> str:
    return _environment().get_template(TEMPLATE).render(
        runs=summaries,
        comparisons=report_data.comparisons(summaries),
        charts=[(title, markupsafe.Markup(svg))  # noqa: S704 - ours
                for title, svg in charts.all_charts(summaries)])


def json_path(html_path: str) -> str:
    """``X.html`` -> ``X.json`` (any other name gets ``.json`` added)."""
    root, ext = os.path.splitext(html_path)
    return (root if ext.lower() in ('.html', '.htm') else html_path) + \
        '.json'


def write(html_path: str, summaries: Sequence[report_data.Summary]
          ) -> str:
    """Write the page and its JSON next to it; the JSON's path."""
    data = json_path(html_path)
    with open(html_path, 'w', encoding='utf-8') as f:
        f.write(html_page(summaries))
    with open(data, 'w', encoding='utf-8') as f:
        json.dump(report_data.document(summaries), f, indent=2)
        f.write('\n')
    return data

"""The report's charts: matplotlib figures rendered as inline SVG.

Figures are built with ``matplotlib.figure.Figure`` (no pyplot, no GUI
backend, no global figure state) and written by matplotlib's SVG
backend with text kept as text, so the page stays small and searchable.
Every chart shows every run, each in its own colour, with axes, units
and a legend. matplotlib comes with the ``simulator`` extra.
"""

from collections.abc import Sequence
import io

import matplotlib
from matplotlib import axes as axes_mod
from matplotlib import figure as figure_mod
from matplotlib import ticker

from scheduler.simulator import report_data

WIDTH_IN = 11.0
HEIGHT_IN = 3.6
PERCENT_BINS = list(range(0, 105, 5))


def _svg(fig: figure_mod.Figure, name: str) -> str:
    """The figure as an ``<svg>`` element (no XML prolog), its ids
    prefixed by ``name`` so that several charts share one page."""
    buf = io.StringIO()
    with matplotlib.rc_context({'svg.fonttype': 'none',
                                'svg.hashsalt': name}):
        fig.savefig(buf, format='svg', bbox_inches='tight',
                    metadata={'Date': None})
    text = buf.getvalue()
    return text[text.index('<svg'):]


def _figure(ncols: int = 1
            ) -> tuple[figure_mod.Figure, list[axes_mod.Axes]]:
    fig = figure_mod.Figure(figsize=(WIDTH_IN, HEIGHT_IN),
                            layout='constrained')
    axes = fig.subplots(1, ncols, squeeze=False)[0]
    return fig, list(axes)


def zone_utilisation(summaries: Sequence[report_data.Summary]) -> str:
    """Grouped bars: vCPU used / capacity per availability zone."""
    fig, (ax,) = _figure()
    zones = sorted({z for s in summaries for z in s.zone_vcpu()})
    width = 0.8 / max(1, len(summaries))
    for i, s in enumerate(summaries):
        ratios = s.zone_vcpu()
        xs = [z + (i - (len(summaries) - 1) / 2) * width
              for z in range(len(zones))]
        bars = ax.bar(xs, [100 * ratios.get(z, 0.0) for z in zones],
                      width=width, label=s.label)
        ax.bar_label(bars, fmt='%.0f%%', fontsize=8)
    ax.set_xticks(range(len(zones)), zones)
    ax.set_xlabel('availability zone')
    ax.set_ylabel('vCPU used / capacity (%)')
    ax.set_ylim(0, 105)
    ax.set_title('vCPU utilisation per availability zone')
    ax.legend(title='run', fontsize=8)
    ax.grid(axis='y', alpha=0.3)
    return _svg(fig, 'zones')


def host_distribution(summaries: Sequence[report_data.Summary]) -> str:
    """Histogram of host vCPU utilisation, one series per run."""
    fig, (ax,) = _figure()
    ax.hist([[100 * h.vcpu_ratio for h in s.hosts] for s in summaries],
            bins=PERCENT_BINS, label=[s.label for s in summaries])
    ax.set_xlabel('host vCPU used / capacity (%, bins of 5)')
    ax.set_ylabel('hosts')
    ax.yaxis.set_major_locator(ticker.MaxNLocator(integer=True))
    ax.set_xlim(0, 100)
    ax.set_title('Distribution of host vCPU utilisation (spread: '
                 'how evenly the weighers packed or spread instances)')
    ax.legend(title='run', fontsize=8)
    ax.grid(axis='y', alpha=0.3)
    return _svg(fig, 'hosts')


def latency(summaries: Sequence[report_data.Summary]) -> str:
    """Cumulative distribution and percentiles of request latency."""
    fig, (cdf, bars) = _figure(ncols=2)
    for s in summaries:
        ordered = sorted(s.latencies_ms)
        n = len(ordered)
        cdf.step(ordered, [100 * (i + 1) / n for i in range(n)],
                 where='post', label=s.label)
    cdf.set_xscale('log')
    cdf.set_xlabel('select_destinations latency (ms, log scale)')
    cdf.set_ylabel('requests at or below (%)')
    cdf.set_ylim(0, 101)
    cdf.set_title('Latency distribution (as the caller sees it)')
    cdf.grid(alpha=0.3)
    cdf.legend(title='run', fontsize=8)
    keys = [k for k, _ in report_data.PERCENTILES]
    width = 0.8 / max(1, len(summaries))
    for i, s in enumerate(summaries):
        xs = [k + (i - (len(summaries) - 1) / 2) * width
              for k in range(len(keys))]
        drawn = bars.bar(xs, [s.latency_ms[k] for k in keys], width=width,
                         label=s.label)
        bars.bar_label(drawn, fmt='%.0f', fontsize=8)
    bars.set_xticks(range(len(keys)), keys)
    bars.set_xlabel('percentile')
    bars.set_ylabel('latency (ms)')
    bars.set_title('Latency percentiles')
    bars.grid(axis='y', alpha=0.3)
    bars.legend(title='run', fontsize=8)
    return _svg(fig, 'latency')


def all_charts(summaries: Sequence[report_data.Summary]
               ) -> list[tuple[str, str]]:
    """(title, svg) of every chart, in the page's order."""
    return [('vCPU utilisation per zone', zone_utilisation(summaries)),
            ('Host utilisation distribution', host_distribution(summaries)),
            ('Latency', latency(summaries))]

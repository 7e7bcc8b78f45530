"""Bounded per-request DEBUG summaries of host lists.

A request may see a thousand hosts; DEBUG names at most
``[hardened_scheduler] debug_top_hosts`` of them and counts the rest::

    LOG.debug('Weighed: %s', TopHosts.of(ranked, limit))
    # Weighed: 1000 hosts, top 3: host~1a2b3c4d5e6f (2.5), ... ; 997 more

The object keeps only the top entries; the log filter renders its hosts
like any Identifier (without the filter they show in clear).
"""

from collections.abc import Iterable
import dataclasses
import itertools

from scheduler.redaction import identifiers as ids_mod


@dataclasses.dataclass(frozen=True, slots=True)
class TopHosts:
    """The first ``limit`` of ``total`` ranked (host, node, weight)."""

    top: tuple[tuple[str, str | None, float | None], ...]
    total: int

    @classmethod
    def of(cls, ranked: Iterable[tuple[str, str | None, float | None]],
           limit: int) -> 'TopHosts':
        """From hosts in rank order; reads only the first ``limit``
        (and counts the rest)."""
        items = iter(ranked)
        top = tuple(itertools.islice(items, max(0, limit)))
        rest = sum(1 for _ in items)
        return cls(top, len(top) + rest)

    def render(self, identifiers: ids_mod.Identifiers | None) -> str:
        def name(kind: str, value: str | None) -> str:
            return ids_mod.Identifier(kind, value).render(identifiers)

        shown = []
        for host, node, weight in self.top:
            label = name(ids_mod.HOST, host)
            if node is not None and node != host:
                label += '/' + name(ids_mod.NODE, node)
            if weight is not None:
                label += f' ({weight:.4g})'
            shown.append(label)
        noun = 'host' if self.total == 1 else 'hosts'
        text = f'{self.total} {noun}'
        if shown:
            text += f', top {len(shown)}: ' + ', '.join(shown)
        if self.total > len(shown) and shown:
            text += f'; {self.total - len(shown)} more'
        return text

    def __str__(self) -> str:
        return self.render(None)

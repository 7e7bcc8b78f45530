"""The host cache's state as a full reload read it.

The reload reads the API database and every cell without the cache lock;
the casts that arrived meanwhile (``cast_journal``) are replayed on what
it read, and a cell that could not be read keeps what the cache had.
"""

from collections.abc import Mapping

from scheduler.db import api_reader
from scheduler.hoststate import cache_data as cache_state
from scheduler.hoststate import cast_journal as journal_mod
from scheduler.hoststate import cell_scatter
from scheduler.hoststate import host_state
from scheduler.hoststate import loader as loader_mod

def from_full_read(before: cache_state.CacheState, api: loader_mod.ApiContent,
                   cells: dict[str, api_reader.CellRecord],
                   outcome: cell_scatter.Outcome[loader_mod.CellContent],
                   ops: list[journal_mod.Op],
                   inputs: cache_state.Inputs) -> cache_state.CacheState:
    """The state a full reload read, with casts since its start replayed.

    A cell that could not be read keeps what ``before`` had of it.
    """
    rows: dict[str, cache_state.CellRows] = {}
    instances: dict[str, dict[str, str | None]] = {}
    images: dict[str, Mapping[str, str]] = {}
    for cell, content in outcome.results.items():
        rows[cell] = cache_state.CellRows.of(content.rows)
        instances.update(content.instances)
        images.update(content.images)
    for cell in outcome.failures:
        if cell in before.rows:
            rows[cell] = before.rows[cell]
        hosts = {base.host for (c, _), base in before.bases.items()
                 if c == cell and isinstance(base, host_state.HostState)}
        hosts.update(h for h, c in before.host_cells.items() if c == cell)
        for host in hosts & set(before.instances):
            instances.setdefault(host, dict(before.instances[host]))
            images.update({u: before.images[u]
                           for u in before.instances[host]
                           if u in before.images})
    aggregates = {agg.id: agg for agg in api.aggregates}
    for op in ops:
        journal_mod.apply_to_instances(instances, op)
        journal_mod.apply_to_aggregates(aggregates, op)
    return cache_state.build(cache_state.CacheState(
        cells=cache_state.frozen(cells),
        host_cells=cache_state.frozen(api.host_cells),
        rows=cache_state.frozen(rows),
        aggregates=cache_state.frozen(aggregates),
        instances=cache_state.frozen(
            {h: cache_state.frozen(i) for h, i in instances.items()}),
        images=cache_state.frozen(images),
        unavailable=frozenset(outcome.failures),
        inputs=inputs))

"""Turning weighed hosts into the order we try them in.

nova shuffles the equally-best hosts when shuffle_best_same_weighed_hosts
is set, then moves one host picked at random among the first
host_subset_size to the front. The random generator is injected so tests
can seed it.
"""

from collections.abc import Sequence
import random

from scheduler import host_state
from scheduler import weighers


def rank(weighed: Sequence[weighers.WeighedHost], *, host_subset_size: int,
         shuffle_best: bool, rng: random.Random
         ) -> list[host_state.HostState]:
    ordered = list(weighed)
    if not ordered:
        return []
    if shuffle_best:
        top = ordered[0].weight
        best = [w for w in ordered if w.weight == top]
        rng.shuffle(best)
        ordered = best + ordered[len(best):]
    hosts = [w.host for w in ordered]
    # randrange(n) draws exactly as random.choice over n items does.
    index = rng.randrange(min(max(1, host_subset_size), len(hosts)))
    chosen = hosts.pop(index)
    return [chosen] + hosts

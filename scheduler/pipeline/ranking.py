"""Turning weighed hosts into the order we try them in.

nova shuffles the equally-best hosts when shuffle_best_same_weighed_hosts
is set, then moves one host picked at random among the first
host_subset_size to the front. The random generator is injected so tests
can seed it.
"""

from collections.abc import Sequence
import random

from scheduler.hoststate import host_state


def rank(hosts: Sequence[host_state.HostState], weights: Sequence[float],
         *, host_subset_size: int, shuffle_best: bool, rng: random.Random
         ) -> list[host_state.HostState]:
    """``hosts`` are sorted best first; ``weights`` are theirs."""
    ordered = list(hosts)
    if not ordered:
        return []
    if shuffle_best:
        top = weights[0]
        best = [h for h, w in zip(ordered, weights, strict=True) if w == top]
        rng.shuffle(best)
        ordered = best + ordered[len(best):]
    # randrange(n) draws exactly as random.choice over n items does.
    index = rng.randrange(min(max(1, host_subset_size), len(ordered)))
    chosen = ordered.pop(index)
    return [chosen] + ordered

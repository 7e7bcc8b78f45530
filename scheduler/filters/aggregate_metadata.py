"""Reading a host's aggregate metadata as nova's filters do.

nova's scheduler/filters/utils.py has three readers, kept apart here
because they differ: ``values_for_key`` returns the raw values of one key
(aggregate_values_from_key), ``metadata_by_key`` every key's comma-split,
stripped values (aggregate_metadata_get_by_host) and ``int_limit`` the
smallest integer value of a key, or the configured one
(validate_num_values with nova's fallback on a value int() rejects).
"""

import logging

from scheduler.hoststate import host_state

LOG = logging.getLogger(__name__)


def values_for_key(host: host_state.HostState, key: str) -> frozenset[str]:
    """The distinct raw values the host's aggregates set for ``key``."""
    return frozenset(agg.metadata[key] for agg in host.aggregates
                     if key in agg.metadata)


def metadata_by_key(host: host_state.HostState
                    ) -> dict[str, frozenset[str]]:
    """Every metadata key of the host's aggregates: its values, each
    aggregate's value split at commas and stripped."""
    merged: dict[str, set[str]] = {}
    for agg in host.aggregates:
        for key, value in agg.metadata.items():
            merged.setdefault(key, set()).update(
                part.strip() for part in value.split(','))
    return {key: frozenset(values) for key, values in merged.items()}


def int_limit(host: host_state.HostState, key: str, default: int) -> int:
    """The smallest of the integer values set for ``key``; ``default``
    when none is set or any of them is not an integer (as nova, the whole
    override is then ignored)."""
    values = values_for_key(host, key)
    if not values:
        return default
    try:
        return min(int(value) for value in values)
    except ValueError:
        # The key only, not the value: metadata is operator data but a
        # warning per host per request must stay short.
        LOG.warning('Aggregate metadata %s is not an integer; using the '
                    'configured value', key)
        return default

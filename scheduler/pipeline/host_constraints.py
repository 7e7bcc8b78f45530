"""Host pre-filtering from the request: destination, ignore and force.

These run before the filters, as nova's HostManager.get_filtered_hosts
does. Each step that removes hosts is recorded under its own name so the
NoValidHost explanation can count it like a filter.
"""

from collections.abc import Sequence
import dataclasses

from scheduler import explanation
from scheduler.hoststate import host_state
from scheduler.objects import request_spec

HostList = list[host_state.HostState]


@dataclasses.dataclass(frozen=True, slots=True)
class Constrained:
    hosts: tuple[host_state.HostState, ...]
    # True when force_hosts/force_nodes are given without the internal
    # check-type hint: nova then skips every filter.
    skip_filters: bool
    steps: tuple[explanation.FilterCount, ...]


def _step(name: str, before: Sequence[object], after: Sequence[object]
          ) -> explanation.FilterCount:
    return explanation.FilterCount(name, len(before), len(after))


def apply(hosts: Sequence[host_state.HostState],
          spec: request_spec.RequestSpec) -> Constrained:
    current: HostList = list(hosts)
    steps: list[explanation.FilterCount] = []
    dest = spec.requested_destination
    if dest is not None and dest.host is not None:
        kept = [h for h in current if h.host == dest.host
                and (not dest.node or h.nodename == dest.node)]
        steps.append(_step('requested_destination', current, kept))
        current = kept
    ignore = [h.lower() for h in spec.ignore_hosts or ()]
    force_hosts = [h.lower() for h in spec.force_hosts or ()]
    force_nodes = list(spec.force_nodes or ())
    if ignore:
        kept = [h for h in current if h.host.lower() not in ignore]
        steps.append(_step('ignore_hosts', current, kept))
        current = kept
        if not current:
            return Constrained((), False, tuple(steps))
    if force_hosts:
        kept = [h for h in current if h.host.lower() in force_hosts]
        steps.append(_step('force_hosts', current, kept))
        current = kept
    if force_nodes:
        kept = [h for h in current if h.nodename in force_nodes]
        steps.append(_step('force_nodes', current, kept))
        current = kept
    checked = bool(spec.scheduler_hints.get('_nova_check_type'))
    skip = bool(force_hosts or force_nodes) and not checked
    return Constrained(tuple(current), skip, tuple(steps))

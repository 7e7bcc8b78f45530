"""ComputeCapabilitiesFilter: flavor extra specs against host capabilities.

An extra spec applies when it is unscoped and names a host attribute or
stats key, or is scoped ``capabilities:``; further ``:``-separated parts
walk into nested values (JSON strings such as cpu_info are decoded on the
way, and a host attribute that is unset falls back to the stats key of the
same name). ``hw:maxphysaddr_bits=N`` means
``capabilities:cpu_info:maxphysaddr:bits >= N``.

Attribute names are nova's HostState names. Scalar attributes, ``stats``
(a dict), ``cpu_info`` (a JSON string) and ``supported_instances`` print
as nova's do. nova's structured attributes (service, metrics, aggregates,
instances, pci_stats, numa_topology, limits, allocation_candidates) print
as Python object reprs there, which no requirement sensibly matches: here
they never match. nova also treats its HostState methods as attributes;
here those names are simply not capabilities.

Deliberate difference: a numeric operator against a non-numeric value
makes nova's filter raise (failing the whole request); here that host is
rejected as not comparable.
"""

from collections.abc import Mapping, Sequence
import dataclasses
import json
from typing import Any

from scheduler.hoststate import host_state
from scheduler.filters import base
from scheduler.filters import extra_specs_ops
from scheduler.objects import request_spec

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.CAPABILITIES

MAXPHYSADDR_SPEC = 'hw:maxphysaddr_bits'
_MAXPHYSADDR_CAPABILITY = 'capabilities:cpu_info:maxphysaddr:bits'


class _Opaque:
    """A nova attribute whose str() is an object repr."""


_OPAQUE = _Opaque()
_OPAQUE_ATTRIBUTES = ('service', 'metrics', 'aggregates', 'instances',
                      'pci_stats', 'limits', 'allocation_candidates')
_SCALAR_ATTRIBUTES = (
    'host', 'nodename', 'uuid', 'cell_uuid', 'total_usable_ram_mb',
    'total_usable_disk_gb', 'disk_mb_used', 'free_ram_mb', 'free_disk_mb',
    'vcpus_total', 'vcpus_used', 'num_instances', 'num_io_ops',
    'failed_builds', 'host_ip', 'hypervisor_type', 'hypervisor_version',
    'hypervisor_hostname', 'cpu_info', 'ram_allocation_ratio',
    'cpu_allocation_ratio', 'disk_allocation_ratio', 'updated')


def capabilities(host: host_state.HostState) -> dict[str, Any]:
    """The host's attributes by nova's HostState names."""
    view: dict[str, Any] = {
        name: getattr(host, name) for name in _SCALAR_ATTRIBUTES}
    view.update(dict.fromkeys(_OPAQUE_ATTRIBUTES, _OPAQUE))
    view['stats'] = dict(host.stats)
    view['supported_instances'] = [
        list(triple) for triple in host.supported_instances]
    view['numa_topology'] = (
        None if host.numa_topology is None else _OPAQUE)
    return view


def _lookup(view: Mapping[str, Any], stats: Mapping[str, str],
            scope: Sequence[str]) -> Any:
    """Walk the scope into the host's capabilities; None when absent."""
    cap: Any = view
    at_host = True
    for key in scope:
        if isinstance(cap, str):
            try:
                cap = json.loads(cap)
            except ValueError:
                return None
        if at_host:
            cap = view.get(key)
            if cap is None:
                cap = stats.get(key)
            at_host = False
        elif isinstance(cap, dict):
            cap = cap.get(key)
        else:
            return None
        if cap is None:
            return None
    return cap


def requirements(extra_specs: Mapping[str, str]) -> dict[str, str]:
    """The extra specs with hw:maxphysaddr_bits rewritten as nova does."""
    specs = dict(extra_specs)
    bits = specs.pop(MAXPHYSADDR_SPEC, None)
    if bits is not None:
        specs[_MAXPHYSADDR_CAPABILITY] = '>= ' + bits
    return specs


@dataclasses.dataclass(frozen=True, slots=True)
class Requirement:
    key: str
    requirement: str
    # Where to look: the host attribute or stats key first.
    scope: tuple[str, ...]
    # An unscoped key applies only to hosts that have it.
    unscoped: bool
    # The name the rejection reason shows.
    shown: str


def parse_requirements(extra_specs: Mapping[str, str]
                       ) -> tuple[Requirement, ...]:
    """The extra specs this filter checks, parsed once per request.

    Keys with another scope (``hw:``, ``resources:``...) are left out.
    """
    parsed = []
    for key, req in requirements(extra_specs).items():
        scope = key.split(':')
        unscoped = len(scope) == 1
        if not unscoped:
            if scope[0] != 'capabilities':
                continue
            scope = scope[1:]
        shown = (MAXPHYSADDR_SPEC if key == _MAXPHYSADDR_CAPABILITY
                 and MAXPHYSADDR_SPEC in extra_specs else key)
        parsed.append(Requirement(key, req, tuple(scope), unscoped, shown))
    return tuple(parsed)


class ComputeCapabilitiesFilter(base.BaseHostFilter):
    """Hosts whose capabilities satisfy the flavor's extra specs."""

    run_filter_once_per_request = True
    RUN_ON_REBUILD = False

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        return self._check(host, parse_requirements(spec.flavor.extra_specs))

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck | None:
        wanted = parse_requirements(spec.flavor.extra_specs)
        if not wanted:
            return None

        def check(host: host_state.HostState
                  ) -> host_state.HostState | base.Rejection:
            rejection = self._check(host, wanted)
            return host if rejection is None else rejection
        return check

    def _check(self, host: host_state.HostState,
               wanted: Sequence[Requirement]) -> base.Rejection | None:
        if not wanted:
            return None
        view = capabilities(host)
        for item in wanted:
            if item.unscoped and (item.key not in view
                                  and item.key not in host.stats):
                continue
            cap = _lookup(view, host.stats, item.scope)
            if cap is None or cap is _OPAQUE:
                return self.reject(
                    f'extra spec {item.shown} not satisfied', CODE)
            try:
                matched = extra_specs_ops.match(str(cap), item.requirement)
            except ValueError:
                return self.reject(
                    f'extra spec {item.shown} not comparable', CODE)
            if not matched:
                return self.reject(
                    f'extra spec {item.shown} not satisfied', CODE)
        return None

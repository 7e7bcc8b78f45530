"""Our filter and weigher interfaces around a nova plugin instance.

A nova host filter answers ``filter_all([host], spec)`` per host (so a
plugin that overrides filter_all or _filter_one keeps working; one that
decides over the whole host list at once sees one host at a time). A
nova weigher weighs the whole host list through ``weigh_objects`` and
gives its own ``weight_multiplier``; our engine normalizes and adds them
up as nova's does. The nova RequestSpec is built once per request and
shared by all hosts, as nova shares its object.

Our weighing engine assumes what nova's in-tree weighers guarantee: a
host's raw weight does not depend on the other hosts (raw weights are
memoized per host within a request), and without aggregates every host
has the same multiplier. A plugin that breaks either assumption is
weighed as if it held.
"""

from collections.abc import Sequence
import threading
from typing import Any, ClassVar

from oslo_config import cfg

from scheduler.hoststate import host_state
from scheduler.filters import base as filters_base
from scheduler.nova_bridge import runtime
from scheduler.nova_bridge import to_nova
from scheduler.objects import request_spec
from scheduler.weighers import base as weighers_base


class _SpecCache(threading.local):
    """The nova spec of the request this thread is working on."""

    spec: request_spec.RequestSpec | None = None
    nova_spec: Any = None

    def get(self, spec: request_spec.RequestSpec) -> Any:
        if self.spec is not spec:
            self.nova_spec = to_nova.request_spec(spec)
            self.spec = spec
        return self.nova_spec


class NovaHostFilter(filters_base.BaseHostFilter):
    """A nova BaseHostFilter subclass run as one of our filters."""

    # An out-of-tree nova filter may read allocation candidates (nova's
    # CandidateFilterMixin); we cannot know, so it gets them.
    USES_ALLOCATION_CANDIDATES = True

    nova_class: ClassVar[type]

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        runtime.prepare(conf)
        self.plugin = self.nova_class()
        self._specs = _SpecCache()

    def run_for_index(self, index: int) -> bool:
        return bool(self.plugin.run_filter_for_index(index))

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> filters_base.Rejection | None:
        nova_spec = self._specs.get(spec)
        passed = self.plugin.filter_all([to_nova.host_state(host)],
                                        nova_spec)
        # None means "stop filtering" in nova: no host passes.
        if passed is not None and list(passed):
            return None
        # nova's filters say only yes or no: the kind is unknown.
        return self.reject('rejected by the nova filter',
                           filters_base.RejectionCode.OTHER)


class NovaWeigher(weighers_base.BaseWeigher):
    """A nova BaseHostWeigher subclass run as one of our weighers."""

    nova_class: ClassVar[type]

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        # Not BaseWeigher.__init__: the multiplier is the plugin's own
        # (nova's weight_multiplier), not one of our options.
        self.conf = conf
        runtime.prepare(conf)
        self.plugin = self.nova_class()
        self._specs = _SpecCache()
        self._hosts = threading.local()

    def _nova_host(self, host: host_state.HostState) -> Any:
        # weigh_all converted them; weight_multiplier comes right after.
        known = getattr(self._hosts, 'by_id', {})
        entry = known.get(id(host))
        if entry is not None and entry[0] is host:
            return entry[1]
        return to_nova.host_state(host)

    def weigh_all(self, hosts: Sequence[host_state.HostState],
                  spec: request_spec.RequestSpec) -> list[float]:
        weighed_host = runtime.nova('scheduler.weights').WeighedHost
        converted = [(host, to_nova.host_state(host)) for host in hosts]
        self._hosts.by_id = {id(h): (h, n) for h, n in converted}
        weights = self.plugin.weigh_objects(
            [weighed_host(nova_host, 0.0) for _, nova_host in converted],
            self._specs.get(spec))
        return [float(w) for w in weights]

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        return self.weigh_all([host], spec)[0]

    def weight_multiplier(self, host: host_state.HostState) -> float:
        return float(self.plugin.weight_multiplier(self._nova_host(host)))


def filter_class(nova_class: type) -> type[NovaHostFilter]:
    """Our filter class for a nova filter class, named like it."""
    return type(nova_class.__name__, (NovaHostFilter,), {
        'nova_class': nova_class,
        'RUN_ON_REBUILD': bool(getattr(nova_class, 'RUN_ON_REBUILD', False)),
        'run_filter_once_per_request': bool(getattr(
            nova_class, 'run_filter_once_per_request', False)),
        '__module__': __name__,
        '__doc__': f'nova filter {nova_class.__module__}.'
                   f'{nova_class.__qualname__} through the bridge.'})


def weigher_class(nova_class: type) -> type[NovaWeigher]:
    """Our weigher class for a nova weigher class, named like it."""
    return type(nova_class.__name__, (NovaWeigher,), {
        'nova_class': nova_class,
        'minval': getattr(nova_class, 'minval', None),
        'maxval': getattr(nova_class, 'maxval', None),
        '__module__': __name__,
        '__doc__': f'nova weigher {nova_class.__module__}.'
                   f'{nova_class.__qualname__} through the bridge.'})

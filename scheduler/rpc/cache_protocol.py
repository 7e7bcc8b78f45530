"""What the RPC service needs of a host-state cache.

The database-backed ``scheduler.hoststate.cache.HostStateCache`` implements
this; so can anything else that hands out snapshots (tests, the
simulator). The cast handlers receive decoded, typed values; ``refresh``
reloads everything atomically (on SIGHUP); ``start``/``stop`` bracket the
cache's life inside one worker process.
"""

from collections.abc import Sequence
import logging
from typing import Protocol
from typing import runtime_checkable

from scheduler.hoststate import source as host_source
from scheduler.objects import aggregate as aggregate_obj
from scheduler.objects import instance as instance_obj

LOG = logging.getLogger(__name__)


@runtime_checkable
class HostCache(Protocol):
    def snapshot(self) -> host_source.HostSnapshot: ...

    def update_aggregates(
            self, aggregates: Sequence[aggregate_obj.Aggregate]) -> None: ...

    def delete_aggregate(self, aggregate: aggregate_obj.Aggregate) -> None:
        ...

    def update_instance_info(
            self, host_name: str,
            instances: Sequence[instance_obj.InstanceInfo]) -> None: ...

    def delete_instance_info(self, host_name: str,
                             instance_uuid: str) -> None: ...

    def sync_instance_info(self, host_name: str,
                           instance_uuids: Sequence[str]) -> None: ...

    def refresh(self) -> None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...


class StaticHostCache:
    """A HostCache over a plain HostSource: casts change nothing.

    For embedders whose host states come from elsewhere (a simulator, a
    fixed snapshot); each ignored cast is logged at DEBUG.
    """

    def __init__(self, source: host_source.HostSource) -> None:
        self._source = source

    def snapshot(self) -> host_source.HostSnapshot:
        return self._source.snapshot()

    def fresh_snapshot(self) -> host_source.HostSnapshot:
        return host_source.fresh_snapshot(self._source)

    def with_providers(self, snapshot: host_source.HostSnapshot,
                       uuids: Sequence[str]) -> host_source.HostSnapshot:
        return host_source.with_providers(self._source, snapshot, uuids)

    def _ignored(self, what: str) -> None:
        LOG.debug('%s ignored: the host source is static', what)

    def update_aggregates(
            self, aggregates: Sequence[aggregate_obj.Aggregate]) -> None:
        self._ignored('update_aggregates')

    def delete_aggregate(self, aggregate: aggregate_obj.Aggregate) -> None:
        self._ignored('delete_aggregate')

    def update_instance_info(
            self, host_name: str,
            instances: Sequence[instance_obj.InstanceInfo]) -> None:
        self._ignored('update_instance_info')

    def delete_instance_info(self, host_name: str,
                             instance_uuid: str) -> None:
        self._ignored('delete_instance_info')

    def sync_instance_info(self, host_name: str,
                           instance_uuids: Sequence[str]) -> None:
        self._ignored('sync_instance_info')

    def refresh(self) -> None:
        pass

    def start(self) -> None:
        pass

    def stop(self) -> None:
        pass


def as_cache(hosts: HostCache | host_source.HostSource) -> HostCache:
    """``hosts`` itself if it handles casts, else a StaticHostCache."""
    if isinstance(hosts, HostCache):
        return hosts
    return StaticHostCache(hosts)

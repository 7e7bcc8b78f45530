"""An in-memory HostCache for tests: host states plus what casts said.

It implements scheduler.rpc.cache_protocol.HostCache the simple way: every
change rebuilds one immutable snapshot under a lock. ``reload`` (what refresh()
re-reads, standing in for the databases) can be replaced by a test.
"""

import dataclasses
import threading

from scheduler.hoststate import source as host_source


class MemoryHostCache:
    def __init__(self, hosts=(), aggregates=(), reload=None):
        self._lock = threading.Lock()
        self._hosts = {h.uuid: h for h in hosts}
        self.aggregates = {a.id: a for a in aggregates}
        # host name -> {instance uuid: project id}
        self.instances = {}
        self.reload = reload
        self.calls = []
        self.refreshes = 0
        self.started = self.stopped = False
        self._snapshot = host_source.HostSnapshot()
        self._publish()

    # -- HostSource ----------------------------------------------------

    def snapshot(self):
        return self._snapshot

    def _publish(self):
        aggs = tuple(sorted(self.aggregates.values(), key=lambda a: a.id))
        hosts = []
        for state in self._hosts.values():
            hosts.append(dataclasses.replace(
                state,
                aggregates=tuple(a for a in aggs if state.host in a.hosts),
                instances=dict(self.instances.get(state.host, {})),
                num_instances=len(self.instances.get(state.host, {}))))
        self._snapshot = host_source.HostSnapshot.of(hosts, aggs)

    def set_hosts(self, hosts):
        with self._lock:
            self._hosts = {h.uuid: h for h in hosts}
            self._publish()

    # -- casts -----------------------------------------------------------

    def update_aggregates(self, aggregates):
        with self._lock:
            self.calls.append(('update_aggregates', tuple(aggregates)))
            for agg in aggregates:
                self.aggregates[agg.id] = agg
            self._publish()

    def delete_aggregate(self, aggregate):
        with self._lock:
            self.calls.append(('delete_aggregate', aggregate))
            self.aggregates.pop(aggregate.id, None)
            self._publish()

    def update_instance_info(self, host_name, instances):
        with self._lock:
            self.calls.append(('update_instance_info', host_name,
                               tuple(instances)))
            known = self.instances.setdefault(host_name, {})
            for inst in instances:
                known[inst.uuid] = inst.project_id
            self._publish()

    def delete_instance_info(self, host_name, instance_uuid):
        with self._lock:
            self.calls.append(('delete_instance_info', host_name,
                               instance_uuid))
            self.instances.get(host_name, {}).pop(instance_uuid, None)
            self._publish()

    def sync_instance_info(self, host_name, instance_uuids):
        with self._lock:
            self.calls.append(('sync_instance_info', host_name,
                               tuple(instance_uuids)))
            known = self.instances.get(host_name, {})
            self.instances[host_name] = {
                u: known.get(u) for u in instance_uuids}
            self._publish()

    # -- lifecycle -------------------------------------------------------

    def refresh(self):
        with self._lock:
            self.refreshes += 1
            if self.reload is not None:
                hosts, aggregates = self.reload()
                self._hosts = {h.uuid: h for h in hosts}
                self.aggregates = {a.id: a for a in aggregates}
            self._publish()

    def start(self):
        self.started = True

    def stop(self):
        self.stopped = True

"""Our service on oslo.messaging's in-process fake:// transport.

Real Placement (PlacementFixture), a cloud of hosts in it and an
in-memory host cache over the same hosts; the service is built with the
public factory, ``scheduler.service.create_service``. Each fixture uses
its own topic, so services of different tests never share a queue.
"""

import uuid

import fixtures
import oslo_messaging

from scheduler import service
from scheduler.placement import client as placement_client
from scheduler.rpc import server as server_mod
from tests.functional import cloud as cloud_mod
from tests.functional import placement_service
from tests.unit.rpc import memory_cache

SERVER_HOST = 'sched-functional'


class SchedulerService(fixtures.Fixture):
    """``hosts`` are (name, ram_mb) pairs added to the cloud first."""

    def __init__(self, hosts=(('host1', 4096), ('host2', 8192)),
                 extra_config='', placement=None, wrap_placement_app=None):
        super().__init__()
        self.wrap_placement_app = wrap_placement_app
        self.host_specs = hosts
        self.extra_config = extra_config
        self.placement_wrapper = placement

    def _setUp(self):
        self.topic = f'scheduler-{uuid.uuid4().hex[:12]}'
        self.placement = self.useFixture(placement_service.PlacementService(
            f'[DEFAULT]\nhost = {SERVER_HOST}\n'
            f'[hardened_scheduler]\nrpc_topic = {self.topic}\n'
            + self.extra_config, wrap_app=self.wrap_placement_app))
        self.conf = self.placement.conf
        self.cloud = cloud_mod.Cloud(self.placement)
        for name, ram_mb in self.host_specs:
            self.cloud.add_host(name, ram_mb=ram_mb)
        self.cache = memory_cache.MemoryHostCache(
            self.cloud.source.snapshot().hosts.values(),
            reload=self._reload)
        server_mod.set_lib_defaults()
        server_mod.register_opts(self.conf)
        self.transport = oslo_messaging.get_rpc_transport(
            self.conf, url='fake:/')
        self.addCleanup(self.transport.cleanup)
        client = None
        if self.placement_wrapper is not None:
            client = self.placement_wrapper(
                placement_client.PlacementClient(self.conf))
        self.service = service.create_service(
            self.conf, self.transport, hosts=self.cache, placement=client,
            notification_transport=self.transport)
        self.service.start()
        self.addCleanup(self.service.wait)
        self.addCleanup(self.service.stop)

    def _reload(self):
        snapshot = self.cloud.source.snapshot()
        return snapshot.hosts.values(), snapshot.aggregates

    def client(self, version='4.0', **kwargs):
        return oslo_messaging.get_rpc_client(
            self.transport, oslo_messaging.Target(
                topic=self.topic, version=version), **kwargs)

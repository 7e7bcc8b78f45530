import uuid, json
import testtools
import oslo_messaging
from scheduler.rpc import server as server_mod
from scheduler import service
from tests.functional import cloud as cloud_mod, placement_service
from tests.unit.rpc import memory_cache

class T(testtools.TestCase):
    def test_it(self):
        ps = self.useFixture(placement_service.PlacementService(
            '[hardened_scheduler]\nrpc_topic = sched-smoke\n[DEFAULT]\nhost = s1\n'))
        cloud = cloud_mod.Cloud(ps)
        cloud.add_host('h1')
        cache = memory_cache.MemoryHostCache(cloud.source.snapshot().hosts.values())
        server_mod.set_lib_defaults()
        server_mod.register_opts(ps.conf)
        transport = oslo_messaging.get_rpc_transport(ps.conf, url='fake:/')
        svc = service.create_service(ps.conf, transport, hosts=cache)
        svc.start()
        self.addCleanup(svc.wait)
        self.addCleanup(svc.stop)
        client = oslo_messaging.get_rpc_client(transport, oslo_messaging.Target(topic='sched-smoke', version='4.0'))
        ctx = {'request_id': 'req-' + str(uuid.uuid4()), 'user_id': 'u', 'project_id': 'p'}
        r = client.prepare(namespace='baseapi', version='1.1', timeout=10).call(ctx, 'ping', arg={'a': 1})
        print(r)
        try:
            client.prepare(timeout=10).call(ctx, 'periodic_tasks', raise_on_error=True)
        except Exception as e:
            print(type(e), e, type(e).__module__)
        try:
            client.prepare(timeout=10, version='4.5').call(ctx, 'select_destinations', spec_obj={}, instance_uuids=None, return_objects=True, return_alternates=False)
        except Exception as e:
            print(type(e), e, type(e).__module__, e.kwargs)

"""Fakes for the RPC unit tests: a scheduler, incoming messages, wire."""

import threading

import oslo_messaging
from oslo_config import cfg

from scheduler.authz import authorization
from scheduler.objects import selection
from scheduler.rpc import dispatcher as dispatcher_mod
from scheduler.rpc import endpoints
from scheduler.rpc import inflight as inflight_mod
from scheduler.rpc import refusals as refusals_mod
from scheduler.rpc import replies as replies_mod
from scheduler.codec import limits as limits_mod
from tests.unit.codec import wire
from tests.unit.rpc import memory_cache

REQUEST_ID = 'req-0b7e1c55-3f4c-4d65-9a55-9a1e6c0f7d10'
CELL = '8b9b3c6e-1f0c-4a57-9a50-4c2f5f5d7e11'
NODE1 = '11111111-1111-4111-8111-111111111111'
NODE2 = '22222222-2222-4222-8222-222222222222'
UUID1 = 'a1b2c3d4-0000-4000-8000-000000000001'
UUID2 = 'a1b2c3d4-0000-4000-8000-000000000002'
AGG_UUID = '6a5e9a3f-3a2b-4c1d-8e7f-0a1b2c3d4e5f'


def selection_for(node, host):
    return selection.Selection(
        compute_node_uuid=node, service_host=host, nodename=host,
        cell_uuid=CELL, limits=selection.SchedulerLimits(vcpu=8),
        allocation_request='{"allocations": {}}',
        allocation_request_version='1.36', availability_zone='nova')


class FakeScheduler:
    """Records calls; answers one row per instance: host1, then host2."""

    def __init__(self, error=None, wait=None):
        self.calls = []
        self.error = error
        self.wait = wait  # an Event to block on, for in-flight tests

    def select_destinations(self, context, spec, instance_uuids=None, *,
                            return_alternates=False):
        self.calls.append((context, spec, instance_uuids,
                           return_alternates))
        if self.wait is not None:
            self.wait.wait(30)
        if self.error is not None:
            raise self.error
        count = len(instance_uuids) if instance_uuids else spec.num_instances
        row = [selection_for(NODE1, 'host1')]
        if return_alternates:
            row.append(selection_for(NODE2, 'host2'))
        return [list(row) for _ in range(count)]


class Incoming:
    """An oslo.messaging incoming message, as the dispatcher sees it."""

    def __init__(self, method, args=None, *, version='4.5', namespace=None,
                 ctxt=None, client_timeout=None):
        self.message = {'method': method, 'args': args or {},
                        'version': version}
        if namespace is not None:
            self.message['namespace'] = namespace
        self.ctxt = ({'request_id': REQUEST_ID, 'user_id': 'u1',
                      'project_id': 'p1', 'is_admin': True}
                     if ctxt is None else ctxt)
        self.client_timeout = client_timeout
        self.heartbeats = threading.Semaphore(0)

    def heartbeat(self):
        self.heartbeats.release()


def _policy_conf():
    conf = cfg.ConfigOpts()
    conf([])
    return conf


def build(scheduler=None, cache=None, limits=None, max_bytes=1 << 20,
          extra_endpoints=(), authorizer=None, decisions=None,
          releaser=None, refusals=None):
    """(dispatcher, scheduler, cache, inflight) wired like the service."""
    scheduler = scheduler or FakeScheduler()
    cache = cache or memory_cache.MemoryHostCache()
    inflight = inflight_mod.InFlight()
    # The one place both refuse requests in.
    refused = refusals or refusals_mod.Refusals(decisions)
    api = endpoints.SchedulerEndpoint(
        scheduler=scheduler, hosts=cache,
        limits=limits or limits_mod.DecodeLimits(),
        authorizer=authorizer or authorization.Authorizer(_policy_conf()),
        refusals=refused)
    disp = dispatcher_mod.Dispatcher(
        [api, endpoints.BaseAPIEndpoint(), *extra_endpoints],
        max_message_bytes=max_bytes, inflight=inflight, refusals=refused,
        replies=(replies_mod.Replies(inflight, releaser)
                 if releaser is not None else None))
    return disp, scheduler, cache, inflight


def dispatch(disp, incoming):
    """The result, or the exception the reply would carry.

    Asserts the failure is handed over without a traceback.
    """
    try:
        return disp.dispatch(incoming)
    except oslo_messaging.ExpectedException as exc:
        assert exc.exc_info[2] is None, 'a traceback would be sent'
        return exc.exc_info[1]


def aggregate(id_=1, uuid=AGG_UUID, hosts=('host1',), **metadata):
    return wire.obj('Aggregate', '1.3', {
        'id': id_, 'uuid': uuid, 'name': f'agg{id_}', 'hosts': list(hosts),
        'metadata': metadata})


def instance(uuid, project='p1', **extra):
    return wire.obj('Instance', '2.8', dict(
        {'uuid': uuid, 'host': 'host1', 'project_id': project}, **extra))


def instance_list(*instances):
    return wire.obj('InstanceList', '2.6', {'objects': list(instances)})

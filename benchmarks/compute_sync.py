"""What every nova-compute tells the schedulers about its instances.

With nova's default ``[filter_scheduler] track_instance_changes = True``
each nova-compute sends, through nova's scheduler query client
(``nova.scheduler.client.query``, fanout casts of the scheduler RPC API
4.2):

- at start (``ComputeManager.init_host``), when it has instances, its
  full ``InstanceList`` (loaded with ``expected_attrs`` info_cache,
  metadata, system_metadata, numa_topology, flavor):
  ``update_instance_info(context.elevated(), host, instances)``;
- every ``[DEFAULT] scheduler_instance_sync_interval`` (120 s,
  ``_sync_scheduler_instance_info``) the uuids of its instances:
  ``sync_instance_info(context.elevated(), host, uuids)``.

``send`` builds exactly those messages, puts them through nova's RPC
serializer and JSON (what crosses the bus) and delivers each to both
schedulers as their RPC servers would: nova's ``SchedulerManager``
method called with the deserialized context and objects (nova's RPC
dispatcher), our ``SchedulerEndpoint`` method with the context and
arguments as primitives (our RPC server: decode, authorize, apply).

nova's HostManager then marks every host synced ("updated"): its
requests take each host's instances from memory instead of one
``InstanceList`` query per candidate host.
"""

from nova import context as nova_context
from nova import objects as nova_objects
from nova.objects import base as nova_base
from nova import rpc as nova_rpc
from nova.scheduler import host_manager as nova_host_manager
from oslo_serialization import jsonutils

from scheduler.authz import authorization
from scheduler.codec import limits as limits_mod
from scheduler.rpc import endpoints

SERIALIZER = nova_rpc.RequestContextSerializer(
    nova_base.NovaObjectSerializer())
# ComputeManager.init_host's expected_attrs for its instance list.
INIT_HOST_ATTRS = ['info_cache', 'metadata', 'system_metadata',
                   'numa_topology', 'flavor']

_spawned = []
_spawn = nova_host_manager.thread_pool_factory.spawn


def _recorded_spawn(*args, **kwargs):
    future = _spawn(*args, **kwargs)
    _spawned.append(future)
    return future


# HostManager.__init__ starts _init_instance_info on nova's pool; the
# benchmark waits for it (as computes' casts arrive after it in practice:
# it resets the instance map when it starts).
nova_host_manager.thread_pool_factory.spawn = _recorded_spawn


# Every InstanceList query nova's HostManager makes for one host (what an
# unsynced host costs on each request).
per_host_queries = [0]
_get_instances_by_host = nova_host_manager.HostManager._get_instances_by_host


def _counted_get_instances_by_host(self, *args, **kwargs):
    per_host_queries[0] += 1
    return _get_instances_by_host(self, *args, **kwargs)


nova_host_manager.HostManager._get_instances_by_host = (
    _counted_get_instances_by_host)


def wait_for_nova_init():
    while _spawned:
        _spawned.pop().result()


def our_endpoint(conf, manager, cache):
    """Our RPC endpoint, as the service builds it (no decision log)."""
    return endpoints.SchedulerEndpoint(
        scheduler=manager, hosts=cache,
        limits=limits_mod.DecodeLimits.from_conf(conf),
        authorizer=authorization.Authorizer(conf))


def _cast(ctx, method, theirs, ours, **kwargs):
    wire = jsonutils.loads(jsonutils.dumps({
        'context': SERIALIZER.serialize_context(ctx),
        'args': {k: SERIALIZER.serialize_entity(ctx, v)
                 for k, v in kwargs.items()}}))
    nctx = SERIALIZER.deserialize_context(wire['context'])
    getattr(theirs, method)(nctx, **{
        k: SERIALIZER.deserialize_entity(nctx, v)
        for k, v in wire['args'].items()})
    getattr(ours, method)(wire['context'], **wire['args'])


def send(hosts, theirs, ours):
    """Every host's start-up update and periodic sync, to both.

    Returns (casts sent, nova hosts marked synced, nova hosts known).
    """
    ctx = nova_context.get_admin_context().elevated()
    casts = 0
    for host in hosts:
        instances = nova_objects.InstanceList.get_by_host(
            ctx, host, expected_attrs=INIT_HOST_ATTRS)
        if instances:
            _cast(ctx, 'update_instance_info', theirs, ours,
                  host_name=host, instance_info=instances)
            casts += 1
    for host in hosts:
        uuids = [i.uuid for i in nova_objects.InstanceList.get_by_host(
            ctx, host, expected_attrs=[], use_slave=True)]
        _cast(ctx, 'sync_instance_info', theirs, ours, host_name=host,
              instance_uuids=uuids)
        casts += 1
    info = theirs.host_manager._instance_info
    synced = sum(1 for h in hosts if info.get(h, {}).get('updated'))
    return casts, synced, len(info)

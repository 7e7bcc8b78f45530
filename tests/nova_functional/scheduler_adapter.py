"""hardened-scheduler in the place of nova's scheduler manager.

nova's ``Service`` builds the manager named in
``nova.service.SERVICE_MANAGERS['nova-scheduler']``; the harness points
that entry at ``WireSchedulerManager``. nova's service then starts as
usual (service record, RPC server on topic ``scheduler`` with nova's
serializer), and every call and cast it receives is handed on to a real
hardened-scheduler service (``scheduler.service.create_service``) that
listens on a topic of its own:

- the arguments are serialized again with nova's production serializer
  (``RequestContextSerializer(NovaObjectSerializer())``, what
  nova-conductor's and nova-compute's clients use) and passed through
  JSON, so what our service decodes is exactly what it would read from
  RabbitMQ: the context as a dict and nova object primitives;
- our service runs its own RPC server, dispatcher, codec, authorization
  and pipeline, reads nova's test databases through its own engines and
  reaches the test's Placement through keystoneauth;
- the reply comes back through JSON and nova's serializer; a failure is
  serialized and rebuilt with oslo.messaging's own remote-exception
  functions and nova's allow-list, so nova-conductor gets the
  ``NoValidHost`` it would get over RabbitMQ.

The configuration our service runs with is nova's: every option both
define is copied from nova's ``CONF`` (as an operator points both at the
same nova.conf) before each message, so a test's ``self.flags(...)``
applies as it would to nova's scheduler.
"""

import json
import os
import tempfile
import threading
import uuid

from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session
from keystoneauth1 import token_endpoint
from nova import context as nova_context
from nova import manager
from nova.db.api import api as api_db
from nova.db.main import api as main_db
from nova.network import neutron as nova_neutron
from nova.objects import base as objects_base
from nova import rpc as nova_rpc
from oslo_config import cfg
import oslo_messaging
from oslo_messaging._drivers import common as rpc_common

import nova.conf
from scheduler import conf as conf_pkg
from scheduler.hoststate import cache as host_cache
from scheduler import service as service_mod
from scheduler.conf import opts as opts_mod
from scheduler.placement import client as placement_client
from scheduler.rpc import server as server_mod

NOVA_CONF = nova.conf.CONF
# Seconds a forwarded call may take: a test fails long before nova's
# long_rpc_timeout (1800 s).
CALL_TIMEOUT = 120
# Options of nova's that do not describe scheduling: where things are
# (databases, bus, Placement, Neutron, this host) is set by the harness
# from the test's fixtures.
NOT_COPIED = {
    'DEFAULT': {'host', 'transport_url', 'control_exchange',
                'debug', 'log_file', 'log_dir', 'log_config_append',
                'use_stderr', 'use_syslog', 'state_path', 'pybasedir'},
}
NOT_COPIED_GROUPS = {'api_database', 'database', 'placement', 'neutron',
                     'service_user', 'keystone_authtoken', 'oslo_policy',
                     'oslo_messaging_notifications', 'hardened_scheduler',
                     'metrics_export'}
# Selection objects and NoValidHost, as nova-conductor's client asks.
SELECT_VERSIONS = (('return_objects', '4.5'), ('return_alternates', '4.5'),
                   ('instance_uuids', '4.4'), ('spec_obj', '4.3'))


def _through_json(value):
    return json.loads(json.dumps(value))


class WireSerializer(oslo_messaging.Serializer):
    """nova's production serializer, with a JSON round trip each way."""

    def __init__(self):
        self._nova = nova_rpc.RequestContextSerializer(
            objects_base.NovaObjectSerializer())

    def serialize_entity(self, ctxt, entity):
        return _through_json(self._nova.serialize_entity(ctxt, entity))

    def deserialize_entity(self, ctxt, entity):
        return self._nova.deserialize_entity(ctxt, _through_json(entity))

    def serialize_context(self, ctxt):
        return _through_json(self._nova.serialize_context(ctxt))

    def deserialize_context(self, ctxt):
        return self._nova.deserialize_context(ctxt)


def _as_received(exc):
    """``exc`` as a caller on RabbitMQ would receive it."""
    if isinstance(exc, oslo_messaging.MessagingException):
        return exc  # raised by the client itself (timeouts)
    data = _through_json(rpc_common.serialize_remote_exception(
        (type(exc), exc, exc.__traceback__)))
    return rpc_common.deserialize_remote_exception(
        data, nova_rpc.get_allowed_exmods())


class NovaNeutron:
    """Our Neutron reader over nova's Neutron API (the test's fixture).

    nova's scheduler asks Neutron through ``nova.network.neutron.API``;
    tests stub Neutron below that API (NeutronFixture), so reading
    through it gives our scheduler the same answers nova's would get.
    """

    def __init__(self):
        self._api = nova_neutron.API()

    @staticmethod
    def _admin():
        return nova_context.get_admin_context()

    def show_port(self, context, port_id):
        return self._api.show_port(self._admin(), port_id)['port']

    def segment_ids_for_network(self, context, network_id):
        return self._api.get_segment_ids_for_network(self._admin(),
                                                     network_id)

    def segment_id_for_subnet(self, context, subnet_id):
        return self._api.get_segment_id_for_subnet(self._admin(), subnet_id)


# Set around the tests that assert nova's exact NoValidHost texts
# (selection.NOVA_REASONS): their scheduler runs with
# [hardened_scheduler] nova_compatible_reasons, as an operator whose tools
# match on nova's texts would run it.
nova_reasons = threading.Event()

# The endpoint of the test's PlacementFixture, recorded by ``install``
# while the fixture is up. A test may set Placement up after it started
# the scheduler (test_bug_1679750 does), so it is looked up per request.
_placement = {}


def _record_placement_endpoints():
    """Note each PlacementFixture's endpoint while it is set up.

    nova's report client reaches Placement through the fixture's own
    hooks; ours is a keystoneauth client that needs the endpoint itself.
    """
    from nova.tests.functional import fixtures as func_fixtures

    set_up = func_fixtures.PlacementFixture.setUp

    def recording_set_up(fixture):
        set_up(fixture)
        _placement['endpoint'] = fixture.endpoint
        fixture.addCleanup(_placement.pop, 'endpoint', None)

    func_fixtures.PlacementFixture.setUp = recording_set_up


class FixturePlacementAdapter(ks_adapter.Adapter):
    """A keystoneauth adapter to whichever Placement the test has up now.

    Authenticated as our functional tests and devstack's noauth Placement
    expect (admin token); requests go through keystoneauth's session as
    in production. With no Placement up, requests fail to connect, which
    our scheduler reports as "Placement is unavailable".
    """

    @property
    def endpoint_override(self):
        return _placement.get('endpoint', 'http://placement.not-set-up')

    @endpoint_override.setter
    def endpoint_override(self, value):
        pass  # the fixture decides


def _placement_client(conf):
    auth = token_endpoint.Token('http://placement.not-set-up', 'admin')
    adapter = FixturePlacementAdapter(
        ks_session.Session(auth=auth), service_type='placement',
        raise_exc=False)
    return placement_client.PlacementClient(conf, adapter=adapter)


def _engine_url(engine):
    return engine.url.render_as_string(hide_password=False)


def _cell_database_url(cell):
    """A cell's database URL as nova's test fixtures resolve it.

    nova's functional tests store the cell uuid in
    ``cell_mappings.database_connection`` and keep each cell in a SQLite
    file; nova's own ``create_context_manager`` (wrapped by the fixture)
    maps one to the other.
    """
    manager_ = main_db.create_context_manager(
        connection=cell.database_connection)
    return _engine_url(manager_.writer.get_engine())


def _write_config(path, *, host, topic):
    with open(path, 'w') as f:
        f.write(f"""[DEFAULT]
transport_url = fake:/
host = {host}

[api_database]
connection = {_engine_url(api_db.get_engine())}

[hardened_scheduler]
rpc_topic = {topic}
nova_compatible_reasons = {nova_reasons.is_set()}
# Freshness must come from the per-request read, not from a timer.
host_state_resync_interval = 3600
host_state_full_resync_interval = 0
pending_releases_dir = {os.path.join(os.path.dirname(path), 'pending')}
""")


def _nova_values():
    """(group, name, value) of every option of ours nova also defines."""
    for group, opts in opts_mod.list_opts():
        group_name = getattr(group, 'name', group) or 'DEFAULT'
        if group_name in NOT_COPIED_GROUPS:
            continue
        skip = NOT_COPIED.get(group_name, set())
        for opt in opts:
            if opt.name in skip:
                continue
            try:
                nova_group = (NOVA_CONF if group_name == 'DEFAULT'
                              else NOVA_CONF[group_name])
                value = nova_group[opt.name]
            except (cfg.NoSuchOptError, cfg.NoSuchGroupError, KeyError):
                continue
            yield group_name, opt.name, value


class HardenedScheduler:
    """Our service on a topic of its own, and a client to reach it."""

    def __init__(self, host):
        self.topic = f'hardened-scheduler-{uuid.uuid4().hex[:12]}'
        self.conf = cfg.ConfigOpts()
        conf_pkg.register_opts(self.conf)
        fd, self._path = tempfile.mkstemp(suffix='.conf',
                                          prefix='hardened-scheduler-')
        os.close(fd)
        _write_config(self._path, host=host, topic=self.topic)
        self.conf(['--config-file', self._path], project='nova',
                  default_config_files=[])
        self._copied = {}
        self.sync_conf()
        self.transport = server_mod.get_transport(self.conf)
        self.service = service_mod.create_service(
            self.conf, self.transport,
            hosts=host_cache.HostStateCache.from_conf(
                self.conf, cell_database_url=_cell_database_url),
            placement=_placement_client(self.conf),
            neutron=NovaNeutron())
        self.client = oslo_messaging.get_rpc_client(
            self.transport, oslo_messaging.Target(topic=self.topic),
            serializer=WireSerializer())
        self._stopped = threading.Event()

    def sync_conf(self):
        """Copy nova's current values of the options we share."""
        for group, name, value in _nova_values():
            key = (group, name)
            if self._copied.get(key, object()) == value:
                continue
            self.conf.set_override(
                name, value, None if group == 'DEFAULT' else group)
            self._copied[key] = value

    def start(self):
        self.service.start()

    def stop(self):
        if self._stopped.is_set():
            return
        self._stopped.set()
        try:
            self.service.stop()
            self.service.wait()
        finally:
            self.transport.cleanup()
            os.unlink(self._path)

    def call(self, ctxt, method, version, **kwargs):
        self.sync_conf()
        prepared = self.client.prepare(version=version, timeout=CALL_TIMEOUT)
        try:
            return prepared.call(ctxt, method, **kwargs)
        except Exception as exc:
            raise _as_received(exc) from None

    def cast(self, ctxt, method, version, **kwargs):
        self.sync_conf()
        self.client.prepare(version=version).cast(ctxt, method, **kwargs)


class WireSchedulerManager(manager.Manager):
    """nova's scheduler manager interface, answered by hardened-scheduler.
    """

    target = oslo_messaging.Target(version='4.5')

    def __init__(self, *args, **kwargs):
        super().__init__(service_name='scheduler', *args, **kwargs)
        self.scheduler = HardenedScheduler(self.host)

    def post_start_hook(self):
        self.scheduler.start()

    def graceful_shutdown(self, timeout):
        self.scheduler.stop()

    def reset(self):
        # SIGHUP: nova re-reads its cells; ours reloads its host cache.
        self.scheduler.service.reset()

    def select_destinations(self, ctxt, **kwargs):
        version = next((v for name, v in SELECT_VERSIONS if name in kwargs),
                       '4.0')
        return self.scheduler.call(ctxt, 'select_destinations', version,
                                   **kwargs)

    def update_aggregates(self, ctxt, aggregates):
        self.scheduler.cast(ctxt, 'update_aggregates', '4.1',
                            aggregates=aggregates)

    def delete_aggregate(self, ctxt, aggregate):
        self.scheduler.cast(ctxt, 'delete_aggregate', '4.1',
                            aggregate=aggregate)

    def update_instance_info(self, ctxt, host_name, instance_info):
        self.scheduler.cast(ctxt, 'update_instance_info', '4.2',
                            host_name=host_name, instance_info=instance_info)

    def delete_instance_info(self, ctxt, host_name, instance_uuid):
        self.scheduler.cast(ctxt, 'delete_instance_info', '4.2',
                            host_name=host_name, instance_uuid=instance_uuid)

    def sync_instance_info(self, ctxt, host_name, instance_uuids):
        self.scheduler.cast(ctxt, 'sync_instance_info', '4.2',
                            host_name=host_name,
                            instance_uuids=instance_uuids)


def install():
    """Point nova's service-manager mapping at the adapter."""
    from nova import service
    _record_placement_endpoints()
    service.SERVICE_MANAGERS['nova-scheduler'] = (
        f'{__name__}.{WireSchedulerManager.__name__}')


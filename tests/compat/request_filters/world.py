"""One generated world, served to nova 34 and to us alike.

A ``World`` holds what the request filters read besides the RequestSpec:
API-database aggregates, Neutron's ports/subnets/segments, Placement's
segment-provider aggregates, the minimum nova-compute version and the
caller's credentials. nova reads it through patched AggregateList
lookups, a fake neutronclient (behind nova's real network API, so its
credential choice and error wrapping run), a fake report client and a
patched get_minimum_version_all_cells; we read it through our
HostSnapshot, our Neutron client on a fake HTTP adapter and a fake
Placement client.
"""

import dataclasses
import uuid

from hypothesis import strategies as st
from neutronclient.common import exceptions as n_exc

from tests.compat.codec import nova_env  # noqa: F401  (no monkey-patching)

from nova import context as nova_context  # noqa: E402,I100
from nova import exception as nova_exc  # noqa: E402
from nova import objects as nova_objects  # noqa: E402
from nova.scheduler.client import report as nova_report  # noqa: E402

from scheduler.hoststate import source as host_source  # noqa: E402
from scheduler.neutron import auth as our_auth  # noqa: E402
from scheduler.objects import aggregate as our_aggregate  # noqa: E402
from scheduler.objects import context as our_context  # noqa: E402
from tests.unit.neutron import fakes as neutron_fakes  # noqa: E402


def uuid_of(name):
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, name))


AGG_UUIDS = tuple(uuid_of(f'agg-{i}') for i in range(6))
PROJECT = 'proj'
AZS = ('az1', 'az2')
# (key, values) pairs aggregates are tagged with.
AGG_METADATA = (
    ('filter_tenant_id', (PROJECT, 'other')),
    ('filter_tenant_id_2', (PROJECT,)),
    ('tenant', (PROJECT,)),
    ('availability_zone', AZS),
    ('trait:CUSTOM_A', ('required', 'forbidden')),
    ('trait:CUSTOM_B', ('required',)),
    ('trait:HW_CPU_HYPERTHREADING', ('required',)),
)
SEGMENTS = ('seg-1', 'seg-2', 'seg-3')
SUBNETS = (
    {'id': 'sub-r2a', 'network_id': 'net-r2', 'segment_id': 'seg-1'},
    {'id': 'sub-r2b', 'network_id': 'net-r2', 'segment_id': 'seg-2'},
    {'id': 'sub-r2c', 'network_id': 'net-r2', 'segment_id': None},
    {'id': 'sub-r1', 'network_id': 'net-r1', 'segment_id': 'seg-3'},
    {'id': 'sub-flat', 'network_id': 'net-flat', 'segment_id': None},
)
PORTS = (
    {'id': uuid_of('port-bound'), 'network_id': 'net-r2', 'fixed_ips': [
        {'subnet_id': 'sub-r2b'}, {'subnet_id': 'sub-r2a'}]},
    {'id': uuid_of('port-flat'), 'network_id': 'net-flat',
     'fixed_ips': [{'subnet_id': 'sub-flat'}]},
    {'id': uuid_of('port-gone-subnet'), 'network_id': 'net-r1',
     'fixed_ips': [{'subnet_id': 'sub-gone'}]},
    {'id': uuid_of('port-unbound'), 'network_id': 'net-r1', 'fixed_ips': []},
    {'id': uuid_of('port-remote'), 'network_id': 'net-flat', 'fixed_ips': [],
     'binding:vnic_type': 'remote-managed'},
    {'id': uuid_of('port-direct'), 'network_id': 'net-r2', 'fixed_ips': [],
     'binding:vnic_type': 'direct'},
)
PORT_MISSING = uuid_of('port-missing')
PORT_BROKEN = uuid_of('port-broken')
# Remote-managed first: sampled_from favours early entries.
GOOD_PORT_IDS = tuple(sorted(
    (p['id'] for p in PORTS),
    key=lambda i: i != uuid_of('port-remote')))
BAD_PORT_IDS = (PORT_MISSING, PORT_BROKEN)
NETWORK_IDS = ('net-r2', 'net-r1', 'net-flat', 'net-broken')
# Placement's answer for a segment provider: aggregates, or a failure.
UNAVAILABLE = 'unavailable'   # nova: safe_connect None; us: unreachable
MISSING = 'missing'           # a non-200 answer


@dataclasses.dataclass
class World:
    aggregates: list
    segment_aggregates: dict
    segment_extension: bool
    extensions_fail: bool
    min_compute_version: int
    auth_token: str | None
    is_admin: bool

    # -- ours -----------------------------------------------------------

    def our_snapshot(self):
        return dataclasses.replace(
            host_source.HostSnapshot.of([], [
                our_aggregate.Aggregate(id=i, uuid=u, name=f'agg{i}',
                                        metadata=dict(md))
                for i, (u, md) in enumerate(self.aggregates)]),
            min_compute_version=self.min_compute_version)

    def our_context(self):
        return our_context.RequestContext(
            user_id='user', project_id=PROJECT, auth_token=self.auth_token,
            is_admin=self.is_admin, global_request_id='req-1')

    def our_neutron(self):
        adapter = neutron_fakes.FakeNeutronAdapter(
            ports=PORTS, subnets=SUBNETS,
            extensions=['segment'] if self.segment_extension else ['dns'])
        adapter.failures[f'/ports/{PORT_BROKEN}'] = 500
        if self.extensions_fail:
            adapter.failures['/extensions'] = 500
        self._broken_network(adapter)
        client = neutron_fakes.neutron(adapter)
        return client, adapter

    @staticmethod
    def _broken_network(adapter):
        answer = adapter._answer

        def broken(path, params):
            if path == '/subnets' and params.get('network_id') == (
                    'net-broken'):
                return neutron_fakes.FakeResponse(500, {})
            return answer(path, params)
        adapter._answer = broken

    def our_placement(self):
        placement = neutron_fakes.FakePlacement()
        for segment, answer in self.segment_aggregates.items():
            if answer == UNAVAILABLE:
                placement.unavailable.add(segment)
            elif answer != MISSING:
                placement.aggregates[segment] = answer
        return placement

    # -- nova's ---------------------------------------------------------

    def nova_context(self):
        return nova_context.RequestContext(
            'user', PROJECT, auth_token=self.auth_token,
            is_admin=self.is_admin, global_request_id='req-1')

    def _nova_aggregates(self, matching):
        found = []
        for i, (agg_uuid, metadata) in enumerate(self.aggregates):
            # As the SQL join with contains_eager: only matching rows.
            rows = {k: v for k, v in metadata.items() if matching(k, v)}
            if rows:
                found.append(nova_objects.Aggregate(
                    id=i, uuid=agg_uuid, name=f'agg{i}', metadata=rows,
                    hosts=[]))
        return found

    def get_by_metadata(self, context, key=None, value=None):
        return self._nova_aggregates(
            lambda k, v: (key is None or k == key)
            and (value is None or v == value))

    def get_non_matching_by_metadata_keys(self, context, ignored_keys,
                                          key_prefix, value):
        return self._nova_aggregates(
            lambda k, v: v == value and k.startswith(key_prefix)
            and k not in ignored_keys)

    def min_version(self, context, binaries, require_all=False):
        return self.min_compute_version


class FakeReport:
    """nova's report client, for _get_provider_aggregates only."""

    def __init__(self, world):
        self.world = world

    def _get_provider_aggregates(self, context, rp_uuid):
        answer = self.world.segment_aggregates.get(rp_uuid, MISSING)
        if answer == UNAVAILABLE:
            return None
        if answer == MISSING:
            raise nova_exc.ResourceProviderAggregateRetrievalFailed(
                uuid=rp_uuid)
        return nova_report.AggInfo(aggregates=set(answer), generation=1)


class NovaNeutronClients:
    """A neutronclient stand-in factory that logs (call, credentials)."""

    def __init__(self, admin_auth):
        self.admin_auth = admin_auth
        self.world = None
        self.calls = []

    def __call__(self, **kwargs):
        return _NovaNeutronClient(self, kwargs['auth'])

    def kind(self, auth):
        return 'admin' if auth is self.admin_auth else 'user'


class _NovaNeutronClient:
    def __init__(self, factory, auth):
        self.factory = factory
        self.auth = auth

    def _log(self, path):
        self.factory.calls.append((path, self.factory.kind(self.auth)))

    def show_port(self, port_id, **kwargs):
        self._log(f'/ports/{port_id}')
        if port_id == PORT_BROKEN:
            raise n_exc.NeutronClientException(status_code=500)
        for port in PORTS:
            if port['id'] == port_id:
                return {'port': dict(port)}
        raise n_exc.PortNotFoundClient(status_code=404)

    def list_extensions(self, **kwargs):
        self._log('/extensions')
        if self.factory.world.extensions_fail:
            raise n_exc.NeutronClientException(status_code=500)
        aliases = ['segment'] if self.factory.world.segment_extension else [
            'dns']
        return {'extensions': [{'alias': a} for a in aliases]}

    def list_subnets(self, network_id=None, fields=None, **kwargs):
        self._log('/subnets')
        if network_id == 'net-broken':
            raise n_exc.NeutronClientException(status_code=500)
        return {'subnets': [{'segment_id': s['segment_id']} for s in SUBNETS
                            if s['network_id'] == network_id]}

    def show_subnet(self, subnet_id, **kwargs):
        self._log(f'/subnets/{subnet_id}')
        for subnet in SUBNETS:
            if subnet['id'] == subnet_id:
                return {'subnet': dict(subnet)}
        raise n_exc.NotFound(status_code=404)


def our_calls(adapter):
    return [(call.path, 'user' if isinstance(call.auth, our_auth.UserToken)
             else 'admin') for call in adapter.calls]


@st.composite
def worlds(draw):
    aggregates = []
    for agg_uuid in draw(st.lists(st.sampled_from(AGG_UUIDS), max_size=5,
                                  unique=True)):
        pairs = draw(st.lists(st.sampled_from(AGG_METADATA), min_size=1,
                              max_size=3, unique_by=lambda p: p[0]))
        aggregates.append((agg_uuid, {
            key: draw(st.sampled_from(values)) for key, values in pairs}))
    segment_aggregates = {}
    for segment in SEGMENTS:
        answer = draw(st.sampled_from(
            ('aggregates',) * 4 + (frozenset(), UNAVAILABLE, MISSING)))
        if answer == 'aggregates':
            answer = draw(st.frozensets(st.sampled_from(AGG_UUIDS[:4]),
                                        min_size=1, max_size=2))
        segment_aggregates[segment] = answer
    token = draw(st.sampled_from(('user-token',) * 6 + (None,)))
    return World(
        aggregates=aggregates, segment_aggregates=segment_aggregates,
        segment_extension=draw(st.sampled_from((True,) * 8 + (False,))),
        extensions_fail=draw(st.sampled_from((False,) * 15 + (True,))),
        min_compute_version=draw(st.sampled_from((0, 72, 73, 80))),
        auth_token=token, is_admin=draw(st.booleans()))

"""A fake keystoneauth1 Adapter that answers like Neutron, and helpers."""

import dataclasses
from typing import Any
from urllib import parse

from keystoneauth1 import plugin

from scheduler.neutron import auth
from scheduler.neutron import client
from scheduler.placement import errors as placement_errors


class FakeAuth(plugin.BaseAuthPlugin):
    """A service auth plugin with a fixed token and endpoint."""

    def __init__(self, token):
        super().__init__()
        self.token = token

    def get_token(self, session, **kwargs):
        return self.token

    def get_endpoint(self, session, **kwargs):
        return 'http://neutron.example.org:9696'


class FakeResponse:
    def __init__(self, status_code, body=None):
        self.status_code = status_code
        self._body = body
        self.text = '' if body is None else str(body)
        self.headers = {}

    def json(self):
        if self._body is None:
            raise ValueError('no JSON')
        return self._body


@dataclasses.dataclass
class Call:
    method: str
    path: str
    params: dict
    auth: Any
    global_request_id: str | None

    def headers(self):
        """The auth headers this call would carry."""
        return self.auth.get_headers(None)


class FakeNeutronAdapter:
    """Neutron's ports, subnets and extensions, in memory.

    ``failures`` maps a path (without /v2.0) to an HTTP status to answer
    or an exception to raise instead.
    """

    def __init__(self, ports=(), subnets=(), extensions=('segment',)):
        self.ports = {p['id']: p for p in ports}
        self.subnets = {s['id']: s for s in subnets}
        self.extensions = list(extensions)
        self.failures = {}
        self.calls = []

    def request(self, url, method, **kwargs):
        path = url.removeprefix('/v2.0')
        params = dict(kwargs.get('params') or {})
        self.calls.append(Call(method, path, params, kwargs.get('auth'),
                               kwargs.get('global_request_id')))
        failure = self.failures.get(path)
        if isinstance(failure, Exception):
            raise failure
        if failure is not None:
            return FakeResponse(failure, {'NeutronError': {}})
        return self._answer(path, params)

    def _answer(self, path, params):
        if path == '/extensions':
            return FakeResponse(200, {'extensions': [
                {'alias': alias} for alias in self.extensions]})
        if path.startswith('/ports/'):
            port = self.ports.get(parse.unquote(path[len('/ports/'):]))
            return (FakeResponse(200, {'port': port}) if port
                    else FakeResponse(404, {'NeutronError': {}}))
        if path == '/subnets':
            found = [s for s in self.subnets.values()
                     if s.get('network_id') == params.get('network_id')]
            if params.get('fields') == 'segment_id':
                found = [{'segment_id': s.get('segment_id')} for s in found]
            return FakeResponse(200, {'subnets': found})
        if path.startswith('/subnets/'):
            subnet = self.subnets.get(path[len('/subnets/'):])
            return (FakeResponse(200, {'subnet': subnet}) if subnet
                    else FakeResponse(404, {'NeutronError': {}}))
        return FakeResponse(404)

    def paths(self):
        return [call.path for call in self.calls]


def neutron(adapter, admin=True, service=False, **kwargs):
    """A NeutronClient over ``adapter`` with fake service credentials."""
    credentials = auth.Credentials(
        FakeAuth('admin-token') if admin else None,
        FakeAuth('service-token') if service else None)
    return client.NeutronClient(adapter=adapter, credentials=credentials,
                                **kwargs)


class FakePlacement:
    """Provider aggregates by provider uuid; a missing one answers 404."""

    def __init__(self, aggregates=None, unavailable=()):
        self.aggregates = dict(aggregates or {})
        self.unavailable = set(unavailable)
        self.calls = []

    def get_provider_aggregates(self, rp_uuid, global_request_id=None):
        self.calls.append(rp_uuid)
        call = 'GET /resource_providers/{uuid}/aggregates'
        if rp_uuid in self.unavailable:
            raise placement_errors.PlacementUnavailable(call, 503)
        if rp_uuid not in self.aggregates:
            raise placement_errors.PlacementRequestError(
                call, 404, 'placement.undefined_code', 'not found')
        return frozenset(self.aggregates[rp_uuid])

"""The real Placement service for functional tests, and an admin handle.

Placement runs in-process (openstack-placement's own PlacementFixture,
SQLite in memory, reached through wsgi-intercept). Our client is built the
way the service builds it: from a [placement] section loaded by
keystoneauth (auth_type admin_token with the fixture's endpoint and the
token 'admin', which placement's noauth2 middleware treats as admin).
"""

import threading
import uuid

import fixtures
from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import session as ks_session
from oslo_config import cfg
from placement import deploy
from placement.tests.functional.fixtures import placement as pl_fixture
from requests import adapters as requests_adapters

from scheduler import conf as conf_pkg

ADMIN_VERSION = 'placement 1.39'


class Admin:
    """Direct admin calls to Placement, for setup and inspection."""

    def __init__(self, endpoint):
        self.endpoint = endpoint
        self.http = ks_adapter.Adapter(ks_session.Session(auth=None),
                                       raise_exc=False)

    def call(self, method, path, body=None, expect=(200, 201, 204)):
        resp = self.http.request(
            self.endpoint + path, method, json=body,
            headers={'x-auth-token': 'admin',
                     'openstack-api-version': ADMIN_VERSION,
                     'accept': 'application/json'})
        if resp.status_code not in expect:
            raise AssertionError(f'{method} {path}: {resp.status_code} '
                                 f'{resp.text}')
        return resp.json() if resp.text else None

    def generation(self, rp):
        return self.call('GET', f'/resource_providers/{rp}')['generation']

    def provider(self, name, inventory, traits=(), aggregates=(),
                 rp_uuid=None):
        rp = rp_uuid or str(uuid.uuid4())
        self.call('POST', '/resource_providers', {'name': name, 'uuid': rp})
        self.call('PUT', f'/resource_providers/{rp}/inventories', {
            'resource_provider_generation': self.generation(rp),
            'inventories': inventory})
        for trait in traits:
            self.call('PUT', f'/traits/{trait}', expect=(201, 204))
        if traits:
            self.call('PUT', f'/resource_providers/{rp}/traits', {
                'resource_provider_generation': self.generation(rp),
                'traits': list(traits)})
        if aggregates:
            self.call('PUT', f'/resource_providers/{rp}/aggregates', {
                'resource_provider_generation': self.generation(rp),
                'aggregates': list(aggregates)})
        return rp

    def usages(self, rp):
        return self.call('GET', f'/resource_providers/{rp}/usages')['usages']

    def allocations(self, consumer):
        return self.call('GET', f'/allocations/{consumer}')['allocations']


class PlacementService(fixtures.Fixture):
    """Real Placement plus a ConfigOpts whose [placement] points at it.

    ``conf`` has every scheduler option registered; ``extra_config`` is
    appended to the generated config file.
    """

    def __init__(self, extra_config='', wrap_app=None):
        super().__init__()
        self.extra_config = extra_config
        # Optional WSGI middleware around Placement (fault injection).
        self.wrap_app = wrap_app

    def _setUp(self):
        # wsgi-intercept cannot take keystoneauth's TCP keepalive socket
        # options (nova's own functional fixture does the same).
        self.useFixture(fixtures.MonkeyPatch(
            'keystoneauth1.session.TCPKeepAliveAdapter.init_poolmanager',
            requests_adapters.HTTPAdapter.init_poolmanager))
        # The fixture's in-memory SQLite is one connection shared by every
        # thread, so concurrent requests would interleave transactions.
        # Serializing requests gives what a real database's isolation
        # gives; our own races (two schedulers between GET and PUT) stay.
        lock = threading.Lock()
        loadapp = deploy.loadapp

        def serialized_loadapp(conf):
            app = loadapp(conf)
            if self.wrap_app is not None:
                app = self.wrap_app(app)

            def locked(environ, start_response):
                with lock:
                    return list(app(environ, start_response))
            return locked

        self.useFixture(fixtures.MonkeyPatch(
            'placement.deploy.loadapp', serialized_loadapp))
        placement = self.useFixture(pl_fixture.PlacementFixture())
        self.endpoint = placement.endpoint
        self.admin = Admin(placement.endpoint)
        self.conf = cfg.ConfigOpts()
        conf_pkg.register_opts(self.conf)
        path = self.useFixture(fixtures.TempDir()).join('scheduler.conf')
        with open(path, 'w') as f:
            f.write('[placement]\nauth_type = admin_token\n'
                    f'endpoint = {placement.endpoint}\ntoken = admin\n'
                    # Releases Placement does not take: journaled here.
                    '[hardened_scheduler]\npending_releases_dir = '
                    f'{self.useFixture(fixtures.TempDir()).path}\n'
                    + self.extra_config)
        self.conf(['--config-file', path], default_config_files=[])

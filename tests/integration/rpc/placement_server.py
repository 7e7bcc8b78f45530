"""The real Placement service over HTTP on 127.0.0.1, in a thread.

openstack-placement's own PlacementFixture sets up the configuration
and an in-memory database (no wsgi-intercept); the WSGI application is
served by wsgiref on a free port, one request at a time (the in-memory
SQLite database is a single connection). ``slow_candidates`` makes
``GET /allocation_candidates`` take that many seconds, to test long
calls; ``candidates_requested`` is set when one arrives.
"""

import threading
import time
from wsgiref import simple_server

import fixtures
from placement import deploy
from placement.tests.functional.fixtures import placement as pl_fixture

from tests.functional import placement_service


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


class PlacementServer(fixtures.Fixture):

    def _setUp(self):
        self.slow_candidates = 0.0
        self.candidates_requested = threading.Event()
        fixture = self.useFixture(pl_fixture.PlacementFixture(
            use_intercept=False))
        app = deploy.loadapp(fixture.conf_fixture.conf)

        def wrapped(environ, start_response):
            if environ.get('PATH_INFO', '').endswith(
                    '/allocation_candidates'):
                self.candidates_requested.set()
                if self.slow_candidates:
                    time.sleep(self.slow_candidates)
            return app(environ, start_response)

        self.httpd = simple_server.make_server(
            '127.0.0.1', 0, wrapped, handler_class=_QuietHandler)
        self.endpoint = f'http://127.0.0.1:{self.httpd.server_port}'
        thread = threading.Thread(target=self.httpd.serve_forever,
                                  daemon=True)
        thread.start()
        self.addCleanup(thread.join, 10)
        self.addCleanup(self.httpd.server_close)
        self.addCleanup(self.httpd.shutdown)
        self.admin = placement_service.Admin(self.endpoint)

    def config(self):
        """The [placement] section our service needs to reach this."""
        return ('[placement]\nauth_type = admin_token\n'
                f'endpoint = {self.endpoint}\ntoken = admin\n')

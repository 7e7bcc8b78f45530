"""A real Placement service in this process, over HTTP on loopback.

openstack-placement's own WSGI application on a SQLite file in a
temporary directory, served by a single-threaded WSGI server on
127.0.0.1 (an ephemeral port). Requests are handled one at a time, which
SQLite needs; the scheduler talks to it over real HTTP with keystoneauth,
exactly as it talks to a deployed Placement.
"""

import logging
import os
import tempfile
import threading
from typing import Any
from wsgiref import simple_server

from oslo_config import cfg

LOG = logging.getLogger(__name__)
# Not a secret: placement's noauth2 middleware treats this token as admin.
TOKEN = 'admin'  # noqa: S105


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class EmbeddedPlacement:
    def __init__(self) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix='hs-placement-')
        self._server: simple_server.WSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.endpoint = ''

    def start(self) -> 'EmbeddedPlacement':
        try:
            from placement import conf as placement_conf
            from placement import db_api
            from placement import deploy
        except ImportError as exc:
            raise RuntimeError(
                'the simulator needs openstack-placement: pip install '
                '"hardened-scheduler[simulator]"') from exc
        conf = cfg.ConfigOpts()
        placement_conf.register_opts(conf)
        db = os.path.join(self._tmp.name, 'placement.sqlite')
        conf.set_override('connection', f'sqlite:///{db}',
                          'placement_database')
        conf([], project='placement', default_config_files=[],
             default_config_dirs=[])
        conf.set_override('sync_on_startup', True, 'placement_database')
        conf.set_override('auth_strategy', 'noauth2', 'api')
        db_api.configure(conf)
        deploy.update_database(conf)
        app = deploy.loadapp(conf)
        self._server = simple_server.make_server(
            '127.0.0.1', 0, app, handler_class=_QuietHandler)
        port = self._server.server_address[1]
        self.endpoint = f'http://127.0.0.1:{port}'
        self._thread = threading.Thread(
            target=self._server.serve_forever, name='embedded-placement',
            daemon=True)
        self._thread.start()
        LOG.info('Embedded Placement listening on %s', self.endpoint)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(10)
        self._tmp.cleanup()

    def config_lines(self) -> str:
        """The [placement] section that points a scheduler at us."""
        return (f'[placement]\nauth_type = admin_token\n'
                f'endpoint = {self.endpoint}\ntoken = {TOKEN}\n')

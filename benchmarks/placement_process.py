"""The real Placement in a process of its own, for the boot storm.

    python benchmarks/placement_process.py PORT DB_PATH

openstack-placement 16.0.0's application (``deploy.loadapp``) with
noauth2 (token ``admin``), its database a SQLite file made by its own
migrations at start-up, served by wsgiref on 127.0.0.1 one request at a
time (one SQLite writer: every claim is checked against the usage all
earlier claims left, as a real database's transactions would). Its own
process, so it does not share a GIL with the benchmark's client threads.
Like tests/reliability/placement_main.py, without the test packages
(the bench env has no test dependencies).
"""

import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from wsgiref import simple_server

import requests

START_TIMEOUT = 90


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class PlacementProcess:
    """``start()`` runs this module as a process; ``stop()`` ends it."""

    def __init__(self, workdir):
        self.db_path = os.path.join(workdir, 'placement.sqlite')
        self.log_path = os.path.join(workdir, 'placement.log')
        self.port = free_port()
        self.endpoint = f'http://127.0.0.1:{self.port}'
        self.process = None

    def start(self):
        with open(self.log_path, 'ab') as out:
            self.process = subprocess.Popen(  # noqa: S603
                [sys.executable, '-W', 'ignore', os.path.abspath(__file__),
                 str(self.port), self.db_path], stdout=out,
                stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f'Placement exited with {self.process.returncode}; '
                    f'see {self.log_path}')
            try:
                if requests.get(self.endpoint + '/', timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError('Placement did not start')
            time.sleep(0.2)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def config(self):
        """The [placement] section both schedulers need to reach it."""
        return ('[placement]\nauth_type = admin_token\n'
                f'endpoint = {self.endpoint}\ntoken = admin\n')


class _QuietHandler(simple_server.WSGIRequestHandler):
    def log_message(self, *args):
        pass


def main(port, db_path):
    from oslo_config import cfg
    from oslo_policy import opts as policy_opts
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        from placement import conf as placement_conf
        from placement import db_api
        from placement import deploy
    conf = cfg.ConfigOpts()
    placement_conf.register_opts(conf)
    conf_path = db_path + '.conf'
    with open(conf_path, 'w') as f:
        f.write(f'[placement_database]\nconnection = sqlite:///{db_path}\n'
                'sync_on_startup = true\n[api]\nauth_strategy = noauth2\n')
    policy_opts.set_defaults(conf, enforce_new_defaults=False)
    conf(['--config-file', conf_path], default_config_files=[])
    db_api.configure(conf)
    app = deploy.loadapp(conf)
    httpd = simple_server.make_server('127.0.0.1', port, app,
                                      handler_class=_QuietHandler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print(f'placement ready on {port} pid {os.getpid()}', flush=True)
    httpd.serve_forever()


if __name__ == '__main__':
    main(int(sys.argv[1]), sys.argv[2])

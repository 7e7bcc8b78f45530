"""The real Placement in its own process, which a test can kill and restart.

``PlacementProcess`` runs ``tests.reliability.placement_main`` on a free
loopback port with a SQLite file, so ``kill()`` (SIGKILL) and ``start()``
give a Placement that was really gone and comes back with its data.
``admin`` talks to it directly (never through the fault proxy).
"""

import os
import signal
import socket
import subprocess
import sys
import time

import fixtures
import requests

from tests.functional import placement_service

REPO_ROOT = os.path.abspath(os.path.join(
    os.path.dirname(__file__), '..', '..'))
START_TIMEOUT = 90


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class PlacementProcess(fixtures.Fixture):

    def _setUp(self):
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.db_path = os.path.join(self.dir, 'placement.sqlite')
        self.port = free_port()
        self.endpoint = f'http://127.0.0.1:{self.port}'
        self.admin = placement_service.Admin(self.endpoint)
        self.process = None
        self._output = open(os.path.join(self.dir, 'placement.log'), 'ab')
        self.addCleanup(self._output.close)
        self.addCleanup(self.kill)
        self.start()

    def start(self):
        if self.process is not None and self.process.poll() is None:
            return
        env = dict(os.environ, PYTHONPATH=REPO_ROOT)
        self.process = subprocess.Popen(
            [sys.executable, '-W', 'ignore', '-m',
             'tests.reliability.placement_main', str(self.port),
             self.db_path], cwd=REPO_ROOT, env=env, stdout=self._output,
            stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise AssertionError(
                    f'Placement exited with {self.process.returncode}; '
                    f'see {self.dir}/placement.log')
            try:
                if requests.get(self.endpoint + '/', timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise AssertionError('Placement did not start')
            time.sleep(0.1)

    def kill(self):
        """SIGKILL: Placement is gone mid-whatever, as a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)

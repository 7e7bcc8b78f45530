"""SIGTERM with nothing in flight: the binary exits at once, bus or not.

The installed ``hardened-scheduler`` with an unreachable broker (a port
nothing listens on), and with a broker that goes away after the service
connected (a proxy to this machine's RabbitMQ, closed). Before, the
first waited for the whole ``graceful_shutdown_timeout``: starting the
RPC server never returns while oslo.messaging retries connecting, and
the stop waited for it. Draining requests in flight stays covered by
``test_rabbitmq.SignalsTest`` (and the functional DrainTest).
"""

import os
import signal
import socket
import subprocess
import time

import fixtures
import testtools
import testtools.content

from tests import integration
from tests.integration.rpc import service_process
from tests.integration.rpc import tcp_proxy

# A bound on a hang, not a timing assertion: a prompt stop takes a second
# or two; the hang lasted graceful_shutdown_timeout (90 s here, nova's
# default 180 s).
EXIT_BOUND = 20
LOG_WAIT = 60


class _NoPlacement:
    """The [placement] section: nothing is scheduled in these tests."""

    def __init__(self, port):
        self.port = port

    def config(self):
        return ('[placement]\nauth_type = admin_token\n'
                f'endpoint = http://127.0.0.1:{self.port}/\ntoken = admin\n')


def _refusing_port(test):
    """A loopback port that refuses connections for the whole test.

    Bound but not listening: connections to it are refused, and nobody
    else can take it meanwhile.
    """
    sock = socket.socket()
    sock.bind(('127.0.0.1', 0))
    test.addCleanup(sock.close)
    return sock.getsockname()[1]


class SigtermTest(testtools.TestCase):

    def start_service(self, transport_url, wait):
        tmp = self.useFixture(fixtures.TempDir()).path
        pending = os.path.join(tmp, 'pending-releases')
        os.mkdir(pending)
        service = self.useFixture(service_process.ServiceProcess(
            _NoPlacement(_refusing_port(self)),
            command=service_process.binary(), transport_url=transport_url,
            wait=wait, extra_config=(
                # An empty API database: the host states do not matter
                # here (their refresh fails, logged, the service runs).
                '[api_database]\nconnection = '
                f'sqlite:///{os.path.join(tmp, "api.sqlite")}\n'
                f'[hardened_scheduler]\npending_releases_dir = {pending}\n')))
        service.attach_logs_on_failure(self)
        return service

    def wait_for_log(self, service, text, after=0):
        """Wait until the service's log has ``text`` past offset ``after``.
        """
        deadline = time.monotonic() + LOG_WAIT
        while time.monotonic() < deadline:
            if service.process.poll() is not None:
                self.fail(f'the service exited with '
                          f'{service.process.returncode}')
            if text in self.log(service)[after:]:
                return
            time.sleep(0.2)
        self.fail(f'the service did not log {text!r}')

    def log(self, service):
        try:
            with open(service.log_path, encoding='utf-8',
                      errors='replace') as f:
                return f.read()
        except FileNotFoundError:
            return ''

    def assert_sigterm_exits_promptly(self, service):
        started = time.monotonic()
        service.signal(signal.SIGTERM)
        try:
            code = service.process.wait(EXIT_BOUND)
        except subprocess.TimeoutExpired:
            service.process.kill()
            service.process.wait()
            self.fail(f'still running {EXIT_BOUND} s after SIGTERM')
        self.addDetail('exit-seconds', testtools.content.text_content(
            f'{time.monotonic() - started:.2f}'))
        self.assertEqual(0, code)
        # The worker stopped by itself, not by cotyledon's alarm.
        self.assertNotIn('Graceful shutdown timeout', self.log(service))

    def test_broker_unreachable_since_start(self):
        port = _refusing_port(self)
        service = self.start_service(
            f'rabbit://guest:guest@127.0.0.1:{port}/', wait=False)
        # The worker is retrying the broker: its start never returns.
        self.wait_for_log(service, 'Connection refused')
        self.assert_sigterm_exits_promptly(service)

    def test_broker_gone_after_connecting(self):
        integration.require_service('RabbitMQ', integration.RABBITMQ)
        proxy = tcp_proxy.TcpProxy(integration.RABBITMQ[1])
        self.addCleanup(proxy.close)
        # Ready: it answered a ping, through the proxy.
        service = self.start_service(
            f'rabbit://guest:guest@127.0.0.1:{proxy.port}/', wait=True)
        seen = len(self.log(service))
        proxy.close()
        # The listener lost its connection and is reconnecting.
        self.wait_for_log(service, 'unreachable', after=seen)
        self.assert_sigterm_exits_promptly(service)

"""Our service as its own process on the machine's RabbitMQ.

``ServiceProcess`` writes a nova.conf-style file (RabbitMQ as guest, an
exchange and topic unique to the run, so nothing is shared with other
runs or a real nova; auto-deleted queues), starts
``tests.integration.rpc.service_main`` with it and waits until every
worker answers. ``client_transport`` is a transport for nova's client
with nova's allowed exception modules.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import fixtures
from oslo_config import cfg
import oslo_messaging
import testtools.content

from scheduler.rpc import server as server_mod
from tests.compat.rpc import nova_client
from tests.integration.rpc import hosts as hosts_mod

REPO_ROOT = os.path.abspath(os.path.join(
    os.path.dirname(__file__), '..', '..', '..'))
RABBIT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'
START_TIMEOUT = 90


def binary():
    """The installed ``hardened-scheduler`` next to this interpreter."""
    path = shutil.which('hardened-scheduler',
                        path=os.path.dirname(sys.executable))
    return [path] if path else [sys.executable, '-m',
                                'scheduler.cmd.scheduler']


class ServiceProcess(fixtures.Fixture):
    """``command`` None: service_main with ``hosts`` (file-backed cache);
    otherwise that command (e.g. ``binary()``), ready when it answers.

    ``transport_url``: the service's broker when not RabbitMQ itself
    (e.g. a proxy; the test's client still uses RabbitMQ); ``wait``
    False: return once started, without waiting for an answer.
    """

    def __init__(self, placement, hosts=(), workers=1, extra_config='',
                 command=None, transport_url=RABBIT_URL, wait=True):
        super().__init__()
        self.placement = placement
        self.hosts = list(hosts)
        self.workers = workers
        self.extra_config = extra_config
        self.command = command
        self.transport_url = transport_url
        self.wait = wait

    def _setUp(self):
        run = uuid.uuid4().hex[:12]
        self.exchange = f'hs-test-{run}'
        self.topic = f'scheduler-{run}'
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.hosts_path = os.path.join(self.dir, 'hosts.json')
        self.state_dir = os.path.join(self.dir, 'state')
        os.mkdir(self.state_dir)
        self.log_path = os.path.join(self.dir, 'service.log')
        hosts_mod.write_hosts(self.hosts_path, self.hosts)
        self.conf_path = os.path.join(self.dir, 'nova.conf')
        with open(self.conf_path, 'w') as f:
            f.write(
                f'[DEFAULT]\ntransport_url = {self.transport_url}\n'
                f'control_exchange = {self.exchange}\n'
                f'host = hs-{run}\nlog_file = {self.log_path}\n'
                'graceful_shutdown_timeout = 90\n'
                f'[scheduler]\nworkers = {self.workers}\n'
                f'[hardened_scheduler]\nrpc_topic = {self.topic}\n'
                '[oslo_messaging_rabbit]\namqp_auto_delete = true\n'
                'rabbit_transient_queues_ttl = 60\n'
                + self.placement.config() + self.extra_config)
        env = dict(os.environ, HS_TEST_HOSTS=self.hosts_path,
                   HS_TEST_STATE=self.state_dir, PYTHONPATH=REPO_ROOT)
        self.output = open(os.path.join(self.dir, 'output.log'), 'wb')
        self.addCleanup(self.output.close)
        command = self.command or [
            sys.executable, '-W', 'ignore', '-m',
            'tests.integration.rpc.service_main']
        self.process = subprocess.Popen(
            [*command, '--config-file', self.conf_path],
            cwd=REPO_ROOT, env=env, stdout=self.output,
            stderr=subprocess.STDOUT)
        self.addCleanup(self.stop)
        if not self.wait:
            return
        self.transport = self.client_transport()
        self.addCleanup(self.transport.cleanup)
        self.wait_ready()

    def client_transport(self):
        conf = cfg.ConfigOpts()
        conf(args=[], default_config_files=[self.conf_path])
        server_mod.register_opts(conf)
        return oslo_messaging.get_rpc_transport(
            conf, url=RABBIT_URL, allowed_remote_exmods=nova_client.nova_rpc
            .get_allowed_exmods())

    def client(self, **kwargs):
        return oslo_messaging.get_rpc_client(
            self.transport, oslo_messaging.Target(topic=self.topic,
                                                  version='4.0'), **kwargs)

    def states(self):
        return hosts_mod.read_states(self.state_dir)

    def wait_ready(self):
        deadline = time.monotonic() + START_TIMEOUT
        base = self.client().prepare(namespace='baseapi', version='1.0',
                                     timeout=5)
        while True:
            if self.process.poll() is not None:
                raise AssertionError(
                    f'the service exited with {self.process.returncode}')
            started = [s for s in self.states().values() if s['started']]
            if self.command or len(started) >= self.workers:
                try:
                    base.call({}, 'ping', arg='ready')
                    return
                except oslo_messaging.MessagingTimeout:
                    pass
            if time.monotonic() > deadline:
                raise AssertionError('the service did not start')
            time.sleep(0.2)

    def signal(self, signum):
        os.kill(self.process.pid, signum)

    def stop(self):
        if self.process.poll() is None:
            self.signal(signal.SIGTERM)
            try:
                self.process.wait(120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def attach_logs_on_failure(self, test):
        """Attach the service's logs to ``test`` if it fails."""
        def attach(exc_info):
            for name in ('service.log', 'output.log'):
                path = os.path.join(self.dir, name)
                if os.path.exists(path):
                    with open(path, 'rb') as f:
                        data = f.read()[-30000:]
                    test.addDetail(name, testtools.content.text_content(
                        data.decode('utf-8', 'replace')))
        test.addOnException(attach)

"""The operator guide's switch, for real: nova-scheduler to ours and back.

docs/operator-guide.md, "Switching from nova-scheduler" and "Switching
back", tried end to end on this machine's RabbitMQ: nova 34's own
``nova-scheduler`` binary (native threading, its own process) and the
installed ``hardened-scheduler`` run on one nova.conf (nova's databases
made by nova's migrations, the real Placement over HTTP), and nova 34's
client sends ``select_destinations`` as conductor does.

nova's scheduler listens on topic ``scheduler`` (a constant in nova 34),
and a RabbitMQ queue is named by its topic alone, whatever the exchange:
two runs on one broker, or a real nova, would share the ``scheduler``
queue. Each run therefore gets a virtual host of its own (made with
``rabbitmqctl``, removed after), and both services run with nova's
defaults: exchange ``nova``, topic ``scheduler``.

Who answered a request is read from the logs: our decision record
(``Decision: {...}``, one per request, with its request id) and nova's
``Starting to schedule for instances`` line (nova runs with ``--debug``;
its context prefix carries the request id).
"""

import concurrent.futures
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid

import fixtures
from kombu import connection as kombu_connection
from oslo_config import cfg
import oslo_messaging
import testtools
import testtools.content

from scheduler.rpc import server as server_mod
from tests.compat.db import nova_db
from tests.compat.rpc import nova_client
from tests.compat.rpc import scenarios
from tests import integration
from tests.integration.rpc import placement_server
from tests.integration.rpc import service_process

RABBITMQCTL_TIMEOUT = 30
START_TIMEOUT = 60
STOP_TIMEOUT = 30
FLAVOR = {'VCPU': 1, 'MEMORY_MB': 512, 'DISK_GB': 1}


def _rabbitmqctl(*args):
    path = shutil.which('rabbitmqctl') or shutil.which(
        'rabbitmqctl', path='/usr/sbin:/usr/lib/rabbitmq/bin')
    if path is None:
        raise FileNotFoundError('rabbitmqctl')
    return subprocess.run([path, *args], capture_output=True, text=True,
                          timeout=RABBITMQCTL_TIMEOUT, check=True)


class VirtualHost(fixtures.Fixture):
    """A RabbitMQ virtual host of the run's own, guest allowed."""

    def _setUp(self):
        self.name = f'hs-switching-{uuid.uuid4().hex[:12]}'
        try:
            _rabbitmqctl('add_vhost', self.name)
        except (OSError, subprocess.SubprocessError) as exc:
            message = ('a virtual host of its own is needed (nova-scheduler '
                       'listens on the fixed queue "scheduler"), and '
                       f'rabbitmqctl add_vhost failed: {exc!r}')
            if os.environ.get('CI', '').lower() in ('1', 'true', 'yes'):
                raise AssertionError(message) from exc
            raise testtools.TestCase.skipException(message) from exc
        self.addCleanup(_rabbitmqctl, 'delete_vhost', self.name)
        _rabbitmqctl('set_permissions', '-p', self.name, 'guest',
                     '.*', '.*', '.*')
        self.url = f'rabbit://guest:guest@127.0.0.1:5672/{self.name}'

    def consumers(self, queue):
        """Consumers of ``queue`` (0 when it does not exist)."""
        url = f'amqp://guest:guest@127.0.0.1:5672/{self.name}'
        with kombu_connection.Connection(url, connect_timeout=5) as conn:
            channel = conn.channel()
            try:
                return channel.queue_declare(
                    queue, passive=True).consumer_count
            except conn.channel_errors:
                return 0


class Process:
    """A service started on the test's nova.conf, its output in a file."""

    def __init__(self, test, name, command, env=None):
        self.test = test
        self.name = name
        self.command = command
        self.env = env
        self.process = None
        self.log_path = None
        self.started = 0

    def start(self):
        self.started += 1
        self.log_path = os.path.join(self.test.dir,
                                     f'{self.name}-{self.started}.log')
        with open(self.log_path, 'wb') as out:
            self.process = subprocess.Popen(
                self.command, cwd=self.test.dir, env=self.env, stdout=out,
                stderr=subprocess.STDOUT)
        self.test.addCleanup(self._kill, self.process)
        self.test.addOnException(self._attach(self.log_path))

    def log(self):
        with open(self.log_path, encoding='utf-8', errors='replace') as f:
            return f.read()

    def assert_running(self):
        if self.process.poll() is not None:
            raise AssertionError(
                f'{self.name} exited with {self.process.returncode}:\n'
                + self.log()[-5000:])

    def terminate(self):
        """SIGTERM; the exit status and the seconds it took."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(STOP_TIMEOUT)
        return status, time.monotonic() - started

    @staticmethod
    def _kill(process):
        if process.poll() is None:
            process.kill()
            process.wait()

    def _attach(self, path):
        name = os.path.basename(path)

        def attach(exc_info):
            if os.path.exists(path):
                with open(path, 'rb') as f:
                    data = f.read()[-40000:]
                self.test.addDetail(name, testtools.content.text_content(
                    data.decode('utf-8', 'replace')))
        return attach


class SwitchingTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        integration.require_service('RabbitMQ', integration.RABBITMQ)
        self.vhost = self.useFixture(VirtualHost())
        self.placement = self.useFixture(placement_server.PlacementServer())
        self.admin = self.placement.admin
        self.dbs = self.useFixture(nova_db.NovaDatabases(('cell1',)))
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.providers = {name: self.add_host(name)
                          for name in ('host1', 'host2')}
        self.pending_dir = os.path.join(self.dir, 'pending-releases')
        self.conf_path = os.path.join(self.dir, 'nova.conf')
        with open(self.conf_path, 'w') as f:
            f.write(self.nova_conf())
        bindir = os.path.dirname(sys.executable)
        self.manage = shutil.which('hardened-scheduler-manage', path=bindir)
        nova_scheduler = shutil.which('nova-scheduler', path=bindir)
        if nova_scheduler is None or self.manage is None:
            self.skipTest('nova-scheduler and hardened-scheduler-manage '
                          f'must be installed in {bindir} (tox -e '
                          'integration)')
        config = ['--config-file', self.conf_path]
        # nova 34 runs its scheduler on native threads by default; the
        # variable makes it explicit (it wins over concurrency_backend).
        self.nova = Process(
            self, 'nova-scheduler', [nova_scheduler, *config, '--debug'],
            env=dict(os.environ, OS_NOVA_DISABLE_EVENTLET_PATCHING='1'))
        self.ours = Process(self, 'hardened-scheduler',
                            [*service_process.binary(), *config],
                            env=dict(os.environ))
        self.transport = self.client_transport()
        self.addCleanup(self.transport.cleanup)
        self.nova_rpc = self.useFixture(nova_client.NovaRPC(
            self.transport, 'scheduler', fake_wire=False))
        self.placed = {}

    def nova_conf(self):
        """One nova.conf for both services, as the guide has it."""
        return (
            '[DEFAULT]\n'
            f'transport_url = {self.vhost.url}\n'
            f'host = scheduler-{uuid.uuid4().hex[:8]}\n'
            # The computes' rows are written once; keep them up.
            'service_down_time = 600\n'
            'graceful_shutdown_timeout = 20\n'
            '[scheduler]\nworkers = 1\n'
            '[filter_scheduler]\nenabled_filters = ComputeFilter\n'
            # SQLite files: one URL serves nova's scheduler (it writes
            # its services row) and ours (it opens them read-only).
            f'[api_database]\nconnection = {self.dbs.backend.url("api")}\n'
            '[database]\nconnection = '
            f'{self.dbs.backend.url("cell1")}\n'
            + self.placement.config()
            + '[hardened_scheduler]\n'
            f'pending_releases_dir = {self.pending_dir}\n')

    def client_transport(self):
        # As nova's services: exchange nova unless the file says otherwise.
        server_mod.set_lib_defaults()
        conf = cfg.ConfigOpts()
        conf(args=[], default_config_files=[self.conf_path])
        server_mod.register_opts(conf)
        return oslo_messaging.get_rpc_transport(
            conf, allowed_remote_exmods=nova_client.nova_rpc
            .get_allowed_exmods())

    def add_host(self, name):
        rp = self.admin.provider(name, {
            'VCPU': {'total': 32}, 'MEMORY_MB': {'total': 16384},
            'DISK_GB': {'total': 200}})
        # As nova-compute (service version >= 73) reports its providers.
        self.admin.call('PUT', f'/resource_providers/{rp}/traits', {
            'resource_provider_generation': self.admin.generation(rp),
            'traits': ['OWNER_NOVA']})
        self.dbs.add_compute(
            'cell1', name, node_uuid=rp, vcpus=32, memory_mb=16384,
            free_ram_mb=16384, memory_mb_used=0, vcpus_used=0,
            local_gb=200, local_gb_used=0, free_disk_gb=200,
            disk_available_least=200, cpu_allocation_ratio=1.0,
            ram_allocation_ratio=1.0,
            stats={'num_instances': '0', 'io_workload': '0'})
        return rp

    # The steps' tools.

    def manage_command(self, *args):
        return subprocess.run(
            [self.manage, *args, '--config-file', self.conf_path],
            capture_output=True, text=True, timeout=60, cwd=self.dir)

    def wait_consumers(self, count, *running):
        """Until ``count`` consumers take from queue ``scheduler``."""
        deadline = time.monotonic() + START_TIMEOUT
        while self.vhost.consumers('scheduler') != count:
            for process in running:
                process.assert_running()
            if time.monotonic() > deadline:
                raise AssertionError(
                    f'queue scheduler: {self.vhost.consumers("scheduler")}'
                    f' consumer(s), expected {count}')
            time.sleep(0.2)

    def select(self, api):
        ctxt = nova_client.context()
        [inst] = scenarios.uuids(1)
        [[chosen]] = api.select_destinations(
            ctxt, scenarios.request_spec(), [inst], return_objects=True,
            return_alternates=False)
        self.placed[inst] = chosen.compute_node_uuid
        return ctxt.request_id, inst, chosen

    def send(self, count):
        """``count`` requests, 4 at a time; their request ids."""
        api = self.nova_rpc.scheduler_api()
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: self.select(api),
                                    range(count)))
        for _, inst, chosen in results:
            self.assertIn(chosen.service_host, self.providers)
            self.assertEqual(self.providers[chosen.service_host],
                             chosen.compute_node_uuid)
            self.assertEqual(
                {chosen.compute_node_uuid: {'resources': FLAVOR}},
                {rp: {'resources': a['resources']}
                 for rp, a in self.admin.allocations(inst).items()})
        return [request_id for request_id, _, _ in results]

    def answered(self, request_ids):
        """Who answered each request: {'nova': [...], 'ours': [...]}."""
        nova_log = ''.join(self.nova_logs())
        ours = set()
        for text in self.our_logs():
            for line in text.splitlines():
                _, sep, record = line.partition('Decision: ')
                if sep:
                    ours.add(json.loads(record)['request_id'])
        by = {'nova': [], 'ours': []}
        for request_id in request_ids:
            in_nova = any(
                request_id in line and 'Starting to schedule for instances'
                in line for line in nova_log.splitlines())
            in_ours = request_id in ours
            self.assertNotEqual(in_nova, in_ours,
                                f'{request_id}: nova {in_nova}, '
                                f'ours {in_ours}')
            by['nova' if in_nova else 'ours'].append(request_id)
        return by

    def nova_logs(self):
        return self._logs(self.nova)

    def our_logs(self):
        return self._logs(self.ours)

    def _logs(self, process):
        texts = []
        for number in range(1, process.started + 1):
            path = os.path.join(self.dir, f'{process.name}-{number}.log')
            with open(path, encoding='utf-8', errors='replace') as f:
                texts.append(f.read())
        return texts

    def assert_placement_holds_the_placed(self):
        """Each placed instance's claim and nothing else."""
        expected = {rp: {rc: 0 for rc in FLAVOR}
                    for rp in self.providers.values()}
        for rp in self.placed.values():
            for rc, amount in FLAVOR.items():
                expected[rp][rc] += amount
        self.assertEqual(expected, {rp: self.admin.usages(rp)
                                    for rp in self.providers.values()})
        for inst, rp in self.placed.items():
            self.assertEqual([rp], list(self.admin.allocations(inst)))

    def nova_scheduler_services(self):
        with self.dbs.target('cell1') as cctxt:
            return [(svc.host, svc.binary) for svc in
                    nova_client.objects.ServiceList.get_by_binary(
                        cctxt, 'nova-scheduler')]

    def assert_check(self, check):
        """Every check succeeds, with nova-scheduler running (its own
        services row in cell1 is not a compute service)."""
        report = json.loads(check.stdout)
        self.assertEqual(
            {'result': 'Success', 'checks': [
                ('Configuration', 'Success'), ('API database', 'Success'),
                (f'Cell {nova_db.CELL0}(cell0)', 'Success'),
                (f'Cell {uuid.UUID(int=1)}(cell1)', 'Success'),
                ('Host states', 'Success'), ('Placement', 'Success'),
                ('Message bus', 'Success')]},
            {'result': report['result'],
             'checks': [(c['check'], c['result'])
                        for c in report['checks']]})
        details = {c['check']: c['details'] for c in report['checks']}
        self.assertIn('compute services: 2 (0 disabled), compute nodes: 2,'
                      ' instances: 0',
                      details[f'Cell {uuid.UUID(int=1)}(cell1)'])
        self.assertIn('read-only session: yes', details['API database'])
        self.assertEqual(
            [f'rabbit://guest:***@127.0.0.1:5672/{self.vhost.name}: '
             'reachable, logged in'], details['Message bus'])
        self.assertEqual(0, check.returncode, check.stderr)

    # The guide's steps.

    def test_switch_to_hardened_scheduler_and_back(self):
        timings = {}

        # Where the switch starts: nova-scheduler alone serves
        # select_destinations (and writes its services row).
        mark = time.monotonic()
        self.nova.start()
        self.wait_consumers(1, self.nova)
        by = self.answered(self.send(4))
        self.assertEqual((4, 0), (len(by['nova']), len(by['ours'])))
        [(host, _)] = self.nova_scheduler_services()
        timings['nova-scheduler alone'] = time.monotonic() - mark

        # "Switching from nova-scheduler", step 2, nova-scheduler running:
        # validate-config and check -f json on its nova.conf.
        mark = time.monotonic()
        validate = self.manage_command('validate-config')
        self.assertEqual(
            (0, f'OK: configuration is valid ({self.conf_path})\n', ''),
            (validate.returncode, validate.stdout, validate.stderr))
        check = self.manage_command('check', '-f', 'json')
        self.addDetail('check', testtools.content.text_content(
            check.stdout + check.stderr))
        self.assert_check(check)
        timings['validate-config, check'] = time.monotonic() - mark

        # Step 3: hardened-scheduler beside it, on the same queue; each
        # request is answered once, by one of them, and both answer.
        mark = time.monotonic()
        self.ours.start()
        self.wait_consumers(2, self.nova, self.ours)
        by = self.answered(self.send(20))
        self.assertEqual(20, len(by['nova']) + len(by['ours']))
        self.assertGreater(len(by['nova']), 0, by)
        self.assertGreater(len(by['ours']), 0, by)
        self.addDetail('side by side', testtools.content.text_content(
            f"nova answered {len(by['nova'])}, ours {len(by['ours'])}"))
        self.assert_placement_holds_the_placed()
        timings['side by side'] = time.monotonic() - mark

        # Step 4: stop nova-scheduler (SIGTERM, it drains): ours answers
        # every request. Step 5: nova-scheduler's services row stays.
        mark = time.monotonic()
        status, took = self.nova.terminate()
        self.assertEqual(0, status, self.nova.log()[-5000:])
        timings['nova-scheduler SIGTERM'] = took
        self.wait_consumers(1, self.ours)
        by = self.answered(self.send(8))
        self.assertEqual((0, 8), (len(by['nova']), len(by['ours'])))
        self.assert_placement_holds_the_placed()
        self.assertEqual([(host, 'nova-scheduler')],
                         self.nova_scheduler_services())
        timings['hardened-scheduler alone'] = time.monotonic() - mark

        # "Switching back": start nova-scheduler, then SIGTERM ours: it
        # exits 0 at once, nova answers every request, and Placement
        # holds exactly the placed instances' claims.
        mark = time.monotonic()
        self.nova.start()
        self.wait_consumers(2, self.nova, self.ours)
        # Nothing left to undo: no claim release waits in the journal.
        self.assertEqual([], os.listdir(self.pending_dir))
        status, took = self.ours.terminate()
        self.assertEqual(0, status, self.ours.log()[-5000:])
        self.assertLess(took, 15)
        timings['hardened-scheduler SIGTERM'] = took
        self.wait_consumers(1, self.nova)
        by = self.answered(self.send(8))
        self.assertEqual((8, 0), (len(by['nova']), len(by['ours'])))
        self.assertEqual(4 + 20 + 8 + 8, len(self.placed))
        self.assert_placement_holds_the_placed()
        self.assertEqual([], os.listdir(self.pending_dir))
        timings['switched back'] = time.monotonic() - mark
        self.addDetail('timings', testtools.content.text_content(
            '\n'.join(f'{step}: {seconds:.1f} s'
                      for step, seconds in timings.items())))

"""One cloud for a reliability scenario, and the checks every scenario runs.

``Cloud`` puts together:

- Placement (``PlacementProcess``: its own process, SQLite file) and
  ``proxy`` (``FaultProxy``) in front of it: the service reaches
  Placement only through the proxy, the checks only directly;
- nova's API, cell0 and cell1 databases made by nova's own migrations
  and filled through nova's objects (``NovaDatabases``, SQLite files);
- ``hosts`` compute nodes, each a provider (inventory with allocation
  ratio 1.0, trait OWNER_NOVA) and a compute node + service row;
- the installed ``hardened-scheduler`` binary (``ServiceProcess``) on
  this machine's RabbitMQ, with an exchange and topic unique to the run;
- nova 34's SchedulerAPI (``nova``), as nova-conductor calls it.

``select()`` sends one request and records its outcome; ``audit()``
compares Placement's allocations with the outcomes (leaks) and its
usages with its inventories (over-commit).
"""

from concurrent import futures
import dataclasses
import os
import threading
import time
import uuid

import fixtures
import testtools

from tests import reliability
from tests.compat.db import nova_db
from tests.compat.rpc import nova_client
from tests.compat.rpc import scenarios
from tests.integration.rpc import service_process
from tests.reliability import fault_proxy
from tests.reliability import placement_process

nova_exception = nova_client.nova_exception
NOVA_CONF = nova_client.CONF
# nova's client waits this long for an answer (nova: long_rpc_timeout).
CALL_TIMEOUT = 90


@dataclasses.dataclass(frozen=True)
class Host:
    name: str
    vcpus: int = 16
    ram_mb: int = 16384
    disk_gb: int = 400


@dataclasses.dataclass
class Outcome:
    instance_uuids: list
    ok: bool
    seconds: float
    selections: list | None = None
    reason: str | None = None
    error: str | None = None


@dataclasses.dataclass
class Audit:
    consumers: dict
    leaks: list
    overcommits: list

    def describe(self):
        return (f'leaked consumers: {self.leaks}; '
                f'over-committed: {self.overcommits}')


class _ProxiedPlacement:
    """What ServiceProcess asks for: the [placement] section (the proxy).
    """

    def __init__(self, endpoint):
        self.endpoint = endpoint

    def config(self):
        return ('[placement]\nauth_type = admin_token\n'
                f'endpoint = {self.endpoint}\ntoken = admin\n'
                # keystoneauth's per-call timeout: a hung Placement.
                'timeout = 3\n')


class Cloud(fixtures.Fixture):

    def __init__(self, hosts, workers=1, extra_config=''):
        super().__init__()
        self.host_specs = list(hosts)
        self.workers = workers
        self.extra_config = extra_config

    def _setUp(self):
        self.placement = self.useFixture(
            placement_process.PlacementProcess())
        self.admin = self.placement.admin
        self.proxy = fault_proxy.FaultProxy(self.placement.port)
        self.addCleanup(self.proxy.stop)
        self.dbs = self.useFixture(nova_db.NovaDatabases(('cell1',)))
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.pending_dir = os.path.join(self.dir, 'pending-releases')
        os.mkdir(self.pending_dir)
        self.providers = {}
        for host in self.host_specs:
            self.add_host(host)
        self._lock = threading.Lock()
        # Consumers that may hold allocations: requests answered with
        # Selections, and allocations a test made itself.
        self.expected = set()
        self.outcomes = []
        self.service = self.useFixture(service_process.ServiceProcess(
            _ProxiedPlacement(self.proxy.endpoint),
            command=service_process.binary(), workers=self.workers,
            extra_config=self.service_config()))
        self.nova = self.useFixture(nova_client.NovaRPC(
            self.service.transport, self.service.topic, fake_wire=False))
        for name, value in (('long_rpc_timeout', CALL_TIMEOUT),
                            ('rpc_response_timeout', CALL_TIMEOUT)):
            NOVA_CONF.set_override(name, value)
            self.addCleanup(NOVA_CONF.clear_override, name)

    def service_config(self):
        return (
            # No nova-compute heartbeats here: the computes' service rows
            # stay "up" for the whole run.
            '[DEFAULT]\nservice_down_time = 86400\n'
            '[api_database]\nconnection = '
            f'{self.dbs.backend.url("api", reader=True)}\n'
            '[database]\nconnection = '
            f'{self.dbs.backend.url("cell1", reader=True)}\n'
            '[hardened_scheduler]\n'
            'placement_retry_attempts = 3\n'
            'placement_retry_max_seconds = 3\n'
            # Being added with the reliability fixes (oslo.config ignores
            # an option nobody registered yet).
            'request_deadline = 10\n'
            f'pending_releases_dir = {self.pending_dir}\n'
            'pending_release_retry_interval = 1\n'
            + self.extra_config)

    # -- the cloud -------------------------------------------------------

    def add_host(self, host):
        rp = str(uuid.uuid4())
        self.admin.provider(host.name, {
            'VCPU': {'total': host.vcpus, 'allocation_ratio': 1.0},
            'MEMORY_MB': {'total': host.ram_mb, 'allocation_ratio': 1.0},
            'DISK_GB': {'total': host.disk_gb, 'allocation_ratio': 1.0}},
            rp_uuid=rp)
        # As nova-compute (service version >= 73) reports its providers.
        self.admin.call('PUT', f'/resource_providers/{rp}/traits', {
            'resource_provider_generation': self.admin.generation(rp),
            'traits': ['OWNER_NOVA']})
        self.dbs.add_compute(
            'cell1', host.name, node_uuid=rp, vcpus=host.vcpus,
            memory_mb=host.ram_mb, local_gb=host.disk_gb, vcpus_used=0,
            memory_mb_used=0, local_gb_used=0, free_ram_mb=host.ram_mb,
            free_disk_gb=host.disk_gb, disk_available_least=host.disk_gb,
            cpu_allocation_ratio=1.0, ram_allocation_ratio=1.0,
            disk_allocation_ratio=1.0,
            stats={'num_instances': '0', 'io_workload': '0'})
        self.providers[rp] = host.name
        return rp

    def fill(self, rp, vcpus, ram_mb=0, disk_gb=0):
        """An allocation made by someone else (an instance already there).
        """
        consumer = str(uuid.uuid4())
        resources = {'VCPU': vcpus}
        if ram_mb:
            resources['MEMORY_MB'] = ram_mb
        if disk_gb:
            resources['DISK_GB'] = disk_gb
        self.admin.call('PUT', f'/allocations/{consumer}', {
            'allocations': {rp: {'resources': resources}},
            'project_id': 'p-other', 'user_id': 'u-other',
            'consumer_generation': None, 'consumer_type': 'INSTANCE'})
        with self._lock:
            self.expected.add(consumer)
        return consumer

    # -- requests --------------------------------------------------------

    def spec(self, num_instances=1, vcpus=1, memory_mb=512):
        return scenarios.request_spec(num_instances, vcpus=vcpus,
                                      memory_mb=memory_mb)

    def select(self, num_instances=1, upper=False, vcpus=1,
               memory_mb=512, alternates=True, record=True):
        """One select_destinations as nova-conductor sends it (4.5)."""
        insts = scenarios.uuids(num_instances)
        if upper:
            insts = [u.upper() for u in insts]
        spec = self.spec(num_instances, vcpus=vcpus, memory_mb=memory_mb)
        spec.instance_uuid = insts[0]
        api = self.nova.scheduler_api()
        started = time.monotonic()
        try:
            rows = api.select_destinations(
                nova_client.context(), spec, insts, return_objects=True,
                return_alternates=alternates)
        except nova_exception.NoValidHost as exc:
            outcome = Outcome(insts, False, time.monotonic() - started,
                              reason=exc.kwargs.get('reason', ''))
        except Exception as exc:  # noqa: BLE001 - recorded as a failure
            outcome = Outcome(insts, False, time.monotonic() - started,
                              error=f'{type(exc).__name__}: {exc}'[:300])
        else:
            outcome = Outcome(insts, True, time.monotonic() - started,
                              selections=rows)
        if record:
            with self._lock:
                self.outcomes.append(outcome)
                if outcome.ok:
                    self.expected.update(u.lower() for u in insts)
        return outcome

    # -- checks ----------------------------------------------------------

    def alive(self):
        """The master and every worker process run."""
        if self.service.process.poll() is not None:
            return False
        return len(self.worker_pids()) >= self.workers

    def worker_pids(self):
        """The master's child processes (the workers)."""
        master = self.service.process.pid
        pids = []
        for entry in os.listdir('/proc'):
            if not entry.isdigit():
                continue
            try:
                with open(f'/proc/{entry}/stat') as f:
                    stat = f.read()
            except OSError:
                continue
            # pid (comm) state ppid ...: comm may hold spaces.
            fields = stat.rsplit(')', 1)[1].split()
            if fields[0] != 'Z' and int(fields[1]) == master:
                pids.append(int(entry))
        return pids

    def consumers(self):
        """{consumer as Placement has it: {rp: resources}}."""
        found = {}
        for rp in self.providers:
            allocs = self.admin.call(
                'GET', f'/resource_providers/{rp}/allocations')
            for consumer, alloc in allocs['allocations'].items():
                found.setdefault(consumer, {})[rp] = alloc['resources']
        return found

    def overcommits(self):
        bad = []
        for rp, name in self.providers.items():
            inventories = self.admin.call(
                'GET', f'/resource_providers/{rp}/inventories')['inventories']
            usages = self.admin.usages(rp)
            for rc, inv in inventories.items():
                capacity = int((inv['total'] - inv['reserved'])
                               * inv['allocation_ratio'])
                if usages.get(rc, 0) > capacity:
                    bad.append(f'{name} {rc} {usages[rc]}/{capacity}')
        return bad

    def audit(self):
        consumers = self.consumers()
        with self._lock:
            expected = set(self.expected)
        leaks = []
        seen = {}
        for consumer in consumers:
            key = consumer.lower()
            if key not in expected or key in seen:
                leaks.append(consumer)
            seen[key] = consumer
        # What Placement says of each leaked consumer, for the report.
        for consumer in leaks:
            self.admin.allocations(consumer)
        return Audit(consumers, sorted(leaks), self.overcommits())

    def wait_for_no_leaks(self, timeout=60.0):
        """Audit until nothing leaks (pending releases retried) or timeout.
        """
        deadline = time.monotonic() + timeout
        while True:
            audit = self.audit()
            if not audit.leaks or time.monotonic() > deadline:
                return audit
            time.sleep(1.0)

    def select_many(self, shapes, clients, seconds):
        """``shapes`` ((instances, upper) each) over ``clients`` threads.

        Bounded: what has not answered ``seconds`` (plus one call's
        timeout) from now is left out of the outcomes.
        """
        deadline = time.monotonic() + seconds
        outcomes = []
        with futures.ThreadPoolExecutor(clients) as pool:
            pending = [pool.submit(self.select, n, upper)
                       for n, upper in shapes]
            for future in pending:
                left = max(0.0, deadline - time.monotonic())
                try:
                    outcomes.append(future.result(
                        timeout=left + CALL_TIMEOUT))
                except futures.TimeoutError:
                    future.cancel()
        return outcomes

    def free_everything(self):
        """Delete every allocation (as nova deleting the instances)."""
        for consumer in self.consumers():
            self.admin.call('DELETE', f'/allocations/{consumer}',
                            expect=(204, 404))
        with self._lock:
            self.expected.clear()
            self.outcomes.clear()

    def assert_serving(self, test, timeout=60.0):
        """Alive, and a valid request gets its Selection (bounded wait)."""
        test.assertTrue(self.alive(), 'the service process is gone')
        deadline = time.monotonic() + timeout
        while True:
            outcome = self.select()
            if outcome.ok or time.monotonic() > deadline:
                break
            time.sleep(1.0)
        test.assertTrue(outcome.ok, f'a valid request failed: {outcome}')
        test.assertTrue(self.alive(), 'the service process is gone')
        return outcome


class CloudTestCase(testtools.TestCase):
    """One Cloud (service, Placement, proxy) shared by a class's tests.

    Subclasses set ``HOSTS`` and may set ``WORKERS`` and ``EXTRA_CONFIG``.
    """

    HOSTS: list = []
    WORKERS = 1
    EXTRA_CONFIG = ''

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        reliability.require_rabbitmq()
        cls.cloud = Cloud(cls.HOSTS, workers=cls.WORKERS,
                          extra_config=cls.EXTRA_CONFIG)
        cls.cloud.setUp()

    @classmethod
    def tearDownClass(cls):
        cls.cloud.cleanUp()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.cloud.service.attach_logs_on_failure(self)
        self.cloud.proxy.clear()

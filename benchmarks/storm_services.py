"""The boot storm's processes: a RabbitMQ virtual host, the two services.

nova's scheduler listens on the fixed queue ``scheduler``: the run gets a
virtual host of its own (``rabbitmqctl``, removed at the end, as in
tests/integration/rpc/test_switching.py), and both services run on one
nova.conf with nova's defaults (exchange ``nova``, topic ``scheduler``),
one after the other.

What each log tells (read after the run):

- ours: one ``Decision: {json}`` line per request, with its request id,
  result and claim outcomes (claimed, capacity, conflict, ...) and
  how many times Placement was asked again after lost claims (requeries);
- nova (``nova.scheduler.client.report`` at DEBUG, the rest at INFO, so
  nova does not pay for its per-host debug lines): ``Failed to save
  allocation for <instance>. Got HTTP 409`` (a claim Placement refused:
  capacity taken since the candidates were read; nova tries the next
  host) and ``Unable to claim_resources because ...; retrying``
  (a provider generation conflict, retried after a random sleep), and
  ``Got no allocation candidates from the Placement API`` (INFO, with
  the request id in its context prefix).
"""

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid

from oslo_log import _options as log_options

RABBITMQCTL_TIMEOUT = 60
START_TIMEOUT = 180
STOP_TIMEOUT = 60


def rabbitmqctl(*args):
    path = shutil.which('rabbitmqctl') or shutil.which(
        'rabbitmqctl', path='/usr/sbin:/usr/lib/rabbitmq/bin')
    if path is None:
        raise FileNotFoundError('rabbitmqctl')
    return subprocess.run(  # noqa: S603  (rabbitmqctl, our arguments)
        [path, *args], capture_output=True, text=True,
        timeout=RABBITMQCTL_TIMEOUT, check=True)


class VirtualHost:
    def __init__(self):
        self.name = f'hs-boot-storm-{uuid.uuid4().hex[:12]}'
        self.url = f'rabbit://guest:guest@127.0.0.1:5672/{self.name}'
        self.created = False

    def create(self):
        rabbitmqctl('add_vhost', self.name)
        self.created = True
        rabbitmqctl('set_permissions', '-p', self.name, 'guest',
                    '.*', '.*', '.*')

    def delete(self):
        if self.created:
            rabbitmqctl('delete_vhost', self.name)
            self.created = False

    def queues(self):
        """{queue: (messages, consumers)}."""
        out = rabbitmqctl('list_queues', '-q', '--no-table-headers', '-p',
                          self.name, 'name', 'messages', 'consumers').stdout
        queues = {}
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[1].isdigit():
                queues[parts[0]] = (int(parts[1]), int(parts[2]))
        return queues


def nova_conf(path, vhost, placement, workdir, api_url, cell_url, workers):
    levels = ','.join([*log_options.DEFAULT_LOG_LEVELS,
                       'nova.scheduler.client.report=DEBUG'])
    with open(path, 'w') as f:
        f.write(
            '[DEFAULT]\n'
            f'transport_url = {vhost.url}\n'
            f'host = storm-{uuid.uuid4().hex[:8]}\n'
            # The computes' rows are written once; keep them up.
            'service_down_time = 86400\n'
            'graceful_shutdown_timeout = 30\n'
            f'default_log_levels = {levels}\n'
            f'[scheduler]\nworkers = {workers}\n'
            f'[api_database]\nconnection = {api_url}\n'
            f'[database]\nconnection = {cell_url}\n'
            + placement.config()
            + '[hardened_scheduler]\n'
            f'pending_releases_dir = {workdir}/pending-releases\n')


class Service:
    """One scheduler service (its workers) on the run's nova.conf."""

    def __init__(self, name, command, workdir, env=None):
        self.name = name
        self.command = command
        self.env = env
        self.log_path = os.path.join(workdir, f'{name}.log')
        self.process = None

    def start(self):
        with open(self.log_path, 'wb') as out:
            self.process = subprocess.Popen(  # noqa: S603
                self.command, env=self.env, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True)

    def wait_consumers(self, vhost, count):
        """Until ``count`` workers take from queue ``scheduler``."""
        deadline = time.monotonic() + START_TIMEOUT
        while vhost.queues().get('scheduler', (0, 0))[1] < count:
            if self.process.poll() is not None:
                raise RuntimeError(f'{self.name} exited with '
                                   f'{self.process.returncode}:\n'
                                   + self.log()[-3000:])
            if time.monotonic() > deadline:
                raise RuntimeError(f'{self.name}: fewer than {count} '
                                   'consumers on queue scheduler')
            time.sleep(0.5)

    def stop(self):
        """SIGTERM (it drains), SIGKILL to its group after STOP_TIMEOUT."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log(self):
        with open(self.log_path, encoding='utf-8', errors='replace') as f:
            return f.read()


def ours(workdir, conf_path):
    bindir = os.path.dirname(sys.executable)
    binary = shutil.which('hardened-scheduler', path=bindir)
    return Service('hardened-scheduler', [binary, '--config-file', conf_path],
                   workdir, env=dict(os.environ))


def nova(workdir, conf_path):
    bindir = os.path.dirname(sys.executable)
    binary = shutil.which('nova-scheduler', path=bindir)
    if binary is None:
        raise RuntimeError(f'nova-scheduler is not installed in {bindir} '
                           '(tox -e bench installs nova 34)')
    # nova 34 runs its scheduler on native threads by default; the
    # variable makes it explicit.
    return Service('nova-scheduler', [binary, '--config-file', conf_path],
                   workdir, env=dict(os.environ,
                                     OS_NOVA_DISABLE_EVENTLET_PATCHING='1'))


def wait_drained(vhost, timeout=120):
    """Until no consumed queue of the virtual host holds a message (the
    fanout queues of a service stopped earlier keep theirs)."""
    deadline = time.monotonic() + timeout
    while any(messages for messages, consumers in vhost.queues().values()
              if consumers):
        if time.monotonic() > deadline:
            raise RuntimeError('queues not drained')
        time.sleep(0.5)


_NOVA_SYNC_MISSES = ("Received a sync request from an unknown host",
                     "The instance sync for host")


def sync_rounds(send_round, service, vhost, rounds=6):
    """Send every host's instance sync until a round changes nothing.

    nova's HostManager takes a host's instances from memory only once a
    sync matched what it loaded (``updated``); a sync that arrives before
    its start-up load, or that does not match, is logged at INFO and
    re-reads the host. A round that logs none of those leaves every host
    synced in every worker. Returns the rounds sent.
    """
    for sent in range(1, rounds + 1):
        before = sum(service.log().count(m) for m in _NOVA_SYNC_MISSES)
        send_round()
        wait_drained(vhost)
        time.sleep(1.0)
        after = sum(service.log().count(m) for m in _NOVA_SYNC_MISSES)
        if after == before and sent > 1:
            return sent
    return sent


def our_decisions(text):
    """{request_id: decision record} from our log."""
    decisions = {}
    for line in text.splitlines():
        _, sep, record = line.partition('Decision: ')
        if sep:
            try:
                rec = json.loads(record)
            except ValueError:
                continue
            decisions[rec.get('request_id')] = rec
    return decisions


_FAILED_SAVE = re.compile(r'Failed to save allocation for ([0-9a-f-]{36})\. '
                          r'Got HTTP (\d+)')
_RETRY = re.compile(r'Unable to claim_resources because .*?consumer '
                    r'([0-9a-f-]{36}); retrying')
_OUT_OF_RETRIES = 'Failed scheduler client operation claim_resources'
_NO_CANDIDATES = re.compile(r'\[[^\]\n]*?(req-[0-9a-f-]{36})[^\]\n]*\] '
                            r'Got no allocation candidates from the '
                            r'Placement API')


def nova_no_candidates(text):
    """Request ids nova found no allocation candidates for (INFO)."""
    return {m.group(1) for m in _NO_CANDIDATES.finditer(text)}


def nova_claim_failures(text):
    """(refused claims {instance: count}, generation retries {instance:
    count}, claims out of retries)."""
    refused, retries = {}, {}
    for match in _FAILED_SAVE.finditer(text):
        refused[match.group(1)] = refused.get(match.group(1), 0) + 1
    for match in _RETRY.finditer(text):
        retries[match.group(1)] = retries.get(match.group(1), 0) + 1
    return refused, retries, text.count(_OUT_OF_RETRIES)

"""Worker processes: the service, ``[scheduler] workers`` times.

The same pieces as oslo.service's threading backend: a cotyledon master
forks the workers, restarts one that dies, passes SIGTERM on (each worker
drains, bounded by ``graceful_shutdown_timeout``) and mutates its
configuration on SIGHUP before signalling the workers. One difference:
oslo.service's worker answers SIGHUP by stopping and being forked again;
ours mutates its own configuration, reloads its host cache in place and
keeps serving, so SIGHUP loses no request and no cache warm-up.

The reload runs on a thread of the worker's own (``sighup-reload``), never
on cotyledon's: cotyledon calls ``Worker.reload()`` holding the worker's
signal lock, so a reload run there would hold back SIGTERM and drop every
SIGHUP that arrives meanwhile. ``reload()`` only asks for a reload that
starts after the signal (``ReadCoalescer.request``). Signals that arrive
while a reload runs share the next one, started when it ends: a storm of
SIGHUPs costs the running reload and one more, and the last signal is
always followed by a reload that re-read the files after it.

Nothing but configuration exists in the master: the transport, Placement
client and host cache are built in each worker after the fork, so no
thread or connection is ever shared across a fork. Each worker has its
own host cache.
"""

from collections.abc import Callable
import logging
import multiprocessing
import os
import threading
import time
from typing import Any

import cotyledon
from cotyledon import oslo_config_glue
from oslo_config import cfg

# oslo_service.service picks eventlet unless a backend was chosen: the
# scheduler.rpc package, imported before this module, chose threads.
from oslo_service import opts as service_opts
from oslo_service import service as oslo_service

from scheduler.hoststate import read_coalescer
from scheduler import service as service_mod

LOG = logging.getLogger(__name__)
# nova's default (nova/conf/base.py); oslo.service's own is 60 s.
NOVA_GRACEFUL_SHUTDOWN_TIMEOUT = 180
Build = Callable[[cfg.ConfigOpts], service_mod.SchedulerService]


def worker_count(conf: cfg.ConfigOpts) -> int:
    """``[scheduler] workers``, unset (or 0) meaning one per CPU, as nova.
    """
    return int(conf.scheduler.workers or os.cpu_count() or 1)


class WorkerService(oslo_service.ServiceBase):  # type: ignore[misc]
    """Builds the scheduler service when started, in the worker process."""

    def __init__(self, conf: cfg.ConfigOpts, build: Build) -> None:
        self.conf = conf
        self._build = build
        self._lock = threading.Lock()
        self._service: service_mod.SchedulerService | None = None
        self._stopping = False
        self._done = threading.Event()
        # This worker's number, set by Worker in its process.
        self.worker_index = 0
        # SIGHUP reloads, one at a time, coalesced; the thread serving
        # them starts with the service, in the worker process.
        self._reloads = read_coalescer.ReadCoalescer(self._reload)
        self._reload_thread: threading.Thread | None = None
        self._signals_lock = threading.Lock()
        self._signals = 0

    def start(self) -> None:
        with self._lock:
            if self._stopping or self._service is not None:
                return
            svc = self._service = self._build(self.conf)
            svc.worker_index = self.worker_index
        # Outside the lock, which stop() takes: with the message bus
        # unreachable, starting never returns (oslo.messaging retries
        # connecting forever) and SIGTERM must still stop the worker.
        svc.start()
        self._reload_thread = threading.Thread(
            target=self._reloads.serve, name='sighup-reload', daemon=True)
        self._reload_thread.start()

    def stop(self, graceful: bool = True) -> None:
        with self._lock:
            self._stopping = True
            svc = self._service
        # No reload starts from now on; one running finishes (a failure
        # against a closing cache is logged, the current state kept).
        self._reloads.close()
        try:
            if svc is not None:
                svc.stop(graceful)
        finally:
            self._done.set()

    def wait(self) -> None:
        self._done.wait()

    def reset(self) -> None:
        """Reload now and return when a reload that began after the call
        has ended; shares the reloads SIGHUP asks for."""
        self._reloads.wait_fresh(None)

    def request_reset(self) -> None:
        """SIGHUP: ask for a reload and return at once."""
        with self._signals_lock:
            self._signals += 1
        if self._reloads.request():
            LOG.debug('SIGHUP while a reload is running or pending: the '
                      'next reload serves it')

    @property
    def reloads(self) -> int:
        """How many reloads have run in this worker."""
        return self._reloads.reads

    def wait_reloaded(self, timeout: float) -> bool:
        """Whether every SIGHUP so far was served within ``timeout`` s."""
        return self._reloads.wait_served(timeout)

    def _reload(self) -> None:
        """One reload: the configuration files, then the service."""
        with self._lock:
            svc = None if self._stopping else self._service
        with self._signals_lock:
            signals, self._signals = self._signals, 0
        if svc is None:
            return
        started = time.monotonic()
        try:
            self.conf.mutate_config_files()
        except Exception:
            LOG.exception('Re-reading the configuration files failed; the '
                          'current configuration stays in use')
        ok = svc.reset()
        LOG.info('SIGHUP reload %(outcome)s in %(secs).2f s (%(n)d signal(s)'
                 ' since the previous reload)',
                 {'outcome': 'done' if ok else
                  'failed, the current host states stay in use',
                  'secs': time.monotonic() - started, 'n': signals})


class Worker(oslo_service.ServiceWrapper):  # type: ignore[misc]
    """oslo.service's worker, reloading in place on SIGHUP."""

    # cotyledon's name for the process title and its log lines.
    name = 'hardened-scheduler'

    def __init__(self, worker_id: int, service_instance: WorkerService,
                 **kwargs: Any) -> None:
        super().__init__(worker_id, service_instance, **kwargs)
        service_instance.worker_index = worker_id

    def reload(self) -> None:
        # cotyledon calls this on SIGHUP holding the worker's signal lock
        # (SIGTERM waits for it, other SIGHUPs are dropped until it
        # returns): only ask; the reload runs on the worker's own thread.
        self.service_instance.request_reset()


def run(conf: cfg.ConfigOpts, build: Build, workers: int) -> None:
    """Serve in ``workers`` processes until SIGTERM; never returns.

    ``build`` is called in each worker with ``conf`` and returns the
    (not started) service, e.g. ``create_service`` over a transport.
    """
    service_opts.set_service_opts_defaults(
        conf, graceful_shutdown_timeout=NOVA_GRACEFUL_SHUTDOWN_TIMEOUT)
    manager = cotyledon.ServiceManager(
        # fork, as oslo.service: the worker inherits the parsed conf.
        mp_context=multiprocessing.get_context('fork'),
        graceful_shutdown_timeout=conf.graceful_shutdown_timeout)
    oslo_config_glue.link(manager, conf, reload_method='mutate')
    manager.add(Worker, workers, args=(WorkerService(conf, build),))
    LOG.info('Starting %d scheduler worker process(es)', workers)
    manager.run()

"""Worker processes: the service, ``[scheduler] workers`` times.

The same pieces as oslo.service's threading backend: a cotyledon master
forks the workers, restarts one that dies, passes SIGTERM on (each worker
drains, bounded by ``graceful_shutdown_timeout``) and mutates its
configuration on SIGHUP before signalling the workers. One difference:
oslo.service's worker answers SIGHUP by stopping and being forked again;
ours mutates its own configuration, reloads its host cache in place and
keeps serving, so SIGHUP loses no request and no cache warm-up.

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
from typing import Any

import cotyledon
from cotyledon import oslo_config_glue
from oslo_config import cfg

# oslo_service.service picks eventlet unless a backend was chosen: the
# scheduler.rpc package, imported before this module, chose threads.
from oslo_service import opts as service_opts
from oslo_service import service as oslo_service

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

    def start(self) -> None:
        with self._lock:
            if self._stopping or self._service is not None:
                return
            self._service = self._build(self.conf)
            self._service.worker_index = self.worker_index
            self._service.start()

    def stop(self, graceful: bool = True) -> None:
        with self._lock:
            self._stopping = True
            svc = self._service
        try:
            if svc is not None:
                svc.stop(graceful)
        finally:
            self._done.set()

    def wait(self) -> None:
        self._done.wait()

    def reset(self) -> None:
        with self._lock:
            svc = self._service
        if svc is not None:
            svc.reset()


class Worker(oslo_service.ServiceWrapper):  # type: ignore[misc]
    """oslo.service's worker, reloading in place on SIGHUP."""

    # cotyledon's name for the process title and its log lines.
    name = 'hardened-scheduler'

    def __init__(self, worker_id: int, service_instance: WorkerService,
                 **kwargs: Any) -> None:
        super().__init__(worker_id, service_instance, **kwargs)
        service_instance.worker_index = worker_id

    def reload(self) -> None:
        LOG.info('SIGHUP: reloading the configuration and the host cache')
        # An exception here would end the worker (cotyledon exits on it).
        try:
            self.service_instance.conf.mutate_config_files()
        except Exception:
            LOG.exception('Re-reading the configuration files failed; the '
                          'current configuration stays in use')
        self.service_instance.reset()


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

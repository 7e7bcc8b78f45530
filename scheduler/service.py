"""The scheduler service, embeddable: nova's scheduler API on a transport.

::

    transport = scheduler.rpc.server.get_transport(conf)
    svc = scheduler.service.create_service(conf, transport)
    svc.start()      # listens; returns at once
    ...
    svc.stop()       # drains (see below), then returns
    svc.wait()

``create_service`` builds everything in the calling process and starts
nothing: no thread, no connection before ``start()``. Without ``hosts``
it builds the database-backed host-state cache from ``conf``; without
``placement`` a Placement client from ``[placement]``; without
``neutron`` a Neutron client from ``[neutron]``. The service starts and
stops the cache it uses. An embedding process: see
``docs/operator-guide.md`` (Embedding).

``stop()`` drains as nova's services do: it stops taking messages, waits
for the requests in flight for ``[DEFAULT] manager_shutdown_timeout``
minus up to 20 seconds kept for cleanup (bounded by
``graceful_shutdown_timeout`` when that is smaller), then aborts the rest:
an aborted request fails at its next Placement call and releases what it
claimed, and claims of requests still running at the end of the cleanup
time are released for them. ``reset()`` (SIGHUP) reloads the host cache.
The message bus is never waited for when nothing depends on it: a server
that never connected is not waited for at all, one that did gets
``BUS_STOP_TIMEOUT`` seconds to stop taking messages and as many to close
its connection (``scheduler.rpc.server.ServerStop``), so a broker that is
down cannot hold a stop for ``graceful_shutdown_timeout``.
"""

from collections.abc import Sequence
import dataclasses
import logging
import random
import threading
import time
from typing import Any, cast

from oslo_config import cfg
from oslo_service.backend import base as service_base

from scheduler.authz import authorization
from scheduler import decision_record
from scheduler.hoststate import source as host_source
from scheduler import manager as manager_mod
from scheduler import metrics as metrics_mod
from scheduler.placement import pending_releases
from scheduler import redaction
from scheduler.request_filters import base as request_filter_base
from scheduler.codec import limits as limits_mod
from scheduler.filters import base as filters_base
from scheduler.placement import client as placement_client
from scheduler.rpc import cache_protocol as cache_mod
from scheduler.rpc import endpoints
from scheduler.rpc import inflight as inflight_mod
from scheduler.rpc import notifications
from scheduler.rpc import refusals
from scheduler.rpc import server as server_mod
from scheduler.weighers import base as weighers_base

LOG = logging.getLogger(__name__)
# nova: the manager keeps up to 20 s of its shutdown time for cleanup, and
# stays 10 s under graceful_shutdown_timeout when that is the smaller.
CLEANUP_RESERVE = 20.0
GRACEFUL_MARGIN = 10.0


def drain_budget(conf: cfg.ConfigOpts) -> tuple[float, float]:
    """(seconds to wait for requests, seconds for aborting the rest)."""
    total = float(conf.manager_shutdown_timeout)
    try:
        graceful = float(conf.graceful_shutdown_timeout)
    except cfg.NoSuchOptError:
        graceful = 0.0  # not under oslo.service: no outer bound
    if graceful and total > graceful:
        LOG.warning('manager_shutdown_timeout (%s) is higher than '
                    'graceful_shutdown_timeout (%s); draining for less',
                    total, graceful)
        total = max(0.0, graceful - GRACEFUL_MARGIN)
    reserve = min(CLEANUP_RESERVE, total)
    return total - reserve, reserve


class SchedulerService(service_base.ServiceBase):  # type: ignore[misc]
    """One RPC server over one manager and one host cache."""

    def __init__(self, conf: cfg.ConfigOpts, *, server: Any,
                 hosts: cache_mod.HostCache,
                 placement: inflight_mod.GuardedPlacement,
                 inflight: inflight_mod.InFlight,
                 metrics: metrics_mod.SchedulerMetrics | None = None,
                 authorizer: authorization.Authorizer | None = None,
                 releases: pending_releases.Releases | None = None
                 ) -> None:
        self.conf = conf
        # Releases that Placement did not take, retried while serving.
        self.releases = (releases if releases is not None
                         else pending_releases.Releases(conf, placement))
        self.metrics = metrics
        self.authorizer = authorizer
        # Set by the worker process: metrics listen on metrics_port + it.
        self.worker_index = 0
        self._metrics_server: metrics_mod.MetricsServer | None = None
        self.hosts = hosts
        self.placement = placement
        self.inflight = inflight
        self._server = server
        self._lock = threading.Lock()
        self._started = False
        self._stopping = False
        self._stopped = threading.Event()
        # Set once the server's start() returned: it reached the broker.
        self._listening = threading.Event()

    @property
    def stopping(self) -> bool:
        """stop() was called: no new message is taken."""
        return self._stopping

    def start(self) -> None:
        with self._lock:
            if self._started or self._stopping:
                return
            self._started = True
            self.hosts.start()
            # Releases journaled by an earlier run are retried too.
            self.releases.start()
            self._serve_metrics()
        # Outside the lock, so that stop() never waits for it: with the
        # broker unreachable, oslo.messaging's start() retries forever.
        self._server.start()
        self._listening.set()
        LOG.info('hardened-scheduler serving topic %(topic)s as server '
                 '%(server)s',
                 {'topic': self.conf.hardened_scheduler.rpc_topic,
                  'server': self.conf.host})

    def stop(self, graceful: bool = True) -> None:
        with self._lock:
            if self._stopping:
                return
            self._stopping = True
            started = self._started
        try:
            if started:
                self._stop_serving(graceful)
        finally:
            self.hosts.stop()
            self.releases.stop()
            if self._metrics_server is not None:
                self._metrics_server.stop()
            self._stopped.set()

    def _serve_metrics(self) -> None:
        """The Prometheus endpoint, when an address is configured."""
        if self.metrics is None:
            return
        server = metrics_mod.MetricsServer(self.conf, self.metrics,
                                           self.worker_index)
        try:
            if server.start():
                self._metrics_server = server
                LOG.info('Serving Prometheus metrics on %(addr)s:%(port)d',
                         {'addr': server.address, 'port': server.port})
        except OSError as exc:
            # Metrics are for watching; scheduling goes on without them.
            LOG.error('Cannot serve Prometheus metrics on %(addr)s:%(port)d:'
                      ' %(error)s', {'addr': server.address,
                                     'port': server.port, 'error': exc})

    def _stop_serving(self, graceful: bool) -> None:
        """Stop taking messages, drain (or abort), close the connection.
        """
        began = time.monotonic()
        rpc = server_mod.ServerStop(self._server)
        rpc.begin()
        if not self._listening.is_set():
            # Never connected: nothing was received, nothing to wait for.
            LOG.info('Stopping: the RPC server never reached the message '
                     'bus; not waiting for it')
        elif not rpc.stopped(server_mod.BUS_STOP_TIMEOUT):
            LOG.warning('Stopping: the RPC server did not stop taking '
                        'messages within %(secs).1f s (message bus '
                        'unreachable?); draining without it',
                        {'secs': server_mod.BUS_STOP_TIMEOUT})
        idle = (self._drain(time.monotonic() - began) if graceful
                else self._abort(0.0))
        # With requests still running, wait() would wait for them: skip
        # it, as before. Otherwise close, within a bound.
        if not idle or not self._listening.is_set():
            return
        if not (rpc.stopped(0.0)
                and rpc.close(server_mod.BUS_STOP_TIMEOUT)):
            LOG.warning('Stopping without closing the RPC server\'s '
                        'connection: the message bus does not answer')

    def _drain(self, spent: float = 0.0) -> bool:
        """Wait for the requests in flight, ``spent`` s of the budget
        already gone (waiting for the server to stop taking messages)."""
        wait_for, reserve = drain_budget(self.conf)
        wait_for = max(0.0, wait_for - spent)
        count = self.inflight.count()
        if count:
            LOG.info('Stopping: waiting up to %(wait).0f s for %(n)d '
                     'request(s) in flight', {'wait': wait_for, 'n': count})
        if self.inflight.wait_idle(wait_for):
            self.inflight.abort()  # closes: queued messages are refused
            return True
        return self._abort(reserve)

    def _abort(self, reserve: float) -> bool:
        aborted = self.inflight.abort()
        for ticket in aborted:
            LOG.warning('Aborting request %(req)s (%(method)s): the service '
                        'is stopping', {'req': ticket.request_id,
                                        'method': ticket.method})
        idle = self.inflight.wait_idle(reserve)
        if not idle:
            self.placement.release_unfinished(self.releases)
        return idle

    def wait(self) -> None:
        self._stopped.wait()

    def reset(self) -> bool:
        """SIGHUP: reload the host cache; requests keep being served.

        A failed reload keeps the current host states (the cache logs
        why); it never stops the service. Returns whether the host cache
        was reloaded. Runs the reload on the calling thread, at once: a
        worker process coalesces SIGHUPs before calling it
        (``scheduler.rpc.workers``).
        """
        if self.authorizer is not None:
            # A broken policy file keeps the rules in force (logged).
            self.authorizer.reload()
        try:
            # The configuration was re-read: log redaction settings, and
            # handlers oslo.log may have rebuilt from log_config_append.
            redaction.refresh(self.conf)
        except Exception:
            LOG.exception('Log redaction settings not reloaded; the '
                          'previous ones stay in use')
        LOG.debug('Reloading the host state cache')
        try:
            self.hosts.refresh()
        except Exception:
            LOG.exception('Reloading the host state cache failed; the '
                          'current host states stay in use')
            return False
        return True


def _host_state_cache(conf: cfg.ConfigOpts) -> cache_mod.HostCache:
    # Imported here: the database-backed cache (and SQLAlchemy) is only
    # needed when no host source is handed in.
    from scheduler.hoststate import cache as host_cache

    cache: cache_mod.HostCache = host_cache.HostStateCache.from_conf(conf)
    return cache


def create_service(
        conf: cfg.ConfigOpts, transport: Any, *,
        hosts: cache_mod.HostCache | host_source.HostSource | None = None,
        placement: placement_client.PlacementClient | None = None,
        neutron: request_filter_base.NeutronReader | None = None,
        filters: Sequence[filters_base.BaseHostFilter] | None = None,
        weighers: Sequence[weighers_base.BaseWeigher] | None = None,
        request_filter_chain: Sequence[
            request_filter_base.RequestFilter] | None = None,
        rng: random.Random | None = None,
        notification_transport: Any | None = None) -> SchedulerService:
    """A scheduler service on ``transport``, not started.

    Every collaborator that talks to something outside the process can
    be handed in; each one left out is built from ``conf`` here, without
    connecting (connections open on first use, after ``start()``).

    :param conf: a ConfigOpts with the scheduler options registered
        (``scheduler.conf.register_opts``) and parsed.
    :param transport: an oslo.messaging RPC transport
        (``scheduler.rpc.server.get_transport(conf)`` or any other,
        e.g. ``fake://`` in tests).
    :param hosts: where host states come from. A HostCache (casts from
        computes update it, ``reset()``/SIGHUP refreshes it; the service
        starts and stops it) or a plain HostSource (casts are then
        ignored). Default: the cache read from nova's databases as
        ``conf`` configures them.
    :param placement: the Placement client
        (``scheduler.placement.client.PlacementClient`` or any object
        with its methods); the service wraps it so that a stop can abort
        requests in flight. Default: one from ``[placement]``.
    :param neutron: the Neutron reader of the request filters that need
        ports and segments (``scheduler.request_filter_base.NeutronReader``,
        e.g. ``scheduler.neutron.client.NeutronClient``). Default: a
        NeutronClient from ``[neutron]``, which loads its credentials
        only when a request first needs Neutron.
    :param filters, weighers, request_filter_chain, rng: passed to the
        manager (default: the configured plugins, random.SystemRandom).
    :param notification_transport: where decision notifications go when
        ``[oslo_messaging_notifications] driver`` enables them; default:
        oslo.messaging's notification transport from ``conf``.
    """
    shared = _shared_parts(conf, hosts, placement, notification_transport)
    manager = manager_mod.SchedulerManager(
        conf,
        # Same calls as the client: the manager sees a PlacementClient.
        placement=cast(placement_client.PlacementClient, shared.placement),
        hosts=shared.hosts, neutron=neutron, filters=filters,
        weighers=weighers, request_filter_chain=request_filter_chain,
        rng=rng, metrics=shared.metrics, authorizer=shared.authorizer,
        decisions=shared.decisions, releases=shared.releases)
    return SchedulerService(
        conf, server=_rpc_server(conf, transport, manager, shared),
        hosts=shared.hosts, placement=shared.placement,
        inflight=shared.inflight, metrics=shared.metrics,
        authorizer=shared.authorizer, releases=shared.releases)


@dataclasses.dataclass(frozen=True)
class _SharedParts:
    """What the manager, the RPC server and the service all use."""

    inflight: inflight_mod.InFlight
    metrics: metrics_mod.SchedulerMetrics
    placement: inflight_mod.GuardedPlacement
    hosts: cache_mod.HostCache
    authorizer: authorization.Authorizer
    releases: pending_releases.Releases
    decisions: decision_record.DecisionLog


def _shared_parts(
        conf: cfg.ConfigOpts,
        hosts: cache_mod.HostCache | host_source.HostSource | None,
        placement: placement_client.PlacementClient | None,
        notification_transport: Any | None) -> _SharedParts:
    """create_service's collaborators, each built from ``conf`` unless
    handed in, wired to the metrics and to each other."""
    inflight = inflight_mod.InFlight()
    metrics = metrics_mod.SchedulerMetrics()
    guarded = inflight_mod.GuardedPlacement(
        placement or placement_client.PlacementClient(
            conf, observer=metrics.observe_placement), inflight)
    cache = (cache_mod.as_cache(hosts) if hosts is not None
             else _host_state_cache(conf))
    if hasattr(cache, 'observer'):
        cache.observer = metrics.observe_cache_refresh
    authorizer = authorization.Authorizer(conf)
    releases = pending_releases.Releases(
        conf, guarded, gauge=metrics.observe_pending_releases)
    guarded.releaser = releases
    decisions = decision_record.DecisionLog(
        conf, notifications.decision_notifier(conf, notification_transport))
    return _SharedParts(inflight, metrics, guarded, cache, authorizer,
                        releases, decisions)


def _rpc_server(conf: cfg.ConfigOpts, transport: Any,
                manager: manager_mod.SchedulerManager,
                shared: _SharedParts) -> Any:
    """The RPC server (not started) in front of ``manager``."""
    # Every refusal of a request is answered and recorded there.
    refused = refusals.Refusals(shared.decisions, shared.metrics)
    api = endpoints.SchedulerEndpoint(
        scheduler=manager, hosts=shared.hosts,
        limits=limits_mod.DecodeLimits.from_conf(conf),
        authorizer=shared.authorizer, refusals=refused)
    return server_mod.create_server(
        conf, transport, [api, endpoints.BaseAPIEndpoint()],
        shared.inflight, shared.releases, refused)

"""Prometheus metrics: what operators watch in production.

Every label comes from a small fixed set (results, stage names, the
configured filter names, Placement call names, claim outcomes), never a
host, instance or project, so cardinality stays bounded. Each decision is
recorded once, from its Explanation, at the end of the request.
"""

import threading
from wsgiref import simple_server

import prometheus_client
from oslo_config import cfg

from scheduler import explanation

NAMESPACE = 'hardened_scheduler'
# Scheduling decisions take milliseconds to seconds.
SECOND_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                  0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# One filter over all hosts of a request: microseconds (a filter that
# does not apply) to tens of milliseconds.
FILTER_SECOND_BUCKETS = (0.00001, 0.000025, 0.00005, 0.0001, 0.00025,
                         0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                         0.1, 0.25, 1.0)
RESULTS = ('scheduled', 'no_valid_host', 'denied', 'error')


class SchedulerMetrics:
    def __init__(self, registry: prometheus_client.CollectorRegistry | None
                 = None) -> None:
        self.registry = registry or prometheus_client.CollectorRegistry()
        r = self.registry
        self.attempts = prometheus_client.Counter(
            'select_destinations', 'Scheduling attempts by result.',
            ['result'], namespace=NAMESPACE, registry=r)
        self.no_valid_host = prometheus_client.Counter(
            'no_valid_host', 'NoValidHost answers by failing stage.',
            ['stage'], namespace=NAMESPACE, registry=r)
        self.stage_seconds = prometheus_client.Histogram(
            'stage_duration_seconds', 'Time spent per pipeline stage.',
            ['stage'], namespace=NAMESPACE, registry=r,
            buckets=SECOND_BUCKETS)
        self.filter_seconds = prometheus_client.Histogram(
            'filter_duration_seconds', 'Time each configured filter took '
            'per request (over all its hosts and instances).', ['filter'],
            namespace=NAMESPACE, registry=r, buckets=FILTER_SECOND_BUCKETS)
        self.filter_removed = prometheus_client.Counter(
            'filter_hosts_removed', 'Hosts removed, per filter (and per '
            'host pre-filter step such as force_hosts).', ['filter'],
            namespace=NAMESPACE, registry=r)
        self.placement_seconds = prometheus_client.Histogram(
            'placement_request_duration_seconds', 'Placement request '
            'latency by call and status class.', ['call', 'status'],
            namespace=NAMESPACE, registry=r, buckets=SECOND_BUCKETS)
        self.claims = prometheus_client.Counter(
            'claims', 'Placement claims by outcome (claimed, capacity, '
            'conflict, unreachable, failed, out_of_time).', ['outcome'],
            namespace=NAMESPACE, registry=r)
        self.pending_releases = prometheus_client.Gauge(
            'pending_releases', 'Claim releases Placement has not taken '
            'yet, journaled and retried (this worker\'s view of the '
            'journal).', namespace=NAMESPACE, registry=r)
        self.truncated = prometheus_client.Counter(
            'candidates_truncated', 'Requests whose allocation candidates '
            'were cut at max_placement_results.', namespace=NAMESPACE,
            registry=r)
        self.cache_refreshes = prometheus_client.Counter(
            'host_cache_refreshes', 'Host-state cache refreshes by kind '
            'and result.', ['kind', 'result'], namespace=NAMESPACE,
            registry=r)
        self.denied = prometheus_client.Counter(
            'authorization_denied', 'RPC calls and casts refused by the '
            'policy, per method.', ['method'], namespace=NAMESPACE,
            registry=r)
        self.dropped = prometheus_client.Counter(
            'request_fields_dropped', 'Request fields the caller may not '
            'set, dropped, per field.', ['field'], namespace=NAMESPACE,
            registry=r)
        for result in RESULTS:
            self.attempts.labels(result)

    def observe_decision(self, expl: explanation.Explanation,
                         result: str) -> None:
        self.attempts.labels(result).inc()
        if result == 'no_valid_host':
            self.no_valid_host.labels(expl.failed_stage or 'unknown').inc()
        if result == 'denied':
            self.denied.labels('select_destinations').inc()
        for field in expl.authorization_drops:
            self.dropped.labels(_field_label(field)).inc()
        for stage, ms in expl.durations_ms:
            self.stage_seconds.labels(stage).observe(ms / 1000.0)
        for name, ms in expl.filter_durations_ms:
            self.filter_seconds.labels(name).observe(ms / 1000.0)
        for count in expl.filters:
            if count.removed:
                self.filter_removed.labels(count.name).inc(count.removed)
        claims = expl.claims
        for outcome in explanation.CLAIM_OUTCOMES:
            n = getattr(claims, outcome)
            if n:
                self.claims.labels(outcome).inc(n)
        if expl.placement is not None and expl.placement.truncated:
            self.truncated.inc()

    def observe_placement(self, call: str, status: int | None,
                          seconds: float) -> None:
        status_class = f'{status // 100}xx' if status else 'no_response'
        self.placement_seconds.labels(call, status_class).observe(seconds)

    def observe_pending_releases(self, count: int) -> None:
        self.pending_releases.set(count)

    def observe_cache_refresh(self, kind: str, ok: bool) -> None:
        self.cache_refreshes.labels(kind, 'ok' if ok else 'failed').inc()

    def observe_denied(self, method: str) -> None:
        """A refused cast (the endpoint only names nova's methods)."""
        self.denied.labels(method).inc()


def _field_label(field: str) -> str:
    """Hint names are the caller's text: one label for all of them but
    the rebuild check, so label values stay a small fixed set."""
    if (field.startswith('scheduler_hints.')
            and field != 'scheduler_hints._nova_check_type'):
        return 'scheduler_hints._nova*'
    return field


class MetricsServer:
    """The /metrics HTTP endpoint, when configured."""

    def __init__(self, conf: cfg.ConfigOpts, metrics: SchedulerMetrics,
                 worker_index: int = 0) -> None:
        self.address = conf.hardened_scheduler.metrics_listen_address
        self.port = conf.hardened_scheduler.metrics_port + worker_index
        self.metrics = metrics
        self._server: simple_server.WSGIServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Serve metrics if an address is configured; True if serving."""
        if not self.address:
            return False
        server, self._thread = prometheus_client.start_http_server(
            self.port, addr=self.address, registry=self.metrics.registry)
        self._server = server
        # An ephemeral port (0) becomes the port actually bound.
        self.port = server.server_address[1]
        return True

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(5)

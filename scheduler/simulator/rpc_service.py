"""The real scheduler service in this process, and a client to it.

Each simulation run starts its own service with
``scheduler.service.create_service`` (one service, as one worker would
run it) on oslo.messaging's in-process ``fake:`` transport: the workload
goes through ``SchedulerClient``, the RPC server, the dispatcher and the
endpoint, and the RequestSpec and Selections are encoded and decoded on
the way, exactly as between nova-conductor and the service. Only the bus
is in memory; any ``transport_url`` in the configuration is not used.

The caller sees what nova-conductor sees: Selections or a NoValidHost
reason. The stage that failed is read from the service's own
``hardened_scheduler_no_valid_host_total{stage}`` metric, which is exact
because the simulator sends one request at a time; what each filter did
is read from the service's decision record (the ``Decision:`` log line),
which is captured here and not printed.
"""

from collections.abc import Mapping, Sequence
import json
import logging
import threading
from typing import Any

from oslo_config import cfg
import oslo_messaging

from scheduler import decision_record
from scheduler import explanation
from scheduler.hoststate import source as host_source
from scheduler import metrics as metrics_mod
from scheduler import service as service_mod
from scheduler.objects import context as context_obj
from scheduler.objects import request_spec
from scheduler.objects import selection
from scheduler.rpc import client as rpc_client
from scheduler.rpc import server as server_mod

TRANSPORT_URL = 'fake:/'
NO_VALID_HOST_METRIC = 'hardened_scheduler_no_valid_host_total'
# Several stages counted at once (the simulator sends one request at a
# time, so this means a bug).
UNKNOWN_STAGE = 'unknown'
# A NoValidHost the manager did not count: the service refused the
# request at the RPC edge, before scheduling, for exceeding its bounds on
# what one message may hold ([hardened_scheduler] max_num_instances,
# max_list_length...); the reason names the bound.
REFUSED_STAGE = 'refused (bounds)'


def _no_valid_host_counts(metrics: metrics_mod.SchedulerMetrics | None,
                          ) -> Mapping[str, float]:
    if metrics is None:
        return {}
    return {sample.labels.get('stage', UNKNOWN_STAGE): sample.value
            for metric in metrics.registry.collect()
            for sample in metric.samples
            if sample.name == NO_VALID_HOST_METRIC}


class _DecisionCapture(logging.Filter):
    """Keeps the service's decision records instead of logging them."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._last: dict[str, Any] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if (record.msg != decision_record.LOG_FORMAT
                or not isinstance(record.args, tuple)):
            return True
        with self._lock:
            self._last = json.loads(str(record.args[0]))
        return False

    def filter_counts(self) -> tuple[explanation.FilterCount, ...]:
        with self._lock:
            rows = self._last.get('filters') or []
        return tuple(explanation.FilterCount(
            name=row['name'], hosts_in=row['in'], hosts_out=row['out'],
            reasons=tuple(sorted(row.get('reasons', {}).items())))
            for row in rows)


class ServiceRun:
    """A started service and its client; a context manager.

    ``select_destinations`` is a ``workload_run.Driver``,
    ``failed_stage`` its ``FailedStage`` and ``filter_counts`` its
    ``FilterCounts``.
    """

    def __init__(self, conf: cfg.ConfigOpts,
                 hosts: host_source.HostSource) -> None:
        # The exchange nova uses, unless control_exchange says otherwise.
        server_mod.set_lib_defaults()
        self.transport = oslo_messaging.get_rpc_transport(
            conf, url=TRANSPORT_URL)
        # Decision notifications, if the configuration enables them, stay
        # in the process too: never on the production bus.
        self.notification_transport = (
            oslo_messaging.get_notification_transport(
                conf, url=TRANSPORT_URL))
        try:
            self.service = service_mod.create_service(
                conf, self.transport, hosts=hosts,
                notification_transport=self.notification_transport)
            self.client = rpc_client.SchedulerClient(conf, self.transport)
        except Exception:
            self.transport.cleanup()
            self.notification_transport.cleanup()
            raise
        self._seen = _no_valid_host_counts(self.service.metrics)
        self._decisions = _DecisionCapture()
        self._decision_log = logging.getLogger(decision_record.__name__)
        self._decision_level = self._decision_log.level

    def __enter__(self) -> 'ServiceRun':
        # The records are INFO; the capture drops them once read.
        self._decision_log.addFilter(self._decisions)
        self._decision_log.setLevel(logging.INFO)
        self.service.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        try:
            self.service.stop()
            self.service.wait()
        finally:
            self.transport.cleanup()
            self.notification_transport.cleanup()
            self._decision_log.setLevel(self._decision_level)
            self._decision_log.removeFilter(self._decisions)

    def select_destinations(
            self, context: context_obj.RequestContext,
            spec: request_spec.RequestSpec, instances: Sequence[str],
    ) -> list[list[selection.Selection]]:
        return self.client.select_destinations(
            context, spec, instances, return_alternates=True)

    def failed_stage(self) -> str:
        """The stage of the NoValidHost just received."""
        counts = _no_valid_host_counts(self.service.metrics)
        grown = [stage for stage, count in counts.items()
                 if count > self._seen.get(stage, 0.0)]
        self._seen = counts
        if not grown:
            return REFUSED_STAGE
        return grown[0] if len(grown) == 1 else UNKNOWN_STAGE

    def filter_counts(self) -> tuple[explanation.FilterCount, ...]:
        """What each filter did for the request just answered."""
        return self._decisions.filter_counts()

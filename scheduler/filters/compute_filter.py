"""ComputeFilter: only hosts whose nova-compute service is enabled and up."""

from collections.abc import Callable
import datetime

from oslo_config import cfg
from oslo_utils import timeutils

from scheduler import filters
from scheduler import host_state
from scheduler.objects import request_spec

DISABLED = 'service disabled'
FORCED_DOWN = 'service forced down'
DOWN = 'service down'


def _naive_utc(moment: datetime.datetime) -> datetime.datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.UTC)
    return moment.replace(tzinfo=None)


def service_down_time(conf: cfg.ConfigOpts) -> int:
    """[DEFAULT]service_down_time as nova's servicegroup API applies it.

    nova raises it to 2.5 report intervals when it is not above
    report_interval.
    """
    down_time = int(conf.service_down_time)
    report_interval = int(conf.report_interval)
    if down_time <= report_interval:
        down_time = int(report_interval * 2.5)
    return down_time


def service_is_up(service: host_state.ServiceInfo,
                  now: datetime.datetime, down_time: int) -> bool:
    """nova's db servicegroup driver: a heartbeat within down_time."""
    last_heartbeat = service.last_seen_up or service.created_at
    if last_heartbeat is None:
        return False  # never reported (nova would fail on this row)
    elapsed = (_naive_utc(now) - _naive_utc(last_heartbeat)).total_seconds()
    return abs(elapsed) <= down_time


class ComputeFilter(filters.BaseHostFilter):
    """Filter on active compute services (nova's db servicegroup driver)."""

    RUN_ON_REBUILD = False
    run_filter_once_per_request = True

    def __init__(self, conf: cfg.ConfigOpts, *,
                 clock: Callable[[], datetime.datetime] = timeutils.utcnow
                 ) -> None:
        super().__init__(conf)
        self._clock = clock
        self._down_time = service_down_time(conf)

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> filters.Rejection | None:
        service = host.service
        if service.disabled:
            return self.reject(DISABLED)
        if service.forced_down:
            return self.reject(FORCED_DOWN)
        if not service_is_up(service, self._clock(), self._down_time):
            return self.reject(DOWN)
        return None

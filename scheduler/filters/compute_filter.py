"""ComputeFilter: only hosts whose nova-compute service is enabled and up."""

from collections.abc import Callable
import datetime

from oslo_config import cfg
from oslo_utils import timeutils

from scheduler.hoststate import host_state
from scheduler.filters import base
from scheduler.objects import request_spec

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.UNSCHEDULABLE

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


def up_check(now: datetime.datetime, down_time: int
             ) -> Callable[[host_state.ServiceInfo], bool]:
    """``service_is_up`` at ``now`` for many services: the heartbeat
    window is worked out once, so each service costs two comparisons."""
    naive_now = _naive_utc(now)
    span = datetime.timedelta(seconds=down_time)
    try:
        low, high = naive_now - span, naive_now + span
    except OverflowError:  # a window beyond the calendar: compare each
        return lambda service: service_is_up(service, now, down_time)
    low_utc = low.replace(tzinfo=datetime.UTC)
    high_utc = high.replace(tzinfo=datetime.UTC)

    def is_up(service: host_state.ServiceInfo) -> bool:
        last = service.last_seen_up or service.created_at
        if last is None:
            return False
        if last.tzinfo is datetime.UTC:  # how host_builder stores them
            return low_utc <= last <= high_utc
        return low <= _naive_utc(last) <= high
    return is_up


class ComputeFilter(base.BaseHostFilter):
    """Filter on active compute services (nova's db servicegroup driver)."""

    RUN_ON_REBUILD = False
    run_filter_once_per_request = True

    def __init__(self, conf: cfg.ConfigOpts, *,
                 clock: Callable[[], datetime.datetime] = timeutils.utcnow
                 ) -> None:
        super().__init__(conf)
        self._clock = clock
        self._down_time = service_down_time(conf)
        self._disabled = self.reject(DISABLED, CODE)
        self._forced_down = self.reject(FORCED_DOWN, CODE)
        self._down = self.reject(DOWN, CODE)

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        service = host.service
        if service.disabled:
            return self.reject(DISABLED, CODE)
        if service.forced_down:
            return self.reject(FORCED_DOWN, CODE)
        if not service_is_up(service, self._clock(), self._down_time):
            return self.reject(DOWN, CODE)
        return None

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck:
        # nova reads the clock for every host; once per request is the
        # same answer up to the microseconds the loop takes.
        is_up = up_check(self._clock(), self._down_time)
        disabled, forced_down, down = (
            self._disabled, self._forced_down, self._down)

        def check(host: host_state.HostState
                  ) -> host_state.HostState | base.Rejection:
            service = host.service
            if service.disabled:
                return disabled
            if service.forced_down:
                return forced_down
            if not is_up(service):
                return down
            return host
        return check

"""ComputeFilter: disabled, forced down and heartbeat age."""

import dataclasses
import datetime

import testtools

from scheduler.filters import compute_filter
from scheduler.hoststate import host_state
from tests.unit import fakes
from tests.unit.filters import conf_fixture

NOW = datetime.datetime(2026, 3, 1, 12, 0, 0)


def _host(**service):
    service.setdefault('last_seen_up', NOW - datetime.timedelta(seconds=5))
    return dataclasses.replace(
        fakes.host('h1'),
        service=host_state.ServiceInfo(host='h1', **service))


def _filter(**default):
    return compute_filter.ComputeFilter(
        conf_fixture.make_conf(DEFAULT=default), clock=lambda: NOW)


class ComputeFilterTest(testtools.TestCase):

    def test_up_and_enabled_passes(self):
        self.assertIsNone(_filter().host_passes(_host(), fakes.spec()))

    def test_disabled(self):
        rejection = _filter().host_passes(
            _host(disabled=True, disabled_reason='maintenance'),
            fakes.spec())
        self.assertEqual('ComputeFilter', rejection.filter_name)
        self.assertEqual(compute_filter.DISABLED, rejection.reason)

    def test_forced_down(self):
        self.assertEqual(compute_filter.FORCED_DOWN, _filter().host_passes(
            _host(forced_down=True), fakes.spec()).reason)

    def test_heartbeat_age_boundary(self):
        f = _filter()
        at_limit = _host(last_seen_up=NOW - datetime.timedelta(seconds=60))
        self.assertIsNone(f.host_passes(at_limit, fakes.spec()))
        late = _host(last_seen_up=NOW - datetime.timedelta(seconds=61))
        self.assertEqual(compute_filter.DOWN,
                         f.host_passes(late, fakes.spec()).reason)

    def test_future_heartbeat_counts_by_absolute_age(self):
        f = _filter()
        future = _host(last_seen_up=NOW + datetime.timedelta(seconds=61))
        self.assertEqual(compute_filter.DOWN,
                         f.host_passes(future, fakes.spec()).reason)

    def test_created_at_when_never_seen(self):
        f = _filter()
        new = _host(last_seen_up=None,
                    created_at=NOW - datetime.timedelta(seconds=30))
        self.assertIsNone(f.host_passes(new, fakes.spec()))
        old = _host(last_seen_up=None,
                    created_at=NOW - datetime.timedelta(hours=1))
        self.assertIsNotNone(f.host_passes(old, fakes.spec()))
        self.assertIsNotNone(f.host_passes(_host(last_seen_up=None),
                                           fakes.spec()))

    def test_aware_timestamps(self):
        f = _filter()
        plus_one = datetime.timezone(datetime.timedelta(hours=1))
        # 13:00:30+01:00 is 12:00:30 UTC: 30 s in the future.
        seen = datetime.datetime(2026, 3, 1, 13, 0, 30, tzinfo=plus_one)
        self.assertIsNone(f.host_passes(_host(last_seen_up=seen),
                                        fakes.spec()))

    def test_service_down_time_option(self):
        f = _filter(service_down_time=120)
        host = _host(last_seen_up=NOW - datetime.timedelta(seconds=100))
        self.assertIsNone(f.host_passes(host, fakes.spec()))

    def test_down_time_raised_above_report_interval(self):
        conf = conf_fixture.make_conf(
            DEFAULT={'service_down_time': 30, 'report_interval': 40})
        self.assertEqual(100, compute_filter.service_down_time(conf))
        f = compute_filter.ComputeFilter(conf, clock=lambda: NOW)
        host = _host(last_seen_up=NOW - datetime.timedelta(seconds=90))
        self.assertIsNone(f.host_passes(host, fakes.spec()))

    def test_clock_read_per_check(self):
        times = [NOW, NOW + datetime.timedelta(minutes=5)]
        f = compute_filter.ComputeFilter(conf_fixture.make_conf(),
                                         clock=lambda: times.pop(0))
        host = _host()
        self.assertIsNone(f.host_passes(host, fakes.spec()))
        self.assertIsNotNone(f.host_passes(host, fakes.spec()))

    def test_default_clock_is_utcnow(self):
        f = compute_filter.ComputeFilter(conf_fixture.make_conf())
        fresh = _host(last_seen_up=datetime.datetime.now(datetime.UTC))
        self.assertIsNone(f.host_passes(fresh, fakes.spec()))

    def test_flags(self):
        self.assertTrue(compute_filter.ComputeFilter.
                        run_filter_once_per_request)
        self.assertFalse(compute_filter.ComputeFilter.RUN_ON_REBUILD)


class HostCheckTest(testtools.TestCase):
    """The per-request check: same answers as host_passes."""

    def test_clock_read_once_per_request(self):
        reads = []

        def clock():
            reads.append(1)
            return NOW
        f = compute_filter.ComputeFilter(conf_fixture.make_conf(),
                                         clock=clock)
        check = f.host_check(fakes.spec())
        hosts = [_host() for _ in range(5)]
        self.assertEqual(hosts, [check(h) for h in hosts])
        self.assertEqual(1, len(reads))

    def test_rejections_as_host_passes(self):
        f = _filter()
        check = f.host_check(fakes.spec())
        for host in (_host(disabled=True), _host(forced_down=True),
                     _host(last_seen_up=NOW - datetime.timedelta(hours=1)),
                     _host(last_seen_up=None)):
            self.assertEqual(f.host_passes(host, fakes.spec()), check(host))

    def test_up_check_matches_service_is_up(self):
        utc = datetime.UTC
        plus_one = datetime.timezone(datetime.timedelta(hours=1))
        micro = datetime.timedelta(microseconds=1)
        limit = datetime.timedelta(seconds=60)
        moments = [None, NOW, NOW - limit, NOW - limit - micro,
                   NOW + limit, NOW + limit + micro,
                   NOW.replace(tzinfo=utc) - limit,
                   NOW.replace(tzinfo=utc) - limit - micro,
                   NOW.replace(tzinfo=utc) + limit + micro,
                   datetime.datetime(2026, 3, 1, 13, 1, 0, tzinfo=plus_one),
                   datetime.datetime(2026, 3, 1, 13, 1, 0, 1,
                                     tzinfo=plus_one)]
        for now in (NOW, NOW.replace(tzinfo=utc),
                    datetime.datetime(2026, 3, 1, 13, 0, 0,
                                      tzinfo=plus_one)):
            is_up = compute_filter.up_check(now, 60)
            for seen in moments:
                for service in (
                        host_state.ServiceInfo(host='h', last_seen_up=seen),
                        host_state.ServiceInfo(host='h', created_at=seen)):
                    self.assertEqual(
                        compute_filter.service_is_up(service, now, 60),
                        is_up(service), (now, seen))

    def test_window_beyond_the_calendar(self):
        # Adding service_down_time to now overflows: each service is
        # compared on its own, as host_passes does.
        f = _filter(service_down_time=10 ** 12)
        check = f.host_check(fakes.spec())
        host = _host(last_seen_up=NOW - datetime.timedelta(days=3650))
        self.assertIs(host, check(host))

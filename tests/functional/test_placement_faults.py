"""Placement failing under a request: nothing leaks, the reason says so.

The real Placement app behind a WSGI middleware that injects the fault.
"""

import threading

import webob

from scheduler.placement import pending_releases
from scheduler.placement import client as client_mod
from tests.functional import cloud as cloud_mod
from tests.functional import test_scheduling

uuids = test_scheduling.uuids


class Faults:
    """Switchable faults, applied by ``wrap`` around Placement's app."""

    def __init__(self):
        self.lock = threading.Lock()
        # 'down': every call answers 503. 'lose_put': the next claim PUT
        # lands, but its answer is a 502 and Placement is down after it.
        self.mode = None
        self.candidates_body = None
        self.consumer_status = None

    def wrap(self, app):
        def faulty(environ, start_response):
            method, path = environ['REQUEST_METHOD'], environ['PATH_INFO']
            with self.lock:
                mode = self.mode
                if mode == 'lose_put' and method == 'PUT':
                    self.mode = 'down'
            if mode == 'down':
                return _answer(503, {'errors': [{'code': None}]},
                               environ, start_response)
            if mode == 'lose_put' and method == 'PUT':
                list(app(environ, lambda *a, **k: None))  # it lands
                return _answer(502, {}, environ, start_response)
            if (self.candidates_body is not None
                    and path.startswith('/allocation_candidates')):
                return _answer(200, self.candidates_body, environ,
                               start_response)
            if (self.consumer_status is not None and method == 'GET'
                    and path.startswith('/allocations/')):
                return _answer(self.consumer_status, {'errors': [
                    {'code': 'placement.undefined_code'}]},
                    environ, start_response)
            return app(environ, start_response)
        return faulty


def _answer(status, body, environ, start_response):
    resp = webob.Response(status=status, json_body=body)
    return resp(environ, start_response)


class PlacementFaultTest(test_scheduling.SchedulingTestBase):

    def wrap_placement_app(self):
        self.faults = Faults()
        return self.faults.wrap

    def setUp(self):
        super().setUp()
        for name in ('host1', 'host2', 'host3'):
            self.cloud.add_host(name, ram_mb=4096)
        self.client = client_mod.PlacementClient(self.conf)
        self.releases = pending_releases.Releases(self.conf, self.client)
        self.manager = self.cloud.manager(client=self.client,
                                          releases=self.releases)

    def test_lost_claim_answer_then_outage_leaks_nothing(self):
        self.faults.mode = 'lose_put'
        [inst] = uuids(1)
        exc = self.assertNoValidHost(cloud_mod.spec(), [inst],
                                     manager=self.manager)
        self.assertTrue(exc.reason.startswith('Placement is unavailable'),
                        exc.reason)
        # Stopped at once: one claim tried, not one per host.
        self.assertEqual(1, exc.explanation.claims.tried)
        self.assertEqual(1, exc.explanation.claims.unreachable)
        # The claim had landed, and the release could not be made yet.
        self.faults.mode = None
        self.assertNotEqual({}, self.service.admin.allocations(inst))
        self.assertEqual(1, self.releases.pending())
        # Placement is back: the journaled release is made.
        self.assertEqual(0, self.releases.retry_pending())
        self.assertEqual({}, self.service.admin.allocations(inst))
        self.assertEqual(0, self.cloud.total_usage('VCPU'))

    def test_multi_create_outage_releases_every_claim_once_back(self):
        insts = uuids(3)
        real_claim = self.client.claim
        calls = []

        def claim_then_down(*args, **kwargs):
            calls.append(args[0])
            if len(calls) == 2:
                self.faults.mode = 'down'
            return real_claim(*args, **kwargs)
        self.client.claim = claim_then_down
        exc = self.assertNoValidHost(cloud_mod.spec(), insts,
                                     manager=self.manager)
        self.assertIn('Placement is unavailable', exc.reason)
        self.assertEqual(2, len(calls))  # the third instance never tried
        self.faults.mode = None
        self.assertEqual(1, self.releases.pending())
        self.releases.retry_pending()
        self.assertEqual(0, self.cloud.total_usage('VCPU'))

    def test_malformed_candidates_answer_is_a_reason(self):
        self.faults.candidates_body = {
            'allocation_requests': [{'allocations': ['not', 'a', 'map']}],
            'provider_summaries': {}}
        exc = self.assertNoValidHost(cloud_mod.spec(), uuids(1),
                                     manager=self.manager)
        self.assertEqual('placement', exc.explanation.failed_stage)
        self.assertIn('malformed body', exc.reason)

    def test_unexpected_answer_reading_the_consumer_is_a_reason(self):
        self.faults.consumer_status = 403
        [inst] = uuids(1)
        exc = self.assertNoValidHost(cloud_mod.spec(), [inst],
                                     manager=self.manager)
        self.assertEqual('claims', exc.explanation.failed_stage)
        self.assertEqual(1, exc.explanation.claims.failed)
        self.assertIn('answered unexpectedly', exc.reason)
        self.faults.consumer_status = None
        self.assertEqual({}, self.service.admin.allocations(inst))

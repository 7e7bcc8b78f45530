"""The dispatcher: allow-list, bounds, clean failures, one log line."""

import json
import logging

import fixtures
from oslo_messaging._drivers import common as rpc_common
import testtools

from scheduler import errors
from scheduler import explanation
from scheduler.placement import errors as placement_errors
from scheduler.rpc import endpoints
from scheduler.rpc import inflight as inflight_mod
from scheduler.rpc import remote_errors
from tests.unit.codec import wire
from tests.unit.rpc import fakes


class Extended(endpoints.SchedulerEndpoint):
    """The endpoint with what nova's manager also has, none exposed."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.manager = object()
        self.called = []

    def periodic_tasks(self, ctxt, raise_on_error=False):
        self.called.append('periodic_tasks')

    def init_host(self, ctxt):
        self.called.append('init_host')

    def run_periodic_tasks(self, ctxt, raise_on_error=False):
        self.called.append('run_periodic_tasks')

    def _private(self, ctxt):
        self.called.append('_private')


def no_valid_host(reason_stage=explanation.Stage.PLACEMENT):
    recorder = explanation.Recorder(fakes.REQUEST_ID, 1)
    recorder.fail(reason_stage)
    return errors.NoValidHost(recorder.freeze())


class AccessPolicyTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.disp, _, cache, _ = fakes.build()
        self.probe = Extended(scheduler=fakes.FakeScheduler(), hosts=cache,
                              limits=self.disp.endpoints[0]._limits,
                              authorizer=self.disp.endpoints[0]._authorizer)
        self.disp.endpoints[0] = self.probe

    def test_only_exposed_methods_are_callable(self):
        for method in ('periodic_tasks', 'init_host', 'run_periodic_tasks',
                       '_private', 'manager', 'target', '__init__',
                       '_context', 'no_such_method'):
            result = fakes.dispatch(self.disp, fakes.Incoming(method))
            self.assertEqual('NoSuchMethod', type(result).__name__, method)
        self.assertEqual([], self.probe.called)

    def test_exposed_methods_are_nova_api(self):
        exposed = {name for name in dir(self.probe)
                   if getattr(getattr(self.probe, name), 'exposed', False)}
        self.assertEqual(
            {'select_destinations', 'update_aggregates', 'delete_aggregate',
             'update_instance_info', 'delete_instance_info',
             'sync_instance_info'}, exposed)
        base = endpoints.BaseAPIEndpoint()
        self.assertEqual({'ping', 'get_backdoor_port'}, {
            name for name in dir(base)
            if getattr(getattr(base, name), 'exposed', False)})

    def test_base_api_methods_need_the_namespace(self):
        result = fakes.dispatch(self.disp, fakes.Incoming('ping', {'arg': 1}))
        self.assertEqual('NoSuchMethod', type(result).__name__)


class VersionTest(testtools.TestCase):

    def test_versions(self):
        disp, sched, _, _ = fakes.build()
        for version in ('4.0', '4.1', '4.2', '4.3', '4.4', '4.5'):
            result = fakes.dispatch(disp, fakes.Incoming(
                'select_destinations', {'spec_obj': wire.request_spec()},
                version=version))
            self.assertIsInstance(result, list, version)
        for version in ('4.6', '5.0', '3.0'):
            result = fakes.dispatch(disp, fakes.Incoming(
                'select_destinations', {'spec_obj': wire.request_spec()},
                version=version))
            self.assertEqual('UnsupportedVersion', type(result).__name__)
        self.assertEqual(6, len(sched.calls))


class EnvelopeTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.disp, self.sched, _, _ = fakes.build(max_bytes=4096)

    def test_message_too_large(self):
        spec = wire.request_spec(scheduler_hints={'x': ['y' * 5000]})
        result = fakes.dispatch(self.disp, fakes.Incoming(
            'select_destinations', {'spec_obj': spec}))
        self.assertEqual('Invalid request: message: larger than 4096 bytes',
                         result.kwargs['reason'])
        self.assertEqual([], self.sched.calls)

    def test_context_counts(self):
        ctxt = {'request_id': fakes.REQUEST_ID, 'auth_token': 't' * 5000}
        result = fakes.dispatch(self.disp, fakes.Incoming(
            'select_destinations', {'spec_obj': wire.request_spec()},
            ctxt=ctxt))
        self.assertIn('larger than 4096 bytes', result.kwargs['reason'])

    def test_too_large_cast_is_refused(self):
        result = fakes.dispatch(self.disp, fakes.Incoming(
            'sync_instance_info', {'host_name': 'h' * 5000,
                                   'instance_uuids': []}))
        self.assertEqual('Invalid sync_instance_info request: message: '
                         'larger than 4096 bytes', result.args[0])

    def test_malformed_envelopes(self):
        cases = (
            ({'method': 5}, 'method'),
            ({'method': 'x' * 100}, 'method'),
            ({'method': 'ping', 'version': 4.5}, 'version'),
            ({'method': 'ping', 'version': 'four'}, 'version'),
            ({'method': 'ping', 'namespace': ['baseapi']}, 'namespace'),
            ({'method': 'ping', 'args': ['arg']}, 'args'))
        for message, field in cases:
            incoming = fakes.Incoming('ping')
            incoming.message = message
            result = fakes.dispatch(self.disp, incoming)
            self.assertIsInstance(result, remote_errors.InvalidRequest)
            self.assertTrue(result.args[0].startswith(
                f'Invalid {message["method"] if field != "method" else "RPC"}'
                f' request: {field}: '), result.args[0])


class FailureTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(
            name='scheduler.rpc.dispatcher', level=logging.DEBUG,
            format='%(levelname)s %(message)s'))

    def fail_with(self, error):
        disp, _, _, inflight = fakes.build(
            scheduler=fakes.FakeScheduler(error=error))
        result = fakes.dispatch(disp, fakes.Incoming(
            'select_destinations', {'spec_obj': wire.request_spec()}))
        self.assertEqual(0, inflight.count())
        return result, json.loads(rpc_common.serialize_remote_exception(
            (type(result), result, None)))

    def errors_logged(self):
        return [line for line in self.log.output.splitlines()
                if line.startswith('ERROR')]

    def test_no_valid_host(self):
        exc = no_valid_host()
        result, failure = self.fail_with(exc)
        self.assertEqual(('nova.exception', 'NoValidHost'),
                         (failure['module'], failure['class']))
        self.assertEqual({'reason': exc.reason, 'code': 500},
                         failure['kwargs'])
        self.assertEqual([exc.message], failure['args'])
        self.assertEqual([], self.errors_logged())

    def test_consumer_generation_conflict(self):
        result, failure = self.fail_with(
            placement_errors.ConsumerGenerationConflict(
                fakes.UUID1, 'the consumer changed'))
        self.assertEqual(('nova.exception', 'AllocationUpdateFailed'),
                         (failure['module'], failure['class']))
        self.assertEqual({'consumer_uuid': fakes.UUID1,
                          'error': 'the consumer changed', 'code': 500},
                         failure['kwargs'])

    def test_unexpected_error_is_logged_once_and_not_sent(self):
        result, failure = self.fail_with(
            KeyError('secret-internal-detail'))
        self.assertEqual(('hardened_scheduler', 'InternalError'),
                         (failure['module'], failure['class']))
        wire_text = json.dumps(failure)
        for leak in ('secret-internal-detail', 'Traceback', 'KeyError',
                     '.py'):
            self.assertNotIn(leak, wire_text)
        self.assertIn(fakes.REQUEST_ID, failure['message'])
        logged = self.errors_logged()
        self.assertEqual(1, len(logged), self.log.output)
        self.assertIn(fakes.REQUEST_ID, logged[0])
        # The traceback goes to our log, where the operator needs it.
        self.assertIn('secret-internal-detail', self.log.output)

    def test_aborted(self):
        result, failure = self.fail_with(inflight_mod.Aborted())
        self.assertEqual('RequestAborted', failure['class'])
        self.assertEqual([], self.errors_logged())

    def test_request_id_is_never_arbitrary_text(self):
        disp, _, _, _ = fakes.build(
            scheduler=fakes.FakeScheduler(error=KeyError('x')))
        ctxt = {'request_id': 'req-1\nERROR forged line'}
        result = fakes.dispatch(disp, fakes.Incoming(
            'select_destinations', {'spec_obj': wire.request_spec()},
            ctxt=ctxt))
        self.assertNotIn('forged', result.args[0])
        self.assertNotIn('forged', self.log.output)

    def test_cast_failure_is_logged_with_the_request_id(self):
        disp, _, cache, _ = fakes.build()
        cache.update_aggregates = lambda aggs: 1 / 0
        fakes.dispatch(disp, fakes.Incoming(
            'update_aggregates', {'aggregates': [fakes.aggregate()]},
            version='4.1'))
        logged = self.errors_logged()
        self.assertEqual(1, len(logged))
        self.assertIn('Cast update_aggregates request ' + fakes.REQUEST_ID,
                      logged[0])


class InFlightTrackingTest(testtools.TestCase):

    def test_tracked_while_running(self):
        disp, sched, _, inflight = fakes.build()
        seen = []
        real = sched.select_destinations

        def spy(context, *args, **kwargs):
            ticket = inflight.current()
            seen.append((inflight.count(), ticket.method, ticket.request_id,
                         ticket.global_request_id))
            return real(context, *args, **kwargs)
        sched.select_destinations = spy
        ctxt = {'request_id': fakes.REQUEST_ID,
                'global_request_id': 'req-global-1'}
        fakes.dispatch(disp, fakes.Incoming(
            'select_destinations', {'spec_obj': wire.request_spec()},
            ctxt=ctxt))
        self.assertEqual([(1, 'select_destinations', fakes.REQUEST_ID,
                           'req-global-1')], seen)
        self.assertEqual(0, inflight.count())

    def test_refused_once_closed(self):
        disp, sched, _, inflight = fakes.build()
        inflight.abort()
        result = fakes.dispatch(disp, fakes.Incoming(
            'select_destinations', {'spec_obj': wire.request_spec()}))
        self.assertIsInstance(result, remote_errors.RequestAborted)
        self.assertEqual([], sched.calls)

"""nova's scheduler API 4.0-4.5, casts and base API, through dispatch."""

import json
import logging

import fixtures
import testtools

from scheduler import conf as conf_pkg
from scheduler import decision_record
from scheduler.codec import errors as codec_errors
from scheduler.codec import limits as limits_mod
from scheduler.codec import selection as selection_codec
from scheduler.rpc import remote_errors
from tests.unit.codec import wire
from tests.unit.rpc import fakes
from tests.unit.rpc import memory_cache

LEGACY_SPEC = {
    'num_instances': 2, 'image': {'id': wire.IMAGE_UUID, 'properties': {}},
    'instance_properties': {'uuid': wire.INSTANCE_UUID, 'project_id': 'p1',
                            'user_id': 'u1'},
    'instance_type': wire.flavor()['nova_object.data']}


class SelectDestinationsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.disp, self.sched, _, self.inflight = fakes.build()

    def call(self, version, **args):
        return fakes.dispatch(self.disp, fakes.Incoming(
            'select_destinations', args, version=version))

    def assertInvalid(self, result, field):
        self.assertIsInstance(result, remote_errors.NoValidHost)
        self.assertTrue(result.kwargs['reason'].startswith(
            f'Invalid request: {field}: '), result.kwargs['reason'])
        self.assertEqual([], self.sched.calls)

    def legacy_dicts(self, count):
        return [{'host': 'host1', 'nodename': 'host1',
                 'limits': {'vcpu': 8}}] * count

    def test_4_0_legacy_dicts(self):
        result = self.call('4.0', request_spec=LEGACY_SPEC,
                           filter_properties={'ignore_hosts': ['h9']})
        context, spec, uuids, alternates = self.sched.calls[0]
        self.assertEqual((2, ('h9',), None, False),
                         (spec.num_instances, spec.ignore_hosts, uuids,
                          alternates))
        self.assertEqual(fakes.REQUEST_ID, context.request_id)
        self.assertEqual(self.legacy_dicts(2), result)

    def test_4_3_spec_obj_claims_nothing(self):
        result = self.call('4.3', spec_obj=wire.request_spec())
        _, spec, uuids, alternates = self.sched.calls[0]
        self.assertIsNone(uuids)
        self.assertFalse(alternates)
        self.assertEqual(self.legacy_dicts(1), result)

    def test_4_4_instance_uuids(self):
        result = self.call('4.4', spec_obj=wire.request_spec(),
                           instance_uuids=[fakes.UUID1, fakes.UUID2])
        self.assertEqual((fakes.UUID1, fakes.UUID2), self.sched.calls[0][2])
        self.assertEqual(self.legacy_dicts(2), result)

    def test_upper_case_instance_uuids_reach_the_manager_lower_case(self):
        # Issue 13: the claim (and its rollback) must use Placement's form.
        self.call('4.5', spec_obj=wire.request_spec(
            instance_uuid=fakes.UUID1.upper()),
            instance_uuids=[fakes.UUID1.upper(), fakes.UUID2.upper()],
            return_objects=True)
        _, spec, uuids, _ = self.sched.calls[0]
        self.assertEqual((fakes.UUID1, fakes.UUID2), uuids)
        self.assertEqual(fakes.UUID1, spec.instance_uuid)

    def test_4_5_objects_with_alternates(self):
        result = self.call('4.5', spec_obj=wire.request_spec(),
                           instance_uuids=[fakes.UUID1],
                           return_objects=True, return_alternates=True)
        self.assertTrue(self.sched.calls[0][3])
        expected = selection_codec.encode_selections(
            [[fakes.selection_for(fakes.NODE1, 'host1'),
              fakes.selection_for(fakes.NODE2, 'host2')]])
        self.assertEqual(expected, result)
        self.assertEqual('Selection',
                         result[0][1]['nova_object.name'])

    def test_4_5_objects_without_alternates(self):
        result = self.call('4.5', spec_obj=wire.request_spec(),
                           instance_uuids=[fakes.UUID1],
                           return_objects=True, return_alternates=False)
        self.assertFalse(self.sched.calls[0][3])
        self.assertEqual(1, len(result[0]))

    def test_4_5_alternates_need_objects(self):
        result = self.call('4.5', spec_obj=wire.request_spec(),
                           instance_uuids=[fakes.UUID1],
                           return_objects=False, return_alternates=True)
        self.assertFalse(self.sched.calls[0][3])
        self.assertEqual(self.legacy_dicts(1), result)

    def test_result_is_settled(self):
        # The claims of a finished request belong to its reply: a shutdown
        # must not abort or release them any more.
        seen = []
        real = self.sched.select_destinations

        def spy(*args, **kwargs):
            rows = real(*args, **kwargs)
            seen.append(self.inflight.current())
            return rows
        self.sched.select_destinations = spy
        self.call('4.5', spec_obj=wire.request_spec(),
                  instance_uuids=[fakes.UUID1], return_objects=True)
        self.assertTrue(seen[0].settled)
        self.assertEqual(0, self.inflight.count())

    def test_spec_obj_and_legacy_together(self):
        self.assertInvalid(self.call('4.3', spec_obj=wire.request_spec(),
                                     request_spec=LEGACY_SPEC), 'spec_obj')

    def test_bad_spec(self):
        self.assertInvalid(
            self.call('4.3', spec_obj=wire.request_spec(
                flavor=wire.flavor(vcpus='many'))),
            'spec_obj.flavor.vcpus')

    def test_missing_legacy_spec(self):
        self.assertInvalid(self.call('4.0'), 'request_spec')

    def test_unexpected_argument(self):
        self.assertInvalid(self.call('4.3', spec_obj=wire.request_spec(),
                                     extra=1), 'extra')
        self.assertInvalid(self.call('4.3', spec_obj=wire.request_spec(),
                                     **{'<script>': 1}), '#')

    def test_context_cannot_be_passed_as_an_argument(self):
        self.assertInvalid(self.call('4.3', spec_obj=wire.request_spec(),
                                     ctxt={}), 'ctxt')

    def test_flags_must_be_bools(self):
        self.assertInvalid(self.call('4.5', spec_obj=wire.request_spec(),
                                     instance_uuids=[fakes.UUID1],
                                     return_objects='yes'),
                           'return_objects')

    def test_instance_uuids_must_be_uuids(self):
        self.assertInvalid(self.call('4.4', spec_obj=wire.request_spec(),
                                     instance_uuids=['not-a-uuid']),
                           'instance_uuids[0]')

    def test_bad_context(self):
        result = fakes.dispatch(self.disp, fakes.Incoming(
            'select_destinations', {'spec_obj': wire.request_spec()},
            ctxt={'request_id': fakes.REQUEST_ID, 'is_admin': 'yes'}))
        self.assertInvalid(result, 'context.is_admin')


class NumInstancesTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        limits = limits_mod.DecodeLimits(max_num_instances=2)
        self.disp, self.sched, _, _ = fakes.build(limits=limits)

    def call(self, **args):
        return fakes.dispatch(self.disp, fakes.Incoming(
            'select_destinations', args))

    def test_too_many_instance_uuids(self):
        uuids = [fakes.UUID1, fakes.UUID2,
                 'a1b2c3d4-0000-4000-8000-000000000003']
        result = self.call(spec_obj=wire.request_spec(),
                           instance_uuids=uuids, return_objects=True)
        self.assertEqual('Invalid request: instance_uuids: more than 2 '
                         'instances', result.kwargs['reason'])
        self.assertEqual([], self.sched.calls)

    def test_too_many_num_instances(self):
        result = self.call(spec_obj=wire.request_spec(num_instances=3))
        self.assertEqual('Invalid request: spec_obj.num_instances: more '
                         'than 2 instances', result.kwargs['reason'])

    def test_at_the_limit(self):
        result = self.call(spec_obj=wire.request_spec(num_instances=2),
                           instance_uuids=[fakes.UUID1, fakes.UUID2],
                           return_objects=True)
        self.assertEqual(2, len(result))


class ListLengthTest(testtools.TestCase):

    def test_long_list_refused(self):
        limits = limits_mod.DecodeLimits(max_list_length=5)
        disp, sched, cache, _ = fakes.build(limits=limits)
        result = fakes.dispatch(disp, fakes.Incoming(
            'select_destinations', {'spec_obj': wire.request_spec(
                force_hosts=list('abcdef'))}))
        self.assertEqual('Invalid request: spec_obj.force_hosts: more '
                         'than 5 items', result.kwargs['reason'])
        result = fakes.dispatch(disp, fakes.Incoming(
            'sync_instance_info', {'host_name': 'host1',
                                   'instance_uuids': [fakes.UUID1] * 6},
            version='4.2'))
        self.assertIsInstance(result, remote_errors.InvalidRequest)
        self.assertEqual([], cache.calls)


class CastsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.cache = memory_cache.MemoryHostCache()
        self.disp, _, _, _ = fakes.build(cache=self.cache)

    def cast(self, method, version='4.2', **args):
        return fakes.dispatch(self.disp, fakes.Incoming(
            method, args, version=version))

    def test_update_and_delete_aggregate(self):
        # nova-api sends a plain list of Aggregate primitives.
        self.assertIsNone(self.cast(
            'update_aggregates', '4.1',
            aggregates=[fakes.aggregate(availability_zone='az1')]))
        agg = self.cache.aggregates[1]
        self.assertEqual((fakes.AGG_UUID, frozenset({'host1'}), 'az1'),
                         (agg.uuid, agg.hosts, agg.availability_zone))
        self.assertIsNone(self.cast('delete_aggregate', '4.1',
                                    aggregate=fakes.aggregate()))
        self.assertEqual({}, self.cache.aggregates)

    def test_instance_info(self):
        self.cast('update_instance_info', host_name='host1',
                  instance_info=fakes.instance_list(
                      fakes.instance(fakes.UUID1, user_data='c2VjcmV0'),
                      fakes.instance(fakes.UUID2, project='p2')))
        self.assertEqual({fakes.UUID1: 'p1', fakes.UUID2: 'p2'},
                         self.cache.instances['host1'])
        # Only what scheduling needs is kept of an instance.
        info = self.cache.calls[0][2][0]
        self.assertFalse(hasattr(info, 'user_data'))
        self.cast('delete_instance_info', host_name='host1',
                  instance_uuid=fakes.UUID1)
        self.assertEqual({fakes.UUID2: 'p2'}, self.cache.instances['host1'])
        self.cast('sync_instance_info', host_name='host1',
                  instance_uuids=[fakes.UUID1])
        self.assertEqual({fakes.UUID1: None}, self.cache.instances['host1'])

    def test_instance_info_uuids_are_lower_case(self):
        self.cast('update_instance_info', host_name='host1',
                  instance_info=fakes.instance(fakes.UUID1.upper()))
        self.assertEqual({fakes.UUID1: 'p1'}, self.cache.instances['host1'])
        self.cast('delete_instance_info', host_name='host1',
                  instance_uuid=fakes.UUID1.upper())
        self.assertEqual({}, self.cache.instances['host1'])
        self.cast('sync_instance_info', host_name='host1',
                  instance_uuids=[fakes.UUID2.upper()])
        self.assertEqual({fakes.UUID2: None}, self.cache.instances['host1'])

    def test_single_instance_is_accepted(self):
        self.cast('update_instance_info', host_name='host1',
                  instance_info=fakes.instance(fakes.UUID1))
        self.assertEqual({fakes.UUID1: 'p1'}, self.cache.instances['host1'])

    def test_bad_casts_change_nothing(self):
        for method, args in (
                ('update_aggregates', {}),
                ('update_aggregates', {'aggregates': [{'id': 1}]}),
                ('delete_aggregate', {'aggregate': None}),
                ('update_instance_info', {'host_name': ['h'],
                                          'instance_info': []}),
                ('delete_instance_info', {'host_name': 'h',
                                          'instance_uuid': 'nope'}),
                ('sync_instance_info', {'host_name': 'h'}),
                ('sync_instance_info', {'host_name': 'h',
                                        'instance_uuids': [], 'x': 1})):
            result = self.cast(method, **args)
            self.assertIsInstance(result, remote_errors.InvalidRequest,
                                  method)
            self.assertTrue(result.args[0].startswith(
                f'Invalid {method} request: '), result.args[0])
        self.assertEqual([], self.cache.calls)


class RefusedDecisionRecordTest(testtools.TestCase):

    def test_undecodable_call_leaves_one_decision_record(self):
        conf = fakes._policy_conf()
        conf_pkg.register_opts(conf)
        log = self.useFixture(fixtures.FakeLogger(
            name='scheduler.decision_record', level=logging.INFO))
        disp, scheduler, _, _ = fakes.build(
            decisions=decision_record.DecisionLog(conf))
        result = fakes.dispatch(disp, fakes.Incoming(
            'select_destinations', {'spec_obj': wire.request_spec(
                flavor=wire.flavor(vcpus='many'))}, version='4.3'))
        self.assertIsInstance(result, Exception)
        [line] = log.output.splitlines()
        record = json.loads(line[len('Decision: '):])
        reason = record.pop('reason')
        self.assertEqual({'result': 'invalid', 'failed_stage': 'request',
                          'request_id': fakes.REQUEST_ID}, record)
        self.assertTrue(reason.startswith(
            'Invalid request: spec_obj.flavor.vcpus: '), reason)
        self.assertNotIn('many', reason)
        self.assertEqual([], scheduler.calls)


class CastAuthorizationTest(testtools.TestCase):
    """A context that is not a service's changes no cache state."""

    NOT_SERVICES = (
        {},
        # A project member, as conductor forwards for a boot.
        {'request_id': fakes.REQUEST_ID, 'user_id': 'u1',
         'project_id': 'p1', 'roles': ['member', 'reader'],
         'auth_token': 'tok-canary'},
        {'request_id': fakes.REQUEST_ID, 'roles': ['reader'],
         'is_admin': False},
    )
    CASTS = (
        ('update_aggregates', {'aggregates': [fakes.aggregate()]}),
        ('delete_aggregate', {'aggregate': fakes.aggregate()}),
        ('update_instance_info', {
            'host_name': 'host1',
            'instance_info': fakes.instance(fakes.UUID1)}),
        ('delete_instance_info', {'host_name': 'host1',
                                  'instance_uuid': fakes.UUID2}),
        ('sync_instance_info', {'host_name': 'host1',
                                'instance_uuids': [fakes.UUID1]}),
    )

    def setUp(self):
        super().setUp()
        self.cache = memory_cache.MemoryHostCache()
        self.disp, _, _, _ = fakes.build(cache=self.cache)
        # Some state to keep: an aggregate and an instance, cast by an
        # admin context (fakes' default).
        for method, args in self.CASTS[:1] + self.CASTS[2:3]:
            fakes.dispatch(self.disp, fakes.Incoming(method, args,
                                                     version='4.2'))
        self.cache.calls.clear()
        self.audit = self.useFixture(fixtures.FakeLogger(
            name='scheduler.audit', level=logging.WARNING))

    def test_refused_casts_change_nothing_and_are_audited(self):
        before = (dict(self.cache.aggregates),
                  {h: dict(i) for h, i in self.cache.instances.items()})
        for ctxt in self.NOT_SERVICES:
            for method, args in self.CASTS:
                result = fakes.dispatch(self.disp, fakes.Incoming(
                    method, args, version='4.2', ctxt=ctxt))
                self.assertIsNone(result, method)
        self.assertEqual([], self.cache.calls)
        self.assertEqual(before, (
            dict(self.cache.aggregates),
            {h: dict(i) for h, i in self.cache.instances.items()}))
        records = [json.loads(line.partition(': ')[2])
                   for line in self.audit.output.splitlines()]
        self.assertEqual(len(self.NOT_SERVICES) * len(self.CASTS),
                         len(records))
        self.assertEqual({m for m, _ in self.CASTS},
                         {r['method'] for r in records})
        self.assertNotIn('tok-canary', self.audit.output)

    def test_elevated_context_is_a_service(self):
        # nova-compute's context.elevated(): is_admin and the admin role.
        ctxt = {'request_id': fakes.REQUEST_ID, 'user_id': 'u1',
                'project_id': 'p1', 'roles': ['member', 'admin'],
                'is_admin': True}
        for method, args in self.CASTS:
            fakes.dispatch(self.disp, fakes.Incoming(
                method, args, version='4.2', ctxt=ctxt))
        self.assertEqual(len(self.CASTS), len(self.cache.calls))
        self.assertEqual('', self.audit.output)


class BaseAPITest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.disp, _, _, _ = fakes.build()

    def call(self, method, version='1.0', **args):
        return fakes.dispatch(self.disp, fakes.Incoming(
            method, args, version=version, namespace='baseapi'))

    def test_ping(self):
        self.assertEqual({'service': 'scheduler', 'arg': {'a': [1, 'b']}},
                         self.call('ping', arg={'a': [1, 'b']}))

    def test_ping_needs_arg(self):
        result = self.call('ping')
        self.assertEqual('Invalid ping request: arg: missing',
                         result.args[0])

    def test_backdoor_port(self):
        self.assertIsNone(self.call('get_backdoor_port', version='1.1'))

    def test_backdoor_port_is_1_1(self):
        result = self.call('get_backdoor_port', version='1.2')
        self.assertEqual('UnsupportedVersion', type(result).__name__)


class ValidationErrorIsTheOnlyDecodeErrorTest(testtools.TestCase):

    def test_endpoint_decoders_raise_validation_errors(self):
        disp, _, _, _ = fakes.build()
        api = disp.endpoints[0]
        self.assertRaises(codec_errors.ValidationError,
                          api.select_destinations, {}, spec_obj=[1])
        # A cast is authorized before its arguments are decoded.
        self.assertRaises(codec_errors.ValidationError,
                          api.delete_instance_info, {'is_admin': True},
                          host_name='h')

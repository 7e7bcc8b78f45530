"""Exactly one decision record per select_destinations, whatever happens.
"""

import json
import logging
import uuid

from unittest import mock

import fixtures
from oslo_messaging._drivers import common as rpc_common

from scheduler import errors
from scheduler.rpc import refusals
from tests.functional import cloud as cloud_mod
from tests.functional import test_authorization
from tests.functional import test_scheduling
from tests.unit.codec import wire
from tests.unit.rpc import fakes as rpc_fakes


def uuids(n):
    return [str(uuid.uuid4()) for _ in range(n)]


class DecisionRecordTest(test_scheduling.SchedulingTestBase):

    def setUp(self):
        super().setUp()
        for name, ram_mb in (('host1', 4096), ('host2', 8192),
                             ('host3', 2048)):
            self.cloud.add_host(name, ram_mb=ram_mb)
        self.log = self.useFixture(fixtures.FakeLogger(
            name='scheduler.decision_record', level=logging.INFO))

    def records(self):
        out = []
        for line in self.log.output.splitlines():
            if line.startswith('Decision: '):
                out.append(json.loads(line[len('Decision: '):]))
        return out

    def test_scheduled(self):
        insts = uuids(2)
        self.select(cloud_mod.spec(), insts, return_alternates=True)
        [record] = self.records()
        self.assertEqual('scheduled', record['result'])
        self.assertEqual('req-functional', record['request_id'])
        self.assertEqual('project-1', record['project_id'])
        self.assertEqual({'requested': 2, 'placed': 2}, record['instances'])
        self.assertEqual(2, len(record['chosen']))
        self.assertEqual(3, record['hosts_found'])
        self.assertEqual(2, record['claims']['claimed'])
        for stage in ('admission', 'placement', 'filters', 'total'):
            self.assertIn(stage, record['durations_ms'])
        self.assertIn('ComputeFilter', record['filter_durations_ms'])
        # Hosts are keyed hashes by default, never names.
        for chosen in record['chosen']:
            self.assertTrue(chosen['host'].startswith('host~'), chosen)
            self.assertTrue(all(a.startswith('host~')
                                for a in chosen['alternates']))
        self.assertNotIn('host2', self.log.output)

    def test_clear_identifiers_for_debugging(self):
        self.conf.set_override('log_identifiers', 'clear',
                               group='hardened_scheduler')
        self.addCleanup(self.conf.clear_override, 'log_identifiers',
                        group='hardened_scheduler')
        self.select(cloud_mod.spec(), uuids(1))
        [record] = self.records()
        self.assertEqual('host2', record['chosen'][0]['host'])

    def test_no_valid_host(self):
        self.assertNoValidHost(cloud_mod.spec(
            flavor=cloud_mod.flavor(vcpus=64)), uuids(1))
        [record] = self.records()
        self.assertEqual('no_valid_host', record['result'])
        self.assertEqual('placement', record['failed_stage'])
        self.assertTrue(record['reason'])
        self.assertEqual([], record['chosen'])

    def test_denied_with_drops(self):
        self.assertRaises(
            errors.NoValidHost, self.cloud.manager().select_destinations,
            test_authorization.member('project-2'), cloud_mod.spec(),
            uuids(1))
        self.cloud.manager().select_destinations(
            test_authorization.member(),
            cloud_mod.spec(force_hosts=('host3',)), uuids(1))
        denied, scheduled = self.records()
        self.assertEqual('denied', denied['result'])
        self.assertEqual('authorization', denied['failed_stage'])
        self.assertEqual('project-2', denied['project_id'])
        self.assertEqual(['force_hosts'], scheduled['authorization_drops'])
        self.assertNotIn('secret-token-canary', self.log.output)

    def test_denied_through_the_rpc_edge(self):
        # As nova sends it: the dispatcher, the endpoint, the pipeline;
        # the caller (project-2) may not schedule for project p1.
        no_valid_host = mock.Mock(wraps=refusals.no_valid_host)
        self.useFixture(fixtures.MockPatchObject(
            refusals, 'no_valid_host', no_valid_host))
        disp, _, _, _ = rpc_fakes.build(scheduler=self.cloud.manager())
        result = rpc_fakes.dispatch(disp, rpc_fakes.Incoming(
            'select_destinations', {'spec_obj': wire.request_spec(),
                                    'instance_uuids': uuids(1)},
            ctxt={'request_id': 'req-denied', 'user_id': 'user-1',
                  'project_id': 'project-2', 'roles': ['member'],
                  'auth_token': 'secret-token-canary'}))
        reply = json.loads(rpc_common.serialize_remote_exception(
            (type(result), result, None)))
        reason = ('Not authorized: the caller\'s context does not satisfy '
                  'policy rule hardened_scheduler:select_destinations')
        self.assertEqual(('nova.exception', 'NoValidHost'),
                         (reply['module'], reply['class']))
        self.assertEqual({'reason': reason, 'code': 500}, reply['kwargs'])
        self.assertEqual([f'No valid host was found. {reason}'],
                         reply['args'])
        [record] = self.records()
        self.assertEqual(('denied', 'authorization', 'req-denied'),
                         (record['result'], record['failed_stage'],
                          record['request_id']))
        self.assertEqual(1, no_valid_host.call_count)
        self.assertNotIn('secret-token-canary', self.log.output)
        self.assertEqual(0, self.cloud.total_usage('VCPU'))

    def test_unexpected_error(self):
        manager = self.cloud.manager()

        def broken(*args, **kwargs):
            raise RuntimeError('boom')

        manager.placement.get_allocation_candidates = broken
        self.assertRaises(RuntimeError, manager.select_destinations,
                          cloud_mod.CONTEXT, cloud_mod.spec(), uuids(1))
        [record] = self.records()
        self.assertEqual('error', record['result'])


class BoundedDebugTest(test_scheduling.SchedulingTestBase):

    def test_debug_names_at_most_debug_top_hosts(self):
        for n in range(8):
            self.cloud.add_host(f'host{n}', ram_mb=4096 + n)
        self.conf.set_override('debug_top_hosts', 2,
                               group='hardened_scheduler')
        self.addCleanup(self.conf.clear_override, 'debug_top_hosts',
                        group='hardened_scheduler')
        log = self.useFixture(fixtures.FakeLogger(
            name='scheduler.manager', level=logging.DEBUG))
        self.select(cloud_mod.spec(), uuids(2))
        lines = [line for line in log.output.splitlines()
                 if line.startswith('Request req-functional, instance')]
        self.assertEqual(2, len(lines))
        # Rendered without the redaction filter: clear names, two of them.
        self.assertIn('8 hosts, top 2: host7, host6; 6 more', lines[0])
        for line in lines:
            self.assertEqual(2, sum(f'host{n}' in line for n in range(8)))

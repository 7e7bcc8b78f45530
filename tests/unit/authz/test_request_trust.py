"""Privileged request fields: classified, honoured or dropped."""

import dataclasses
import types

import testtools

from scheduler.hoststate import source as host_source
from scheduler.authz import request_trust
from scheduler.objects import context as context_obj
from scheduler.objects import destination
from scheduler.objects import request_spec
from tests.unit import fakes
from tests.unit.authz import test_policies

INST = '11111111-2222-3333-4444-555555555555'
REBUILD = {'_nova_check_type': ('rebuild',)}
MEMBER = test_policies.MEMBER
ADMIN = test_policies.ELEVATED


def snapshot(instances_on=None, project='p1'):
    hosts = []
    for name in ('host1', 'host2'):
        instances = ({INST: project} if name == instances_on else {})
        hosts.append(fakes.host(
            name, f'{name}-node',
            instances=types.MappingProxyType(instances)))
    return host_source.HostSnapshot.of(hosts)


class ScreenTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.authz = test_policies.authorization.Authorizer(
            test_policies.make_conf())

    def screen(self, context=MEMBER, snap=None, uuids=(INST,), **fields):
        fields.setdefault('project_id', 'p1')
        spec = fakes.spec(**fields)
        return request_trust.screen(spec, context, list(uuids), self.authz,
                                    snap or snapshot())

    def dropped(self, screened):
        return [d.field for d in screened.drops]

    def test_every_request_field_is_classified(self):
        fields = {f.name for f in dataclasses.fields(
            request_spec.RequestSpec)}
        self.assertEqual(fields, set(request_trust.FIELD_TRUST))

    def test_plain_request_is_untouched(self):
        spec = fakes.spec(project_id='p1',
                          scheduler_hints={'same_host': (INST,)})
        screened = request_trust.screen(spec, MEMBER, [INST], self.authz,
                                        snapshot())
        self.assertIs(spec, screened.spec)
        self.assertEqual((), screened.drops)

    def test_member_cannot_force_hosts(self):
        s = self.screen(force_hosts=('host1',), force_nodes=('host1-node',))
        self.assertEqual(['force_hosts', 'force_nodes'], self.dropped(s))
        self.assertIsNone(s.spec.force_hosts)
        self.assertIsNone(s.spec.force_nodes)
        self.assertFalse(s.rebuild)

    def test_admin_may_force_hosts(self):
        s = self.screen(ADMIN, force_hosts=('host1',))
        self.assertEqual([], self.dropped(s))
        self.assertEqual(('host1',), s.spec.force_hosts)

    def test_internal_hints_are_dropped_even_for_admins(self):
        for context in (MEMBER, ADMIN):
            s = self.screen(context, scheduler_hints={
                **REBUILD, '_nova_other': ('x',), 'group': ('g',)})
            self.assertEqual(['scheduler_hints._nova_check_type',
                              'scheduler_hints._nova_other'],
                             self.dropped(s))
            self.assertEqual({'group': ('g',)}, dict(s.spec.scheduler_hints))
            self.assertFalse(s.rebuild)

    def test_rebuild_check_of_own_instance_on_its_host(self):
        s = self.screen(snap=snapshot('host1'), force_hosts=('HOST1',),
                        force_nodes=('host1-node',), scheduler_hints=REBUILD)
        self.assertTrue(s.rebuild)
        self.assertEqual([], self.dropped(s))
        self.assertEqual(('HOST1',), s.spec.force_hosts)
        self.assertEqual(REBUILD, dict(s.spec.scheduler_hints))

    def test_rebuild_check_elsewhere_is_dropped(self):
        cases = [
            dict(snap=snapshot('host2'), force_hosts=('host1',),
                 force_nodes=('host1-node',)),
            dict(snap=snapshot('host1'), force_hosts=('host1',),
                 force_nodes=('host2-node',)),
            dict(snap=snapshot('host1'), force_hosts=('host1', 'host2')),
            dict(snap=snapshot('host1')),
            # Another project's instance.
            dict(snap=snapshot('host1', project='p2'),
                 force_hosts=('host1',)),
            # More than one instance.
            dict(snap=snapshot('host1'), force_hosts=('host1',),
                 uuids=(INST, 'another')),
        ]
        for case in cases:
            s = self.screen(scheduler_hints=REBUILD, **case)
            self.assertFalse(s.rebuild, case)
            self.assertIn('scheduler_hints._nova_check_type',
                          self.dropped(s))
            self.assertNotIn('_nova_check_type', s.spec.scheduler_hints)
            self.assertIsNone(s.spec.force_hosts)

    def test_ignore_hosts_of_a_move_is_kept(self):
        # Resize away from the instance's host; a live-migration retry
        # also lists the hosts already tried.
        for ignored in (('Host2',), ('host2', 'host1')):
            s = self.screen(snap=snapshot('host2'), ignore_hosts=ignored)
            self.assertEqual([], self.dropped(s))
            self.assertEqual(ignored, s.spec.ignore_hosts)

    def test_ignore_hosts_of_a_new_server_is_dropped(self):
        for snap in (snapshot(), snapshot('host2', project='p2')):
            s = self.screen(snap=snap, ignore_hosts=('host2',))
            self.assertEqual(['ignore_hosts'], self.dropped(s))
            self.assertIsNone(s.spec.ignore_hosts)

    def test_destination_host_is_dropped_but_cell_kept(self):
        cell = destination.CellRef(uuid='cell-1')
        s = self.screen(requested_destination=destination.Destination(
            host='host1', node='host1-node', cell=cell,
            aggregates=('agg',)))
        self.assertEqual(['requested_destination.host'], self.dropped(s))
        self.assertEqual(destination.Destination(cell=cell,
                                                 aggregates=('agg',)),
                         s.spec.requested_destination)

    def test_destination_cell_alone_is_not_privileged(self):
        dest = destination.Destination(cell=destination.CellRef('cell-1'),
                                       allow_cross_cell_move=True)
        s = self.screen(requested_destination=dest)
        self.assertEqual([], self.dropped(s))
        self.assertEqual(dest, s.spec.requested_destination)

    def test_service_role_may_target(self):
        service = context_obj.RequestContext(roles=('service',))
        s = self.screen(service, requested_destination=(
            destination.Destination(host='host1')), ignore_hosts=('host2',))
        self.assertEqual([], self.dropped(s))


class MayTargetHostsTest(testtools.TestCase):
    """The target_hosts decision handed on to filters reading host names
    in user hints (JsonFilter's query)."""

    QUERY = {'query': ('["=", "$hypervisor_hostname", "host1-node"]',)}

    def setUp(self):
        super().setUp()
        self.authz = test_policies.authorization.Authorizer(
            test_policies.make_conf())

    def screen(self, context, **fields):
        fields.setdefault('project_id', 'p1')
        return request_trust.screen(fakes.spec(**fields), context, [INST],
                                    self.authz, snapshot())

    def test_admin_and_service_with_a_query_may_target(self):
        service = context_obj.RequestContext(roles=('service',))
        for context in (ADMIN, service):
            s = self.screen(context, scheduler_hints=self.QUERY)
            self.assertTrue(s.spec.may_target_hosts)
            self.assertEqual((), s.drops)
            self.assertEqual(dict(self.QUERY), dict(s.spec.scheduler_hints))

    def test_member_with_a_query_may_not(self):
        spec = fakes.spec(project_id='p1', scheduler_hints=self.QUERY)
        s = request_trust.screen(spec, MEMBER, [INST], self.authz,
                                 snapshot())
        self.assertIs(spec, s.spec)
        self.assertFalse(s.spec.may_target_hosts)
        self.assertEqual((), s.drops)

    def test_admin_forcing_hosts_may_target(self):
        s = self.screen(ADMIN, force_hosts=('host1',))
        self.assertTrue(s.spec.may_target_hosts)

    def test_never_taken_from_the_request(self):
        for fields in ({}, {'scheduler_hints': self.QUERY}):
            s = self.screen(MEMBER, may_target_hosts=True, **fields)
            self.assertFalse(s.spec.may_target_hosts)

    def test_plain_admin_request_is_untouched(self):
        spec = fakes.spec(project_id='p1')
        s = request_trust.screen(spec, ADMIN, [INST], self.authz, snapshot())
        self.assertIs(spec, s.spec)
        self.assertFalse(s.spec.may_target_hosts)

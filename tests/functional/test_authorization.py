"""Authorization and privileged request fields against the real Placement.

Includes the regression tests for CVE-2026-46448 (a user-supplied
``_nova_check_type=rebuild`` hint skipped Placement claims and filters)
and CVE-2017-16239 (a rebuild with a new image bypassed the filters).
"""

import dataclasses
import json
import logging
import uuid

import fixtures

from scheduler import errors
from scheduler import explanation
from scheduler.filters import json_filter
from scheduler.objects import context
from scheduler.objects import destination
from scheduler.objects import image as image_obj
from tests.functional import cloud as cloud_mod
from tests.functional import test_scheduling

REBUILD = {'_nova_check_type': ('rebuild',)}


def uuids(n):
    return [str(uuid.uuid4()) for _ in range(n)]


def member(project='project-1', roles=('member', 'reader')):
    return context.RequestContext(
        user_id='user-1', project_id=project, request_id='req-authz',
        roles=roles, auth_token='secret-token-canary')


def aarch64_image():
    return image_obj.ImageMeta(id=str(uuid.uuid4()), properties=(
        image_obj.ImageProperties({'hw_architecture': 'aarch64'})))


class AuthorizationTestBase(test_scheduling.SchedulingTestBase):

    def setUp(self):
        super().setUp()
        for name, ram_mb in (('host1', 4096), ('host2', 8192),
                             ('host3', 2048)):
            self.cloud.add_host(name, ram_mb=ram_mb)
        self.audit = self.useFixture(fixtures.FakeLogger(
            name='scheduler.audit', level=logging.WARNING))

    def select_as(self, ctxt, spec, instance_uuids, **kwargs):
        return self.cloud.manager().select_destinations(
            ctxt, spec, instance_uuids, **kwargs)

    def audit_records(self, event):
        records = []
        for line in self.audit.output.splitlines():
            head, _, body = line.partition(': ')
            if head == event:
                records.append(json.loads(body))
        return records

    def assertNothingClaimed(self):
        self.assertEqual(0, self.cloud.total_usage('VCPU'))


class SelectDestinationsPolicyTest(AuthorizationTestBase):

    def test_member_of_the_requests_project_is_scheduled(self):
        # What nova-conductor forwards for a boot by the server's owner.
        [[chosen]] = self.select_as(member(), cloud_mod.spec(), uuids(1))
        self.assertEqual('host2', chosen.service_host)
        self.assertEqual(1, self.cloud.total_usage('VCPU'))
        self.assertEqual([], self.audit_records('Denied'))

    def _assertDenied(self, ctxt, spec):
        exc = self.assertRaises(errors.NoValidHost, self.select_as, ctxt,
                                spec, uuids(2))
        self.assertEqual(explanation.Stage.AUTHORIZATION,
                         exc.explanation.failed_stage)
        self.assertIn('Not authorized', exc.reason)
        self.assertIn('hardened_scheduler:select_destinations', exc.reason)
        self.assertNothingClaimed()
        [record] = self.audit_records('Denied')
        self.assertEqual('select_destinations', record['method'])
        self.assertEqual(ctxt.project_id, record['project_id'])
        self.assertNotIn('secret-token-canary', self.audit.output)
        return exc

    def test_member_of_another_project_is_refused(self):
        self._assertDenied(member('project-2'), cloud_mod.spec())

    def test_reader_is_refused(self):
        self._assertDenied(member(roles=('reader',)), cloud_mod.spec())

    def test_context_without_roles_is_refused(self):
        self._assertDenied(context.RequestContext(project_id='project-1'),
                           cloud_mod.spec())

    def test_spec_without_project_needs_a_service(self):
        self._assertDenied(member(), cloud_mod.spec(project_id=None))

    def test_refusal_happens_before_placement(self):
        client_calls = []
        manager = self.cloud.manager()
        real = manager.placement.get_allocation_candidates
        manager.placement.get_allocation_candidates = lambda *a, **k: (
            client_calls.append(1), real(*a, **k))[1]
        self.assertRaises(errors.NoValidHost, manager.select_destinations,
                          member('project-2'), cloud_mod.spec(), uuids(1))
        self.assertEqual([], client_calls)

    def test_operator_policy_file_overrides_the_default(self):
        policy = self.useFixture(fixtures.TempDir()).join('policy.yaml')
        with open(policy, 'w') as f:
            f.write('"hardened_scheduler:select_destinations": '
                    '"role:service"\n')
        self.conf.set_override('policy_file', policy, group='oslo_policy')
        self.addCleanup(self.conf.clear_override, 'policy_file',
                        group='oslo_policy')
        self._assertDenied(member(), cloud_mod.spec())


class PrivilegedFieldsTest(AuthorizationTestBase):

    def dropped(self):
        return [f['field'] for r in self.audit_records('Dropped')
                for f in r['fields']]

    def test_cve_2026_46448_user_rebuild_hint_still_claims(self):
        # A user boots with the internal hint and a forced host: nova 34
        # skips Placement and every claim and lands on the forced host.
        self.cloud.add_host('disabled', ram_mb=65536, disabled=True)
        [inst] = uuids(1)
        spec = cloud_mod.spec(force_hosts=('disabled',),
                              force_nodes=('disabled',),
                              scheduler_hints=REBUILD)
        [[chosen]] = self.select_as(member(), spec, [inst])
        # The filters ran (the disabled host was not taken) and the
        # claim was made in Placement for the instance.
        self.assertEqual('host2', chosen.service_host)
        self.assertEqual('1.36', chosen.allocation_request_version)
        self.assertEqual({'VCPU': 1, 'MEMORY_MB': 512, 'DISK_GB': 1},
                         self.cloud.usage('host2'))
        self.assertEqual(
            ['scheduler_hints._nova_check_type', 'force_hosts',
             'force_nodes'], self.dropped())

    def test_cve_2026_46448_hint_alone_does_not_skip_placement(self):
        [inst] = uuids(1)
        [[chosen]] = self.select_as(
            member(), cloud_mod.spec(scheduler_hints=REBUILD), [inst])
        self.assertEqual(1, self.cloud.total_usage('VCPU'))
        self.assertNotEqual('null', chosen.allocation_request)
        self.assertEqual(['scheduler_hints._nova_check_type'],
                         self.dropped())

    def test_cve_2026_46448_admin_cannot_use_the_hint_either(self):
        # Only nova-api's rebuild flow sets it; an admin boot with it
        # still claims (force_hosts stays: admins may force hosts).
        [inst] = uuids(1)
        spec = cloud_mod.spec(force_hosts=('host3',), scheduler_hints=REBUILD)
        [[chosen]] = self.select_as(cloud_mod.CONTEXT, spec, [inst])
        self.assertEqual('host3', chosen.service_host)
        self.assertEqual({'VCPU': 1, 'MEMORY_MB': 512, 'DISK_GB': 1},
                         self.cloud.usage('host3'))
        self.assertEqual(['scheduler_hints._nova_check_type'],
                         self.dropped())

    def test_owner_rebuild_check_on_its_host_is_honoured(self):
        [inst] = uuids(1)
        self.cloud.place_instance('host3', inst)
        spec = cloud_mod.spec(force_hosts=('host3',), force_nodes=('host3',),
                              scheduler_hints=REBUILD)
        [[chosen]] = self.select_as(member(), spec, [inst])
        self.assertEqual('host3', chosen.service_host)
        # nova's rebuild check claims nothing: the instance already has
        # its allocation on this host.
        self.assertEqual('null', chosen.allocation_request)
        self.assertNothingClaimed()
        self.assertEqual([], self.dropped())

    def test_rebuild_check_of_another_projects_instance_is_dropped(self):
        [inst] = uuids(1)
        self.cloud.place_instance('host3', inst, project='project-2')
        spec = cloud_mod.spec(force_hosts=('host3',), force_nodes=('host3',),
                              scheduler_hints=REBUILD)
        self.select_as(member(), spec, [inst])
        self.assertEqual(1, self.cloud.total_usage('VCPU'))
        self.assertIn('scheduler_hints._nova_check_type', self.dropped())

    def test_cve_2017_16239_rebuild_with_new_image_runs_filters(self):
        # Rebuilding onto an image the host cannot run must fail the
        # check, as nova's fix made it, rather than bypass the filters.
        [inst] = uuids(1)
        self.cloud.place_instance('host3', inst)
        spec = cloud_mod.spec(force_hosts=('host3',), force_nodes=('host3',),
                              scheduler_hints=REBUILD, image=aarch64_image())
        exc = self.assertRaises(errors.NoValidHost, self.select_as, member(),
                                spec, [inst])
        self.assertEqual(explanation.Stage.FILTERS,
                         exc.explanation.failed_stage)
        self.assertIn('ImagePropertiesFilter', exc.reason)
        self.assertNothingClaimed()

    def test_user_targeted_destination_is_dropped(self):
        spec = cloud_mod.spec(requested_destination=destination.Destination(
            host='host3', node='host3'))
        [[chosen]] = self.select_as(member(), spec, uuids(1))
        self.assertEqual('host2', chosen.service_host)
        self.assertEqual(['requested_destination.host'], self.dropped())

    def test_admin_targeted_destination_is_honoured(self):
        spec = cloud_mod.spec(requested_destination=destination.Destination(
            host='host3', node='host3'))
        [[chosen]] = self.select_as(cloud_mod.CONTEXT, spec, uuids(1))
        self.assertEqual('host3', chosen.service_host)
        self.assertEqual([], self.dropped())

    def test_resize_ignoring_the_instances_own_host_is_honoured(self):
        [inst] = uuids(1)
        self.cloud.place_instance('host2', inst)
        spec = cloud_mod.spec(ignore_hosts=('host2',))
        [[chosen]] = self.select_as(member(), spec, [inst])
        self.assertEqual('host1', chosen.service_host)
        self.assertEqual([], self.dropped())

    def test_live_migration_retry_keeps_the_hosts_already_tried(self):
        # nova 34 lets project managers live-migrate; a retry ignores the
        # source and the hosts that failed.
        [inst] = uuids(1)
        self.cloud.place_instance('host1', inst)
        spec = cloud_mod.spec(ignore_hosts=('host1', 'host2'))
        [[chosen]] = self.select_as(
            member(roles=('manager', 'member', 'reader')), spec, [inst])
        self.assertEqual('host3', chosen.service_host)
        self.assertEqual([], self.dropped())

    def test_user_ignore_hosts_of_a_new_server_is_dropped(self):
        spec = cloud_mod.spec(ignore_hosts=('host2',))
        [[chosen]] = self.select_as(member(), spec, uuids(1))
        self.assertEqual('host2', chosen.service_host)
        self.assertEqual(['ignore_hosts'], self.dropped())

    def test_drops_are_in_the_explanation(self):
        spec = cloud_mod.spec(scheduler_hints={'_nova_anything': ('x',)},
                              flavor=cloud_mod.flavor(vcpus=64))
        exc = self.assertRaises(errors.NoValidHost, self.select_as, member(),
                                spec, uuids(1))
        self.assertEqual(('scheduler_hints._nova_anything',),
                         exc.explanation.authorization_drops)


class JsonFilterHostNamesTest(AuthorizationTestBase):
    """The query hint reads host names only for callers that may target
    hosts (nova's test_filter_on_hypervisor_hostname: an admin boots on
    one ironic node by name)."""

    QUERY = json.dumps(['=', '$hypervisor_hostname', 'host3-node'])

    def setUp(self):
        super().setUp()
        for name, state in self.cloud.hosts.items():
            self.cloud.hosts[name] = dataclasses.replace(
                state, hypervisor_hostname=f'{name}-node')
        self.cloud.publish()

    def select_with_query(self, ctxt):
        manager = self.cloud.manager(
            filters=[json_filter.JsonFilter(self.conf)])
        spec = cloud_mod.spec(scheduler_hints={'query': (self.QUERY,)})
        return manager.select_destinations(ctxt, spec, uuids(1))

    def test_admin_pins_by_hypervisor_hostname(self):
        [[chosen]] = self.select_with_query(cloud_mod.CONTEXT)
        self.assertEqual('host3', chosen.service_host)
        self.assertEqual(1, self.cloud.usage('host3').get('VCPU'))

    def test_service_role_pins_by_hypervisor_hostname(self):
        service = context.RequestContext(
            user_id='nova', project_id='service', roles=('service',))
        [[chosen]] = self.select_with_query(service)
        self.assertEqual('host3', chosen.service_host)

    def test_member_reads_host_names_as_unknown(self):
        exc = self.assertRaises(errors.NoValidHost, self.select_with_query,
                                member())
        self.assertEqual(explanation.Stage.FILTERS,
                         exc.explanation.failed_stage)
        self.assertIn('3 JsonFilter', exc.reason)
        self.assertNothingClaimed()
        # Nothing was dropped: the hint is honoured, the name unknown.
        self.assertEqual([], self.audit_records('Dropped'))

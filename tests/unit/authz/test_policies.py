"""The policy rules: defaults, operator overrides and the sample file."""

import difflib
import os
import subprocess
import sys
import tempfile

import fixtures
from oslo_config import cfg
import testtools

from scheduler.authz import authorization
from scheduler import conf as conf_pkg
from scheduler.authz import policies
from scheduler.objects import context as context_obj

REPO_ROOT = os.path.abspath(
    os.path.join(os.path.dirname(__file__), '..', '..', '..'))
GENERATOR_CONF = os.path.join(
    'etc', 'hardened-scheduler', 'hardened-scheduler-policy-generator.conf')
SAMPLE = os.path.join('etc', 'hardened-scheduler', 'policy.yaml.sample')
CASTS = ('update_aggregates', 'delete_aggregate', 'update_instance_info',
         'delete_instance_info', 'sync_instance_info')


def make_conf(policy_file=None):
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    conf([], default_config_files=[])
    if policy_file:
        conf.set_override('policy_file', policy_file, group='oslo_policy')
    return conf


def ctx(**kw):
    return context_obj.RequestContext(**kw)


# As nova's services send them (nova/context.py): a member's boot
# forwarded by conductor, compute's elevated context, a periodic task's
# get_admin_context(), and a user with Keystone's service role.
MEMBER = ctx(user_id='u', project_id='p1', roles=('member', 'reader'))
ELEVATED = ctx(user_id='u', project_id='p1', roles=('member', 'admin'),
               is_admin=True)
ADMIN_CONTEXT = ctx(is_admin=True)
SERVICE = ctx(user_id='nova', project_id='service', roles=('service',))


class DefaultRulesTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.authz = authorization.Authorizer(make_conf())

    def allowed(self, method, context, project='p1'):
        return self.authz.method(method, context,
                                 {'project_id': project}).allowed

    def test_select_destinations_accepts_what_nova_sends(self):
        for context in (MEMBER, ELEVATED, ADMIN_CONTEXT, SERVICE):
            self.assertTrue(self.allowed('select_destinations', context),
                            context)

    def test_select_destinations_refuses_other_callers(self):
        refused = [
            ctx(user_id='u', project_id='p2', roles=('member',)),
            ctx(user_id='u', project_id='p1', roles=('reader',)),
            ctx(user_id='u', project_id='p1'),
            ctx(),
        ]
        for context in refused:
            self.assertFalse(self.allowed('select_destinations', context),
                             context)

    def test_missing_project_never_matches(self):
        # oslo.policy compares str() forms: None must not equal 'None'.
        no_project = ctx(user_id='u', roles=('member',))
        self.assertFalse(self.allowed('select_destinations', no_project,
                                      None))
        self.assertFalse(self.allowed('select_destinations', no_project,
                                      'None'))

    def test_casts_need_a_service_context(self):
        for method in CASTS:
            for context in (ELEVATED, ADMIN_CONTEXT, SERVICE):
                self.assertTrue(self.allowed(method, context), method)
            self.assertFalse(self.allowed(method, MEMBER), method)
            self.assertFalse(self.allowed(method, ctx()), method)

    def test_roles_compare_case_insensitively(self):
        self.assertTrue(self.allowed(
            'select_destinations',
            ctx(project_id='p1', roles=('Member',))))

    def test_every_method_has_a_rule(self):
        self.assertEqual({'select_destinations', *CASTS},
                         set(policies.METHOD_RULES))
        names = {r.name for r in policies.list_rules()}
        self.assertLessEqual(set(policies.METHOD_RULES.values()), names)

    def test_credentials_carry_no_token(self):
        creds = authorization.credentials(ctx(
            project_id='p1', roles=('member',), auth_token='tok-canary'))
        self.assertNotIn('tok-canary', repr(creds))
        self.assertEqual({'project_id', 'roles', 'is_admin'}, set(creds))


class OverrideTest(testtools.TestCase):

    def policy_file(self, text):
        path = self.useFixture(fixtures.TempDir()).join('policy.yaml')
        with open(path, 'w') as f:
            f.write(text)
        return path

    def test_operator_rule_replaces_the_default(self):
        path = self.policy_file(
            '"hardened_scheduler:requesting_project_member": '
            '"role:_member_ and project_id:%(project_id)s"\n')
        authz = authorization.Authorizer(make_conf(path))
        legacy = ctx(project_id='p1', roles=('_member_',))
        self.assertTrue(authz.method('select_destinations', legacy,
                                     {'project_id': 'p1'}).allowed)
        self.assertFalse(authz.method('select_destinations', MEMBER,
                                      {'project_id': 'p1'}).allowed)

    def test_broken_policy_file_stops_start_up(self):
        path = self.policy_file('"hardened_scheduler:service": [\n')
        self.assertRaises(Exception, authorization.Authorizer,
                          make_conf(path))

    def test_reload_keeps_rules_when_the_file_breaks(self):
        path = self.policy_file('"hardened_scheduler:service": "role:ops"\n')
        authz = authorization.Authorizer(make_conf(path))
        ops = ctx(roles=('ops',))
        self.assertTrue(authz.method('update_aggregates', ops).allowed)
        with open(path, 'w') as f:
            f.write('"hardened_scheduler:service": [\n')
        logger = self.useFixture(fixtures.FakeLogger())
        self.assertFalse(authz.reload())
        self.assertIn('previous rules kept', logger.output)
        self.assertTrue(authz.method('update_aggregates', ops).allowed)

    def test_reload_reads_a_changed_file(self):
        path = self.policy_file('"hardened_scheduler:service": "role:ops"\n')
        authz = authorization.Authorizer(make_conf(path))
        with open(path, 'w') as f:
            f.write('"hardened_scheduler:service": "role:other"\n')
        self.assertTrue(authz.reload())
        self.assertFalse(authz.method('update_aggregates',
                                      ctx(roles=('ops',))).allowed)
        self.assertTrue(authz.method('update_aggregates',
                                     ctx(roles=('other',))).allowed)


class SamplePolicyTest(testtools.TestCase):

    def test_committed_sample_is_current(self):
        fd, out = tempfile.mkstemp(suffix='.yaml')
        os.close(fd)
        self.addCleanup(os.unlink, out)
        subprocess.run(
            [sys.executable, '-c',
             'import sys; from oslo_policy import generator; '
             'sys.exit(generator.generate_sample())',
             '--config-file', GENERATOR_CONF, '--output-file', out],
            cwd=REPO_ROOT, check=True, capture_output=True, timeout=120)
        with open(out) as f:
            generated = f.read()
        with open(os.path.join(REPO_ROOT, SAMPLE)) as f:
            committed = f.read()
        if generated != committed:
            self.fail('The sample policy is stale; regenerate it with '
                      '"tox -e genpolicy":\n' + '\n'.join(
                          difflib.unified_diff(
                              committed.splitlines(),
                              generated.splitlines(), lineterm='')))

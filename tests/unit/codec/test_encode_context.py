"""Encoding the request context: nova's to_dict() keys, decodable by us."""

import json

import hypothesis
from hypothesis import strategies as st
import testtools

from scheduler.codec import context as decoder
from scheduler.codec import encode_context as encoder
from scheduler.objects import context as context_obj
from tests.unit.codec import spec_strategies as s

# nova 34's RequestContext.to_dict() keys (NOVA_COMPAT 2.1).
NOVA_KEYS = {
    'user', 'user_id', 'project', 'project_id', 'domain', 'user_domain',
    'project_domain', 'system_scope', 'is_admin', 'is_admin_project',
    'read_only', 'show_deleted', 'read_deleted', 'auth_token', 'request_id',
    'global_request_id', 'resource_uuid', 'roles', 'user_identity',
    'user_name', 'project_name', 'remote_address', 'timestamp',
    'quota_class', 'service_catalog'}

contexts = st.builds(
    context_obj.RequestContext,
    user_id=s.optional(s.text), project_id=s.optional(s.text),
    domain_id=s.optional(s.text), user_domain_id=s.optional(s.text),
    project_domain_id=s.optional(s.text),
    system_scope=s.optional(s.text), is_admin=st.booleans(),
    roles=s.tuples(s.text), request_id=s.optional(s.text),
    global_request_id=s.optional(s.text),
    read_deleted=st.sampled_from(['no', 'yes', 'only']),
    user_name=s.optional(s.text), project_name=s.optional(s.text),
    remote_address=s.optional(s.text),
    timestamp=s.optional(st.sampled_from(
        ['2026-08-21T10:11:12.000013', '2026-08-21T10:11:12'])),
    auth_token=s.optional(s.text))


class EncodeContextTest(testtools.TestCase):

    @hypothesis.given(contexts)
    def test_round_trip(self, ctx):
        values = json.loads(json.dumps(encoder.encode_context(ctx)))
        self.assertEqual(ctx, decoder.decode_context(values))

    def test_nova_keys(self):
        values = encoder.encode_context(context_obj.RequestContext())
        self.assertEqual(NOVA_KEYS, set(values))
        self.assertEqual({'is_admin_project': True, 'read_only': False,
                          'show_deleted': False, 'resource_uuid': None,
                          'quota_class': None, 'service_catalog': [],
                          'read_deleted': 'no', 'roles': []},
                         {k: values[k] for k in (
                             'is_admin_project', 'read_only', 'show_deleted',
                             'resource_uuid', 'quota_class',
                             'service_catalog', 'read_deleted', 'roles')})

    def test_user_identity_and_aliases(self):
        values = encoder.encode_context(context_obj.RequestContext(
            user_id='u1', project_id='p1', user_domain_id='default',
            roles=('member',)))
        self.assertEqual('u1 p1 - default -', values['user_identity'])
        self.assertEqual(('u1', 'u1', 'p1', 'p1'),
                         (values['user'], values['user_id'],
                          values['project'], values['project_id']))
        self.assertEqual(['member'], values['roles'])

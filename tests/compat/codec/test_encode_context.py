"""Our context encoder against nova 34's RequestContext."""

import json

import testtools

from scheduler.codec import encode_context
from scheduler.objects import context as context_obj
from tests.compat.codec import nova_env

OURS = context_obj.RequestContext(
    user_id='u1', project_id='p1', domain_id='d1', user_domain_id='default',
    project_domain_id='default', system_scope=None, is_admin=False,
    roles=('member', 'reader'), request_id='req-1',
    global_request_id='req-global', read_deleted='yes', user_name='alice',
    project_name='demo', remote_address='10.1.2.3',
    timestamp='2026-08-21T10:11:12.000013', auth_token='gAAAAAtoken')


class EncodeContextCompatTest(testtools.TestCase):

    def test_same_keys_as_nova(self):
        self.assertEqual(set(nova_env.context().to_dict()),
                         set(encode_context.encode_context(OURS)))

    def test_nova_reads_and_writes_it_back(self):
        values = json.loads(json.dumps(encode_context.encode_context(OURS)))
        theirs = type(nova_env.context()).from_dict(values)
        self.assertEqual(
            ('u1', 'p1', 'd1', 'default', 'default', False,
             ['member', 'reader'], 'req-1', 'req-global', 'yes', 'alice',
             'demo', '10.1.2.3', 'gAAAAAtoken', 'req-global'),
            (theirs.user_id, theirs.project_id, theirs.domain_id,
             theirs.user_domain_id, theirs.project_domain_id,
             theirs.is_admin, theirs.roles, theirs.request_id,
             theirs.global_request_id, theirs.read_deleted, theirs.user_name,
             theirs.project_name, theirs.remote_address, theirs.auth_token,
             theirs.global_id))
        self.assertEqual(values, json.loads(json.dumps(theirs.to_dict())))

    def test_admin_context(self):
        ours = context_obj.RequestContext(is_admin=True, roles=('admin',),
                                          request_id='req-2')
        values = encode_context.encode_context(ours)
        theirs = type(nova_env.context()).from_dict(values)
        self.assertTrue(theirs.is_admin)
        self.assertEqual('- - - - -', theirs.to_dict()['user_identity'])
        self.assertEqual(values['user_identity'],
                         theirs.to_dict()['user_identity'])

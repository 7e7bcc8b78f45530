"""Decoding the request context dict."""

import testtools

from scheduler.codec import context
from scheduler.codec import errors
from tests.unit.codec import wire

TOKEN = 'gAAAAABsecret-token-value'


def values(**fields):
    result = {
        'user': 'u1', 'user_id': 'u1', 'project': 'p1', 'project_id': 'p1',
        'domain': None, 'user_domain': 'default', 'project_domain': 'default',
        'system_scope': None, 'is_admin': False, 'is_admin_project': True,
        'read_only': False, 'show_deleted': False, 'read_deleted': 'no',
        'auth_token': TOKEN, 'request_id': 'req-1', 'global_request_id': None,
        'resource_uuid': None, 'roles': ['member', 'reader'],
        'user_identity': 'u1 p1 - default default', 'user_name': 'alice',
        'project_name': 'demo', 'remote_address': '10.0.0.1',
        'timestamp': '2026-01-02T03:04:05.678901', 'quota_class': None,
        'service_catalog': [{'type': 'placement', 'endpoints': []}],
    }
    result.update(fields)
    return result


class ContextTest(testtools.TestCase):

    def test_decode(self):
        ctx = context.decode_context(values())
        self.assertEqual('u1', ctx.user_id)
        self.assertEqual('p1', ctx.project_id)
        self.assertEqual('default', ctx.user_domain_id)
        self.assertEqual(('member', 'reader'), ctx.roles)
        self.assertEqual('req-1', ctx.global_id)
        self.assertEqual(TOKEN, ctx.auth_token)
        self.assertNotIn(TOKEN, repr(ctx))

    def test_sample_message_context(self):
        msg = wire.load_sample('sample_select_destinations_msg.json')
        raw = {k[len('_context_'):]: val for k, val in msg.items()
               if k.startswith('_context_')}
        ctx = context.decode_context(raw)
        self.assertEqual(raw['user_id'], ctx.user_id)
        self.assertEqual(raw['request_id'], ctx.request_id)
        self.assertEqual(tuple(raw['roles']), ctx.roles)

    def test_defaults_and_unknown_keys(self):
        ctx = context.decode_context({'whatever': object(), 'user': 'u9'})
        self.assertEqual('u9', ctx.user_id)
        self.assertFalse(ctx.is_admin)
        self.assertEqual('no', ctx.read_deleted)
        self.assertEqual((), ctx.roles)

    def test_strict_types(self):
        for key, bad in (('is_admin', 'yes'), ('roles', 'admin'),
                         ('read_deleted', 'maybe'), ('timestamp', 'now'),
                         ('user_id', ['u'])):
            error = self.assertRaises(errors.ValidationError,
                                      context.decode_context,
                                      values(**{key: bad}))
            self.assertEqual(f'context.{key}', error.field)

    def test_token_never_in_errors(self):
        error = self.assertRaises(errors.ValidationError,
                                  context.decode_context,
                                  values(auth_token=[TOKEN]))
        self.assertEqual('context.auth_token', error.field)
        self.assertNotIn(TOKEN, str(error))
        error = self.assertRaises(errors.ValidationError,
                                  context.decode_context,
                                  values(auth_token=TOKEN * 5000))
        self.assertNotIn(TOKEN, str(error))

    def test_not_a_mapping(self):
        self.assertRaises(errors.ValidationError, context.decode_context,
                          [('user_id', 'u')])

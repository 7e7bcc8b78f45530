"""No token, password or credentialed URL in errors or logs."""

import logging
import traceback

import fixtures
from keystoneauth1 import exceptions as ks_exc
import testtools

from scheduler.placement import client as client_mod
from scheduler.placement import errors
from scheduler.placement import results
from scheduler.placement import query
from tests.unit.placement import fake_placement as fake
from tests.unit.placement import test_client as base

TOKEN = fake.CANARY
PASSWORD = fake.CANARY_PASSWORD
URL = f'https://admin:{PASSWORD}@placement.example.org/placement'
LEAKY_TEXT = (f'Unable to establish connection to {URL}/allocations: '
              f'X-Auth-Token: {TOKEN} password={PASSWORD}')
LEAKY_BODY = {'errors': [{
    'status': 400, 'code': 'placement.query.bad_value',
    'detail': f'bad token {TOKEN} from {URL} "password": "{PASSWORD}"'}]}


class TestNoSecrets(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.log = self.useFixture(fixtures.FakeLogger(level=logging.DEBUG))

    def assertClean(self, *texts):
        for text in texts + (self.log.output,):
            self.assertNotIn(TOKEN, text)
            self.assertNotIn(PASSWORD, text)
            self.assertNotIn('admin:', text)

    def client(self, *script):
        return client_mod.PlacementClient(
            adapter=fake.FakeAdapter(*script), retry_attempts=2,
            sleep=lambda s: None)

    def exc_texts(self, exc):
        return (str(exc), repr(exc), ''.join(
            traceback.format_exception(type(exc), exc, exc.__traceback__)))

    def test_error_body_is_scrubbed(self):
        c = self.client(fake.FakeResponse(400, LEAKY_BODY))
        exc = self.assertRaises(errors.PlacementRequestError,
                                c.get_allocation_candidates,
                                query.PlacementQuery())
        self.assertEqual('placement.query.bad_value', exc.code)
        self.assertIn('bad token', exc.detail)
        self.assertClean(exc.detail, *self.exc_texts(exc))

    def test_transport_errors_are_named_not_quoted(self):
        for exc_class in (ks_exc.ConnectFailure, ks_exc.ConnectTimeout,
                          ks_exc.SSLError, ks_exc.EndpointNotFound,
                          ks_exc.Unauthorized):
            c = self.client(exc_class(LEAKY_TEXT), exc_class(LEAKY_TEXT))
            exc = self.assertRaises(errors.PlacementUnavailable,
                                    c.get_consumer_allocations, 'c')
            self.assertEqual(exc_class.__name__, exc.cause)
            self.assertClean(*self.exc_texts(exc))

    def test_claim_and_release_failures(self):
        c = self.client(base.consumer(), fake.FakeResponse(
            409, LEAKY_BODY))
        self.assertFalse(c.claim('c', base.ALLOC_REQ, 'p', 'u').claimed)
        undo = results.ClaimUndo('c', base.ALLOC_REQ['allocations'])
        c = self.client(base.consumer(undo.placed, generation=1),
                        fake.FakeResponse(400, LEAKY_BODY))
        exc = self.assertRaises(errors.AllocationDeleteError,
                                c.release, undo)
        self.assertClean(*self.exc_texts(exc))
        c = self.client(fake.FakeResponse(403, text=LEAKY_TEXT))
        exc = self.assertRaises(errors.AllocationDeleteError,
                                c.release, undo)
        self.assertClean(exc.detail, *self.exc_texts(exc))

    def test_scrub(self):
        text = errors.scrub(
            f'{LEAKY_TEXT} provider a1a1a1a1-0000-4000-8000-000000000001 '
            f'Authorization: Bearer {TOKEN}')
        self.assertClean(text)
        # Resource provider uuids are kept: they are what one debugs.
        self.assertIn('a1a1a1a1-0000-4000-8000-000000000001', text)
        self.assertEqual(203, len(errors.scrub('x ' * 500)))

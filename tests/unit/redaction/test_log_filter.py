"""RedactionFilter and RedactingFormatter on a handler of their own."""

import io
import json
import logging
import re
from unittest import mock

from oslo_config import cfg
from oslo_log import formatters
from oslo_log import log as oslo_logging
import testtools

from scheduler import redaction
from scheduler.placement import errors as placement_errors
from scheduler.redaction import log_filter
from tests.unit.redaction import fixtures

UUID = '6f1c3e2a-5b4d-4c3e-9f8a-1b2c3d4e5f60'
REQ = 'req-0b1c3e2a-5b4d-4c3e-9f8a-1b2c3d4e5f61'
PW = 'Canary-pw-8813'


class Boom(Exception):
    pass


class Unprintable:
    def __str__(self):
        raise RuntimeError('no str')

    def __repr__(self):
        raise RuntimeError('no repr')


class FilterTest(testtools.TestCase):
    """A logger with one handler carrying the filter and the wrapper."""

    def setUp(self):
        super().setUp()
        self.ids = fixtures.identifiers()
        self.stream = io.StringIO()
        self.logger = logging.getLogger(f'redaction-test.{self.id()}')
        self.logger.propagate = False
        self.logger.setLevel(logging.DEBUG)
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(logging.Formatter(
            '%(levelname)s %(message)s'))
        self.addCleanup(self.logger.removeHandler, self.handler)
        self.logger.addHandler(self.handler)
        self.filter = redaction.RedactionFilter(self.ids)
        self.handler.addFilter(self.filter)
        self.handler.setFormatter(redaction.RedactingFormatter(
            self.handler.formatter, self.filter))

    def output(self):
        return self.stream.getvalue()

    def test_identifier_arguments_are_hashed_at_every_level(self):
        self.logger.debug('on %s', redaction.host('compute-1'))
        self.logger.info('on %(h)s', {'h': redaction.host('compute-1')})
        self.logger.error('node %s', redaction.node('compute-1'))
        lines = self.output().splitlines()
        self.assertEqual(f'DEBUG on {self.ids.host("compute-1")}', lines[0])
        self.assertEqual(f'INFO on {self.ids.host("compute-1")}', lines[1])
        self.assertEqual(f'ERROR node {self.ids.node("compute-1")}',
                         lines[2])
        self.assertNotIn('compute-1', self.output())

    def test_identifiers_nested_in_a_record_dict(self):
        record = {'request_id': REQ, 'target': {
            'host': redaction.host('h9'), 'nodes': [redaction.node('n9')]}}
        self.logger.info('NoValidHost: %s', record)
        text = self.output()
        self.assertIn(f"'host': '{self.ids.host('h9')}'", text)
        self.assertIn(f"'nodes': ['{self.ids.node('n9')}']", text)
        self.assertIn(REQ, text)

    def test_clear_mode(self):
        self.filter.identifiers = fixtures.identifiers(clear=True)
        self.logger.info('on %s consumer %s', redaction.host('compute-1'),
                         UUID)
        self.assertEqual(f'INFO on compute-1 consumer {UUID}\n',
                         self.output())

    def test_free_uuids_hashed_request_ids_kept(self):
        self.logger.info('Request %s: consumer %s', REQ, UUID)
        self.assertEqual(
            f'INFO Request {REQ}: consumer {self.ids.digest("uuid", UUID)}'
            '\n', self.output())

    def test_one_hash_per_uuid_whatever_renders_it(self):
        # Issue 13: the rollback-failure line showed one consumer as
        # instance~<a> (the argument) and uuid~<b> (the exception text).
        error = placement_errors.AllocationDeleteError(UUID, 500)
        self.logger.error('Could not release the allocations of consumer '
                          '%(consumer)s after a failed request: %(error)s',
                          {'consumer': redaction.instance(UUID),
                           'error': error})
        try:
            raise error
        except placement_errors.AllocationDeleteError:
            self.logger.exception('Releasing %s', redaction.instance(UUID))
        text = self.output()
        self.assertNotIn(UUID, text)
        hashes = set(re.findall(r'\b(?:instance|uuid)~([0-9a-f]{12})', text))
        self.assertEqual({self.ids.instance(UUID).split('~')[1]}, hashes)
        # Two arguments, two exception texts (in the message and in the
        # traceback): every mention is the one hash.
        self.assertEqual(4, len(re.findall(
            r'\b(?:instance|uuid)~[0-9a-f]{12}', text)))

    def test_secrets_masked_at_every_level(self):
        self.logger.debug('connect mysql://nova:%s@db/nova', PW)
        self.logger.info('body %s', json.dumps({'password': PW}))
        self.logger.warning('token=%s', PW)
        self.assertNotIn(PW, self.output())
        self.assertEqual(3, self.output().count('***'))

    def test_traceback_with_a_password(self):
        try:
            raise Boom(f'cannot connect to mysql://u:{PW}@db/x '
                       f'password={PW}')
        except Boom:
            self.logger.exception('Failed for %s', redaction.instance(UUID))
        text = self.output()
        self.assertNotIn(PW, text)
        self.assertIn('Traceback (most recent call last)', text)
        self.assertIn('Boom: cannot connect to mysql://u:***@db/x', text)
        self.assertIn(self.ids.instance(UUID), text)

    def test_record_for_other_handlers_carries_no_exc_info(self):
        try:
            raise Boom(f'password={PW}')
        except Boom:
            record = self.logger.makeRecord(
                self.logger.name, logging.ERROR, __file__, 1, 'failed', (),
                exc_info=__import__('sys').exc_info())
        self.filter.filter(record)
        self.assertIsNone(record.exc_info)
        self.assertIn('password=***', record.exc_text)
        self.assertNotIn(PW, record.getMessage() + record.exc_text)

    def test_stack_info_is_redacted(self):
        self.logger.info('here token=%s', PW, stack_info=True)
        self.assertIn('Stack (most recent call last)', self.output())
        self.assertNotIn(PW, self.output())

    def test_arguments_that_do_not_fit_the_format(self):
        self.logger.info('%s and %s for password=%s', 'one', PW)
        text = self.output()
        self.assertEqual(
            'INFO %s and %s for password=*** [log arguments do not fit the '
            'format (TypeError); arguments: str, str]\n', text)

    def test_unprintable_message_and_arguments(self):
        self.logger.info(Unprintable())
        self.logger.info('value %s', Unprintable())
        lines = self.output().splitlines()
        self.assertEqual(2, len(lines))
        self.assertIn('unrepresentable Unprintable', lines[0])
        self.assertEqual('INFO value %s [log arguments do not fit the '
                         'format (RuntimeError); arguments: Unprintable]',
                         lines[1])

    def test_failure_inside_redaction_withholds_the_text(self):
        with mock.patch.object(log_filter.secrets, 'mask_secrets',
                               side_effect=RuntimeError(PW)):
            record = self.logger.makeRecord(
                self.logger.name, logging.INFO, __file__, 1,
                'password=%s', (PW,), None)
            self.assertTrue(self.filter.filter(record))
        self.assertEqual('Log message withheld: it could not be redacted '
                         '(RuntimeError)', record.getMessage())

    def test_failure_inside_the_formatter_withholds_the_line(self):
        with mock.patch.object(log_filter.secrets, 'mask_secrets',
                               side_effect=RuntimeError(PW)):
            self.logger.warning('password=%s', PW)
        self.assertEqual('Log line withheld: it could not be formatted '
                         '(RuntimeError)\n', self.output())

    def test_record_is_redacted_once(self):
        record = self.logger.makeRecord(
            self.logger.name, logging.INFO, __file__, 1, 'on %s',
            (redaction.host('h1'),), None)
        self.filter.filter(record)
        first = record.getMessage()
        self.filter.identifiers = fixtures.identifiers(key=b'other')
        self.filter.filter(record)
        self.assertEqual(first, record.getMessage())

    def test_active_exception_summary_added_by_oslo_log(self):
        # oslo.log appends the exception being handled to WARNING lines,
        # after every filter ran: the wrapper catches it.
        conf = cfg.ConfigOpts()
        oslo_logging.register_options(conf)
        self.handler.setFormatter(redaction.RedactingFormatter(
            formatters.ContextFormatter(config=conf), self.filter))
        try:
            raise Boom(f'mysql+pymysql://nova:{PW}@db/nova')
        except Boom:
            self.logger.warning('Database not reachable')
        text = self.output()
        self.assertIn('Database not reachable: ', text)
        self.assertIn('mysql+pymysql://nova:***@db/nova', text)
        self.assertNotIn(PW, text)

    def test_message_found_inside_an_added_secret(self):
        # The added summary holds the message's text inside a secret: only
        # the message itself may be spared a second redaction.
        conf = cfg.ConfigOpts()
        oslo_logging.register_options(conf)
        self.handler.setFormatter(redaction.RedactingFormatter(
            formatters.ContextFormatter(config=conf), self.filter))
        try:
            raise Boom('token=Canary-tail')
        except Boom:
            self.logger.warning('tail')
        text = self.output()
        self.assertIn('tail: ', text)
        self.assertIn('Boom: token=***', text)
        self.assertNotIn('Canary', text)
        self.assertNotIn('***tail', text)

    def test_json_formatter_keeps_the_redacted_traceback(self):
        self.handler.setFormatter(redaction.RedactingFormatter(
            formatters.JSONFormatter(), self.filter))
        try:
            raise Boom(f'token={PW}')
        except Boom:
            self.logger.exception('failed on %s', redaction.host('h1'))
        document = json.loads(self.output())
        self.assertEqual(f'failed on {self.ids.host("h1")}',
                         document['message'])
        self.assertIn('Boom: token=***', document['traceback'])
        self.assertNotIn(PW, self.output())

    def test_formatter_output_that_is_a_dict(self):
        inner = mock.Mock(spec=logging.Formatter)
        inner.format.return_value = {'message': f'password={PW}', 'n': 1,
                                     'nested': [{'id': UUID}]}
        wrapper = redaction.RedactingFormatter(inner, self.filter)
        record = self.logger.makeRecord(
            self.logger.name, logging.INFO, __file__, 1, 'x', (), None)
        out = wrapper.format(record)
        self.assertEqual({'message': 'password=***', 'n': 1,
                          'nested': [{'id': self.ids.digest('uuid', UUID)}]},
                         out)

"""Cell URL templates, URL masking, database errors without secrets."""

import sqlite3

from sqlalchemy import exc as sa_exc
import testtools

from scheduler.db import urls

SECRET = 'S3cr3t-canary-pw'
DEFAULT = f'mysql+pymysql://nova:{SECRET}@db.example:3307/nova?charset=utf8'


class FormatCellUrlTest(testtools.TestCase):

    def test_template_filled_from_database_connection(self):
        self.assertEqual(
            f'mysql+pymysql://nova:{SECRET}@db.example:3307/nova_cell1'
            '?charset=utf8',
            urls.format_cell_url(
                '{scheme}://{username}:{password}@{hostname}:{port}/'
                '{path}_cell1?{query}', DEFAULT))

    def test_multi_host_netloc_gives_indexed_fields(self):
        default = 'rabbit://u1:p1@h1:5672,u2:p2@h2:5673/vhost'
        self.assertEqual(
            'h1 5672 u2 p2 h2',
            urls.format_cell_url(
                '{hostname1} {port1} {username2} {password2} {hostname2}',
                default))

    def test_plain_url_unchanged(self):
        url = 'sqlite:////var/lib/nova/cell1.sqlite'
        self.assertEqual(url, urls.format_cell_url(url, DEFAULT))
        self.assertEqual(url, urls.format_cell_url(url, None))

    def test_unknown_field_leaves_the_value_as_nova_does(self):
        self.assertEqual('{nope}://x', urls.format_cell_url('{nope}://x',
                                                            DEFAULT))

    def test_attribute_lookups_are_refused(self):
        template = '{password.__class__}'
        self.assertEqual(template, urls.format_cell_url(template, DEFAULT))
        self.assertEqual(template, urls.format_cell_url('{password[0]}',
                                                        DEFAULT)
                         .replace('[0]', '.__class__'))

    def test_template_without_default_is_returned_as_is(self):
        self.assertTrue(urls.is_template('{scheme}://x'))
        self.assertEqual('{scheme}://x',
                         urls.format_cell_url('{scheme}://x', None))


class MaskUrlTest(testtools.TestCase):

    def test_password_and_query_values_hidden(self):
        masked = urls.mask_url(DEFAULT + f'&password={SECRET}')
        self.assertNotIn(SECRET, masked)
        self.assertIn('nova:***@db.example:3307/nova', masked)
        self.assertIn('charset=***', masked)

    def test_unparsable_url_is_not_echoed(self):
        masked = urls.mask_url(f'not a url {SECRET}')
        self.assertEqual('<unparsable URL>', masked)

    def test_unset(self):
        self.assertEqual('<not set>', urls.mask_url(None))


class DescribeErrorTest(testtools.TestCase):

    def test_sql_and_parameters_are_dropped(self):
        exc = sa_exc.OperationalError(
            f'SELECT * FROM cell_mappings WHERE x = {SECRET}',
            {'p': SECRET}, sqlite3.OperationalError('no such table: x'))
        text = urls.describe_error(exc)
        self.assertEqual('OperationalError: no such table: x', text)

    def test_urls_in_driver_messages_are_scrubbed(self):
        exc = RuntimeError(f'could not reach mysql://nova:{SECRET}@db/nova')
        text = urls.describe_error(exc)
        self.assertNotIn(SECRET, text)
        self.assertTrue(text.startswith('RuntimeError: '))

"""hardened-scheduler-manage hash-identifier."""

import io
import logging
import os

import fixtures as fx
import testtools

from scheduler import cmd  # noqa: F401  (as the entry point does)
from scheduler import redaction
from scheduler.cmd import manage
from tests.unit.redaction import fixtures

UUID = '1B4E28BA-2FA1-11D2-883F-0016D3CCA427'


class HashIdentifierTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.IsolatedLogging())
        self.dir = self.useFixture(fx.TempDir()).path
        self.stdout = io.StringIO()
        self.stderr = io.StringIO()
        self.useFixture(fx.MonkeyPatch('sys.stdout', self.stdout))
        self.useFixture(fx.MonkeyPatch('sys.stderr', self.stderr))

    def conf_file(self, text):
        path = os.path.join(self.dir, 'nova.conf')
        with open(path, 'w') as f:
            f.write(text)
        return path

    def run_command(self, *args, key='operator-key'):
        lines = ['[DEFAULT]', f'log_file = {self.dir}/scheduler.log']
        if key is not None:
            lines += ['[hardened_scheduler]', f'log_identifier_key = {key}']
        path = self.conf_file('\n'.join(lines) + '\n')
        return manage.main(['hash-identifier', '--config-file', path,
                            *args])

    def test_prints_the_hash_the_logs_show(self):
        self.assertEqual(0, self.run_command('--kind', 'host', 'compute-7'))
        printed = self.stdout.getvalue()
        self.assertEqual(
            fixtures.identifiers(key=b'operator-key').host('compute-7')
            + '\n', printed)
        # The service's log filter, with the same configuration, writes
        # exactly that.
        logging.getLogger('scheduler.z').warning(
            'Host %s', redaction.host('compute-7'))
        for handler in logging.getLogger().handlers:
            handler.flush()
        with open(f'{self.dir}/scheduler.log') as f:
            self.assertIn(f'Host {printed.strip()}', f.read())

    def test_a_uuid_has_its_free_text_form_too(self):
        self.assertEqual(0, self.run_command('--kind', 'instance', UUID))
        ids = fixtures.identifiers(key=b'operator-key')
        self.assertEqual(
            [ids.instance(UUID), ids.digest('uuid', UUID)],
            self.stdout.getvalue().splitlines())

    def test_clear_mode_still_prints_hashes(self):
        path = self.conf_file('[hardened_scheduler]\n'
                              'log_identifier_key = k\n'
                              'log_identifiers = clear\n')
        self.assertEqual(0, manage.main([
            'hash-identifier', '--config-file', path, '--kind', 'node',
            'n1']))
        self.assertEqual(fixtures.identifiers(key=b'k').node('n1') + '\n',
                         self.stdout.getvalue())

    def test_no_key_is_an_error(self):
        self.assertEqual(2, self.run_command('--kind', 'aggregate', 'agg1',
                                             key=None))
        self.assertEqual('', self.stdout.getvalue())
        self.assertIn('log_identifier_key is not set',
                      self.stderr.getvalue())

    def test_unknown_kind_is_refused(self):
        self.assertRaises(SystemExit, self.run_command, '--kind', 'cell',
                          'c1')
        self.assertIn('invalid choice', self.stderr.getvalue())

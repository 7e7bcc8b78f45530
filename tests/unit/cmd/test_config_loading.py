"""One validation for the service and validate-config; the tool's parser."""

import contextlib
import io
import os
from unittest import mock

import fixtures
import testtools

from scheduler.cmd import config_loading
from scheduler.cmd import manage
from scheduler.cmd import scheduler as scheduler_cmd
from scheduler.rpc import workers
from tests.unit.redaction import fixtures as redaction_fixtures

GOOD = ('[api_database]\nconnection = sqlite:////nonexistent/api.db\n'
        '[placement]\nauth_type = admin_token\ntoken = t\n'
        'endpoint_override = http://127.0.0.1:1/\n')


class ValidateTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(redaction_fixtures.IsolatedLogging())
        self.dir = self.useFixture(fixtures.TempDir()).path

    def conf_file(self, text):
        path = os.path.join(self.dir, 'nova.conf')
        with open(path, 'w') as f:
            f.write(text)
        return path

    def load(self, text):
        return config_loading.load(['--config-file', self.conf_file(text)],
                                   prog='test')

    def test_a_good_configuration_has_no_problem(self):
        self.assertEqual([], config_loading.validate(self.load(GOOD)))

    def test_every_problem_at_once(self):
        path = self.conf_file(
            '[filter_scheduler]\nram_weight_multiplier = heavy\n'
            'enabled_filters = ComputeFilter,NoSuchFilter\n'
            '[scheduler]\nworkers = many\n'
            '[placement]\nauth_type = password\n')
        conf = config_loading.load(['--config-file', path], prog='test')
        self.assertEqual([
            f'[filter_scheduler] ram_weight_multiplier: invalid value (in '
            f"{path}): could not convert string to float: 'heavy'",
            f'[scheduler] workers: invalid value (in {path}): invalid '
            "literal for int() with base 10: 'many'",
            "[api_database] connection is not set: the host states are read "
            "from nova's databases",
            '[placement] missing required options for its auth_type: '
            'auth_url',
            'Unknown filter(s) in [filter_scheduler] enabled_filters: '
            'NoSuchFilter',
        ], config_loading.validate(conf))

    def test_clients_handed_in_need_no_database_or_placement(self):
        conf = self.load('[scheduler]\nworkers = 1\n')
        self.assertEqual([], config_loading.validate(
            conf, builds_clients=False))
        self.assertEqual(2, len(config_loading.validate(conf)))

    def test_no_configuration_file(self):
        home = os.path.join(self.dir, 'home')
        os.mkdir(home)
        self.useFixture(fixtures.EnvironmentVariable('HOME', home))
        conf = config_loading.load([], prog='test')
        self.assertIn('no configuration file found: pass --config-file '
                      '(looked for ~/.nova/nova.conf, ~/nova.conf, '
                      '/etc/nova/nova.conf, /etc/nova.conf)',
                      config_loading.validate(conf, builds_clients=False))

    def test_a_broken_policy_file_is_named(self):
        policy = os.path.join(self.dir, 'policy.yaml')
        with open(policy, 'w') as f:
            f.write('"scheduler:x": [unclosed\n')
        problems = config_loading.validate(self.load(
            GOOD + f'[oslo_policy]\npolicy_file = {policy}\n'))
        self.assertEqual(1, len(problems))
        self.assertTrue(problems[0].startswith(
            f'[oslo_policy] policy_file {policy}: '), problems)

    def test_the_service_refuses_what_validate_config_reports(self):
        text = ('[filter_scheduler]\nram_weight_multiplier = heavy\n'
                'weight_classes = NoSuchWeigher\n')
        path = self.conf_file(text)
        expected = config_loading.validate(self.load(text))
        self.assertEqual(4, len(expected))
        stderr = io.StringIO()
        with mock.patch.object(workers, 'run') as run, \
                contextlib.redirect_stderr(stderr):
            self.assertEqual(2, scheduler_cmd.main(['--config-file', path]))
        run.assert_not_called()
        self.assertEqual([f'hardened-scheduler: error: {p}'
                          for p in expected],
                         stderr.getvalue().splitlines())
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            self.assertEqual(2, manage.main(['validate-config',
                                             '--config-file', path]))
        self.assertEqual([f'ERROR: {p}' for p in expected],
                         stdout.getvalue().splitlines())


class ParserTest(testtools.TestCase):

    def parse(self, *argv):
        args = manage.build_parser().parse_args(list(argv))
        config_loading.merge_global_arguments(args)
        return args

    def test_global_options_before_or_after_the_command(self):
        before = self.parse('--config-file', 'a.conf', '--debug',
                            'validate-config', '--config-file', 'b.conf')
        self.assertEqual(['a.conf', 'b.conf'], before.config_files)
        self.assertTrue(before.debug)
        after = self.parse('check', '--config-dir', 'd', '-f', 'json')
        self.assertEqual((['d'], [], False, 'json'),
                         (after.config_dirs, after.config_files,
                          after.debug, after.format))

    def test_each_command_has_its_own_help(self):
        for command, option in (('simulate', '--workload'),
                                ('check', '--format'),
                                ('hash-identifier', '--kind'),
                                ('validate-config', '--config-file')):
            stdout = io.StringIO()
            with contextlib.redirect_stdout(stdout):
                self.assertRaises(SystemExit, self.parse, command, '--help')
            printed = stdout.getvalue()
            self.assertIn(f'usage: hardened-scheduler-manage {command}',
                          printed)
            self.assertIn(option, printed)
            self.assertIn('exit codes: 0 all is well, 1 warnings only, 2 '
                          'failure', printed)

    def test_version(self):
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            error = self.assertRaises(SystemExit, self.parse, '--version')
        self.assertEqual(0, error.code)
        self.assertEqual(f'hardened-scheduler-manage '
                         f'{config_loading.version()}\n', stdout.getvalue())
        self.assertRegex(config_loading.version(), r'^\d+\.\d+')

"""Every entry point answers broken input with one line and an exit code.

Each case runs a command in a fresh interpreter, as an operator does,
with a configuration or argument broken on purpose, and asserts the exit
code, the line that names the problem and that no traceback is printed.
The simulator's own inputs (YAML descriptions, bounds) have their table
in ``test_simulate_inputs``.
"""

import dataclasses
import os
import subprocess
import sys

import fixtures
import testtools

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
SERVICE = ('-m', 'scheduler.cmd.scheduler')
MANAGE = ('-m', 'scheduler.cmd.manage')

# A configuration the service would start with (nothing is contacted
# before the checks): each case breaks one thing on top of it.
GOOD = {
    'api_database': {'connection': 'sqlite:////nonexistent/nova_api.db'},
    'placement': {'auth_type': 'admin_token', 'token': 'admin',
                  'endpoint_override': 'http://127.0.0.1:1/'},
    'DEFAULT': {'transport_url': 'rabbit://guest:guest@127.0.0.1:1/'},
}
SECRET = 's3cr3t-canary'


@dataclasses.dataclass(frozen=True)
class Case:
    name: str
    argv: tuple[str, ...]
    code: int
    says: str
    # Changes to GOOD: {section: {option: value or None to remove}}.
    conf: dict[str, dict[str, str | None]] = dataclasses.field(
        default_factory=dict)
    # Extra files: {name: text}; '{dir}' in argv is the work directory.
    files: dict[str, str] = dataclasses.field(default_factory=dict)


def _cases() -> list[Case]:
    bad_value = {'filter_scheduler': {'ram_weight_multiplier': 'heavy'}}
    return [
        # The service.
        Case('service: config file missing',
             (*SERVICE, '--config-file', '{dir}/missing.conf'), 2,
             'configuration file not found or not readable: '
             '{dir}/missing.conf'),
        Case('service: config file malformed',
             (*SERVICE, '--config-file', '{dir}/broken.conf'), 2,
             'cannot parse configuration file {dir}/broken.conf',
             files={'broken.conf': '[DEFAULT\nworkers = 2\n'}),
        Case('service: config dir missing',
             (*SERVICE, '--config-file', '{dir}/nova.conf', '--config-dir',
              '{dir}/nowhere'), 2,
             'configuration directory not found: {dir}/nowhere'),
        Case('service: not a float',
             (*SERVICE, '--config-file', '{dir}/nova.conf'), 2,
             "[filter_scheduler] ram_weight_multiplier: invalid value (in "
             "{dir}/nova.conf): could not convert string to float: 'heavy'",
             conf=bad_value),
        Case('service: not an integer',
             (*SERVICE, '--config-file', '{dir}/nova.conf'), 2,
             '[scheduler] workers: invalid value (in {dir}/nova.conf)',
             conf={'scheduler': {'workers': 'many'}}),
        Case('service: below the minimum',
             (*SERVICE, '--config-file', '{dir}/nova.conf'), 2,
             '[filter_scheduler] host_subset_size: invalid value (in '
             '{dir}/nova.conf): Should be greater than or equal to 1',
             conf={'filter_scheduler': {'host_subset_size': '0'}}),
        Case('service: not a boolean',
             (*SERVICE, '--config-file', '{dir}/nova.conf'), 2,
             '[hardened_scheduler] nova_compatible_reasons: invalid value',
             conf={'hardened_scheduler':
                   {'nova_compatible_reasons': 'perhaps'}}),
        Case('service: unknown filter',
             (*SERVICE, '--config-file', '{dir}/nova.conf'), 2,
             'Unknown filter(s) in [filter_scheduler] enabled_filters: '
             'NoSuchFilter',
             conf={'filter_scheduler':
                   {'enabled_filters': 'ComputeFilter,NoSuchFilter'}}),
        Case('service: unknown weigher',
             (*SERVICE, '--config-file', '{dir}/nova.conf'), 2,
             'NoSuchWeigher',
             conf={'filter_scheduler': {'weight_classes': 'NoSuchWeigher'}}),
        Case('service: no API database',
             (*SERVICE, '--config-file', '{dir}/nova.conf'), 2,
             '[api_database] connection is not set',
             conf={'api_database': {'connection': None}}),
        Case('service: a database backend we do not read',
             (*SERVICE, '--config-file', '{dir}/nova.conf'), 2,
             "[api_database] connection: database backend 'oracle' is not "
             'supported',
             conf={'api_database': {
                 'connection': f'oracle://nova:{SECRET}@db/nova_api'}}),
        Case('service: no Placement auth_type',
             (*SERVICE, '--config-file', '{dir}/nova.conf'), 2,
             '[placement] auth_type is not set',
             conf={'placement': {'auth_type': None}}),
        Case('service: unknown Placement auth plugin',
             (*SERVICE, '--config-file', '{dir}/nova.conf'), 2,
             "[placement] auth_type: unknown plugin 'kerberos-magic'",
             conf={'placement': {'auth_type': 'kerberos-magic'}}),
        Case('service: Placement password without auth_url',
             (*SERVICE, '--config-file', '{dir}/nova.conf'), 2,
             '[placement] missing required options for its auth_type: '
             'auth_url',
             conf={'placement': {'auth_type': 'password',
                                 'password': SECRET}}),
        Case('service: broken policy file',
             (*SERVICE, '--config-file', '{dir}/nova.conf'), 2,
             '[oslo_policy] policy_file {dir}/policy.yaml:',
             conf={'oslo_policy': {'policy_file': '{dir}/policy.yaml'}},
             files={'policy.yaml': '"scheduler:x": [unclosed\n'}),
        Case('service: unknown command-line option',
             (*SERVICE, '--config-file', '{dir}/nova.conf', '--bogus'), 2,
             'unrecognized arguments: --bogus'),
        Case('service: every problem at once',
             (*SERVICE, '--config-file', '{dir}/nova.conf'), 2,
             'Unknown filter(s) in [filter_scheduler] enabled_filters: '
             'NoSuchFilter',
             conf={'filter_scheduler': {
                 'ram_weight_multiplier': 'heavy',
                 'enabled_filters': 'NoSuchFilter'},
                 'api_database': {'connection': None}}),
        # validate-config: the service's checks, on standard output.
        Case('validate-config: no configuration file at all',
             (*MANAGE, 'validate-config'), 2,
             'no configuration file found: pass --config-file'),
        Case('validate-config: not a float (options before the command)',
             (*MANAGE, '--config-file', '{dir}/nova.conf',
              'validate-config'), 2,
             "ERROR: [filter_scheduler] ram_weight_multiplier: invalid "
             "value (in {dir}/nova.conf)", conf=bad_value),
        Case('validate-config: no API database (options after)',
             (*MANAGE, 'validate-config', '--config-file',
              '{dir}/nova.conf'), 2,
             'ERROR: [api_database] connection is not set',
             conf={'api_database': {'connection': None}}),
        Case('validate-config: config file missing',
             (*MANAGE, 'validate-config', '--config-file',
              '{dir}/missing.conf'), 2,
             'hardened-scheduler-manage validate-config: error: '
             'configuration file not found or not readable'),
        Case('validate-config: unknown option',
             (*MANAGE, 'validate-config', '--bogus'), 2,
             'unrecognized arguments: --bogus'),
        # The tool's arguments.
        Case('manage: no command', MANAGE, 2,
             'the following arguments are required: COMMAND'),
        Case('manage: unknown command', (*MANAGE, 'frobnicate'), 2,
             "invalid choice: 'frobnicate'"),
        Case('hash-identifier: no --kind',
             (*MANAGE, 'hash-identifier', 'compute-1'), 2,
             'the following arguments are required: --kind'),
        Case('hash-identifier: unknown kind',
             (*MANAGE, 'hash-identifier', '--kind', 'cell', 'c1'), 2,
             "argument --kind: invalid choice: 'cell'"),
        Case('hash-identifier: no key configured',
             (*MANAGE, '--config-file', '{dir}/nova.conf',
              'hash-identifier', '--kind', 'host', 'compute-1'), 2,
             'hash-identifier: error: [hardened_scheduler] '
             'log_identifier_key is not set'),
        Case('hash-identifier: config file malformed',
             (*MANAGE, 'hash-identifier', '--config-file',
              '{dir}/broken.conf', '--kind', 'host', 'compute-1'), 2,
             'cannot parse configuration file {dir}/broken.conf',
             files={'broken.conf': 'no section here\n'}),
        Case('check: unknown format',
             (*MANAGE, 'check', '-f', 'xml'), 2,
             "argument -f/--format: invalid choice: 'xml'"),
        Case('check: config file missing',
             (*MANAGE, 'check', '--config-file', '{dir}/missing.conf'), 2,
             'check: error: configuration file not found or not readable'),
        Case('check: not a float',
             (*MANAGE, 'check', '--config-file', '{dir}/nova.conf'), 2,
             '[filter_scheduler] ram_weight_multiplier: invalid value',
             conf=bad_value),
        Case('simulate: unknown format',
             (*MANAGE, 'simulate', '-f', 'csv'), 2,
             "argument -f/--format: invalid choice: 'csv'"),
        Case('simulate: compare file missing',
             (*MANAGE, 'simulate', '--compare', '{dir}/missing.conf'), 2,
             '{dir}/missing.conf'),
    ]


def _conf_text(changes: dict[str, dict[str, str | None]], workdir: str
               ) -> str:
    sections: dict[str, dict[str, str]] = {
        name: dict(opts) for name, opts in GOOD.items()}
    for section, opts in changes.items():
        target = sections.setdefault(section, {})
        for option, value in opts.items():
            if value is None:
                target.pop(option, None)
            else:
                target[option] = value.replace('{dir}', workdir)
    return ''.join(
        f'[{section}]\n' + ''.join(f'{k} = {v}\n' for k, v in opts.items())
        for section, opts in sections.items())


class BrokenInputTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def run_case(self, case: Case) -> None:
        with open(os.path.join(self.dir, 'nova.conf'), 'w') as f:
            f.write(_conf_text(case.conf, self.dir))
        for name, text in case.files.items():
            with open(os.path.join(self.dir, name), 'w') as f:
                f.write(text)
        argv = [a.replace('{dir}', self.dir) for a in case.argv]
        # HOME: no ~/.nova/nova.conf or ~/nova.conf of the machine's user
        # (nor the case's own nova.conf) is read unless named.
        home = os.path.join(self.dir, 'home')
        os.mkdir(home)
        env = dict(os.environ, HOME=home, PYTHONPATH=REPO_ROOT)
        done = subprocess.run(
            [sys.executable, *argv], capture_output=True, text=True,
            cwd=self.dir, env=env, timeout=120, check=False)
        output = done.stdout + done.stderr
        self.assertEqual(case.code, done.returncode,
                         f'{case.name}: {output}')
        self.assertIn(case.says.replace('{dir}', self.dir), output,
                      case.name)
        self.assertNotIn('Traceback', output, case.name)
        self.assertNotIn(SECRET, output, case.name)


def _add_tests() -> None:
    for number, case in enumerate(_cases()):
        name = ''.join(c if c.isalnum() else '_' for c in case.name.lower())

        def test(self, case=case):
            self.run_case(case)

        setattr(BrokenInputTest, f'test_{number:02d}_{name}', test)


_add_tests()

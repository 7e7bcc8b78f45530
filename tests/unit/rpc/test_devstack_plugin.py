"""The devstack plugin, run by bash against stubbed devstack functions.

devstack itself cannot run here; the stubs record what the plugin asks
devstack to do in each phase, and an ini file stands in for nova.conf.
"""

import os
import subprocess
import textwrap

import fixtures
import testtools

REPO_ROOT = os.path.abspath(os.path.join(
    os.path.dirname(__file__), '..', '..', '..'))

INIGET = (
    'import configparser, sys\n'
    'c = configparser.RawConfigParser()\n'
    'c.read(sys.argv[1])\n'
    'print(c.get(sys.argv[2], sys.argv[3], fallback=""))\n')

STUBS = textwrap.dedent('''\
    set -e
    DEST=/opt/stack
    DATA_DIR=/opt/stack/data
    NOVA_CONF=$WORK/nova.conf
    CELLSV2_SETUP=${CELLSV2_SETUP:-superconductor}
    ENABLED=" n-api n-cond n-sch "
    log() { echo "$*" >> $WORK/calls; }
    define_plugin() { log define_plugin "$@"; }
    enable_service() { ENABLED="$ENABLED $1 "; log enable_service "$@"; }
    disable_service() {
        ENABLED="${ENABLED/ $1 / }"; log disable_service "$@"; }
    is_service_enabled() { [[ "$ENABLED" == *" $1 "* ]]; }
    trueorfalse() { local v=${!2}; echo ${v:-$1}; }
    get_python_exec_prefix() { echo $WORK/bin; }
    echo_summary() { :; }
    setup_develop() { log setup_develop "$@"; }
    run_process() { log run_process "$@"; }
    stop_process() { log stop_process "$@"; }
    configure_placement_nova_compute() {
        log configure_placement_nova_compute "$@"; }
    database_connection_url() { echo "mysql+pymysql://root:pw@db/$1"; }
    iniget() { python3 -c "$INIGET" "$@"; }
    iniset() { log iniset "$@"; }
    source {repo}/devstack/settings
    ''').replace('{repo}', REPO_ROOT)


class DevstackPluginTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.work = self.useFixture(fixtures.TempDir()).path
        self.write_conf('')
        os.mkdir(os.path.join(self.work, 'bin'))
        manage = os.path.join(self.work, 'bin', 'hardened-scheduler-manage')
        with open(manage, 'w') as f:
            f.write('#!/bin/bash\necho manage "$@" >> $WORK/calls\n')
        os.chmod(manage, 0o755)

    def write_conf(self, text):
        with open(os.path.join(self.work, 'nova.conf'), 'w') as f:
            f.write(text)

    def run_plugin(self, *phases, env=None):
        script = STUBS + ''.join(
            f'source {REPO_ROOT}/devstack/plugin.sh {phase}\n'
            for phase in phases) + 'echo "enabled:$ENABLED" >> $WORK/calls\n'
        subprocess.run(['bash', '-c', script], check=True,
                       env=dict(os.environ, WORK=self.work, INIGET=INIGET,
                                **(env or {})),
                       capture_output=True)
        with open(os.path.join(self.work, 'calls')) as f:
            return f.read().splitlines()

    def test_settings_replace_n_sch(self):
        calls = self.run_plugin()
        self.assertIn('define_plugin hardened-scheduler', calls)
        self.assertIn('disable_service n-sch', calls)
        self.assertIn('enable_service h-sch', calls)
        self.assertEqual(['enabled:', 'n-api', 'n-cond', 'h-sch'],
                         calls[-1].split())

    def test_install(self):
        calls = self.run_plugin('stack install')
        self.assertIn('setup_develop /opt/stack/hardened-scheduler', calls)

    def test_post_config_fills_what_devstack_left_out(self):
        calls = self.run_plugin('stack post-config')
        self.assertIn('configure_placement_nova_compute '
                      f'{self.work}/nova.conf', calls)
        self.assertIn(f'iniset {self.work}/nova.conf api_database '
                      'connection mysql+pymysql://root:pw@db/nova_api', calls)
        self.assertIn(f'iniset {self.work}/nova.conf database connection '
                      'mysql+pymysql://root:pw@db/nova_cell0', calls)
        self.assertIn(f'iniset {self.work}/nova.conf hardened_scheduler '
                      'pending_releases_dir '
                      '/opt/stack/data/hardened-scheduler/pending-releases',
                      calls)
        self.assertFalse([c for c in calls if 'scheduler workers' in c])

    def test_post_config_keeps_what_devstack_wrote(self):
        self.write_conf('[placement]\nauth_type = password\n'
                        '[api_database]\nconnection = sqlite://\n'
                        '[database]\nconnection = sqlite://\n'
                        '[hardened_scheduler]\n'
                        'pending_releases_dir = /srv/pending\n')
        calls = self.run_plugin('stack post-config',
                                env={'HARDENED_SCHEDULER_WORKERS': '2'})
        self.assertEqual([f'iniset {self.work}/nova.conf scheduler workers '
                          '2'], [c for c in calls if c.startswith(
                              ('iniset', 'configure_placement'))])

    def test_extra_validates_then_starts_the_service(self):
        calls = self.run_plugin('stack extra')
        conf = f'{self.work}/nova.conf'
        self.assertEqual(
            [f'manage validate-config --config-file {conf}',
             f'run_process h-sch {self.work}/bin/hardened-scheduler '
             f'--config-file {conf}'],
            [c for c in calls if c.startswith(('manage', 'run_process'))])

    def test_validation_can_be_skipped(self):
        calls = self.run_plugin('stack extra',
                                env={'HARDENED_SCHEDULER_VALIDATE': 'False'})
        self.assertFalse([c for c in calls if c.startswith('manage')])

    def test_unstack_and_clean_stop_it(self):
        calls = self.run_plugin('unstack', 'clean')
        self.assertEqual(['stop_process h-sch'] * 2,
                         [c for c in calls if c.startswith('stop_process')])

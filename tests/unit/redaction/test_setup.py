"""install() on real oslo.log handlers, reload, and the entry points."""

import logging
import os

import fixtures as fx
import testtools

from scheduler import cmd  # noqa: F401  (as the entry points do)
from scheduler import redaction
from scheduler.cmd import config_loading
from scheduler.redaction import identifiers as ids_mod
from tests.unit.redaction import fixtures

PW = 'Canary-pw-5521'
UUID = '6f1c3e2a-5b4d-4c3e-9f8a-1b2c3d4e5f60'
REQ = 'req-0b1c3e2a-5b4d-4c3e-9f8a-1b2c3d4e5f61'


class InstallTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.IsolatedLogging())
        self.dir = self.useFixture(fx.TempDir()).path
        self.log_file = os.path.join(self.dir, 'scheduler.log')
        self.conf_file = os.path.join(self.dir, 'nova.conf')

    def write_conf(self, **hardened):
        lines = ['[DEFAULT]', f'log_file = {self.log_file}', 'debug = true',
                 '[hardened_scheduler]']
        lines += [f'{k} = {v}' for k, v in hardened.items()]
        with open(self.conf_file, 'w') as f:
            f.write('\n'.join(lines) + '\n')

    def load(self, **hardened):
        self.write_conf(**hardened)
        return config_loading.load(['--config-file', self.conf_file],
                                   prog='test')

    def logged(self):
        for handler in logging.getLogger().handlers:
            handler.flush()
        with open(self.log_file) as f:
            return f.read()

    def test_service_and_library_lines_in_the_log_file(self):
        self.load(log_identifier_key='k1')
        ids = fixtures.identifiers(key=b'k1')
        logging.getLogger('scheduler.hoststate.cache').info(
            'Host %s, instance %s, %s', redaction.host('compute-7'),
            redaction.instance(UUID), REQ)
        logging.getLogger('oslo.messaging._drivers.impl_rabbit').error(
            'Connection to rabbit://nova:%s@mq1:5672,nova:%s@mq2:5672/ '
            'failed', PW, PW)
        # oslo.log's default_log_levels keep keystoneauth at WARN.
        logging.getLogger('keystoneauth.session').warning(
            'REQ: curl -g -i -X GET http://placement/resource_providers/%s '
            '-H "X-Auth-Token: %s"', UUID, PW)
        logging.getLogger('sqlalchemy.engine').warning(
            'connect mysql+pymysql://nova:%s@db/nova', PW)
        text = self.logged()
        self.assertNotIn(PW, text)
        self.assertNotIn('compute-7', text)
        self.assertNotIn(UUID, text)
        self.assertIn(f'Host {ids.host("compute-7")}, instance '
                      f'{ids.instance(UUID)}, {REQ}', text)
        self.assertIn('rabbit://nova:***@mq1:5672,nova:***@mq2:5672/', text)
        self.assertIn(f'/resource_providers/{ids.digest("uuid", UUID)} ',
                      text)
        self.assertIn('X-Auth-Token: ***', text)
        self.assertIn('mysql+pymysql://nova:***@db/nova', text)

    def test_traceback_in_the_log_file(self):
        self.load()
        try:
            raise RuntimeError(f'password={PW}')
        except RuntimeError:
            logging.getLogger('scheduler.x').exception('failed')
        text = self.logged()
        self.assertIn('RuntimeError: password=***', text)
        self.assertNotIn(PW, text)

    def test_install_is_idempotent(self):
        conf = self.load()
        redaction.install(conf)
        redaction.install(conf)
        for handler in logging.getLogger().handlers:
            filters = [f for f in handler.filters
                       if isinstance(f, redaction.RedactionFilter)]
            self.assertEqual(1, len(filters))
            self.assertIsInstance(handler.formatter,
                                  redaction.RedactingFormatter)
            self.assertNotIsInstance(handler.formatter.inner,
                                     redaction.RedactingFormatter)

    def test_loggers_with_their_own_handlers_are_covered(self):
        logger = logging.getLogger('third.party.own')
        handler = logging.NullHandler()
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        self.load()
        self.assertTrue(any(isinstance(f, redaction.RedactionFilter)
                            for f in handler.filters))

    def test_random_key_drawn_before_workers_fork(self):
        conf = self.load()
        the_filter = redaction.install(conf)
        self.assertIsNotNone(ids_mod._process_key)
        self.assertEqual(ids_mod.process_key(), the_filter.identifiers.key)

    def test_sighup_switches_to_clear_then_back(self):
        conf = self.load(log_identifier_key='k1')
        log = logging.getLogger('scheduler.y')
        hashed = fixtures.identifiers(key=b'k1').host('compute-7')
        log.info('one %s', redaction.host('compute-7'))
        self.write_conf(log_identifier_key='k1', log_identifiers='clear')
        conf.mutate_config_files()
        log.info('two %s', redaction.host('compute-7'))
        self.write_conf(log_identifier_key='k1')
        conf.mutate_config_files()
        log.info('three %s', redaction.host('compute-7'))
        lines = [ln for ln in self.logged().splitlines()
                 if 'scheduler.y' in ln]
        self.assertEqual(3, len(lines))
        self.assertTrue(lines[0].endswith('one ' + hashed))
        self.assertTrue(lines[1].endswith('two compute-7'))
        self.assertTrue(lines[2].endswith('three ' + hashed))

    def test_a_changed_key_is_never_logged(self):
        conf = self.load(log_identifier_key='old-key-4471')
        self.write_conf(log_identifier_key='new-key-4472')
        conf.mutate_config_files()
        text = self.logged()
        self.assertNotIn('key-447', text)
        # It takes a restart; until then the old key stays.
        self.assertEqual(b'old-key-4471',
                         redaction.install(conf).identifiers.key)

    def test_refresh_covers_rebuilt_handlers(self):
        conf = self.load()
        root = logging.getLogger()
        handler = logging.StreamHandler()
        root.addHandler(handler)
        self.assertTrue(redaction.refresh(conf))
        self.assertIn(redaction.install(conf), handler.filters)

    def test_refresh_without_install_does_nothing(self):
        conf = self.load()
        redaction.uninstall()
        handler = logging.getLogger().handlers[0]
        self.assertFalse(redaction.refresh(conf))
        self.assertEqual([], handler.filters)
        self.assertNotIsInstance(handler.formatter,
                                 redaction.RedactingFormatter)

"""install_on(): the service's loggers redacted, the embedding
application's records left as they are."""

import logging
import uuid

import fixtures as fixtures_mod

from oslo_config import cfg
from oslo_log import formatters
from oslo_log import log as oslo_logging
import testtools

from scheduler import conf as conf_pkg
from scheduler import redaction
from tests.unit.redaction import fixtures

PW = 'Canary-pw-7731'
UUID = '6f1c3e2a-5b4d-4c3e-9f8a-1b2c3d4e5f60'


def make_conf(**hardened):
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    oslo_logging.register_options(conf)
    conf(args=[], default_config_files=[])
    conf.set_override('log_identifier_key', 'k1', 'hardened_scheduler')
    for name, value in hardened.items():
        conf.set_override(name, value, 'hardened_scheduler')
    return conf


class ListHandler(logging.Handler):
    """An embedding application's handler: keeps what it writes."""

    def __init__(self, formatter=None):
        super().__init__()
        self.setFormatter(formatter or logging.Formatter(
            '%(name)s %(message)s'))
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def unique(prefix):
    return f'{prefix}.t{uuid.uuid4().hex[:8]}'


class InstallOnTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.IsolatedLogging())
        self.conf = make_conf()
        self.ids = fixtures.identifiers(key=b'k1')
        self.app = ListHandler()
        root = logging.getLogger()
        root.addHandler(self.app)
        root.setLevel(logging.DEBUG)

    def log_secrets(self, logger_name):
        logging.getLogger(logger_name).warning(
            'host %s uuid %s url mysql+pymysql://nova:%s@db/nova',
            redaction.host('compute-7'), UUID, PW)
        return self.app.lines[-1]

    def assert_redacted(self, line):
        self.assertNotIn(PW, line)
        self.assertNotIn(UUID, line)
        self.assertNotIn('compute-7', line)
        self.assertIn(f'host {self.ids.host("compute-7")} uuid '
                      f'{self.ids.digest("uuid", UUID)} url '
                      'mysql+pymysql://nova:***@db/nova', line)

    def test_a_logger_made_after_install_is_redacted(self):
        redaction.install_on(self.conf)
        name = unique('scheduler.late')
        self.assertNotIn(name, logging.Logger.manager.loggerDict)
        self.assert_redacted(self.log_secrets(name))

    def test_the_top_logger_and_existing_children_are_redacted(self):
        child = logging.getLogger(unique('scheduler.early'))
        redaction.install_on(self.conf)
        self.assertIn(redaction.install_on(self.conf), child.filters)
        self.assert_redacted(self.log_secrets(child.name))
        self.assert_redacted(self.log_secrets('scheduler'))

    def test_other_loggers_are_untouched(self):
        formatter = self.app.formatter
        redaction.install_on(self.conf)
        for name in ('nova.conductor.manager', 'oslo_messaging.server',
                     'sqlalchemy.engine', 'schedulerx', ''):
            line = self.log_secrets(name or 'root')
            self.assertIn(PW, line)
            self.assertIn(UUID, line)
            # An Identifier argument renders itself clear outside.
            self.assertIn('host compute-7', line)
        self.assertEqual([], self.app.filters)
        self.assertIs(formatter, self.app.formatter)
        self.assertEqual([], logging.getLogger().filters)

    def test_handlers_inside_the_hierarchy_see_redacted_records(self):
        # A child that does not propagate, with its own handler.
        own = logging.getLogger(unique('scheduler.own'))
        on_own = ListHandler()
        own.addHandler(on_own)
        own.propagate = False
        self.addCleanup(own.removeHandler, on_own)
        # A handler between a child and the top logger, e.g. a test's.
        parent = logging.getLogger('scheduler.own')
        on_parent = ListHandler()
        parent.addHandler(on_parent)
        self.addCleanup(parent.removeHandler, on_parent)
        redaction.install_on(self.conf)
        own.warning('own password=%s', PW)
        # Made after install_on: reaches on_parent before anything else.
        late = unique('scheduler.own')
        logging.getLogger(late).warning('late password=%s', PW)
        self.assertEqual([f'{own.name} own password=***'], on_own.lines)
        self.assertEqual([f'{late} late password=***'], on_parent.lines)
        self.assertEqual([f'{late} late password=***'], self.app.lines)

    def test_library_loggers_when_asked(self):
        redaction.install_on(self.conf, redaction.SERVICE_LOGGERS
                             + redaction.LIBRARY_LOGGERS)
        for name in ('sqlalchemy.engine.Engine', 'oslo_messaging.server',
                     'keystoneauth.session', 'oslo_db.sqlalchemy'):
            self.assert_redacted(self.log_secrets(name))
        self.assertIn(PW, self.log_secrets('nova.scheduler'))

    def test_exceptions_under_an_oslo_log_formatter(self):
        # The application's handler formats with oslo.log, which formats
        # exc_info itself and appends the exception's summary.
        handler = ListHandler(formatters.ContextFormatter(
            config=self.conf, project='nova', version='34'))
        logging.getLogger().addHandler(handler)
        redaction.install_on(self.conf)
        log = logging.getLogger(unique('scheduler.exc'))
        try:
            raise RuntimeError(f'password={PW} on {UUID}')
        except RuntimeError:
            log.exception('failed')
            log.warning('failed again', exc_info=True)
        text = '\n'.join(handler.lines + self.app.lines)
        self.assertNotIn(PW, text)
        self.assertNotIn(UUID, text)
        self.assertIn('password=***', text)
        # The traceback's frames are kept.
        self.assertIn('test_exceptions_under_an_oslo_log_formatter', text)
        summary = ('scheduler.redaction.log_filter.RedactedException: '
                   'RuntimeError: password=*** on '
                   + self.ids.digest('uuid', UUID))
        self.assertEqual(2, len(handler.lines))
        self.assertIn(f'[-] failed: {summary}\n', handler.lines[0])
        self.assertIn(f'[-] failed again: {summary}\n', handler.lines[1])
        # The application's plain formatter prints the redacted traceback.
        self.assertIn('RuntimeError: password=*** on uuid~', self.app.lines[0])

    def test_refresh_applies_new_settings(self):
        redaction.install_on(self.conf)
        name = unique('scheduler.reload')
        logging.getLogger(name).info('one %s', redaction.host('compute-7'))
        self.conf.set_override('log_identifiers', 'clear',
                               'hardened_scheduler')
        self.assertTrue(redaction.refresh(self.conf))
        logging.getLogger(name).info('two %s', redaction.host('compute-7'))
        self.assertEqual(
            [f'{name} one {self.ids.host("compute-7")}',
             f'{name} two compute-7'], self.app.lines)

    def test_refresh_covers_loggers_and_handlers_made_since(self):
        redaction.install_on(self.conf)
        own = logging.getLogger(unique('scheduler.since'))
        own.propagate = False
        on_own = ListHandler()
        own.addHandler(on_own)
        self.addCleanup(own.removeHandler, on_own)
        redaction.refresh(self.conf)
        own.warning('password=%s', PW)
        self.assertEqual([f'{own.name} password=***'], on_own.lines)

    def test_uninstall_undoes_everything(self):
        child = logging.getLogger(unique('scheduler.undo'))
        on_child = ListHandler()
        child.addHandler(on_child)
        self.addCleanup(child.removeHandler, on_child)
        the_filter = redaction.install_on(self.conf)
        redaction.uninstall()
        self.assertFalse(redaction.refresh(self.conf))
        self.assertNotIn(the_filter, child.filters)
        self.assertEqual([], on_child.filters)
        self.assertFalse(any(isinstance(h, redaction.setup.ScopeHandler)
                             for h in logging.getLogger('scheduler').handlers))
        self.assertIn(PW, self.log_secrets(child.name))

    def test_without_any_handler_lines_still_reach_last_resort(self):
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
        last = ListHandler()
        last.setLevel(logging.WARNING)
        self.useFixture(fixtures_mod.MockPatchObject(
            logging, 'lastResort', last))
        redaction.install_on(self.conf)
        name = unique('scheduler.alone')
        logging.getLogger(name).info('quiet password=%s', PW)
        logging.getLogger(name).warning('loud password=%s', PW)
        self.assertEqual([f'{name} loud password=***'], last.lines)

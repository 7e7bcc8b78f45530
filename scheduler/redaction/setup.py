"""Attaching the redaction filter: to the process, or to our loggers only.

``install(conf)`` runs right after ``oslo_log.log.setup`` (the service and
``hardened-scheduler-manage`` do it in ``scheduler.cmd.config_loading``):
it puts one ``RedactionFilter`` on every handler of the root logger and
of any other logger that has handlers (so oslo.messaging, keystoneauth
and SQLAlchemy lines are covered too, they propagate to the root's), and
wraps each handler's formatter in a ``RedactingFormatter``. Calling it
again only updates the settings and covers handlers added since.

The settings follow the configuration: ``install`` registers a mutate
hook, so a SIGHUP that re-reads the files (in the master and in every
worker) applies a new ``log_identifiers`` or ``log_identifier_key`` at
once; ``refresh(conf)`` does the same on demand (the service calls it on
reload, after oslo.log may have rebuilt its handlers from
``log_config_append``).

``install_on(conf, loggers)`` is for a process that embeds the service
(its handlers and formatters are not ours to change): it redacts the
records of the named logger hierarchies (default ``scheduler``) and no
other. A filter on a logger sees only the records made on that very
logger, so for each name it

- adds the filter to every logger of the hierarchy that exists (each
  record made on one is redacted before any handler sees it);
- adds a ``ScopeHandler`` to the top logger of the hierarchy: it writes
  nothing, it redacts in place every record that propagates to it, from
  loggers made later too, before the handlers of the parent loggers
  (the application's, on the root) see it;
- adds the filter to the handlers attached inside the hierarchy (they
  only receive its records), e.g. a test's handler on
  ``scheduler.decision_record``.

Records keep their ``exc_info`` (redacted, see ``RedactionFilter``), so
oslo.log formatters show no unredacted exception. What the embedding
application's own formatters add around a message is theirs: in
particular oslo.log appends to a WARNING (or worse) line made without
``exc_info`` the summary of the exception being handled, unredacted;
the process-wide ``install`` redacts that too. ``refresh`` and
``uninstall`` cover both kinds of installation.
"""

from collections.abc import Sequence
import logging
import threading

from oslo_config import cfg

from scheduler.redaction import identifiers as ids_mod
from scheduler.redaction import log_filter

LOG = logging.getLogger(__name__)

_lock = threading.Lock()
_installed: log_filter.RedactionFilter | None = None

# The service's own logger hierarchy: install_on's default.
SERVICE_LOGGERS = ('scheduler',)
# Libraries whose lines the service causes (RPC, Placement and Neutron
# requests, nova's databases). In an embedding process they log for the
# application too, and their names cannot tell whose line is whose: add
# them only where redacting the application's lines of these libraries
# is acceptable. Their own masking covers the usual secrets (oslo.messaging
# and SQLAlchemy mask URL passwords, keystoneauth logs token digests); the
# identifiers in them (provider UUIDs in Placement URLs) stay clear.
LIBRARY_LOGGERS = ('oslo_messaging', 'keystoneauth', 'sqlalchemy',
                   'oslo_db')


class ScopeHandler(logging.Handler):
    """Redacts the records reaching its logger in place; writes nothing.
    """

    def __init__(self, the_filter: log_filter.RedactionFilter) -> None:
        super().__init__()
        self.log_filter = the_filter

    def handle(self, record: logging.LogRecord) -> bool:
        self.log_filter.filter(record)
        if logging.lastResort is not None and (
                record.levelno >= logging.lastResort.level) and (
                    not _other_handlers(record.name, self)):
            # Without us the record would have found no handler and gone
            # to logging.lastResort (stderr): keep it so.
            logging.lastResort.handle(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        pass


def _other_handlers(name: str, ours: logging.Handler) -> bool:
    logger: logging.Logger | None = logging.getLogger(name)
    while logger is not None:
        if any(h is not ours for h in logger.handlers):
            return True
        if not logger.propagate:
            return False
        logger = logger.parent
    return False


class _Scope:
    """What install_on changed, to refresh and undo it."""

    def __init__(self, the_filter: log_filter.RedactionFilter) -> None:
        self.log_filter = the_filter
        self.names: set[str] = set()
        self.handlers: dict[str, ScopeHandler] = {}
        self.filtered_loggers: list[logging.Logger] = []
        self.filtered_handlers: list[logging.Handler] = []


_scope: _Scope | None = None


def _in_hierarchy(name: str, names: set[str]) -> bool:
    return any(name == top or name.startswith(top + '.') for top in names)


def _cover(scope: _Scope) -> None:
    the_filter = scope.log_filter
    for name in sorted(scope.names):
        if name not in scope.handlers:
            scope_handler = ScopeHandler(the_filter)
            logging.getLogger(name).addHandler(scope_handler)
            scope.handlers[name] = scope_handler
    ours = {id(h) for h in scope.handlers.values()}
    loggers = [lg for name, lg in
               list(logging.Logger.manager.loggerDict.items())
               if isinstance(lg, logging.Logger)
               and _in_hierarchy(name, scope.names)]
    for logger in loggers:
        if the_filter not in logger.filters:
            logger.addFilter(the_filter)
            scope.filtered_loggers.append(logger)
        for handler in list(logger.handlers):
            if id(handler) not in ours and (
                    the_filter not in handler.filters):
                handler.addFilter(the_filter)
                scope.filtered_handlers.append(handler)


def install_on(conf: cfg.ConfigOpts,
               loggers: Sequence[str] = SERVICE_LOGGERS
               ) -> log_filter.RedactionFilter:
    """Redact the records of the ``loggers`` hierarchies only.

    For a process embedding the service: no handler, formatter or logger
    outside those hierarchies is touched. Idempotent; a later call adds
    its names to the earlier ones and covers the loggers and handlers
    made since (so does ``refresh``, which the service runs on SIGHUP).
    """
    global _scope
    identifiers = ids_mod.Identifiers.from_conf(conf)
    with _lock:
        if _scope is None:
            _scope = _Scope(log_filter.RedactionFilter(
                identifiers, keep_exc_info=True))
        else:
            _scope.log_filter.identifiers = identifiers
        _scope.names.update(loggers)
        _cover(_scope)
        the_filter = _scope.log_filter
    conf.register_mutate_hook(_on_mutate)
    return the_filter


def _handlers() -> list[logging.Handler]:
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [lg for lg in list(logging.Logger.manager.loggerDict.values())
                if isinstance(lg, logging.Logger)]
    seen: dict[int, logging.Handler] = {}
    for logger in loggers:
        for handler in list(logger.handlers):
            if not isinstance(handler, ScopeHandler):
                seen.setdefault(id(handler), handler)
    return list(seen.values())


def _attach(handler: logging.Handler,
            the_filter: log_filter.RedactionFilter) -> None:
    if the_filter not in handler.filters:
        handler.addFilter(the_filter)
    formatter = handler.formatter
    if isinstance(formatter, log_filter.RedactingFormatter):
        formatter.log_filter = the_filter
    else:
        handler.setFormatter(log_filter.RedactingFormatter(
            formatter or logging.Formatter(), the_filter))


def install(conf: cfg.ConfigOpts) -> log_filter.RedactionFilter:
    """Redact every log handler of this process according to ``conf``.

    Idempotent. Draws the process's random key (when no key is
    configured) before the service forks its workers.
    """
    global _installed
    identifiers = ids_mod.Identifiers.from_conf(conf)
    with _lock:
        if _installed is None:
            _installed = log_filter.RedactionFilter(identifiers)
        else:
            _installed.identifiers = identifiers
        for handler in _handlers():
            _attach(handler, _installed)
        the_filter = _installed
    conf.register_mutate_hook(_on_mutate)
    return the_filter


def refresh(conf: cfg.ConfigOpts) -> bool:
    """Re-apply ``conf`` to what ``install`` and ``install_on`` set up in
    this process (a no-op, False, when neither ran).
    """
    scope = _scope
    if scope is not None:
        install_on(conf, tuple(scope.names))
    if _installed is not None:
        install(conf)
    return _installed is not None or scope is not None


def uninstall() -> None:
    """Undo ``install`` and ``install_on`` (tests, embedding applications).
    """
    global _installed, _scope
    with _lock:
        scope, _scope = _scope, None
        if scope is not None:
            for name, scope_handler in scope.handlers.items():
                logging.getLogger(name).removeHandler(scope_handler)
            for logger in scope.filtered_loggers:
                logger.removeFilter(scope.log_filter)
            for filtered in scope.filtered_handlers:
                filtered.removeFilter(scope.log_filter)
        the_filter = _installed
        _installed = None
        if the_filter is None:
            return
        for handler in _handlers():
            handler.removeFilter(the_filter)
            formatter = handler.formatter
            if isinstance(formatter, log_filter.RedactingFormatter):
                handler.setFormatter(formatter.inner)


def _on_mutate(conf: cfg.ConfigOpts, fresh: object) -> None:
    try:
        refresh(conf)
    except Exception:
        # The previous settings stay; a bad value must not stop the
        # reload of everything else.
        LOG.exception('Log redaction settings not reloaded; the previous '
                      'ones stay in use')

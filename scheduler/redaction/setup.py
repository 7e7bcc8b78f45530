"""Attaching the redaction filter to every log handler of the process.

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
"""

import logging
import threading

from oslo_config import cfg

from scheduler.redaction import identifiers as ids_mod
from scheduler.redaction import log_filter

LOG = logging.getLogger(__name__)

_lock = threading.Lock()
_installed: log_filter.RedactionFilter | None = None


def _handlers() -> list[logging.Handler]:
    loggers: list[logging.Logger] = [logging.getLogger()]
    loggers += [lg for lg in list(logging.Logger.manager.loggerDict.values())
                if isinstance(lg, logging.Logger)]
    seen: dict[int, logging.Handler] = {}
    for logger in loggers:
        for handler in list(logger.handlers):
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
    """Re-apply ``conf`` if ``install`` ran in this process (else no-op).
    """
    if _installed is None:
        return False
    install(conf)
    return True


def uninstall() -> None:
    """Take the filter off every handler (tests, embedding applications).
    """
    global _installed
    with _lock:
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

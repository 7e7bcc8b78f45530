"""The logging filter (and formatter wrapper) that redacts every record.

``RedactionFilter`` sits on a handler (oslo.log's are stdlib handlers)
and rewrites each record once, before any formatter sees it:

- the message is formatted once (``msg % args``), ``Identifier`` and
  ``TopHosts`` arguments (also inside dicts, lists and tuples) rendered
  with the filter's ``Identifiers``;
- secrets are masked (``secrets.mask_secrets``), at every level;
- in hashed mode, every bare UUID but request ids is hashed, at every
  level, so DEBUG and INFO name an object alike;
- the record then carries the result as ``msg`` with no ``args``; a
  traceback (``exc_info``) is formatted, redacted and kept as
  ``exc_text``, and ``exc_info`` is cleared so no formatter prints the
  original; ``stack_info`` is redacted too.

It never raises and never drops a record: a message whose arguments do
not fit its format is logged as its redacted format and the types of its
arguments (their values, out of place, could be secrets nothing labels),
and if redaction itself fails the text is withheld and the failure named.

Formatters add text after filters have run: oslo.log appends the summary
of the exception being handled (``sys.exc_info()``) to WARNING and above
lines, and prints the request context. ``RedactingFormatter`` wraps a
handler's formatter and redacts what it added to the (already redacted)
message the same way. oslo.log's JSON output is redacted value by value,
with the redacted traceback put back (that formatter only takes it from
``exc_info``).
"""

from collections.abc import Mapping
import json
import logging
import secrets as secrets_mod
import traceback
from typing import Any, cast

from scheduler.redaction import identifiers as ids_mod
from scheduler.redaction import secrets
from scheduler.redaction import summaries

_DONE = '_hardened_redacted'
# Stands for a redacted message while a wrapped formatter runs: letters
# and digits only, which no formatter changes or escapes.
_PLACEHOLDER = 'hardenedschedulermessage' + secrets_mod.token_hex(8)
_TRACEBACK = '_hardened_traceback'
_LOG_VALUES = (ids_mod.Identifier, summaries.TopHosts)


def redact_text(text: str, identifiers: ids_mod.Identifiers) -> str:
    """Secrets masked, free UUIDs hashed (unless identifiers are clear).
    """
    return identifiers.hash_free_uuids(secrets.mask_secrets(text))


def _safe_repr(value: object) -> str:
    try:
        return repr(value)
    except Exception:
        return f'<unrepresentable {type(value).__name__}>'


def _safe_str(value: object) -> str:
    try:
        return str(value)
    except Exception:
        return _safe_repr(value)


# Log values nested deeper than this in the arguments are not looked for.
_MAX_DEPTH = 4
_LOG_VALUE_TYPES = frozenset(_LOG_VALUES)
_SCALAR_TYPES = frozenset((str, int, float, bool, type(None)))


def _render_args(value: Any, identifiers: ids_mod.Identifiers,
                 depth: int = 0) -> Any:
    """``value`` with every log value in it rendered, looking into dicts,
    lists and tuples.

    A container is copied only when it holds one, so that any other
    argument formats exactly as the caller passed it. This runs for every
    record: exact type checks keep it cheap.
    """
    kind = type(value)
    if kind in _LOG_VALUE_TYPES:
        return value.render(identifiers)
    if kind in _SCALAR_TYPES or depth >= _MAX_DEPTH:
        return value
    if kind is dict:
        copy: dict[Any, Any] | None = None
        for key, item in value.items():
            if type(item) in _SCALAR_TYPES:
                continue
            rendered = _render_args(item, identifiers, depth + 1)
            if rendered is not item:
                copy = dict(value) if copy is None else copy
                copy[key] = rendered
        return value if copy is None else copy
    if kind is list or kind is tuple:
        items: list[Any] | None = None
        for index, item in enumerate(value):
            if type(item) in _SCALAR_TYPES:
                continue
            rendered = _render_args(item, identifiers, depth + 1)
            if rendered is not item:
                items = list(value) if items is None else items
                items[index] = rendered
        if items is None:
            return value
        return tuple(items) if kind is tuple else items
    return value


def _message(record: logging.LogRecord,
             identifiers: ids_mod.Identifiers) -> str:
    msg = _safe_str(record.msg)
    if not record.args:
        return msg
    args = _render_args(record.args, identifiers)
    try:
        return str(msg % args)
    except Exception as exc:
        # A broken call site must not cost the line. Its arguments are
        # not shown: without their place in the text nothing tells which
        # of them is a secret.
        values = args.values() if isinstance(args, Mapping) else (
            args if isinstance(args, tuple) else (args,))
        types = ', '.join(type(v).__name__ for v in values)
        return (f'{msg} [log arguments do not fit the format '
                f'({type(exc).__name__}); arguments: {types}]')


def _traceback(exc_info: Any) -> str | None:
    if not isinstance(exc_info, tuple) or len(exc_info) != 3 or (
            exc_info[0] is None):
        return None
    try:
        return ''.join(traceback.format_exception(*exc_info)).rstrip('\n')
    except Exception:
        return f'<traceback of {_safe_str(exc_info[0])} unavailable>'


class RedactedException(Exception):
    """Stands for a logged exception once redacted (``keep_exc_info``)."""


def _redacted_exc_info(exc_info: Any, identifiers: ids_mod.Identifiers
                       ) -> Any:
    if not isinstance(exc_info, tuple) or len(exc_info) != 3 or (
            exc_info[0] is None):
        return None
    try:
        summary = ''.join(traceback.format_exception_only(
            exc_info[0], exc_info[1])).strip()
    except Exception:
        summary = f'<{_safe_str(exc_info[0])}>'
    return (RedactedException,
            RedactedException(redact_text(summary, identifiers)),
            exc_info[2])


class RedactionFilter(logging.Filter):
    """Redacts each record in place; always lets it through.

    With ``keep_exc_info`` (redaction of the service's loggers only, under
    formatters we do not wrap) a record that carried an exception keeps
    an ``exc_info``: a ``RedactedException`` whose text is the redacted
    summary, over the original frames. Formatters that format
    ``exc_info`` themselves (oslo.log's) then show redacted text, and
    oslo.log takes its error summary from it rather than from the
    exception being handled.
    """

    def __init__(self, identifiers: ids_mod.Identifiers,
                 keep_exc_info: bool = False) -> None:
        super().__init__()
        self.identifiers = identifiers
        self.keep_exc_info = keep_exc_info

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, _DONE, False):
            return True
        # Read once: a reload may swap the settings while we work.
        identifiers = self.identifiers
        try:
            self._redact(record, identifiers, self.keep_exc_info)
        except Exception as exc:
            record.msg = ('Log message withheld: it could not be redacted '
                          f'({type(exc).__name__})')
            record.args = ()
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        setattr(record, _DONE, True)
        return True

    @staticmethod
    def _redact(record: logging.LogRecord,
                identifiers: ids_mod.Identifiers,
                keep_exc_info: bool = False) -> None:
        message = redact_text(_message(record, identifiers), identifiers)
        exc_info = (_redacted_exc_info(record.exc_info, identifiers)
                    if keep_exc_info else None)
        tb = _traceback(record.exc_info)
        if tb is None and record.exc_text:
            tb = _safe_str(record.exc_text)
        if tb is not None:
            tb = redact_text(tb, identifiers)
        stack = (redact_text(record.stack_info, identifiers)
                 if record.stack_info else record.stack_info)
        record.msg = message
        record.args = ()
        record.exc_info = exc_info
        record.exc_text = tb
        record.stack_info = stack
        setattr(record, _TRACEBACK, tb)


def _redact_structure(value: Any, identifiers: ids_mod.Identifiers,
                      depth: int) -> Any:
    if isinstance(value, str):
        return redact_text(value, identifiers)
    if depth > 8:
        return value if isinstance(value, (int, float, bool)) else None
    if isinstance(value, dict):
        return {k: _redact_structure(v, identifiers, depth + 1)
                for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_redact_structure(v, identifiers, depth + 1)
                for v in value]
    return value


def _put_back(value: Any, message: str) -> Any:
    if isinstance(value, str):
        return value.replace(_PLACEHOLDER, message)
    if isinstance(value, dict):
        return {k: _put_back(v, message) for k, v in value.items()}
    if isinstance(value, list):
        return [_put_back(v, message) for v in value]
    return value


def _is_json_formatter(formatter: logging.Formatter) -> bool:
    # By name: importing oslo_log.formatters here is not needed otherwise.
    return type(formatter).__name__ == 'JSONFormatter'


class RedactingFormatter(logging.Formatter):
    """Wraps a formatter; redacts what it writes."""

    def __init__(self, inner: logging.Formatter,
                 log_filter: RedactionFilter) -> None:
        super().__init__()
        self.inner = inner
        self.log_filter = log_filter

    def format(self, record: logging.LogRecord) -> str:
        identifiers = self.log_filter.identifiers
        try:
            # A record that missed the filter (a handler added later).
            self.log_filter.filter(record)
            if _is_json_formatter(self.inner):
                # Redacted value by value: masking the JSON text could
                # cut through its quoting.
                document = self._with_traceback(
                    json.loads(self.inner.format(record)), record)
                return json.dumps(
                    _redact_structure(document, identifiers, 0))
            return self._format_text(record, identifiers)
        except Exception as exc:
            return ('Log line withheld: it could not be formatted '
                    f'({type(exc).__name__})')
        finally:
            # The formatter may have cached its own traceback text.
            record.exc_text = getattr(record, _TRACEBACK, None)

    def _format_text(self, record: logging.LogRecord,
                     identifiers: ids_mod.Identifiers) -> str:
        """Redacts only what the formatter added around the message,
        which the filter redacted already (the message is most of a line:
        this halves the cost). The formatter formats a placeholder in the
        message's place so that the message is found exactly."""
        message = record.msg
        redacted = bool(getattr(record, _DONE, False)) and (
            not record.args) and isinstance(message, str)
        if redacted:
            record.msg = _PLACEHOLDER
        try:
            text: Any = self.inner.format(record)
        finally:
            record.msg = message
            if redacted:
                record.message = message
        if not isinstance(text, str):
            # oslo.log's FluentFormatter returns a dict for its handler.
            text = _redact_structure(text, identifiers, 0)
            return cast(str, _put_back(text, message) if redacted else text)
        if not redacted or text.count(_PLACEHOLDER) != 1:
            return redact_text(text.replace(_PLACEHOLDER, str(message)),
                               identifiers)
        before, after = text.split(_PLACEHOLDER)
        return (redact_text(before, identifiers) + message
                + redact_text(after, identifiers))

    @staticmethod
    def _with_traceback(document: Any, record: logging.LogRecord) -> Any:
        tb = getattr(record, _TRACEBACK, None)
        if tb and isinstance(document, dict) and not document.get(
                'traceback'):
            document['traceback'] = tb
        return document

    def formatTime(self, record: logging.LogRecord,  # noqa: N802
                   datefmt: str | None = None) -> str:
        return self.inner.formatTime(record, datefmt)

    def formatException(self, ei: Any) -> str:  # noqa: N802
        return redact_text(self.inner.formatException(ei),
                           self.log_filter.identifiers)

"""Host, node, instance, aggregate and provider identifiers in logs.

An identifier is shown either in clear or as a keyed hash,
``<kind>~<12 hex digits>``: the first 48 bits of HMAC-SHA256 over
``kind NUL value``. For a name the kind is part of the MAC input, so a
host and a node with the same name get different hashes; the same value
and kind always get the same hash under one key, so one host can be
followed through the logs, and an operator who knows a name can compute
its hash (``hardened-scheduler-manage hash-identifier``) to grep for it.
48 bits keep accidental collisions below one in ten thousand for a
million distinct identifiers while staying short enough to read.

A UUID names one object whatever its role, and one line may show it
twice: as a typed identifier (``instance~...``) and again in free text
(an exception's message, a library's line), where it has no known kind
and is labelled ``uuid``. So a UUID's hash leaves its kind out (the MAC
is over ``uuid NUL value`` for every kind): ``instance~3f0a...`` and
``uuid~3f0a...`` are the same consumer. UUIDs are compared in lower case,
so are hashed in lower case; ``req-<uuid>`` request ids are never hashed.

The service hashes with ``[hardened_scheduler] log_identifier_key``, or,
when that is unset, with a random key drawn once per process start (the
parent draws it before the workers fork, so they all agree); hashes made
with a random key change on every restart.
"""

import dataclasses
import hashlib
import hmac
import re
import secrets
import string
import threading

from oslo_config import cfg

HASHED = 'hashed'
CLEAR = 'clear'
MODES = (HASHED, CLEAR)

HOST = 'host'
NODE = 'node'
INSTANCE = 'instance'
AGGREGATE = 'aggregate'
PROVIDER = 'provider'
# A UUID seen in free text, whose role nothing tells.
UUID = 'uuid'
KINDS = (HOST, NODE, INSTANCE, AGGREGATE, PROVIDER, UUID)

DIGEST_HEX = 12
SEPARATOR = '~'

_UUID_TEXT = (r'[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
              r'[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
_WHOLE_UUID = re.compile(f'^{_UUID_TEXT}$')
# Where a UUID may be: its middle groups, found fast thanks to the
# literal '-' (a full pattern with look-behinds costs tens of
# microseconds per line); zero-width so that matches may overlap.
_UUID_MIDDLE = re.compile(
    r'(?=-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-)')
_WORD_CHARS = frozenset(string.ascii_letters + string.digits)
# Request ids (req-<uuid>) stay clear: they correlate lines across
# services.
_REQUEST_ID_PREFIX = 'req-'

_process_key: bytes | None = None
_process_key_lock = threading.Lock()


def process_key() -> bytes:
    """This process's random key, drawn on first use.

    A forked worker inherits its parent's; call this (``install`` does)
    before forking so that every worker hashes alike.
    """
    global _process_key
    with _process_key_lock:
        if _process_key is None:
            _process_key = secrets.token_bytes(32)
        return _process_key


def is_uuid(value: str) -> bool:
    return _WHOLE_UUID.match(value) is not None


def _normalise(value: str) -> str:
    return value.lower() if is_uuid(value) else value


@dataclasses.dataclass(frozen=True, slots=True)
class Identifiers:
    """Renders identifiers in clear or hashed with ``key``."""

    key: bytes = dataclasses.field(repr=False)
    clear: bool = False

    @classmethod
    def from_conf(cls, conf: cfg.ConfigOpts) -> 'Identifiers':
        group = conf.hardened_scheduler
        configured = group.log_identifier_key
        key = (configured.encode('utf-8') if configured
               else process_key())
        return cls(key=key, clear=group.log_identifiers == CLEAR)

    def digest(self, kind: str, value: str) -> str:
        """``kind~hash`` whatever the mode (for hash-identifier).

        A UUID hashes alike under every kind (only the label differs), so
        a free-text ``uuid~`` shows the same digits as a typed identifier.
        """
        mac_kind = UUID if is_uuid(value) else kind
        mac = hmac.new(self.key, f'{mac_kind}\0{_normalise(value)}'.encode(
            'utf-8', 'surrogatepass'), hashlib.sha256)
        return f'{kind}{SEPARATOR}{mac.hexdigest()[:DIGEST_HEX]}'

    def render(self, kind: str, value: object) -> str:
        """``value`` as a log line may show it."""
        if value is None:
            return 'None'
        text = str(value)
        return text if self.clear else self.digest(kind, text)

    def host(self, name: str | None) -> str:
        return self.render(HOST, name)

    def node(self, name: str | None) -> str:
        return self.render(NODE, name)

    def instance(self, uuid: str | None) -> str:
        return self.render(INSTANCE, uuid)

    def aggregate(self, name_or_uuid: str | None) -> str:
        return self.render(AGGREGATE, name_or_uuid)

    def provider(self, uuid: str | None) -> str:
        return self.render(PROVIDER, uuid)

    def hash_free_uuids(self, text: str) -> str:
        """``text`` with every UUID but request ids hashed (unless clear).

        A UUID counts when it stands alone: not inside a longer run of
        letters and digits.
        """
        if self.clear or '-' not in text:
            return text
        out = []
        pos = 0
        for match in _UUID_MIDDLE.finditer(text):
            start, end = match.start() - 8, match.start() + 28
            if start < pos or end > len(text):
                continue
            candidate = text[start:end]
            if (not _WHOLE_UUID.match(candidate)
                    or (start and text[start - 1] in _WORD_CHARS)
                    or (end < len(text) and text[end] in _WORD_CHARS)
                    or text[max(0, start - 4):start] == _REQUEST_ID_PREFIX):
                continue
            out.append(text[pos:start])
            out.append(self.digest(UUID, candidate))
            pos = end
        if not out:
            return text
        out.append(text[pos:])
        return ''.join(out)


@dataclasses.dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier passed to a log call, rendered when the line is
    written: ``LOG.info('... %s', Identifier(HOST, name))``.

    The log filter renders it (also inside dicts, lists and tuples
    passed as arguments): hashed by default, at every level, so DEBUG and
    INFO lines name a host alike; in clear only with ``[hardened_scheduler]
    log_identifiers = clear``. Formatted without the filter (an embedding
    application's own logging, tests) it shows its value.
    """

    kind: str
    value: str | None

    def render(self, identifiers: Identifiers | None) -> str:
        if identifiers is None:
            return str(self.value)
        return identifiers.render(self.kind, self.value)

    def __str__(self) -> str:
        return str(self.value)

    def __repr__(self) -> str:
        return repr(self.value)


def host(name: str | None) -> Identifier:
    return Identifier(HOST, name)


def node(name: str | None) -> Identifier:
    return Identifier(NODE, name)


def instance(uuid: str | None) -> Identifier:
    return Identifier(INSTANCE, uuid)


def aggregate(name_or_uuid: str | None) -> Identifier:
    return Identifier(AGGREGATE, name_or_uuid)


def provider(uuid: str | None) -> Identifier:
    return Identifier(PROVIDER, uuid)

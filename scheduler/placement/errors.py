"""Typed errors of the Placement client and of the query builder.

No message built here ever holds a token, a password or a URL with
credentials: Placement's error bodies go through :func:`scrub` first and
transport errors are named by class, never by their text (keystoneauth puts
the full endpoint URL in it).
"""

import re

from oslo_utils import strutils

BODY_LIMIT = 200

_UUID = re.compile(
    r'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-'
    r'[0-9a-fA-F]{12}$')
# Keystone tokens (uuid4 hex, Fernet, JWS) are long unbroken runs.
_OPAQUE = re.compile(r'[A-Za-z0-9_\-+/=.%]{32,}')
_URL_USERINFO = re.compile(r'([A-Za-z][A-Za-z0-9+.\-]*://)[^/\s@]*@')
_AUTH_HEADER = re.compile(
    r'((?:x-auth-token|x-subject-token|x-service-token|authorization)'
    r'["\']?\s*[:=]\s*["\']?)[^\s"\',;}]+', re.IGNORECASE)


def _hide_opaque(match: re.Match[str]) -> str:
    text = match.group(0)
    return text if _UUID.match(text) else '***'


def scrub(text: str | None, limit: int = BODY_LIMIT) -> str:
    """``text`` without anything that looks like a secret, trimmed."""
    if not text:
        return ''
    text = _URL_USERINFO.sub(r'\1***@', text)
    text = _AUTH_HEADER.sub(r'\1***', text)
    text = strutils.mask_password(text)
    text = _OPAQUE.sub(_hide_opaque, text)
    text = ' '.join(text.split())
    if len(text) > limit:
        text = text[:limit] + '...'
    return text


class PlacementError(Exception):
    """Base of the errors the Placement client raises."""


class PlacementUnavailable(PlacementError):
    """Placement could not be reached or kept failing (5xx, transport).

    ``status`` is the last HTTP status seen, None when no response came
    back; ``cause`` names the transport failure (an exception class name).
    """

    def __init__(self, call: str, status: int | None = None,
                 cause: str | None = None) -> None:
        self.call = call
        self.status = status
        self.cause = cause
        what = f'HTTP {status}' if status is not None else (
            cause or 'no response')
        super().__init__(f'Placement unavailable for {call}: {what}')


class PlacementRequestError(PlacementError):
    """Placement answered a call with an unexpected non-2xx status."""

    def __init__(self, call: str, status: int, code: str | None,
                 detail: str = '') -> None:
        self.call = call
        self.status = status
        self.code = code
        # Kept for callers that classify failures; never in the message:
        # Placement's free text can echo anything it was sent (URLs,
        # tokens). Operators find it in Placement's log by request id.
        self.detail = scrub(detail)
        msg = f'Placement {call} failed: HTTP {status}'
        if code:
            msg += f' ({code})'
        super().__init__(msg)


class ConsumerGenerationConflict(PlacementError):
    """Another process changed the consumer while we claimed for it.

    nova's AllocationUpdateFailed: the request must not go on, since the
    consumer's allocations are no longer what we read.
    """

    def __init__(self, consumer_uuid: str, message: str) -> None:
        self.consumer_uuid = consumer_uuid
        self.message = message
        super().__init__(
            f'Failed to update allocations for consumer {consumer_uuid}. '
            f'Error: {message}')


class AllocationDeleteError(PlacementError):
    """Placement refused to delete a consumer's allocations."""

    def __init__(self, consumer_uuid: str, status: int | None,
                 code: str | None = None, detail: str = '') -> None:
        self.consumer_uuid = consumer_uuid
        self.status = status
        self.code = code
        self.detail = scrub(detail)
        msg = (f'Failed to delete allocations for consumer {consumer_uuid}: '
               f'HTTP {status}')
        if code:
            msg += f' ({code})'
        super().__init__(msg)


class QueryError(Exception):
    """The request cannot be turned into an allocation-candidates query."""


class TargetNotFound(QueryError):
    """No compute node matches the forced or requested destination."""

    def __init__(self, host: str | None, node: str | None) -> None:
        self.host = host
        self.node = node
        # nova's NoValidHost reason, word for word (trailing space too).
        self.reason = f'No such host - host: {host} node: {node} '
        super().__init__(self.reason)


class InvalidRequestGroup(QueryError, ValueError):
    """An externally built request group is unusable (nova's ValueError)."""


class RequestGroupSuffixConflict(QueryError):
    """Two request groups claim the same suffix."""

    def __init__(self, suffix: str) -> None:
        self.suffix = suffix
        super().__init__(f'Duplicate request group suffix {suffix}.')


class InvalidFlavorImageRequest(QueryError):
    """Flavor extra specs and image properties ask for something invalid.

    ``kind`` is the name of the nova exception nova raises in the same
    case (FlavorImageConflict, InvalidCPUAllocationPolicy, Invalid, ...),
    so callers and the compatibility tests can tell the cases apart.
    """

    def __init__(self, kind: str, message: str) -> None:
        self.kind = kind
        self.message = message
        super().__init__(message)

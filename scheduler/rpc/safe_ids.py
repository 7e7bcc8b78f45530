"""Request ids read from a message's context, safe to log and record."""

from collections.abc import Mapping
import re

_REQUEST_ID = re.compile(r'^[A-Za-z0-9_.:\-]{1,80}$')
UNKNOWN = '-'


def request_id(ctxt: Mapping[str, object], key: str = 'request_id') -> str:
    """A context's request id, when it is one; never arbitrary text."""
    value = ctxt.get(key)
    if isinstance(value, str) and _REQUEST_ID.match(value):
        return value
    return UNKNOWN

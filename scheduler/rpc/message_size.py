"""How big a received message is, measured without building its JSON.

The driver has already parsed the message; what we bound is the work
decoding it would take. The measure is the length of its compact JSON
text, counting every character of a string once (escapes ignored), and
the walk stops as soon as the limit is passed, so measuring a huge
message costs no more than measuring one at the limit. The walk is
iterative: a deeply nested message cannot exhaust the stack here.
"""

from collections.abc import Mapping

# Fixed costs of the JSON syntax around values.
_STRING_QUOTES = 2
_CONTAINER_BRACKETS = 2
_ITEM_SEPARATOR = 1
_KEY_SEPARATOR = 1


def _scalar_size(value: object) -> int:
    if isinstance(value, str):
        return len(value) + _STRING_QUOTES
    if value is None or value is True:
        return 4  # null, true
    if value is False:
        return 5
    if isinstance(value, (int, float)):
        return len(repr(value))
    # Not JSON (only the in-process fake transport can hand us this).
    return len(type(value).__name__)


def json_size(value: object, limit: int) -> int:
    """The JSON length of ``value``, or a number above ``limit``."""
    total = 0
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, (Mapping, list, tuple, set, frozenset)):
            # Every entry costs at least one character: a container with
            # more entries than the limit is over it, without a walk.
            if len(item) > limit:
                return limit + 1
        if isinstance(item, Mapping):
            total += _CONTAINER_BRACKETS + max(0, len(item) - 1) * (
                _ITEM_SEPARATOR)
            for key, sub in item.items():
                total += _scalar_size(key) + _KEY_SEPARATOR
                stack.append(sub)
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += _CONTAINER_BRACKETS + max(0, len(item) - 1) * (
                _ITEM_SEPARATOR)
            stack.extend(item)
        else:
            total += _scalar_size(item)
        if total > limit:
            return total
    return total


def too_large(value: object, limit: int) -> bool:
    return json_size(value, limit) > limit

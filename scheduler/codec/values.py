"""Typed readers for JSON-like wire values.

Every reader takes the :class:`Path` of the value it reads, so a failure
names the field (``spec_obj.flavor.vcpus``) and never the value. Coercion
follows oslo.versionedobjects' field types for well-formed input (an
``Integer`` field accepts ``"3"``, a ``String`` field accepts ``3``) but is
stricter where nova would accept garbage: booleans are not numbers, floats
must be finite, integers must fit in 64 bits.
"""

from collections.abc import Callable, Mapping
import ipaddress
import math
import re
import types
import uuid
from typing import NoReturn, TypeVar

from scheduler.codec import errors
from scheduler.codec import limits as limits_mod

T = TypeVar('T')
K = TypeVar('K')
Reader = Callable[['Path', object], T]

INT_MIN = -(2 ** 63)
INT_MAX = 2 ** 63 - 1

# oslo.versionedobjects' UUID pattern: hex groups, dashes optional.
_UUID_RE = re.compile(
    r'^[a-fA-F0-9]{8}-?[a-fA-F0-9]{4}-?[a-fA-F0-9]{4}-?[a-fA-F0-9]{4}-?'
    r'[a-fA-F0-9]{12}$')
_INT_RE = re.compile(r'^\s*[-+]?[0-9]{1,19}\s*$')
# Dict keys that are safe to show in a field path; others are numbered.
_SAFE_KEY_RE = re.compile(r'^[A-Za-z0-9_:.\-]{1,64}$')
_TRUE_STRINGS = frozenset({'1', 't', 'true', 'on', 'y', 'yes'})


class Path:
    """Where a value sits in the message, plus the limits that apply."""

    __slots__ = ('text', 'limits', 'depth')

    def __init__(self, text: str, limits: limits_mod.DecodeLimits,
                 depth: int = 0) -> None:
        self.text = text
        self.limits = limits
        self.depth = depth

    def field(self, name: str) -> 'Path':
        return Path(f'{self.text}.{name}', self.limits, self.depth)

    def item(self, index: int) -> 'Path':
        return Path(f'{self.text}[{index}]', self.limits, self.depth)

    def key(self, key: str, index: int) -> 'Path':
        label = key if _SAFE_KEY_RE.match(key) else f'#{index}'
        return Path(f'{self.text}[{label}]', self.limits, self.depth)

    def enter(self) -> 'Path':
        """The path one container level deeper; fails past the limit."""
        depth = self.depth + 1
        if depth > self.limits.max_nesting_depth:
            self.fail(
                f'nested deeper than {self.limits.max_nesting_depth} levels')
        return Path(self.text, self.limits, depth)

    def fail(self, reason: str) -> NoReturn:
        raise errors.ValidationError(self.text, reason)


def kind(value: object) -> str:
    """A JSON-ish type name for error messages (never the value)."""
    if value is None:
        return 'null'
    for typ, name in ((bool, 'bool'), (int, 'int'), (float, 'float'),
                      (str, 'str'), (list, 'list'), (tuple, 'list'),
                      (dict, 'dict'), (Mapping, 'dict')):
        if isinstance(value, typ):
            return name
    return 'unsupported type'


def expected(path: Path, what: str, value: object) -> NoReturn:
    path.fail(f'expected {what}, got {kind(value)}')


def _check_int_range(path: Path, value: int) -> int:
    if not INT_MIN <= value <= INT_MAX:
        path.fail('integer out of range')
    return value


def as_str(path: Path, value: object) -> str:
    """A string; ints and finite floats are stringified like nova does."""
    if isinstance(value, str):
        if len(value) > path.limits.max_string_length:
            path.fail(
                f'longer than {path.limits.max_string_length} characters')
        return value
    if isinstance(value, bool):
        expected(path, 'str', value)
    if isinstance(value, int):
        return str(_check_int_range(path, value))
    if isinstance(value, float) and math.isfinite(value):
        return str(value)
    expected(path, 'str', value)


def as_int(path: Path, value: object) -> int:
    """An integer; integral floats and decimal strings are accepted."""
    if isinstance(value, bool):
        expected(path, 'int', value)
    if isinstance(value, int):
        return _check_int_range(path, value)
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            path.fail('expected int, got a non-integral float')
        return _check_int_range(path, int(value))
    if isinstance(value, str):
        if len(value) > 40 or not _INT_RE.match(value):
            path.fail('expected int, got a non-numeric str')
        return _check_int_range(path, int(value))
    expected(path, 'int', value)


def as_float(path: Path, value: object) -> float:
    """A finite float; ints and numeric strings are accepted."""
    if isinstance(value, bool):
        expected(path, 'float', value)
    result: float
    if isinstance(value, int):
        _check_int_range(path, value)
        result = float(value)
    elif isinstance(value, float):
        result = value
    elif isinstance(value, str):
        if len(value) > 64:
            path.fail('expected float, got a non-numeric str')
        try:
            result = float(value)
        except ValueError:
            path.fail('expected float, got a non-numeric str')
    else:
        expected(path, 'float', value)
    if not math.isfinite(result):
        path.fail('expected a finite float')
    return result


def as_bool(path: Path, value: object) -> bool:
    if isinstance(value, bool):
        return value
    expected(path, 'bool', value)


def as_flex_bool(path: Path, value: object) -> bool:
    """oslo's FlexibleBoolean: bools, or strings like "yes" / "0"."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (str, int)):
        text = as_str(path, value)
        return text.strip().lower() in _TRUE_STRINGS
    expected(path, 'bool', value)


def canonical_uuid(text: str) -> str:
    """``text`` (already matched by ``_UUID_RE``) in canonical form.

    Lower-case and hyphenated, as Placement stores consumers: its PUT
    ``/allocations/{uuid}`` normalizes the id, but GET and DELETE match it
    as sent, so a rollback with an upper-case id would get 404 (taken as
    "already released") and leak the claim.
    """
    return str(uuid.UUID(text))


def as_uuid(path: Path, value: object) -> str:
    """A UUID string in canonical form: lower-case, hyphenated.

    oslo.versionedobjects' pattern is accepted (any case, dashes
    optional); nova keeps such a value as sent, we normalize it here, the
    one place every UUID read from the bus goes through.
    """
    if not isinstance(value, str):
        expected(path, 'uuid str', value)
    if len(value) > 36 or not _UUID_RE.match(value):
        path.fail('expected a UUID')
    return canonical_uuid(value)


def as_uuid_or_str(path: Path, value: object) -> str:
    """A string that names a UUID in practice (a String field holding
    instance uuids): canonical when it is one, as sent otherwise."""
    text = as_str(path, value)
    if len(text) <= 36 and _UUID_RE.match(text):
        return canonical_uuid(text)
    return text


def as_ip(path: Path, value: object) -> str:
    """An IPv4 or IPv6 address in canonical text form."""
    if not isinstance(value, str):
        expected(path, 'IP address str', value)
    if len(value) > 64:
        path.fail('expected an IP address')
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        path.fail('expected an IP address')


def as_list(path: Path, value: object,
            item: Callable[[Path, object], T]) -> tuple[T, ...]:
    """A list (or tuple) whose items each decode with ``item``."""
    if not isinstance(value, (list, tuple)):
        expected(path, 'list', value)
    if len(value) > path.limits.max_list_length:
        path.fail(f'more than {path.limits.max_list_length} items')
    inner = path.enter()
    return tuple(item(inner.item(i), v) for i, v in enumerate(value))


def as_set(path: Path, value: object,
           item: Callable[[Path, object], T]) -> frozenset[T]:
    """A set: on the wire a list (nova sends sets as lists)."""
    if isinstance(value, (set, frozenset)):
        value = list(value)
    return frozenset(as_list(path, value, item))


def as_dict(path: Path, value: object,
            item: Callable[[Path, object], T],
            key: Callable[[Path, str], K] | None = None,
            ) -> Mapping[K, T]:
    """A dict with string keys; read-only result."""
    if not isinstance(value, dict):
        expected(path, 'dict', value)
    if len(value) > path.limits.max_list_length:
        path.fail(f'more than {path.limits.max_list_length} items')
    inner = path.enter()
    result: dict[K, T] = {}
    for index, (k, v) in enumerate(value.items()):
        if not isinstance(k, str):
            inner.item(index).fail(f'key: expected str, got {kind(k)}')
        if len(k) > path.limits.max_string_length:
            inner.item(index).fail(
                f'key: longer than {path.limits.max_string_length} characters')
        where = inner.key(k, index)
        decoded_key = key(where, k) if key else k
        result[decoded_key] = item(where, v)  # type: ignore[index]
    return types.MappingProxyType(result)


def nullable(item: Callable[[Path, object], T],
             ) -> Callable[[Path, object], T | None]:
    """Wrap a reader so that null decodes to None."""
    def read(path: Path, value: object) -> T | None:
        return None if value is None else item(path, value)
    return read


def int_key(path: Path, key: str) -> int:
    """A dict key holding an int (JSON keys are always strings)."""
    return as_int(path, key)

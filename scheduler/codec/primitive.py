"""nova object primitives: the envelope and typed field access.

A primitive is ``{"nova_object.name", "nova_object.namespace",
"nova_object.version", "nova_object.data", "nova_object.changes"}``. An
object decoder opens the envelope with :func:`open_object` and reads its
fields through :meth:`Obj.get` / :meth:`Obj.req`, so each decoder is a short
table of fields. Unknown keys in ``nova_object.data`` are ignored, which is
how newer minor versions are decoded leniently.
"""

from collections.abc import Callable
import re
from typing import Final, TypeVar

from scheduler.codec import errors
from scheduler.codec import values
from scheduler.codec.values import Path
from scheduler.codec.values import Reader

T = TypeVar('T')

NAME = 'nova_object.name'
NAMESPACE = 'nova_object.namespace'
VERSION = 'nova_object.version'
DATA = 'nova_object.data'
CHANGES = 'nova_object.changes'

_VERSION_RE = re.compile(r'^([0-9]{1,6})\.([0-9]{1,6})(?:\.[0-9]{1,6})?$')


class _Fail:
    """Sentinel: an absent (or null) value is an error."""

    def __repr__(self) -> str:
        return 'FAIL'


FAIL: Final = _Fail()


class Obj:
    """The opened envelope of one nova object primitive."""

    __slots__ = ('name', 'version', 'path', 'data')

    def __init__(self, name: str, version: tuple[int, int], path: Path,
                 data: dict[str, object]) -> None:
        self.name = name
        self.version = version
        self.path = path
        self.data = data

    def __contains__(self, field: str) -> bool:
        return field in self.data

    def older_than(self, major: int, minor: int) -> bool:
        return self.version < (major, minor)

    def get(self, field: str, reader: Reader[T],
            absent: T | None | _Fail = None,
            null: T | None | _Fail = None) -> T | None:
        """Read an optional field: ``absent``/``null`` when not given."""
        path = self.path.field(field)
        if field not in self.data:
            return _fallback(path, absent, 'required field is missing')
        value = self.data[field]
        if value is None:
            return _fallback(path, null, 'must not be null')
        return reader(path, value)

    def req(self, field: str, reader: Reader[T],
            absent: T | _Fail = FAIL, null: T | _Fail = FAIL) -> T:
        """Read a field that always has a value (default or error)."""
        path = self.path.field(field)
        if field not in self.data:
            return _fallback(path, absent, 'required field is missing')
        value = self.data[field]
        if value is None:
            return _fallback(path, null, 'must not be null')
        return reader(path, value)


def _fallback(path: Path, default: T | _Fail, reason: str) -> T:
    if isinstance(default, _Fail):
        path.fail(reason)
    return default


def parse_version(path: Path, value: object) -> tuple[int, int]:
    """``"X.Y"`` or ``"X.Y.Z"`` (the ``.Z`` is dropped, as nova does)."""
    if not isinstance(value, str):
        values.expected(path, 'version str', value)
    match = _VERSION_RE.match(value)
    if not match:
        path.fail('malformed version')
    return int(match.group(1)), int(match.group(2))


def open_object(path: Path, value: object, names: str | tuple[str, ...],
                major: int = 1) -> Obj:
    """Check the envelope of a primitive and return its fields.

    ``names`` are the acceptable ``nova_object.name`` values and ``major``
    the only major version understood; any minor version is accepted.
    """
    if isinstance(names, str):
        names = (names,)
    if not isinstance(value, dict):
        values.expected(path, f'{names[0]} object', value)
    inner = path.enter()
    name = value.get(NAME)
    if not isinstance(name, str) or name not in names:
        inner.field(NAME).fail(
            f'expected {" or ".join(names)}, got another object name'
            if isinstance(name, str) else
            f'expected {" or ".join(names)}, got {values.kind(name)}')
    namespace = value.get(NAMESPACE)
    if namespace != 'nova':
        inner.field(NAMESPACE).fail('expected the nova namespace')
    version = parse_version(inner.field(VERSION), value.get(VERSION))
    if version[0] != major:
        inner.field(VERSION).fail(
            f'unsupported major version (expected {major}.x)')
    if CHANGES in value and not isinstance(value[CHANGES], (list, tuple)):
        values.expected(inner.field(CHANGES), 'list', value[CHANGES])
    data = value.get(DATA)
    if not isinstance(data, dict):
        values.expected(inner.field(DATA), 'dict', data)
    return Obj(name, version, inner, data)


def object_reader(names: str | tuple[str, ...],
                  decode: Callable[[Obj], T], major: int = 1) -> Reader[T]:
    """A field reader for a nested object decoded by ``decode``."""
    def read(path: Path, value: object) -> T:
        return decode(open_object(path, value, names, major))
    return read


def list_object_reader(list_name: str, item: Reader[T],
                       major: int = 1) -> Reader[tuple[T, ...]]:
    """A field reader for a ``*List`` object: ``data.objects`` items."""
    def read(path: Path, value: object) -> tuple[T, ...]:
        obj = open_object(path, value, list_name, major)
        return obj.req('objects', lambda p, v: values.as_list(p, v, item),
                       absent=())
    return read


def guarded(path: Path, decode: Callable[[], T]) -> T:
    """Run a decoder so that only ValidationError can escape it.

    The typed readers raise ValidationError for everything they check;
    this is the last line of defence for whatever they did not foresee.
    The original exception is not chained: its text could hold a value.
    """
    try:
        return decode()
    except errors.ValidationError:
        raise
    except RecursionError:
        error = errors.ValidationError(path.text, 'nested too deeply')
    except Exception:
        error = errors.ValidationError(path.text, 'malformed input')
    raise error from None

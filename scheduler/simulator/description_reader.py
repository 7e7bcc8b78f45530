"""Reading a YAML description field by field, collecting every problem.

A :class:`Reader` checks one file's values (types, bounds, names) and
records each problem as one line naming the file and the field
(``cloud.yaml: host_groups[2].count: expected an integer, got a string
'ten'``) instead of stopping at the first. A value that fails its check
is replaced by a harmless stand-in so reading can go on; the caller
builds nothing when ``problems`` is not empty.
"""

from collections.abc import Sequence
import dataclasses
import os
import re
from typing import Any

import os_traits
import yaml

# A description is a few hundred lines; a file this big is not one.
MAX_FILE_BYTES = 10 * 1024 * 1024
# Host names are cell-zone-group-index, and Placement allows a provider
# name of 200 characters.
MAX_NAME_LENGTH = 60
MAX_VALUE_LENGTH = 255
_TRAIT = re.compile(r'^[A-Z0-9_]+$')


class FileProblem(Exception):
    """The file cannot be read as YAML at all; the message is one line."""


@dataclasses.dataclass(frozen=True)
class Bound:
    """Inclusive bounds of a count, and what it counts."""

    low: int
    high: int
    unit: str


def read_text(path: str) -> str:
    try:
        if os.stat(path).st_size > MAX_FILE_BYTES:
            raise FileProblem(f'{path}: larger than {MAX_FILE_BYTES} bytes, '
                              'not a description')
        with open(path, encoding='utf-8') as f:
            return f.read()
    except OSError as exc:
        raise FileProblem(f'{path}: cannot read: {exc.strerror}') from None
    except UnicodeDecodeError as exc:
        raise FileProblem(f'{path}: not UTF-8 text (byte {exc.start})'
                          ) from None


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key repeated in one mapping."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> Any:
    seen = set()
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode) and key.tag != (
                'tag:yaml.org,2002:merge'):
            if key.value in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f'duplicate key {key.value!r}',
                    key.start_mark)
            seen.add(key.value)
    return loader.construct_mapping(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                        _mapping)


def parse_yaml(where: str, text: str) -> Any:
    """The YAML document of ``text``; a FileProblem says where it breaks."""
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = ' '.join(str(exc.problem or exc.context or exc).split())
        at = (f'line {mark.line + 1}, column {mark.column + 1}: '
              if mark is not None else '')
        raise FileProblem(f'{where}: {at}not valid YAML: {problem}'
                          ) from None
    except yaml.YAMLError as exc:
        raise FileProblem(f'{where}: not valid YAML: '
                          + ' '.join(str(exc).split())) from None
    except RecursionError:
        raise FileProblem(f'{where}: not valid YAML: nested too deeply'
                          ) from None
    if data is None:
        raise FileProblem(f'{where}: empty (no YAML document)')
    return data


def kind(value: object) -> str:
    """What ``value`` is, for a message: "a string 'fast'"."""
    if value is None:
        return 'nothing (null)'
    if isinstance(value, bool):
        return f'a boolean {str(value).lower()}'
    if isinstance(value, int):
        return f'an integer {value}'
    if isinstance(value, float):
        return f'a number {value}'
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + '...'
        return f'a string {shown!r}'
    if isinstance(value, list):
        return 'a list'
    if isinstance(value, dict):
        return 'a mapping'
    return f'a {type(value).__name__}'


class Reader:
    """The checks of one file; ``problems`` collects what they found."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[str] = []
        self.failed: set[str] = set()

    def fail(self, path: str, text: str) -> None:
        self.failed.add(path)
        prefix = f'{self.where}: {path}' if path else self.where
        self.problems.append(f'{prefix}: {text}')

    def _expected(self, path: str, what: str, value: object) -> None:
        if path not in self.failed:  # not already reported missing
            self.fail(path, f'expected {what}, got {kind(value)}')

    def mapping(self, path: str, value: object,
                required: Sequence[str] = (),
                optional: Sequence[str] = ()) -> dict[str, Any] | None:
        """``value`` as a mapping with these fields, or None."""
        allowed = (*required, *optional)
        if not isinstance(value, dict):
            self._expected(path, 'a mapping with ' + ', '.join(allowed),
                           value)
            return None
        unknown = sorted(str(k) for k in value if k not in allowed)
        if unknown:
            self.fail(path, f'unknown field(s) {", ".join(unknown)} '
                      f'(allowed: {", ".join(allowed)})')
        missing = [k for k in required if k not in value]
        if missing:
            self.fail(path, f'missing field(s) {", ".join(missing)}')
            self.failed.update(f'{path}.{k}' for k in missing)
        return {str(k): v for k, v in value.items()}

    def integer(self, path: str, value: object, bound: Bound) -> int:
        """An integer within ``bound`` (its low end when it is not)."""
        if isinstance(value, bool) or not isinstance(value, int):
            self._expected(path, 'an integer', value)
            return bound.low
        if value < bound.low:
            self.fail(path, f'{value} is below the minimum of {bound.low}')
            return bound.low
        if value > bound.high:
            self.fail(path, f'{value} is above the simulator\'s bound of '
                      f'{bound.high} {bound.unit}')
            return bound.low
        return value

    def name(self, path: str, value: object) -> str:
        """A non-empty name of at most MAX_NAME_LENGTH characters."""
        if not isinstance(value, str):
            self._expected(path, 'a name (a string)', value)
            return ''
        if not value.strip() or len(value) > MAX_NAME_LENGTH:
            self.fail(path, f'a name must have 1 to {MAX_NAME_LENGTH} '
                      f'characters, got {len(value)}')
            return ''
        return value

    def choice(self, path: str, value: object,
               choices: Sequence[str]) -> str:
        if value not in choices:
            self._expected(path, 'one of ' + ', '.join(choices), value)
            return choices[0]
        return str(value)

    def items(self, path: str, value: object, bound: Bound) -> list[Any]:
        """A list of at most ``bound.high`` items ([] when it is not)."""
        if not isinstance(value, list):
            self._expected(path, f'a list of {bound.unit}', value)
            return []
        if not bound.low <= len(value) <= bound.high:
            self.fail(path, f'{len(value)} {bound.unit}: expected '
                      f'{bound.low} to {bound.high}')
            return []
        return value

    def entries(self, path: str, value: object,
                bound: Bound) -> list[tuple[str, Any]]:
        """A mapping's (name, value) pairs, names checked."""
        if not isinstance(value, dict):
            self._expected(path, f'a mapping of {bound.unit} by name', value)
            return []
        if not bound.low <= len(value) <= bound.high:
            self.fail(path, f'{len(value)} {bound.unit}: expected '
                      f'{bound.low} to {bound.high}')
            return []
        pairs = []
        for key, item in value.items():
            name = self.name(f'{path} key {key!r}', key)
            if name:
                pairs.append((name, item))
        return pairs

    def names(self, path: str, value: object,
              bound: Bound) -> tuple[str, ...]:
        if not isinstance(value, list):
            self._expected(path, 'a list of names', value)
            return ()
        if len(value) > bound.high:
            self.fail(path, f'{len(value)} is above the simulator\'s bound '
                      f'of {bound.high} {bound.unit}')
            return ()
        return tuple(self.name(f'{path}[{i}]', item)
                     for i, item in enumerate(value))

    def traits(self, path: str, value: object,
               bound: Bound) -> tuple[str, ...]:
        """Trait names Placement accepts: standard or CUSTOM_."""
        names = self.names(path, value, bound)
        for i, name in enumerate(names):
            if not name:
                continue
            if not _TRAIT.match(name):
                self.fail(f'{path}[{i}]', f'{name!r} is not a trait name '
                          '(A-Z, 0-9 and _ only)')
            elif not name.startswith('CUSTOM_') and (
                    os_traits.check_traits([name])[1]):
                self.fail(f'{path}[{i}]', f'{name} is not a standard trait '
                          '(os-traits); custom traits start with CUSTOM_')
        return names

    def scalars(self, path: str, value: object,
                bound: Bound) -> dict[str, str]:
        """A mapping of names to scalars, as strings (metadata, specs)."""
        out = {}
        for key, item in self.entries(path, value, bound):
            if isinstance(item, bool):
                item = str(item).lower()
            if isinstance(item, (int, float)):
                item = str(item)
            if not isinstance(item, str):
                self._expected(f'{path}.{key}', 'a string or number', item)
            elif len(item) > MAX_VALUE_LENGTH:
                self.fail(f'{path}.{key}', f'longer than {MAX_VALUE_LENGTH} '
                          'characters')
            else:
                out[key] = item
        return out

    def total(self, path: str, value: int, bound: Bound, how: str) -> None:
        """A sum or a number of distinct values within ``bound``."""
        if value > bound.high:
            self.fail(path, f'{value} {bound.unit} ({how}) is above the '
                      f'simulator\'s bound of {bound.high}')


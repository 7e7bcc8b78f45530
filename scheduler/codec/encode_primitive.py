"""Building nova object primitives (the encode side of ``primitive``).

An encoded object looks as nova's NovaObjectSerializer emits a freshly
built object: every field we give is set and listed in
``nova_object.changes`` (sorted here; nova's order is arbitrary), and the
key is left out when nothing is set, as nova leaves it out. Values are
plain JSON types: sets become sorted lists, tuples lists, mappings dicts.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

T = TypeVar('T')
Primitive = dict[str, Any]


def obj(name: str, version: str, data: Mapping[str, Any]) -> Primitive:
    """The primitive of one nova object with these set fields."""
    result: Primitive = {
        'nova_object.name': name,
        'nova_object.namespace': 'nova',
        'nova_object.version': version,
        'nova_object.data': dict(data),
    }
    if data:
        result['nova_object.changes'] = sorted(data)
    return result


def obj_list(name: str, version: str, items: Sequence[Primitive],
             ) -> Primitive:
    """A nova ``*List`` object: its items under ``objects``."""
    return obj(name, version, {'objects': list(items)})


def sorted_set(values: frozenset[Any] | set[Any]) -> list[Any]:
    """A set field on the wire: a list (sorted, so output is stable)."""
    return sorted(values)


def str_dict(values: Mapping[str, Any]) -> dict[str, Any]:
    """A dict field: a plain dict (our objects hold read-only mappings)."""
    return dict(values)


def str_lists(values: Sequence[Sequence[str]]) -> list[list[str]]:
    """A list-of-lists-of-strings field."""
    return [list(item) for item in values]


def or_null(value: T | None, encode: Callable[[T], Any]) -> Any:
    """A nullable field: ``encode(value)``, or None (null on the wire)."""
    return None if value is None else encode(value)

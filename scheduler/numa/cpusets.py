"""CPU sets built the way nova's versioned objects build them.

Which host threads nova pins depends on the iteration order of Python sets
(it takes ``list(free_sibling_set)[:threads]``), and CPython's order depends
on how a set was built, not only on its members. oslo.versionedobjects
copies every set a Set field is given (Set.coerce); building ours through
the same steps keeps our pinning identical to nova's, not merely valid.
"""

from collections.abc import Iterable
from typing import Any


def coerce(values: Iterable[int]) -> set[int]:
    """``values`` as a Set(Integer) field stores it (oslo's Set.coerce)."""
    staged: set[int] = set()
    for value in values:
        staged.add(value)
    result: set[int] = set()
    result.update(staged)
    return result


def from_primitive(values: Iterable[Any]) -> set[int]:
    """A Set(Integer) field read from its primitive list.

    oslo reads the list into a set, then the attribute setter coerces it.
    """
    return coerce({int(value) for value in values})


def union_in_place(target: set[int], values: Iterable[int]) -> set[int]:
    """``field |= values`` on a Set field: an in-place union, then the
    attribute setter coerces the result again."""
    target |= coerce_iterable(values)
    return coerce(target)


def coerce_iterable(values: Iterable[int]) -> set[int]:
    """The element-by-element copy oslo's CoercedSet makes of an operand."""
    staged: set[int] = set()
    for value in values:
        staged.add(value)
    return staged

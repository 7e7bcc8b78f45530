"""The flavor extra-spec operator grammar (nova's extra_specs_ops).

A requirement is ``<op> <operand>...`` or a bare string:

* ``=`` (numeric at least), ``==``, ``!=``, ``>=``, ``<=`` (numeric),
* ``s==``, ``s!=``, ``s<``, ``s<=``, ``s>``, ``s>=`` (string comparison),
* ``<in> x`` (substring), ``<all-in> x y`` (every word a substring),
* ``<or> a <or> b`` (exact match of one alternative),
* anything else: exact string equality with the whole requirement.

Numeric operators raise ``ValueError`` when either side is not a number,
as nova's do; the caller decides what that means.
"""

from collections.abc import Callable
import operator


def _numeric(compare: Callable[[float, float], bool]
             ) -> Callable[[str, str], bool]:
    return lambda value, operand: compare(float(value), float(operand))


_BINARY: dict[str, Callable[[str, str], bool]] = {
    '=': _numeric(operator.ge),
    '==': _numeric(operator.eq),
    '!=': _numeric(operator.ne),
    '>=': _numeric(operator.ge),
    '<=': _numeric(operator.le),
    's==': operator.eq,
    's!=': operator.ne,
    's<': operator.lt,
    's<=': operator.le,
    's>': operator.gt,
    's>=': operator.ge,
    '<in>': lambda value, operand: operand in value,
}
_OPERATORS = frozenset(_BINARY) | {'<all-in>', '<or>'}


def match(value: str, req: str) -> bool:
    """Whether the host value satisfies the requirement string."""
    words = req.split()
    op = words.pop(0) if words else None
    if op not in _OPERATORS:
        return value == req
    if op == '<or>':
        # Alternatives sit at every other position; nova does not check
        # that the skipped words are really "<or>".
        return value in words[::2]
    if not words:
        return False
    if op == '<all-in>':
        return all(word in value for word in words)
    return _BINARY[op](value, words[0])

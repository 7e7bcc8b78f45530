"""Scheduler hints as nova's filters see them.

Hints arrive as lists. nova's RequestSpec.get_scheduler_hint returns the
single value of a one-element list and the list itself otherwise (empty
or several values); its filters then behave differently for each shape,
which the filters here mirror (or, for user input nova cannot handle,
reject cleanly).
"""

from scheduler.objects import request_spec

HintValue = str | tuple[str, ...]


def hint(spec: request_spec.RequestSpec, name: str,
         default: HintValue | None = None) -> HintValue | None:
    """nova's get_scheduler_hint: the value, the tuple, or ``default``."""
    values = spec.scheduler_hints.get(name)
    if values is None:
        return default
    return values[0] if len(values) == 1 else values


def hint_values(value: HintValue | None) -> tuple[str, ...]:
    """A hint value as a tuple of strings (nova: a str is one value)."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else value

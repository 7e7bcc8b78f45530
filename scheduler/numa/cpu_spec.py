"""nova's CPU set syntax, such as ``"1-4,^3,6"`` (nova.virt.hardware).

One parser for every place that reads it: a host's legacy NUMA topology,
the flavor's CPU masks and a legacy image's ``hw_numa_cpus.N``. Errors are
``ValueError`` with nova's messages (which quote the rule); callers turn
them into their own.
"""


class TooManyCPUs(ValueError):
    """The spec names more ids than the caller's limit (never in nova)."""


def parse_cpu_spec(spec: str, limit: int | None = None) -> set[int]:
    """The CPU ids ``spec`` names, as nova's parse_cpu_spec reads them.

    Comma-separated rules, blanks skipped: ``N``, ``A-B`` (inclusive), and
    either form after ``^`` to exclude. ``limit`` bounds how many ids the
    rules may name in all, checked before a range is built, so untrusted
    input cannot make a huge set; nova has no such bound.
    """
    included: set[int] = set()
    excluded: set[int] = set()
    named = 0
    for raw in spec.split(','):
        rule = raw.strip()
        if not rule:
            continue
        start, end, exclude = _rule(rule)
        named += end - start + 1
        if limit is not None and named > limit:
            raise TooManyCPUs(f'more than {limit} CPUs')
        (excluded if exclude else included).update(range(start, end + 1))
    return included - excluded


def _rule(rule: str) -> tuple[int, int, bool]:
    """(first, last, is an exclusion) of one non-empty rule."""
    parts = rule.split('-', 1)
    if len(parts) > 1:
        exclude = parts[0].startswith('^')
        if exclude:
            parts[0] = parts[0][1:]
        try:
            start, end = (int(part.strip()) for part in parts)
        except ValueError:
            raise ValueError(f'Invalid range expression {rule!r}') from None
        if start > end:
            raise ValueError(f'Invalid range expression {rule!r}')
        return start, end, exclude
    if rule.startswith('^'):
        kind, text = 'exclusion', rule[1:].strip()
    else:
        kind, text = 'inclusion', rule
    try:
        cpu = int(text)
    except ValueError:
        raise ValueError(f'Invalid {kind} expression {rule!r}') from None
    return cpu, cpu, kind == 'exclusion'

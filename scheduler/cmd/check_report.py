"""``check``'s report: named checks, each a result and its details.

Shaped like ``nova-status upgrade check``: every check (the API
database, each cell, the host states, Placement, the message bus) has a
name, a result (Success, Warning, Failure) and detail lines. A check is
built by a ``CheckBuilder`` and frozen into a ``CheckResult``; the whole
report renders as grouped lines (``table``) or as one JSON or YAML
document. Detail lines never hold a secret: the checks mask URLs and
grants before adding them.
"""

from collections.abc import Sequence
import dataclasses
import enum
from typing import Any

from scheduler.cmd import outcome
from scheduler.cmd import output


class Result(enum.Enum):
    SUCCESS = 'Success'
    WARNING = 'Warning'
    FAILURE = 'Failure'


@dataclasses.dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    result: Result
    details: tuple[str, ...] = ()
    problems: int = 0
    warnings: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {'check': self.name, 'result': self.result.value,
                'details': list(self.details)}


class CheckBuilder:
    """Collects one check's detail lines, problems and warnings."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._details: list[str] = []
        self.problems = 0
        self.warnings = 0

    def info(self, text: str) -> None:
        self._details.append(text)

    def problem(self, text: str) -> None:
        self.problems += 1
        self._details.append(f'ERROR: {text}')

    def warning(self, text: str) -> None:
        self.warnings += 1
        self._details.append(f'WARNING: {text}')

    def result(self) -> CheckResult:
        if self.problems:
            result = Result.FAILURE
        elif self.warnings:
            result = Result.WARNING
        else:
            result = Result.SUCCESS
        return CheckResult(self.name, result, tuple(self._details),
                           self.problems, self.warnings)


@dataclasses.dataclass(frozen=True, slots=True)
class Report:
    checks: tuple[CheckResult, ...]

    @property
    def problems(self) -> int:
        return sum(c.problems for c in self.checks)

    @property
    def warnings(self) -> int:
        return sum(c.warnings for c in self.checks)

    @property
    def exit_code(self) -> int:
        return outcome.worst(self.problems, self.warnings)

    @property
    def result(self) -> Result:
        return {outcome.OK: Result.SUCCESS, outcome.WARNING: Result.WARNING
                }.get(self.exit_code, Result.FAILURE)

    def as_dict(self) -> dict[str, Any]:
        return {'result': self.result.value,
                'checks': [c.as_dict() for c in self.checks]}


def table_lines(report: Report) -> list[str]:
    """Each check as ``<name>: <result>`` and its indented details, then
    the overall result."""
    lines = []
    for check in report.checks:
        lines.append(f'{check.name}: {check.result.value}')
        lines.extend(f'  {detail}' for detail in check.details)
    summary = f'Result: {report.result.value}'
    counts = _counts(report.problems, 'problem') + _counts(
        report.warnings, 'warning')
    if counts:
        summary += f' ({", ".join(counts)})'
    lines.append(summary)
    return lines


def _counts(count: int, noun: str) -> list[str]:
    if not count:
        return []
    return [f'{count} {noun}{"" if count == 1 else "s"}']


def render(report: Report, fmt: str) -> Sequence[str]:
    """What to print, line by line: the table, or the one document."""
    if fmt == output.TABLE:
        return table_lines(report)
    return [output.document(report.as_dict(), fmt)]

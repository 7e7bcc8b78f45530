"""No module of the ``scheduler`` package over 400 lines, no function
over 60 (issue 15, item 7).

Read from the source with ast: a module's size is its line count, a
function's is ``end_lineno - lineno + 1`` (its docstring and decorators'
lines after ``def`` included). A function nested in another counts
separately, and also as lines of the one around it. A failure names each
offender as ``path:line name (size lines)``, so one run lists them all.
"""

import ast
from collections.abc import Iterator
import dataclasses
import pathlib
import textwrap

import fixtures
import testtools

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / 'scheduler'
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


@dataclasses.dataclass(frozen=True)
class Oversized:
    path: str
    line: int
    name: str
    size: int

    def __str__(self) -> str:
        return f'{self.path}:{self.line} {self.name} ({self.size} lines)'


def _modules(root: pathlib.Path) -> Iterator[tuple[str, str]]:
    """(path shown in messages, source) of every module under ``root``."""
    for path in sorted(root.rglob('*.py')):
        shown = (pathlib.Path(root.name) / path.relative_to(root)).as_posix()
        yield shown, path.read_text()


Function = ast.FunctionDef | ast.AsyncFunctionDef


def _functions(node: ast.AST, prefix: str = ''
               ) -> Iterator[tuple[str, Function]]:
    """Every function under ``node``, nested ones included, with its
    qualified name (``Class.method``, ``outer.inner``)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, Function):
            name = prefix + child.name
            yield name, child
            yield from _functions(child, name + '.')
        elif isinstance(child, ast.ClassDef):
            yield from _functions(child, prefix + child.name + '.')
        else:
            yield from _functions(child, prefix)


def oversized_modules(root: pathlib.Path,
                      limit: int = MAX_MODULE_LINES) -> list[Oversized]:
    found = []
    for path, source in _modules(root):
        size = len(source.splitlines())
        if size > limit:
            found.append(Oversized(path, 1, '(module)', size))
    return found


def oversized_functions(root: pathlib.Path,
                        limit: int = MAX_FUNCTION_LINES) -> list[Oversized]:
    found = []
    for path, source in _modules(root):
        for name, node in _functions(ast.parse(source, path)):
            size = (node.end_lineno or node.lineno) - node.lineno + 1
            if size > limit:
                found.append(Oversized(path, node.lineno, name, size))
    return found


def _describe(found: list[Oversized], limit: int, what: str) -> str:
    return (f'{len(found)} {what} over {limit} lines: split them along a '
            'seam (a module with one job, a helper that names a step):\n'
            + '\n'.join(map(str, found)))


class CodeShapeTest(testtools.TestCase):

    def test_modules_are_read(self):
        paths = {path for path, _ in _modules(PACKAGE)}
        self.assertIn('scheduler/manager.py', paths)
        self.assertIn('scheduler/placement/client.py', paths)

    def test_no_module_over_the_limit(self):
        found = oversized_modules(PACKAGE)
        if found:
            self.fail(_describe(found, MAX_MODULE_LINES, 'modules'))

    def test_no_function_over_the_limit(self):
        found = oversized_functions(PACKAGE)
        if found:
            self.fail(_describe(found, MAX_FUNCTION_LINES, 'functions'))


class DetectorTest(testtools.TestCase):
    """The measure finds what it is meant to find."""

    def _package(self, **sources: str) -> pathlib.Path:
        root = pathlib.Path(self.useFixture(fixtures.TempDir()).path) / 'pkg'
        (root / 'sub').mkdir(parents=True)
        (root / '__init__.py').write_text('')
        for name, source in sources.items():
            (root / f'{name.replace("__", "/")}.py').write_text(source)
        return root

    def test_module_over_the_limit(self):
        root = self._package(big='x = 1\n' * 5, small='x = 1\n' * 4,
                             sub__deep='x = 1\n' * 6)
        self.assertEqual(
            ['pkg/big.py:1 (module) (5 lines)',
             'pkg/sub/deep.py:1 (module) (6 lines)'],
            list(map(str, oversized_modules(root, limit=4))))

    def test_methods_nested_and_async_functions(self):
        root = self._package(m=textwrap.dedent("""\
            class C:
                def method(self):
                    x = 1
                    y = 2
                    return x + y

            def outer():
                def inner():
                    x = 1
                    return x
                x = 1
                return inner

            async def waits():
                x = 1
                y = 2
                return x + y

            def short():
                return 1
            """))
        self.assertEqual(
            ['pkg/m.py:2 C.method (4 lines)',
             'pkg/m.py:7 outer (6 lines)',
             'pkg/m.py:14 waits (4 lines)'],
            list(map(str, oversized_functions(root, limit=3))))
        self.assertEqual(
            ['pkg/m.py:7 outer (6 lines)'],
            list(map(str, oversized_functions(root, limit=4))))
        self.assertIn('pkg/m.py:8 outer.inner (3 lines)', list(map(
            str, oversized_functions(root, limit=2))))

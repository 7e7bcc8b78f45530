"""No import cycle inside the ``scheduler`` package.

The graph is read from the source (ast), not from sys.modules: every
``import scheduler...`` and ``from scheduler... import ...`` of every
module, at module level or inside a function. A cycle of module-level
imports fails; so does one that a function-level import closes, since
such an import only hides the cycle until the function runs. Imports
under ``if TYPE_CHECKING:`` run only for the type checker and are left
out.
"""

import ast
from collections.abc import Iterator
import dataclasses
import pathlib

import fixtures
import testtools

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / 'scheduler'
# Function-level imports known to close a cycle, by importing module, and
# why they are still there. Remove an entry with its cycle.
# Modules allowed a function-level import that closes a cycle, and why.
KNOWN_DODGES: dict[str, str] = {}


@dataclasses.dataclass(frozen=True)
class Edge:
    importer: str
    imported: str
    line: int
    in_function: bool

    def __str__(self) -> str:
        where = ' (function-level)' if self.in_function else ''
        return f'{self.importer}:{self.line} -> {self.imported}{where}'


def _module_names(root: pathlib.Path) -> dict[str, pathlib.Path]:
    names = {}
    for path in sorted(root.rglob('*.py')):
        parts = (root.name,) + path.relative_to(root).with_suffix('').parts
        if parts[-1] == '__init__':
            parts = parts[:-1]
        names['.'.join(parts)] = path
    return names


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return ((isinstance(test, ast.Name) and test.id == 'TYPE_CHECKING')
            or (isinstance(test, ast.Attribute)
                and test.attr == 'TYPE_CHECKING'))


def _imports(node: ast.AST, in_function: bool = False
             ) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement under ``node``, and whether it runs only
    when a function is called."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, in_function
        elif isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield from _imports(other, in_function)
        else:
            nested = in_function or isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            yield from _imports(child, nested)


def _targets(node: ast.Import | ast.ImportFrom, importer: str,
             is_package: bool, known: dict[str, pathlib.Path]
             ) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name in known:
                yield alias.name
        return
    base = node.module or ''
    if node.level:
        package = importer.split('.')
        package = package if is_package else package[:-1]
        package = package[:len(package) - node.level + 1]
        base = '.'.join(package + ([base] if base else []))
    for alias in node.names:
        # ``from pkg import name``: the submodule if there is one.
        sub = f'{base}.{alias.name}'
        if sub in known:
            yield sub
        elif base in known:
            yield base


def import_graph(root: pathlib.Path) -> list[Edge]:
    """Every edge between modules of the package at ``root``."""
    known = _module_names(root)
    edges = []
    for name, path in known.items():
        tree = ast.parse(path.read_text(), str(path))
        is_package = path.name == '__init__.py'
        for node, in_function in _imports(tree):
            for target in _targets(node, name, is_package, known):
                if target != name:
                    edges.append(Edge(name, target, node.lineno,
                                      in_function))
    return edges


def find_cycles(edges: list[Edge]) -> list[list[Edge]]:
    """One cycle through each strongly connected group of modules."""
    graph: dict[str, list[Edge]] = {}
    for edge in edges:
        graph.setdefault(edge.importer, []).append(edge)
    cycles = []
    covered: set[str] = set()
    for start in sorted(graph):
        if start in covered:
            continue
        cycle = _cycle_from(start, graph)
        if cycle:
            cycles.append(cycle)
            covered.update(edge.importer for edge in cycle)
    return cycles


def _cycle_from(start: str, graph: dict[str, list[Edge]]
                ) -> list[Edge] | None:
    """The shortest cycle back to ``start`` (breadth first), if any."""
    paths: dict[str, list[Edge]] = {start: []}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for edge in graph.get(module, ()):
                if edge.imported == start:
                    return paths[module] + [edge]
                if edge.imported not in paths:
                    paths[edge.imported] = paths[module] + [edge]
                    following.append(edge.imported)
        frontier = following
    return None


def _known(cycle: list[Edge]) -> bool:
    """Whether only imports listed in KNOWN_DODGES close the cycle."""
    dodges = [edge for edge in cycle if edge.in_function]
    return bool(dodges) and all(edge.importer in KNOWN_DODGES
                                for edge in dodges)


def _describe(cycles: list[list[Edge]]) -> str:
    return '\n'.join('cycle: ' + '; '.join(map(str, cycle))
                     for cycle in cycles)


class ImportCycleTest(testtools.TestCase):

    def test_graph_is_read(self):
        edges = import_graph(PACKAGE)
        self.assertIn(('scheduler.manager', 'scheduler.errors'),
                      {(e.importer, e.imported) for e in edges})

    def test_no_module_level_cycle(self):
        edges = [e for e in import_graph(PACKAGE) if not e.in_function]
        cycles = find_cycles(edges)
        self.assertEqual([], cycles, _describe(cycles))

    def test_no_cycle_closed_by_a_function_level_import(self):
        cycles = [cycle for cycle in find_cycles(import_graph(PACKAGE))
                  if not _known(cycle)]
        self.assertEqual([], cycles, _describe(cycles))

    def test_known_dodges_still_close_a_cycle(self):
        closing = {edge.importer for cycle in find_cycles(
            import_graph(PACKAGE)) if _known(cycle) for edge in cycle
            if edge.in_function}
        self.assertEqual(set(KNOWN_DODGES), closing)


class DetectorTest(testtools.TestCase):
    """The detector finds what it is meant to find."""

    def _package(self, **sources: str) -> pathlib.Path:
        root = pathlib.Path(self.useFixture(fixtures.TempDir()).path) / 'pkg'
        root.mkdir()
        (root / '__init__.py').write_text('')
        for name, source in sources.items():
            (root / f'{name}.py').write_text(source)
        return root

    def test_function_level_import_closing_a_cycle(self):
        root = self._package(
            a='from pkg import b\n',
            b='def f():\n    from pkg import a\n    return a\n')
        cycles = find_cycles(import_graph(root))
        self.assertEqual(
            [['pkg.a:1 -> pkg.b', 'pkg.b:2 -> pkg.a (function-level)']],
            [list(map(str, cycle)) for cycle in cycles])

    def test_module_level_and_relative_imports(self):
        root = self._package(
            a='import pkg.b\n', b='from . import c\n',
            c='from pkg.a import name\n')
        cycles = find_cycles(import_graph(root))
        self.assertEqual([['pkg.a', 'pkg.b', 'pkg.c']],
                         [[e.importer for e in cycle] for cycle in cycles])
        self.assertFalse(any(e.in_function for e in cycles[0]))

    def test_type_checking_imports_left_out(self):
        root = self._package(
            a='from pkg import b\n',
            b='from typing import TYPE_CHECKING\n'
              'if TYPE_CHECKING:\n    from pkg import a\n')
        self.assertEqual([], find_cycles(import_graph(root)))


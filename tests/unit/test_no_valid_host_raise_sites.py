"""Every NoValidHost has a reason: guard the raise sites.

NoValidHost is only ever built from a request's frozen Explanation (so its
reason comes from a recorded stage), and every ``raise StageFailed`` is
preceded in the same block by ``recorder.fail(...)`` naming that stage.
"""

import ast
import pathlib

import testtools

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / 'scheduler'


def _sources():
    for path in sorted(PACKAGE.rglob('*.py')):
        yield path, ast.parse(path.read_text(), str(path))


def _called_name(node):
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


class RaiseSitesTest(testtools.TestCase):

    def test_no_valid_host_built_only_from_explanations(self):
        sites = []
        for path, tree in _sources():
            for node in ast.walk(tree):
                if (isinstance(node, ast.Call)
                        and _called_name(node) == 'NoValidHost'):
                    sites.append((path.name, node))
        self.assertTrue(sites, 'no NoValidHost construction found')
        for name, call in sites:
            self.assertGreaterEqual(len(call.args), 1, name)
            # The first argument is an Explanation (never a literal text).
            self.assertNotIsInstance(call.args[0], ast.Constant, name)

    def test_every_stage_failed_raise_records_a_stage(self):
        checked = 0
        for path, tree in _sources():
            for node in ast.walk(tree):
                body = getattr(node, 'body', None)
                blocks = [b for b in (body, getattr(node, 'orelse', None),
                                      getattr(node, 'handlers', None))
                          if isinstance(b, list)]
                for block in blocks:
                    for i, stmt in enumerate(block):
                        if not (isinstance(stmt, ast.Raise) and stmt.exc
                                and isinstance(stmt.exc, ast.Call)
                                and _called_name(stmt.exc) == 'StageFailed'):
                            continue
                        checked += 1
                        before = block[:i]
                        calls = [n for s in before for n in ast.walk(s)
                                 if isinstance(n, ast.Call)
                                 and _called_name(n) == 'fail']
                        self.assertTrue(
                            calls, f'{path.name}:{stmt.lineno} raises '
                            'StageFailed without recorder.fail(stage)')
        self.assertGreater(checked, 3)

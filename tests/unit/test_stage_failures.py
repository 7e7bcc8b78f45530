"""Every NoValidHost has a reason: guard the raise sites.

NoValidHost is only ever built from a request's frozen Explanation (so its
reason comes from a recorded stage), every StageFailed names the Stage
that failed, and only the manager writes a request's explanation.
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

    def test_every_stage_failure_names_its_stage(self):
        # StageFailed(stage, ...): the stage is a member of Stage (or a
        # choice between members), never a text or nothing.
        checked = 0
        for path, tree in _sources():
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call)
                        and _called_name(node) == 'StageFailed'):
                    continue
                checked += 1
                self.assertTrue(node.args, f'{path.name}:{node.lineno}')
                members = [n.attr for n in ast.walk(node.args[0])
                           if isinstance(n, ast.Attribute)
                           and isinstance(n.value, ast.Attribute)
                           and n.value.attr == 'Stage']
                self.assertTrue(
                    members, f'{path.name}:{node.lineno} raises '
                    'StageFailed without naming a Stage')
        self.assertGreater(checked, 5)

    def test_only_the_manager_writes_the_explanation(self):
        # Stages return results; the manager (and its choosing of hosts,
        # which orders and claims in rounds) assembles the explanation.
        writers = set()
        for path, tree in _sources():
            for node in ast.walk(tree):
                targets = []
                if isinstance(node, (ast.Assign, ast.AugAssign)):
                    targets = (node.targets if isinstance(node, ast.Assign)
                               else [node.target])
                for target in targets:
                    base = target.value if isinstance(
                        target, ast.Attribute) else None
                    if isinstance(base, ast.Attribute):
                        base = base.attr
                    elif isinstance(base, ast.Name):
                        base = base.id
                    if base in ('recorder', '_recorder'):
                        writers.add(path.name)
                if (isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Attribute)
                        and isinstance(node.func.value, (ast.Name,
                                                         ast.Attribute))
                        and getattr(node.func.value, 'id', getattr(
                            node.func.value, 'attr', None)) in (
                                'recorder', '_recorder')
                        and node.func.attr in ('fail', 'failed',
                                               'lose_hosts', 'timed',
                                               'timed_filter')):
                    writers.add(path.name)
        self.assertEqual({'manager.py', 'choosing.py'}, writers)

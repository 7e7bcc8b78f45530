"""Every filter's rejection carries a RejectionCode beside its text."""

import ast
import importlib
import inspect
import pathlib

import testtools

from scheduler.filters import base
from scheduler.filters import io_ops_filter
from scheduler.filters import metrics_filter
from scheduler.filters import num_instances_filter
from scheduler.filters import runner
from scheduler.filters import type_filter
from tests.unit import fakes
from tests.unit.filters import conf_fixture

FILTERS = pathlib.Path(base.__file__).parent
# The kind of refusal of each filter module, as the module names it.
EXPECTED = {
    'affinity_filter': base.RejectionCode.AFFINITY,
    'aggregate_image_properties_isolation': base.RejectionCode.AGGREGATE,
    'aggregate_instance_extra_specs': base.RejectionCode.AGGREGATE,
    'aggregate_multitenancy_isolation': base.RejectionCode.AGGREGATE,
    'compute_capabilities_filter': base.RejectionCode.CAPABILITIES,
    'compute_filter': base.RejectionCode.UNSCHEDULABLE,
    'image_props_filter': base.RejectionCode.IMAGE,
    'io_ops_filter': base.RejectionCode.INSUFFICIENT_RESOURCES,
    'isolated_hosts_filter': base.RejectionCode.IMAGE,
    'json_filter': base.RejectionCode.HINT,
    'metrics_filter': base.RejectionCode.METRICS,
    'num_instances_filter': base.RejectionCode.INSUFFICIENT_RESOURCES,
    'numa_topology_filter': base.RejectionCode.NUMA,
    'pci_passthrough_filter': base.RejectionCode.PCI,
    'type_filter': base.RejectionCode.AGGREGATE,
}


def _filter_modules():
    """Names of the modules under scheduler/filters defining a filter."""
    for path in sorted(FILTERS.glob('*.py')):
        module = importlib.import_module(f'scheduler.filters.{path.stem}')
        if path.stem != 'base' and any(
                issubclass(cls, base.BaseHostFilter)
                and cls.__module__ == module.__name__
                for _, cls in inspect.getmembers(module, inspect.isclass)):
            yield path.stem, path


def _reject_calls(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if (isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == 'reject'):
            yield node


class EveryFilterGivesACodeTest(testtools.TestCase):

    def test_every_module_names_its_code(self):
        found = {}
        for name, _path in _filter_modules():
            module = importlib.import_module(f'scheduler.filters.{name}')
            found[name] = getattr(module, 'CODE', None)
        # AllHostsFilter rejects nothing, so names no code.
        self.assertIsNone(found.pop('all_hosts_filter'))
        self.assertEqual(EXPECTED, found)

    def test_every_rejection_passes_the_code(self):
        checked = 0
        for name, path in _filter_modules():
            for call in _reject_calls(path):
                checked += 1
                code = call.args[1] if len(call.args) == 2 else None
                self.assertIsInstance(code, ast.Name, f'{name}:{call.lineno}')
                self.assertEqual('CODE', code.id, f'{name}:{call.lineno}')
        self.assertGreaterEqual(checked, len(EXPECTED))


class RejectionsCarryTheirCodeTest(testtools.TestCase):

    def _run(self, filter_, hosts, spec):
        return runner.run_filters([filter_], hosts, spec, index=0,
                                  is_rebuild=False).stages[0]

    def test_codes_counted_with_the_text_unchanged(self):
        conf = conf_fixture.make_conf(filter_scheduler={
            'max_io_ops_per_host': 1, 'max_instances_per_host': 1},
            metrics={'weight_setting': ['cpu.frequency=1']})
        busy = fakes.host('busy', num_io_ops=5, num_instances=5)
        idle = fakes.host('idle')
        agg = fakes.agg(1, 'a1', instance_type='m1.large')
        cases = [
            (io_ops_filter.IoOpsFilter(conf), [busy, idle],
             io_ops_filter.TOO_MANY_IO_OPS),
            (num_instances_filter.NumInstancesFilter(conf), [busy, idle],
             num_instances_filter.TOO_MANY_INSTANCES),
            (metrics_filter.MetricsFilter(conf), [busy],
             metrics_filter.MISSING_METRICS),
            (type_filter.AggregateTypeAffinityFilter(conf),
             [fakes.host('other', aggregates=[agg])],
             type_filter.FLAVOR_NOT_ALLOWED),
        ]
        for filter_, hosts, reason in cases:
            module = inspect.getmodule(filter_)
            stage = self._run(filter_, hosts, fakes.spec())
            self.assertEqual({reason: 1}, dict(stage.reasons), filter_.name)
            self.assertEqual({module.CODE: 1}, dict(stage.codes),
                             filter_.name)
            rejection = filter_.host_passes(hosts[0], fakes.spec())
            self.assertEqual(
                base.Rejection(filter_.name, reason, module.CODE), rejection)

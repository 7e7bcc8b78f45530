"""nova 34's other host filters against ours on generated cases.

Every filter here except NUMATopologyFilter and PciPassthroughFilter: for
each generated world (hosts, aggregates with the metadata the filter
reads, instances), request (hints, flavor, project, image) and
configuration, our filter must pass and reject the same hosts as nova's
class, and the chain of all of them must leave the same hosts.

Deliberate differences, checked as such rather than skipped:

* AggregateInstanceExtraSpecsFilter: nova raises when a numeric operator
  meets a non-numeric value (or on a bare ``<or>``) if it happens to try
  that value before a matching one; ours must agree with nova run with
  such a value counting as no match.
* SimpleCIDRAffinityFilter: where nova raises on a malformed
  build_near_host_ip/cidr hint, ours must reject with BAD_NETWORK_HINT,
  and only there.
* JsonFilter: references to host attributes outside the allow-list must
  read as unknown: ours must agree with nova run on the query with those
  references replaced by an unknown name. Where nova raises, ours must
  reject as malformed, and only there. A JSON string as the whole query
  must be malformed for ours (nova reads it character by character).
* SameHostFilter, DifferentHostFilter: only instances of the request's
  project count; ours must agree with nova run on hosts without the other
  projects' instances (the tally shows how often that changed nova's
  answer).
"""

import collections
import logging
import warnings

import fixtures
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import testtools

from scheduler.filters import affinity_filter
from scheduler.filters import aggregate_image_properties_isolation as aipi
from scheduler.filters import aggregate_instance_extra_specs as aies
from scheduler.filters import aggregate_multitenancy_isolation as ami
from scheduler.filters import all_hosts_filter
from scheduler.filters import io_ops_filter
from scheduler.filters import isolated_hosts_filter
from scheduler.filters import json_filter
from scheduler.filters import metrics_filter
from scheduler.filters import num_instances_filter
from scheduler.filters import runner
from scheduler.filters import type_filter
from tests.compat.filters import generators as gen
from tests.compat.filters import judges
from tests.compat.filters import sides
from tests.compat.filters import specs

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    from nova.scheduler import filters as nova_filters
    from nova.scheduler.filters import affinity_filter as nova_affinity
    from nova.scheduler.filters import \
        aggregate_image_properties_isolation as nova_aipi
    from nova.scheduler.filters import \
        aggregate_instance_extra_specs as nova_aies
    from nova.scheduler.filters import \
        aggregate_multitenancy_isolation as nova_ami
    from nova.scheduler.filters import all_hosts_filter as nova_all
    from nova.scheduler.filters import io_ops_filter as nova_io
    from nova.scheduler.filters import isolated_hosts_filter as nova_iso
    from nova.scheduler.filters import json_filter as nova_json
    from nova.scheduler.filters import metrics_filter as nova_metrics
    from nova.scheduler.filters import num_instances_filter as nova_num
    from nova.scheduler.filters import type_filter as nova_type

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.data_too_large])


def _all_hints():
    return st.tuples(specs.instance_hints(), specs.cidr_hints(),
                     specs.query_hints()).map(
        lambda parts: {k: v for part in parts for k, v in part.items()})


@st.composite
def cases(draw, keys=(), hints=None, extra_specs=None,
          projects=specs.PROJECTS):
    world = draw(gen.worlds(metadata=gen.filter_metadata(keys or ('other',))))
    names = [h.name for h in world.hosts]
    return (world,
            draw(specs.filter_request_spec(names, hints, extra_specs,
                                           projects)),
            draw(specs.filter_config()))


def _is_rebuild(spec):
    return spec.scheduler_hints.get('_nova_check_type') == ('rebuild',)


class MoreFilterParityTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.useFixture(fixtures.FakeLogger(name='nova',
                                            level=logging.WARNING))
        self.useFixture(fixtures.FakeLogger(name='scheduler',
                                            level=logging.ERROR))
        self.tally = collections.Counter()

    def _host_by_host(self, nova_cls, our_cls, case, judge):
        world, nova_spec_in, overrides = case
        with sides.configured(overrides) as conf:
            nova_spec, spec = sides.spec_pair(nova_spec_in)
            judge.prepare(nova_spec)
            pairs = sides.host_pairs(world, conf)
            nova_filter = nova_cls()
            ours = our_cls(conf)
            for nova_host, our_host in pairs:
                outcome = runner.run_filters(
                    [ours], [our_host], spec, index=0,
                    is_rebuild=_is_rebuild(spec))
                passed = bool(outcome.hosts)
                reasons = outcome.stages[0].reasons
                reason = None if passed else next(iter(reasons))
                expected = judge.expected(nova_filter, nova_host, nova_spec,
                                          reason)
                self.assertEqual(expected, passed,
                                 f'{our_cls.__name__} on {our_host.host}')
                self.tally['passed' if passed else 'rejected'] += 1

    def _run_property(self, nova_cls, our_cls, keys=(), hints=None,
                      extra_specs=None, judge=judges.Judge, rejects=True,
                      projects=specs.PROJECTS):
        count = 0
        judge = judge(self)

        @SETTINGS
        @given(case=cases(keys, hints, extra_specs, projects))
        def check(case):
            nonlocal count
            self._host_by_host(nova_cls, our_cls, case, judge)
            count += 1

        check()
        sides.record_examples(self.id(), count, self.tally)
        self.assertGreater(count, 100)
        # The cases must exercise both outcomes, not only one.
        self.assertGreater(self.tally['passed'], 20, self.tally)
        if rejects:
            self.assertGreater(self.tally['rejected'], 20, self.tally)
        else:
            self.assertEqual(0, self.tally['rejected'], self.tally)

    def test_aggregate_image_properties_isolation(self):
        self._run_property(nova_aipi.AggregateImagePropertiesIsolation,
                           aipi.AggregateImagePropertiesIsolation,
                           gen.IMAGE_KEYS)

    def test_aggregate_instance_extra_specs_filter(self):
        self._run_property(nova_aies.AggregateInstanceExtraSpecsFilter,
                           aies.AggregateInstanceExtraSpecsFilter,
                           gen.EXTRA_SPEC_KEYS,
                           extra_specs=specs.aggregate_extra_specs(),
                           judge=judges.ExtraSpecsJudge)
        self.assertGreater(self.tally['nova_raised'], 0, self.tally)

    def test_io_ops_filter(self):
        self._run_property(nova_io.IoOpsFilter, io_ops_filter.IoOpsFilter,
                           gen.IO_KEYS)

    def test_aggregate_io_ops_filter(self):
        self._run_property(nova_io.AggregateIoOpsFilter,
                           io_ops_filter.AggregateIoOpsFilter, gen.IO_KEYS)

    def test_aggregate_multitenancy_isolation(self):
        self._run_property(nova_ami.AggregateMultiTenancyIsolation,
                           ami.AggregateMultiTenancyIsolation,
                           gen.TENANT_KEYS)

    def test_num_instances_filter(self):
        self._run_property(nova_num.NumInstancesFilter,
                           num_instances_filter.NumInstancesFilter,
                           gen.NUM_INSTANCES_KEYS)

    def test_aggregate_num_instances_filter(self):
        self._run_property(nova_num.AggregateNumInstancesFilter,
                           num_instances_filter.AggregateNumInstancesFilter,
                           gen.NUM_INSTANCES_KEYS)

    def test_aggregate_type_affinity_filter(self):
        self._run_property(nova_type.AggregateTypeAffinityFilter,
                           type_filter.AggregateTypeAffinityFilter,
                           gen.TYPE_KEYS)

    def test_all_hosts_filter(self):
        self._run_property(nova_all.AllHostsFilter,
                           all_hosts_filter.AllHostsFilter, rejects=False)

    def test_isolated_hosts_filter(self):
        self._run_property(nova_iso.IsolatedHostsFilter,
                           isolated_hosts_filter.IsolatedHostsFilter)

    def test_metrics_filter(self):
        self._run_property(nova_metrics.MetricsFilter,
                           metrics_filter.MetricsFilter)

    def test_same_host_filter(self):
        self._run_property(nova_affinity.SameHostFilter,
                           affinity_filter.SameHostFilter,
                           hints=specs.instance_hints(),
                           judge=judges.OwnProjectJudge,
                           # Projects that own instances in the worlds.
                           projects=gen.INSTANCE_PROJECTS)
        self.assertGreater(
            self.tally['other_project_would_change_result'], 5, self.tally)

    def test_different_host_filter(self):
        self._run_property(nova_affinity.DifferentHostFilter,
                           affinity_filter.DifferentHostFilter,
                           hints=specs.instance_hints(),
                           judge=judges.OwnProjectJudge,
                           # Projects that own instances in the worlds.
                           projects=gen.INSTANCE_PROJECTS)
        self.assertGreater(
            self.tally['other_project_would_change_result'], 5, self.tally)

    def test_simple_cidr_affinity_filter(self):
        self._run_property(nova_affinity.SimpleCIDRAffinityFilter,
                           affinity_filter.SimpleCIDRAffinityFilter,
                           hints=specs.cidr_hints(), judge=judges.CidrJudge)
        self.assertGreater(self.tally['nova_raised'], 20, self.tally)

    def test_json_filter(self):
        self._run_property(nova_json.JsonFilter, json_filter.JsonFilter,
                           hints=specs.query_hints(), judge=judges.JsonJudge)
        for key in ('nova_raised', 'hidden_refs'):
            self.assertGreater(self.tally[key], 5, self.tally)
        for key in ('string_query', 'internals_would_change_result'):
            self.assertGreater(self.tally[key], 0, self.tally)

    def test_chain(self):
        """All of them in one chain, for the first and a later instance;
        cases where nova raises are checked host by host above."""
        pairs_of_classes = [
            (nova_aipi.AggregateImagePropertiesIsolation,
             aipi.AggregateImagePropertiesIsolation),
            (nova_aies.AggregateInstanceExtraSpecsFilter,
             aies.AggregateInstanceExtraSpecsFilter),
            (nova_io.AggregateIoOpsFilter, io_ops_filter.AggregateIoOpsFilter),
            (nova_ami.AggregateMultiTenancyIsolation,
             ami.AggregateMultiTenancyIsolation),
            (nova_num.AggregateNumInstancesFilter,
             num_instances_filter.AggregateNumInstancesFilter),
            (nova_type.AggregateTypeAffinityFilter,
             type_filter.AggregateTypeAffinityFilter),
            (nova_all.AllHostsFilter, all_hosts_filter.AllHostsFilter),
            (nova_affinity.DifferentHostFilter,
             affinity_filter.DifferentHostFilter),
            (nova_io.IoOpsFilter, io_ops_filter.IoOpsFilter),
            (nova_iso.IsolatedHostsFilter,
             isolated_hosts_filter.IsolatedHostsFilter),
            (nova_json.JsonFilter, json_filter.JsonFilter),
            (nova_metrics.MetricsFilter, metrics_filter.MetricsFilter),
            (nova_num.NumInstancesFilter,
             num_instances_filter.NumInstancesFilter),
            (nova_affinity.SameHostFilter, affinity_filter.SameHostFilter),
            (nova_affinity.SimpleCIDRAffinityFilter,
             affinity_filter.SimpleCIDRAffinityFilter),
        ]
        count = compared = 0
        judge = judges.JsonJudge(self)

        @SETTINGS
        @given(case=cases(gen.ALL_FILTER_KEYS, _all_hints(),
                          specs.aggregate_extra_specs()),
               index=st.sampled_from([0, 1]))
        def check(case, index):
            nonlocal count, compared
            count += 1
            world, nova_spec_in, overrides = case
            with sides.configured(overrides) as conf:
                nova_spec, spec = sides.spec_pair(nova_spec_in)
                judge.prepare(nova_spec)
                if judge.string_query:
                    return
                pairs = sides.host_pairs(world, conf)
                for nova_host, _ in pairs:
                    # Only Same/DifferentHostFilter read the instances
                    # here; ours count the request's project's only.
                    nova_host.instances = {
                        u: i for u, i in nova_host.instances.items()
                        if i.project_id == nova_spec.project_id}
                try:
                    nova_passed = nova_filters.HostFilterHandler() \
                        .get_filtered_objects(
                            [n() for n, _ in pairs_of_classes],
                            [n for n, _ in pairs], nova_spec, index)
                except Exception:
                    return
                outcome = runner.run_filters(
                    [o(conf) for _, o in pairs_of_classes],
                    [o for _, o in pairs], spec, index=index,
                    is_rebuild=_is_rebuild(spec))
                self.assertEqual(
                    [(h.host, h.nodename) for h in nova_passed],
                    [(h.host, h.nodename) for h in outcome.hosts])
                compared += 1
                if outcome.hosts:
                    self.tally['hosts_left'] += 1

        check()
        sides.record_examples(self.id(), count,
                              {'compared': compared, **self.tally})
        self.assertGreater(compared, count // 3)
        self.assertGreater(self.tally['hosts_left'], 10)

"""JsonFilter, including the hardened handling of the query hint."""

import json

import testtools

from scheduler.filters import json_filter as jf
from tests.unit import fakes
from tests.unit.filters import conf_fixture


def _host(**fields):
    fields.setdefault('free_ram_mb', 1024)
    fields.setdefault('free_disk_mb', 200 * 1024)
    fields.setdefault('vcpus_total', 8)
    fields.setdefault('vcpus_used', 2)
    fields.setdefault('hypervisor_type', 'QEMU')
    fields.setdefault('hypervisor_version', 8002000)
    fields.setdefault('num_instances', 3)
    fields.setdefault('host_ip', '10.0.0.5')
    fields.setdefault('stats', {'num_proj_secret': '2'})
    fields.setdefault('instances', {'victim-uuid': 'other-project'})
    fields.setdefault('cpu_info', '{"arch": "x86_64"}')
    return fakes.host('h1', **fields)


def _spec(*queries, may_target_hosts=False):
    return fakes.spec(scheduler_hints={'query': tuple(queries)},
                      may_target_hosts=may_target_hosts)


class JsonFilterTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.filter = jf.JsonFilter(conf_fixture.make_conf())

    def reason(self, query, host=None):
        text = query if isinstance(query, str) else json.dumps(query)
        rejection = self.filter.host_passes(host or _host(), _spec(text))
        return None if rejection is None else rejection.reason

    def passes(self, query, host=None):
        reason = self.reason(query, host)
        self.assertIn(reason, (None, jf.NOT_SATISFIED))
        return reason is None

    def test_no_query_passes(self):
        self.assertIsNone(self.filter.host_passes(_host(), fakes.spec()))
        self.assertIsNone(self.filter.host_passes(_host(), _spec('')))
        self.assertIsNone(self.filter.host_passes(_host(), _spec()))

    def test_comparisons(self):
        self.assertTrue(self.passes(['>=', '$free_ram_mb', 1024]))
        self.assertFalse(self.passes(['>', '$free_ram_mb', 1024]))
        self.assertTrue(self.passes(['<', '$vcpus_used', 3, 4]))
        self.assertFalse(self.passes(['<', '$vcpus_used', 3, 1]))
        self.assertTrue(self.passes(['=', '$hypervisor_type', 'QEMU']))
        self.assertTrue(self.passes(['in', '$hypervisor_type', 'x',
                                     'QEMU']))
        self.assertFalse(self.passes(['in', '$hypervisor_type']))
        self.assertFalse(self.passes(['=', 1]))

    def test_boolean_operators(self):
        self.assertTrue(self.passes(
            ['and', ['>=', '$free_ram_mb', 512],
             ['or', ['=', '$num_instances', 0],
              ['<=', '$num_instances', 3]]]))
        self.assertFalse(self.passes(
            ['and', ['>=', '$free_ram_mb', 512],
             ['>', '$free_disk_mb', 1e9]]))
        # 'not' gives a list; a list result passes if any element is true.
        self.assertTrue(self.passes(['not', ['=', 1, 1], ['=', 1, 2]]))
        self.assertFalse(self.passes(['not', ['=', 1, 1]]))

    def test_nested_empty_list_is_true(self):
        self.assertTrue(self.passes(['and', []]))

    def test_unknown_and_null_arguments_dropped(self):
        self.assertTrue(self.passes(['=', '$free_ram_mb', None, '',
                                     '$nope', 1024]))
        self.assertFalse(self.passes(['=', '$nope', 1024]))
        host = _host(hypervisor_version=None)
        self.assertFalse(self.passes(['>', '$hypervisor_version', 1], host))

    def test_falsy_queries_pass(self):
        for query in ('null', 'false', '0', '[]', '{}', '""'):
            self.assertIsNone(self.reason(query), query)

    def test_malformed_json_rejects_cleanly(self):
        for query in ('[', 'not json', '  ', "['=', 1, 1]", '[1,]'):
            self.assertEqual(jf.MALFORMED, self.reason(query), query)

    def test_malformed_queries_reject_cleanly(self):
        for query in (
                ['!=', 1, 2],                   # unknown operator
                [['=', 1, 1]],                  # unhashable operator
                [5, 1],
                {'=': [1, 1]},                  # an object as the query
                5, True,
                ['<', 'a', 1],                  # cannot be ordered
                ['<', {'a': 1}, {'b': 2}],
                ['<', ['not', True], 1],
                ['>', '$free_ram_mb.x', 1],     # path into a number
                ['>=', '$hypervisor_type.x', 'a'],
                ['or', ['=', 1, 1], ['xor', 1]],
                ['not', ['<', 5, 3, 'x']],     # fails after a False pair
        ):
            self.assertEqual(jf.MALFORMED, self.reason(query), query)

    def test_json_string_query_is_malformed(self):
        # nova would read "=aa" character by character and pass.
        self.assertEqual(jf.MALFORMED, self.reason('"=aa"'))

    def test_several_query_hints_are_malformed(self):
        rejection = self.filter.host_passes(
            _host(), _spec('["=", 1, 1]', '["=", 1, 1]'))
        self.assertEqual(jf.MALFORMED, rejection.reason)

    def test_too_deep_is_malformed(self):
        deep = ['=', 1, 1]
        for _ in range(jf.MAX_DEPTH):
            deep = ['and', deep]
        self.assertEqual(jf.MALFORMED, self.reason(deep))
        shallow = ['=', 1, 1]
        for _ in range(jf.MAX_DEPTH - 2):
            shallow = ['and', shallow]
        self.assertIsNone(self.reason(shallow))
        self.assertEqual(jf.MALFORMED,
                         self.reason('[' * 100000 + ']' * 100000))

    def test_allowed_attributes_readable(self):
        host = _host()
        for name in jf.ATTRIBUTES:
            value = getattr(host, name)
            self.assertTrue(self.passes(['=', f'${name}', value], host),
                            name)

    def test_internals_are_not_readable(self):
        # nova lets these be read: an oracle on other projects' servers
        # and host internals, or a way to pin a host by name.
        host = _host()
        for ref, value in (('$instances.victim-uuid', 'other-project'),
                           ('$stats.num_proj_secret', '2'),
                           ('$host', 'h1'), ('$nodename', 'h1'),
                           ('$host_ip', '10.0.0.5'),
                           ('$cpu_info', '{"arch": "x86_64"}'),
                           ('$service.disabled', False),
                           ('$service', None), ('$aggregates', None),
                           ('$metrics', None), ('$limits', None),
                           ('$__class__', None), ('$host_passes', None)):
            # Read as unknown: dropped, so '=' has one argument left.
            self.assertFalse(self.passes(['=', ref, value], host), ref)
            self.assertTrue(self.passes(['=', 1, ref, 1], host), ref)

    def test_reasons(self):
        rejection = self.filter.host_passes(
            _host(), _spec('["=", "$host", "victim"]'))
        self.assertEqual('JsonFilter', rejection.filter_name)
        self.assertEqual(jf.NOT_SATISFIED, rejection.reason)

    def test_flags(self):
        self.assertFalse(jf.JsonFilter.run_filter_once_per_request)
        self.assertFalse(jf.JsonFilter.RUN_ON_REBUILD)

    def test_host_names_readable_when_caller_may_target_hosts(self):
        # nova's test_filter_on_hypervisor_hostname: an admin boots on one
        # ironic node by name.
        query = json.dumps(['=', '$hypervisor_hostname', 'node-2'])
        hosts = [_host(hypervisor_hostname=f'node-{i}') for i in (1, 2, 3)]
        spec = _spec(query, may_target_hosts=True)
        passed = [h for h in hosts if self.filter.host_passes(h, spec) is None]
        self.assertEqual([hosts[1]], passed)
        for ref, value in (('$host', 'h1'), ('$nodename', 'h1'),
                           ('$hypervisor_hostname', 'node-1')):
            host = hosts[0]
            self.assertIsNone(self.filter.host_passes(host, _spec(
                json.dumps(['=', ref, value]), may_target_hosts=True)), ref)
            self.assertEqual(jf.NOT_SATISFIED, self.filter.host_passes(
                host, _spec(json.dumps(['=', ref, 'other']),
                            may_target_hosts=True)).reason, ref)
            # A path into the name is malformed, as for any plain value.
            self.assertEqual(jf.MALFORMED, self.filter.host_passes(
                host, _spec(json.dumps(['=', f'{ref}.x', 1]),
                            may_target_hosts=True)).reason, ref)

    def test_host_names_unknown_for_other_callers(self):
        host = _host(hypervisor_hostname='node-1')
        for ref, value in (('$host', 'h1'), ('$nodename', 'h1'),
                           ('$hypervisor_hostname', 'node-1')):
            # Dropped: '=' has one argument left and fails.
            self.assertFalse(self.passes(['=', ref, value], host), ref)
            self.assertTrue(self.passes(['=', 1, ref, 1], host), ref)

    def test_only_host_names_are_added_for_targeting_callers(self):
        # Everything else outside the allow-list stays unknown.
        host = _host()
        for ref, value in (('$instances.victim-uuid', 'other-project'),
                           ('$stats.num_proj_secret', '2'),
                           ('$host_ip', '10.0.0.5'),
                           ('$cpu_info', '{"arch": "x86_64"}'),
                           ('$service.disabled', False),
                           ('$uuid', 'uuid-h1-h1')):
            spec = _spec(json.dumps(['=', ref, value]),
                         may_target_hosts=True)
            self.assertEqual(jf.NOT_SATISFIED, self.filter.host_passes(
                host, spec).reason, ref)

"""Destinations, forced hosts, hints and the limit; the §3.1 example."""

from scheduler.objects import destination
from scheduler.objects import request_group as rg
from scheduler.placement import errors
from tests.unit.placement import test_query as base

CN = base.CN
spec = base.spec


class Resolver:
    """Compute node uuids by (host, node), recording every lookup."""

    def __init__(self, nodes):
        self.nodes = nodes
        self.calls = []

    def __call__(self, host, node):
        self.calls.append((host, node))
        return self.nodes


class TestDestination(base.QueryTestCase):

    def test_aggregates_and_forbidden_aggregates(self):
        dest = destination.Destination(
            aggregates=('a2,a1', 'a3'),
            forbidden_aggregates=frozenset({'f2', 'f1'}))
        qs = base.params(base.build(spec(requested_destination=dest))
                         .to_querystring())
        self.assertIn(('member_of', 'in:a1,a2'), qs)
        self.assertIn(('member_of', 'in:a3'), qs)
        self.assertIn(('member_of', '!in:f1,f2'), qs)

    def test_single_node_pins_in_tree_and_keeps_limit(self):
        resolver = Resolver([CN])
        dest = destination.Destination(host='h1', node='n1')
        q = base.build(spec(requested_destination=dest),
                       resolve_target=resolver)
        self.assertEqual(CN, q.in_tree)
        self.assertEqual(1000, q.limit)
        self.assertEqual([('h1', 'n1')], resolver.calls)

    def test_requested_destination_wins_over_forced_host(self):
        resolver = Resolver([CN])
        dest = destination.Destination(host='h1')
        base.build(spec(requested_destination=dest, force_hosts=('old',),
                        force_nodes=('n9',)), resolve_target=resolver)
        self.assertEqual([('h1', 'n9')], resolver.calls)

    def test_forced_host_and_node(self):
        resolver = Resolver([CN])
        base.build(spec(force_hosts=('h2', 'h3'), force_nodes=('n2',)),
                   resolve_target=resolver)
        self.assertEqual([('h2', 'n2')], resolver.calls)

    def test_several_nodes_drop_the_limit(self):
        q = base.build(spec(force_hosts=('h1',)),
                       resolve_target=Resolver([CN, CN.replace('1', '2')]))
        self.assertIsNone(q.limit)
        self.assertIsNone(q.in_tree)
        self.assertNotIn('limit', self.qs(spec(force_hosts=('h1',)),
                                          resolve_target=Resolver([1, 2])))

    def test_unknown_target(self):
        exc = self.assertRaises(errors.TargetNotFound, base.build,
                                spec(force_nodes=('n1',)),
                                resolve_target=Resolver([]))
        self.assertEqual((None, 'n1'), (exc.host, exc.node))
        self.assertEqual('No such host - host: None node: n1 ', exc.reason)

    def test_target_without_resolver_drops_the_limit(self):
        q = base.build(spec(force_hosts=('h1',)))
        self.assertIsNone(q.limit)

    def test_no_target_means_no_lookup(self):
        resolver = Resolver([])
        q = base.build(spec(), resolve_target=resolver)
        self.assertEqual([], resolver.calls)
        self.assertEqual(1000, q.limit)

    def test_affinity_hints_drop_the_limit(self):
        for hint in ('group', 'same_host', 'different_host'):
            q = base.build(spec(scheduler_hints={hint: ('x',)}))
            self.assertIsNone(q.limit, hint)
        q = base.build(spec(scheduler_hints={'build_near_host_ip': ('x',)}),
                       max_placement_results=7)
        self.assertEqual(7, q.limit)
        self.assertEqual('7', self.qs(spec(), max_placement_results=7)[
            'limit'])


class TestNovaCompatExample(base.QueryTestCase):
    """The example query of NOVA_COMPAT §3.1, from a RequestSpec."""

    def test_example_querystring(self):
        flv = base.flavor(vcpus=2, memory_mb=2048, root_gb=20, swap=600, **{
            'resources1:CUSTOM_FOO': '1', 'trait1:CUSTOM_BAR': 'required',
            'trait:HW_CPU_X86_AVX2': 'required',
            'trait:CUSTOM_NO': 'forbidden', 'group_policy': 'isolate'})
        port = rg.RequestGroup(
            requester_id='PORT',
            resources={'NET_BW_EGR_KILOBIT_PER_SEC': 1000},
            required_traits=frozenset({'CUSTOM_PHYSNET_A'}))
        s = spec(
            flv, requested_resources=(port,),
            requested_destination=destination.Destination(
                host='h1', aggregates=('a1,a2', 'a3'),
                forbidden_aggregates=frozenset({'f1'})),
            request_level_params=rg.RequestLevelParams(
                root_required=frozenset({'X'}),
                root_forbidden=frozenset({'COMPUTE_STATUS_DISABLED'}),
                same_subtree=(('1', 'PORT'),)))
        q = base.build(s, resolve_target=Resolver([CN]))
        expected = (
            'group_policy=isolate'
            f'&in_tree={CN}'
            '&limit=1000'
            '&member_of=%21in%3Af1'
            '&member_of=in%3Aa1%2Ca2'
            '&member_of=in%3Aa3'
            '&required=HW_CPU_X86_AVX2%2C%21CUSTOM_NO'
            '&required1=CUSTOM_BAR'
            '&requiredPORT=CUSTOM_PHYSNET_A'
            '&resources=DISK_GB%3A21%2CMEMORY_MB%3A2048%2CVCPU%3A2'
            '&resources1=CUSTOM_FOO%3A1'
            '&resourcesPORT=NET_BW_EGR_KILOBIT_PER_SEC%3A1000'
            '&root_required=X%2C%21COMPUTE_STATUS_DISABLED'
            '&same_subtree=1%2CPORT')
        self.assertEqual(expected, q.to_querystring())
        self.assertEqual((('a1', 'a2'), ('a3',)), q.member_of)
        self.assertEqual(frozenset({'f1'}), q.forbidden_aggregates)
        self.assertEqual(
            {'DISK_GB': 21, 'MEMORY_MB': 2048, 'VCPU': 2, 'CUSTOM_FOO': 1,
             'NET_BW_EGR_KILOBIT_PER_SEC': 1000}, q.merged_resources())

import testtools

from scheduler.pipeline import host_constraints
from scheduler.objects import destination
from tests.unit import fakes


class HostConstraintsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.hosts = [fakes.host('Host1', 'n1'), fakes.host('host1', 'n2'),
                      fakes.host('host2', 'n3'), fakes.host('host3', 'n4')]

    def names(self, result):
        return [(h.host, h.nodename) for h in result.hosts]

    def test_no_constraints_keeps_all_and_runs_filters(self):
        result = host_constraints.apply(self.hosts, fakes.spec())
        self.assertEqual(4, len(result.hosts))
        self.assertFalse(result.skip_filters)
        self.assertEqual((), result.steps)

    def test_requested_destination_host_and_node(self):
        spec = fakes.spec(requested_destination=destination.Destination(
            host='host1', node='n2'))
        result = host_constraints.apply(self.hosts, spec)
        self.assertEqual([('host1', 'n2')], self.names(result))
        self.assertEqual('requested_destination', result.steps[0].name)
        self.assertEqual(3, result.steps[0].removed)
        self.assertFalse(result.skip_filters)

    def test_requested_destination_is_case_sensitive(self):
        spec = fakes.spec(requested_destination=destination.Destination(
            host='host1'))
        self.assertEqual([('host1', 'n2')],
                         self.names(host_constraints.apply(self.hosts, spec)))

    def test_ignore_hosts_case_insensitive(self):
        spec = fakes.spec(ignore_hosts=('HOST1',))
        result = host_constraints.apply(self.hosts, spec)
        self.assertEqual([('host2', 'n3'), ('host3', 'n4')],
                         self.names(result))
        self.assertEqual(2, result.steps[0].removed)

    def test_force_hosts_skips_filters(self):
        spec = fakes.spec(force_hosts=('host2',))
        result = host_constraints.apply(self.hosts, spec)
        self.assertEqual([('host2', 'n3')], self.names(result))
        self.assertTrue(result.skip_filters)

    def test_force_nodes_exact(self):
        spec = fakes.spec(force_nodes=('n4', 'N3'))
        result = host_constraints.apply(self.hosts, spec)
        self.assertEqual([('host3', 'n4')], self.names(result))
        self.assertTrue(result.skip_filters)

    def test_forced_with_check_type_still_filters(self):
        spec = fakes.spec(force_hosts=('host2',),
                          scheduler_hints={'_nova_check_type': ('rebuild',)})
        result = host_constraints.apply(self.hosts, spec)
        self.assertFalse(result.skip_filters)

    def test_ignore_everything_returns_nothing(self):
        spec = fakes.spec(ignore_hosts=('host1', 'host2', 'host3'),
                          force_hosts=('host1',))
        result = host_constraints.apply(self.hosts, spec)
        self.assertEqual((), result.hosts)
        self.assertFalse(result.skip_filters)

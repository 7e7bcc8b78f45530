"""Server group affinity and anti-affinity filters."""

import testtools

from scheduler.filters import affinity_filter as af
from scheduler.objects import instance_group
from tests.unit import fakes
from tests.unit.filters import conf_fixture


def _spec(policy, members=(), hosts=(), rules=None, instance_uuid=None):
    group = instance_group.InstanceGroup(
        uuid='g1', policy=policy, policies=(policy,), members=members,
        hosts=hosts, rules=rules or {})
    return fakes.spec(instance_group=group, instance_uuid=instance_uuid)


class AntiAffinityTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.filter = af.ServerGroupAntiAffinityFilter(
            conf_fixture.make_conf())

    def check(self, host, spec):
        rejection = self.filter.host_passes(host, spec)
        return None if rejection is None else rejection.reason

    def test_no_group_or_other_policy(self):
        host = fakes.host('h1', instances={'m1': None})
        self.assertIsNone(self.check(host, fakes.spec()))
        self.assertIsNone(self.check(host, _spec('affinity', ('m1',))))
        self.assertIsNone(self.check(host,
                                     _spec('soft-anti-affinity', ('m1',))))

    def test_member_on_host_rejects(self):
        host = fakes.host('h1', instances={'m1': None, 'x': None})
        self.assertEqual(af.GROUP_FULL, self.check(
            host, _spec('anti-affinity', ('m1', 'm2'))))
        self.assertIsNone(self.check(
            fakes.host('h2', instances={'x': None}),
            _spec('anti-affinity', ('m1', 'm2'))))

    def test_max_server_per_host(self):
        host = fakes.host('h1', instances={'m1': None, 'm2': None})
        members = ('m1', 'm2', 'm3')
        self.assertIsNone(self.check(host, _spec(
            'anti-affinity', members, rules={'max_server_per_host': '3'})))
        self.assertEqual(af.GROUP_FULL, self.check(host, _spec(
            'anti-affinity', members, rules={'max_server_per_host': '2'})))

    def test_instance_already_on_host_passes(self):
        host = fakes.host('h1', instances={'m1': None, 'me': None})
        self.assertIsNone(self.check(host, _spec(
            'anti-affinity', ('m1', 'me'), instance_uuid='me')))

    def test_flags(self):
        self.assertFalse(af.ServerGroupAntiAffinityFilter.RUN_ON_REBUILD)
        self.assertFalse(
            af.ServerGroupAntiAffinityFilter.run_filter_once_per_request)


class AffinityTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.filter = af.ServerGroupAffinityFilter(conf_fixture.make_conf())

    def check(self, host, spec):
        rejection = self.filter.host_passes(host, spec)
        return None if rejection is None else rejection.reason

    def test_no_group_or_other_policy(self):
        self.assertIsNone(self.check(fakes.host('h1'), fakes.spec()))
        self.assertIsNone(self.check(fakes.host('h1'),
                                     _spec('anti-affinity', hosts=('h2',))))

    def test_no_hosts_yet_passes(self):
        self.assertIsNone(self.check(fakes.host('h1'), _spec('affinity')))

    def test_only_group_hosts(self):
        spec = _spec('affinity', hosts=('h2', 'h3'))
        self.assertIsNone(self.check(fakes.host('h2'), spec))
        rejection = self.filter.host_passes(fakes.host('h1'), spec)
        self.assertEqual(('ServerGroupAffinityFilter', af.NOT_GROUP_HOST),
                         (rejection.filter_name, rejection.reason))

    def test_reads_policy_not_policies(self):
        group = instance_group.InstanceGroup(
            policy='affinity', policies=(), hosts=('h2',))
        spec = fakes.spec(instance_group=group)
        self.assertIsNotNone(self.filter.host_passes(fakes.host('h1'),
                                                     spec))

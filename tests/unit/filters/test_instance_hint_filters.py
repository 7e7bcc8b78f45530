"""SameHostFilter, DifferentHostFilter and SimpleCIDRAffinityFilter."""

import testtools

from scheduler.filters import affinity_filter as af
from tests.unit import fakes
from tests.unit.filters import conf_fixture


def _spec(project='p1', **hints):
    return fakes.spec(project_id=project, scheduler_hints={
        k: (v,) if isinstance(v, str) else tuple(v)
        for k, v in hints.items()})


class SameDifferentHostTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        conf = conf_fixture.make_conf()
        self.same = af.SameHostFilter(conf)
        self.different = af.DifferentHostFilter(conf)
        self.host = fakes.host('h1', instances={'a': 'p1', 'b': 'p1',
                                                'c': 'p2', 'd': None})
        self.empty = fakes.host('h2')

    def check(self, filter_, host, **hints):
        return filter_.host_passes(host, _spec(**hints)) is None

    def test_no_hint_passes(self):
        for f in (self.same, self.different):
            self.assertTrue(self.check(f, self.host))
            self.assertTrue(self.check(f, self.empty))

    def test_empty_hint_passes(self):
        # nova: an empty list or empty string is no hint at all.
        for value in ((), ''):
            self.assertTrue(self.check(self.same, self.empty,
                                       same_host=value))
            self.assertTrue(self.check(self.different, self.host,
                                       different_host=value))

    def test_same_host(self):
        self.assertTrue(self.check(self.same, self.host, same_host='a'))
        self.assertTrue(self.check(self.same, self.host,
                                   same_host=['x', 'b']))
        self.assertFalse(self.check(self.same, self.host, same_host='x'))
        self.assertFalse(self.check(self.same, self.empty, same_host='a'))

    def test_different_host(self):
        self.assertFalse(self.check(self.different, self.host,
                                    different_host='a'))
        self.assertFalse(self.check(self.different, self.host,
                                    different_host=['x', 'b']))
        self.assertTrue(self.check(self.different, self.host,
                                   different_host='x'))
        self.assertTrue(self.check(self.different, self.empty,
                                   different_host='a'))

    def test_only_the_requests_project_counts(self):
        # c belongs to another project, d to an unknown one: as absent.
        for uuid in ('c', 'd'):
            self.assertFalse(self.check(self.same, self.host,
                                        same_host=uuid))
            self.assertTrue(self.check(self.different, self.host,
                                       different_host=uuid))
        self.assertTrue(self.check(self.same, self.host, project='p2',
                                   same_host='c'))
        self.assertFalse(self.check(self.different, self.host,
                                    project='p2', different_host='c'))

    def test_request_without_project_matches_no_instance(self):
        self.assertFalse(self.check(self.same, self.host, project=None,
                                    same_host='a'))
        self.assertTrue(self.check(self.different, self.host, project=None,
                                   different_host='a'))

    def test_flags(self):
        for cls in (af.SameHostFilter, af.DifferentHostFilter,
                    af.SimpleCIDRAffinityFilter):
            self.assertTrue(cls.run_filter_once_per_request)
            self.assertFalse(cls.RUN_ON_REBUILD)


class SimpleCIDRAffinityTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.filter = af.SimpleCIDRAffinityFilter(conf_fixture.make_conf())

    def reason(self, host_ip, **hints):
        rejection = self.filter.host_passes(
            fakes.host('h1', host_ip=host_ip), _spec(**hints))
        return None if rejection is None else rejection.reason

    def test_no_hint_passes(self):
        self.assertIsNone(self.reason('10.0.0.5'))
        self.assertIsNone(self.reason('10.0.0.5', cidr='/8'))
        self.assertIsNone(self.reason('10.0.0.5', build_near_host_ip=''))
        self.assertIsNone(self.reason('10.0.0.5', build_near_host_ip=()))

    def test_default_cidr_is_24(self):
        self.assertIsNone(self.reason('10.0.0.5',
                                      build_near_host_ip='10.0.0.200'))
        self.assertEqual(af.NOT_NEAR, self.reason(
            '10.0.1.5', build_near_host_ip='10.0.0.200'))

    def test_prefix_forms(self):
        near = '10.1.2.3'
        for cidr, inside, outside in (
                ('/16', '10.1.200.1', '10.2.0.1'),
                ('/255.255.0.0', '10.1.200.1', '10.2.0.1'),
                ('/0.0.255.255', '10.1.200.1', '10.2.0.1'),
                ('/32', '10.1.2.3', '10.1.2.4'),
                ('/0', '192.168.0.1', None),
                ('', '10.1.2.3', '10.1.2.4'),
                # Simply concatenated, as nova does: 10.1.2.34/32.
                ('4', '10.1.2.34', '10.1.2.3')):
            self.assertIsNone(self.reason(inside, build_near_host_ip=near,
                                          cidr=cidr), cidr)
            if outside:
                self.assertEqual(af.NOT_NEAR, self.reason(
                    outside, build_near_host_ip=near, cidr=cidr), cidr)

    def test_ipv6(self):
        self.assertIsNone(self.reason('fd00::1:5', build_near_host_ip='fd00::',
                                      cidr='/64'))
        self.assertEqual(af.NOT_NEAR, self.reason(
            'fd01::5', build_near_host_ip='fd00::', cidr='/64'))
        # Another family is never inside.
        self.assertEqual(af.NOT_NEAR, self.reason(
            '10.0.0.1', build_near_host_ip='fd00::', cidr='/0'))

    def test_malformed_hints_reject_cleanly(self):
        for near, cidr in (('not-an-ip', '/24'), ('10.0.0.1', '/33'),
                           ('10.0.0.1', '/x'), ('10.0.0.1', '/'),
                           ('10.0.0.1', '/-1'), ('10.0.1', '/24'),
                           ('010.0.0.1', '/24'), ('10.0.0.1/8', '/24'),
                           ('10.0.0.1', '/255.0.255.0'),
                           ('10.0.0.1', '/ffff::'), ('fe80::1%eth0', '/64'),
                           ('fd00::', '/129'),
                           ('10.0.0.1', ('/8', '/16')),
                           ('10.0.0.1', ()),
                           (('10.0.0.1', '10.0.0.2'), '/24')):
            self.assertEqual(af.BAD_NETWORK_HINT, self.reason(
                '10.0.0.1', build_near_host_ip=near, cidr=cidr),
                (near, cidr))

    def test_host_without_ip(self):
        self.assertEqual(af.NO_HOST_IP, self.reason(
            None, build_near_host_ip='10.0.0.1'))

    def test_parse_network(self):
        net = af.parse_network('192.168.1.7/255.255.255.0')
        self.assertEqual(24, net[1])
        self.assertEqual(128, af.parse_network('::1')[1])
        self.assertEqual(0, af.parse_network('10.0.0.0/0.0.0.0')[1])
        self.assertEqual(32, af.parse_network('10.0.0.0/255.255.255.255')[1])
        self.assertEqual(8, af.parse_network('10.0.0.0/ 8')[1])
        self.assertIsNone(af.parse_network('10.0.0.0/8/8'))

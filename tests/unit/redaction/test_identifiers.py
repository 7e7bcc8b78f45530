"""Keyed hashes of identifiers, the options behind them, TopHosts."""

import hashlib
import hmac
import re

import hypothesis
from hypothesis import strategies as st
from oslo_config import cfg
from oslo_config import fixture as config_fixture
import testtools

from scheduler import conf as conf_pkg
from scheduler import redaction
from scheduler.conf import hardened
from scheduler.redaction import identifiers as ids_mod
from tests.unit.redaction import fixtures

UUID = '1B4E28BA-2FA1-11D2-883F-0016D3CCA427'
HASH = re.compile(r'^(host|node|instance|aggregate|provider|uuid)~'
                  r'[0-9a-f]{12}$')


class DigestTest(testtools.TestCase):

    def test_format_and_mac(self):
        ids = fixtures.identifiers(key=b'k1')
        expected = hmac.new(b'k1', b'host\0compute-1',
                            hashlib.sha256).hexdigest()[:12]
        self.assertEqual(f'host~{expected}', ids.host('compute-1'))

    def test_same_key_same_hash(self):
        a = fixtures.identifiers(key=b'k1')
        b = fixtures.identifiers(key=b'k1')
        self.assertEqual(a.host('compute-1'), b.host('compute-1'))
        self.assertNotEqual(a.host('compute-1'), a.host('compute-2'))

    def test_other_key_other_hash(self):
        self.assertNotEqual(
            fixtures.identifiers(key=b'k1').host('compute-1'),
            fixtures.identifiers(key=b'k2').host('compute-1'))

    def test_kind_is_part_of_the_mac(self):
        ids = fixtures.identifiers()
        rendered = {ids.host('x'), ids.node('x'), ids.instance('x'),
                    ids.aggregate('x'), ids.provider('x')}
        self.assertEqual(5, len({r.split('~')[1] for r in rendered}))
        for text in rendered:
            self.assertRegex(text, HASH)

    def test_a_uuid_hashes_alike_whatever_its_kind(self):
        # Issue 13: one consumer showed as instance~A and uuid~B.
        ids = fixtures.identifiers()
        digits = {ids.digest(kind, UUID).split('~')[1]
                  for kind in ids_mod.KINDS}
        self.assertEqual({ids.digest('uuid', UUID.lower()).split('~')[1]},
                         digits)
        self.assertEqual(f'instance~{digits.pop()}', ids.instance(UUID))
        # A name's hash still depends on its kind.
        self.assertNotEqual(ids.host('cmp1').split('~')[1],
                            ids.node('cmp1').split('~')[1])

    def test_uuids_hash_whatever_their_case(self):
        ids = fixtures.identifiers()
        self.assertEqual(ids.instance(UUID), ids.instance(UUID.lower()))
        self.assertEqual(ids.provider(UUID), ids.provider(UUID.lower()))
        # Names are case-sensitive, as nova's host names are.
        self.assertNotEqual(ids.host('Compute'), ids.host('compute'))

    def test_clear_mode_shows_values(self):
        ids = fixtures.identifiers(clear=True)
        self.assertEqual('compute-1', ids.host('compute-1'))
        self.assertEqual(UUID, ids.instance(UUID))
        # digest() hashes whatever the mode (hash-identifier uses it).
        self.assertRegex(ids.digest('host', 'compute-1'), HASH)

    def test_none_is_shown_as_none(self):
        self.assertEqual('None', fixtures.identifiers().node(None))

    def test_key_is_not_in_repr(self):
        self.assertNotIn('s3cret', repr(
            fixtures.identifiers(key=b's3cret-key')))


class FreeUuidTest(testtools.TestCase):

    def test_free_uuids_hashed_request_ids_kept(self):
        ids = fixtures.identifiers()
        text = (f'req-{UUID.lower()} consumer {UUID.lower()} '
                f'global req-{UUID} (x{UUID}y) /providers/{UUID}/x')
        out = ids.hash_free_uuids(text)
        digest = ids.digest('uuid', UUID)
        self.assertEqual(
            f'req-{UUID.lower()} consumer {digest} global req-{UUID} '
            f'(x{UUID}y) /providers/{digest}/x', out)

    def test_clear_mode_keeps_uuids(self):
        text = f'consumer {UUID}'
        self.assertEqual(
            text, fixtures.identifiers(clear=True).hash_free_uuids(text))


# The rule, as a plain regular expression (too slow for every log line).
REFERENCE = re.compile(
    r'(?<![0-9A-Za-z])(?<!req-)([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-'
    r'[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?![0-9A-Za-z])')
PIECES = st.sampled_from([
    UUID, UUID.lower(), 'req-', 'x', '-', ' ', 'a1b2', '0', '/', 'req',
    '1b4e28ba-2fa1-11d2-883f', '-0016d3cca427', '-2fa1-11d2-883f-'])


class FreeUuidPropertyTest(testtools.TestCase):

    @hypothesis.settings(max_examples=500)
    @hypothesis.given(st.lists(PIECES, max_size=12).map(''.join))
    def test_same_as_the_reference_rule(self, text):
        ids = fixtures.identifiers()
        expected = REFERENCE.sub(lambda m: ids.digest('uuid', m.group(1)),
                                 text)
        self.assertEqual(expected, ids.hash_free_uuids(text))


class FromConfTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        conf_pkg.register_opts(self.conf)
        self.fixture = self.useFixture(config_fixture.Config(self.conf))

    def test_defaults(self):
        group = self.conf.hardened_scheduler
        self.assertEqual('hashed', group.log_identifiers)
        self.assertIsNone(group.log_identifier_key)
        self.assertEqual(5, group.debug_top_hosts)
        by_name = {o.name: o for o in hardened.OPTS}
        self.assertTrue(by_name['log_identifier_key'].secret)
        self.assertEqual(0, by_name['debug_top_hosts'].type.min)
        for name in ('log_identifiers', 'debug_top_hosts'):
            self.assertTrue(by_name[name].mutable, name)
        # oslo.config would log the old and new values of a mutated key.
        self.assertFalse(by_name['log_identifier_key'].mutable)

    def test_configured_key(self):
        self.fixture.config(group='hardened_scheduler',
                            log_identifier_key='operator-key')
        ids = redaction.Identifiers.from_conf(self.conf)
        self.assertEqual(
            fixtures.identifiers(key=b'operator-key').host('h1'),
            ids.host('h1'))

    def test_random_key_is_drawn_once_per_process(self):
        a = redaction.Identifiers.from_conf(self.conf)
        b = redaction.Identifiers.from_conf(self.conf)
        self.assertEqual(ids_mod.process_key(), a.key)
        self.assertEqual(32, len(a.key))
        self.assertEqual(a.host('h1'), b.host('h1'))

    def test_clear_mode(self):
        self.fixture.config(group='hardened_scheduler',
                            log_identifiers='clear')
        self.assertEqual(
            'h1', redaction.Identifiers.from_conf(self.conf).host('h1'))

    def test_unknown_mode_is_refused(self):
        self.assertRaises(ValueError, self.fixture.config,
                          group='hardened_scheduler',
                          log_identifiers='plain')


class IdentifierValueTest(testtools.TestCase):

    def test_renders_through_identifiers(self):
        ids = fixtures.identifiers()
        self.assertEqual(ids.host('h1'), redaction.host('h1').render(ids))
        self.assertEqual(ids.aggregate('agg'),
                         redaction.aggregate('agg').render(ids))

    def test_without_a_filter_it_shows_its_value(self):
        self.assertEqual('h1', str(redaction.host('h1')))
        self.assertEqual("{'h': 'h1'}", str({'h': redaction.host('h1')}))


class TopHostsTest(testtools.TestCase):

    def ranked(self, n):
        return [(f'host{i}', f'host{i}', float(n - i)) for i in range(n)]

    def test_names_at_most_the_limit_and_counts_the_rest(self):
        ids = fixtures.identifiers()
        top = redaction.TopHosts.of(iter(self.ranked(1000)), 3)
        self.assertEqual(3, len(top.top))
        self.assertEqual(1000, top.total)
        text = top.render(ids)
        self.assertEqual(
            f'1000 hosts, top 3: {ids.host("host0")} (1000), '
            f'{ids.host("host1")} (999), {ids.host("host2")} (998); '
            '997 more', text)
        self.assertNotIn('host0', text)

    def test_node_shown_when_it_differs(self):
        ids = fixtures.identifiers(clear=True)
        top = redaction.TopHosts.of([('h1', 'n1', None)], 5)
        self.assertEqual('1 host, top 1: h1/n1', top.render(ids))

    def test_limit_zero_only_counts(self):
        top = redaction.TopHosts.of(self.ranked(7), 0)
        self.assertEqual('7 hosts', top.render(fixtures.identifiers()))

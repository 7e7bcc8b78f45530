"""Our options against nova 34's own definitions.

An existing nova.conf must mean the same to us as to nova-scheduler: every
option nova's scheduler groups define exists here with nova's type,
default, bounds, choices, secret flag and deprecated names, and every
option we add to nova's shared groups is defined exactly as nova defines
it. Help texts are ours and are not compared.
"""

import collections
import socket

import testtools
from nova import conf as nova_conf_pkg
from nova.conf import database as nova_database
from nova.conf import opts as nova_opts
from nova.conf import placement as nova_placement
from nova.conf import scheduler as nova_scheduler
from oslo_config import cfg
from oslo_config import types

from scheduler import conf as conf_pkg
from scheduler.conf import opts as our_opts

# Groups whose every nova option we must define.
FULL_GROUPS = ('scheduler', 'filter_scheduler', 'metrics', 'placement',
               'database', 'api_database')
# Groups nova shares with other services; we define a subset.
SHARED_GROUPS = ('DEFAULT', 'workarounds', 'upgrade_levels',
                 'notifications', 'compute')


def _by_group(listing):
    """{group name: [opts]} from a list_opts() result (dict or pairs)."""
    pairs = listing.items() if isinstance(listing, dict) else listing
    grouped = collections.defaultdict(list)
    for group, opts in pairs:
        grouped[getattr(group, 'name', group) or 'DEFAULT'].extend(opts)
    return grouped


def _by_dest(opts):
    """Last definition wins, as in oslo-config-generator."""
    return {opt.dest: opt for opt in opts}


def _type_signature(value_type):
    """The behaviour-relevant attributes of an oslo.config type."""
    if not isinstance(value_type, types.ConfigType):
        return value_type  # a plain callable such as str
    signature = {'class': type(value_type)}
    for attr, value in sorted(vars(value_type).items()):
        if attr == 'choices' and value is not None:
            # Choice descriptions are help text; the values must match.
            value = list(value)
        elif attr == 'item_type':
            value = _type_signature(value)
        elif attr == 'regex' and value is not None:
            value = value.pattern
        signature[attr] = value
    return signature


def _signature(opt):
    return {
        'class': type(opt),
        'name': opt.name,
        'dest': opt.dest,
        'type': _type_signature(opt.type),
        'default': opt.default,
        'sample_default': opt.sample_default,
        'secret': opt.secret,
        'required': opt.required,
        'mutable': opt.mutable,
        'advanced': opt.advanced,
        'positional': opt.positional,
        'short': opt.short,
        'metavar': opt.metavar,
        'deprecated_opts': [(d.name, d.group) for d in opt.deprecated_opts],
        'deprecated_for_removal': opt.deprecated_for_removal,
        'deprecated_since': opt.deprecated_since,
    }


def _differences(nova_opts, our_opts):
    """Each nova option that ours lacks or defines differently."""
    ours = _by_dest(our_opts)
    problems = []
    for dest, nova_opt in _by_dest(nova_opts).items():
        if dest not in ours:
            problems.append(f'{dest}: missing')
            continue
        theirs, mine = _signature(nova_opt), _signature(ours[dest])
        for key in theirs:
            if theirs[key] != mine[key]:
                problems.append(
                    f'{dest}.{key}: nova {theirs[key]!r}, ours {mine[key]!r}')
    return problems


class NovaOptionsTestCase(testtools.TestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ours = _by_group(our_opts.list_opts())
        cls.nova = _by_group(nova_opts.list_opts())

    def assertSameOption(self, nova_opt, our_opt, group):
        self.assertEqual([], _differences([nova_opt], [our_opt]), group)

    def test_every_nova_option_of_the_scheduler_groups_is_ours(self):
        for group in FULL_GROUPS:
            self.assertNotEqual([], self.nova[group], group)
            self.assertEqual(
                [], _differences(self.nova[group], self.ours[group]), group)

    def test_no_options_of_our_own_in_nova_groups(self):
        # New knobs belong in [hardened_scheduler], not in nova's groups.
        for group in FULL_GROUPS:
            extra = set(_by_dest(self.ours[group])) - set(
                _by_dest(self.nova[group]))
            self.assertEqual(set(), extra, group)

    def test_our_options_in_shared_groups_are_novas(self):
        for group in SHARED_GROUPS:
            nova = _by_dest(self.nova[group])
            self.assertNotEqual([], self.ours[group], group)
            for our_opt in self.ours[group]:
                self.assertIn(our_opt.dest, nova,
                              f'[{group}] {our_opt.dest} is not nova\'s')
                self.assertSameOption(nova[our_opt.dest], our_opt, group)

    def test_scheduler_group_lists_match_nova_module(self):
        # The same sets, straight from the modules nova-scheduler reads.
        nova = _by_group(nova_scheduler.list_opts())
        for group in ('scheduler', 'filter_scheduler', 'metrics'):
            self.assertEqual(
                [o.dest for o in nova[group]],
                [o.dest for o in self.ours[group]], group)
        self.assertEqual(10, len(self.ours['scheduler']))

    def test_placement_list_is_novas(self):
        # Built from the same keystoneauth helpers, so the Opt objects
        # (help included) compare equal, duplicates and order too.
        nova = _by_group(nova_placement.list_opts())['placement']
        self.assertEqual(nova, self.ours['placement'])

    def test_database_lists_are_novas(self):
        nova = _by_group(nova_database.list_opts())
        for group in ('database', 'api_database'):
            self.assertEqual(nova[group], self.ours[group], group)

    def test_registered_options_match_nova(self):
        # What register_opts puts on a ConfigOpts, including what is not
        # listed (keystoneauth's auth_type/auth_section and the inert
        # adapter version options).
        # nova's OptGroups are module-level and oslo.config shares their
        # option tables with every ConfigOpts they are registered on, so
        # nova can only register once: use its global CONF.
        nova_conf = nova_conf_pkg.CONF
        our_conf = cfg.ConfigOpts()
        conf_pkg.register_opts(our_conf)
        for group in FULL_GROUPS:
            nova = {d: i['opt'] for d, i in
                    nova_conf._groups[group]._opts.items()}
            ours = {d: i['opt'] for d, i in
                    our_conf._groups[group]._opts.items()}
            self.assertEqual(sorted(nova), sorted(ours), group)
            for dest, nova_opt in nova.items():
                if dest in ('version', 'min_version', 'max_version'):
                    # Both ignore any value; the type callables differ.
                    self.assertIsNone(ours[dest].type('1.0'))
                    self.assertIsNone(nova_opt.type('1.0'))
                    continue
                self.assertSameOption(nova_opt, ours[dest], group)

    def test_host_default_is_the_hostname_with_a_stable_sample(self):
        ours = _by_dest(self.ours['DEFAULT'])['host']
        nova = _by_dest(self.nova['DEFAULT'])['host']
        self.assertEqual(socket.gethostname(), ours.default)
        self.assertEqual(nova.sample_default, ours.sample_default)
        self.assertIsNotNone(ours.sample_default)

    def test_the_check_catches_a_missing_option(self):
        # Guard the guard: the comparison must notice a dropped option.
        ours = [o for o in self.ours['filter_scheduler']
                if o.name != 'host_subset_size']
        self.assertEqual(
            ['host_subset_size: missing'],
            _differences(self.nova['filter_scheduler'], ours))

    def test_the_check_catches_changed_definitions(self):
        nova = _by_dest(self.nova['scheduler'])['max_attempts']
        for changed, key in (
                (cfg.IntOpt('max_attempts', default=4, min=1), 'default'),
                (cfg.IntOpt('max_attempts', default=3, min=0), 'type'),
                (cfg.IntOpt('max_attempts', default=3, min=1, secret=True),
                 'secret'),
                (cfg.IntOpt('max_attempts', default=3, min=1,
                            deprecated_name='attempts'), 'deprecated_opts'),
                (cfg.StrOpt('max_attempts', default='3'), 'class')):
            problems = _differences([nova], [changed])
            self.assertTrue(
                any(p.startswith(f'max_attempts.{key}:') for p in problems),
                (key, problems))

"""The option modules: registration, parsing, defaults, secrets, sample."""

import difflib
import io
import itertools
import logging
import os
import re
import socket
import subprocess
import sys
import tempfile
import textwrap

import testtools
from keystoneauth1 import loading as ks_loading
from keystoneauth1 import session as ks_session
from oslo_config import cfg

from scheduler import conf as conf_pkg
from scheduler.conf import hardened
from scheduler.conf import opts as conf_opts

REPO_ROOT = os.path.abspath(
    os.path.join(os.path.dirname(__file__), '..', '..', '..'))
GENERATOR_CONF = os.path.join(
    'etc', 'hardened-scheduler', 'hardened-scheduler-config-generator.conf')
SAMPLE = os.path.join(
    'etc', 'hardened-scheduler', 'hardened-scheduler.conf.sample')

EXPECTED_MODULES = {
    'compute', 'database', 'default', 'filter_scheduler', 'hardened',
    'metrics', 'metrics_export', 'neutron', 'notifications', 'placement',
    'scheduler', 'service_user', 'upgrade_levels', 'workarounds',
}

NOVA_CONF = textwrap.dedent("""\
    [DEFAULT]
    host = sched-1.example.org
    report_interval = 7
    service_down_time = 45
    long_rpc_timeout = 900
    default_availability_zone = az1
    cpu_allocation_ratio = 16.0
    initial_ram_allocation_ratio = 1.5
    scheduler_instance_sync_interval = -1
    concurrency_backend = threading
    default_thread_pool_size = 12
    cell_worker_thread_pool_size = 3
    manager_shutdown_timeout = 90
    notification_format = both

    [scheduler]
    max_attempts = 5
    discover_hosts_in_cells_interval = 300
    max_placement_results = 50
    workers = 2
    limit_tenants_to_placement_aggregate = true
    query_placement_for_image_type_support = yes

    [filter_scheduler]
    host_subset_size = 2
    available_filters = nova.scheduler.filters.all_filters
    available_filters = my.filters.Extra
    enabled_filters = ComputeFilter, AvailabilityZoneFilter
    weight_classes = nova.scheduler.weights.ram.RAMWeigher
    ram_weight_multiplier = -1.5
    image_props_weight_setting = os_distro=1, hw_machine_type=-1
    image_properties_default_architecture = aarch64
    isolated_hosts = h1,h2
    aggregate_image_properties_isolation_separator = :

    [metrics]
    weight_setting = cpu.frequency=1.0, cpu.percent=-1.3
    required = false
    weight_of_unavailable = -1

    [placement]
    auth_type = password
    auth_url = http://keystone.example.org/identity
    username = placement-user
    password = s3cret-placement
    user_domain_name = Default
    project_name = service
    project_domain_name = Default
    region_name = RegionTwo
    valid_interfaces = internal
    connect_retries = 4
    status_code_retry_delay = 0.5
    version = 1.0

    [database]
    connection = mysql+pymysql://nova:s3cret-db@db/nova_cell0
    max_pool_size = 11

    [api_database]
    connection = mysql+pymysql://nova:s3cret-api@db/nova_api
    connection_recycle_time = 600

    [workarounds]
    disable_fallback_pcpu_query = true
    disable_compute_service_check_for_ffu = true

    [upgrade_levels]
    scheduler = 4.5

    [notifications]
    versioned_notifications_topics = versioned_notifications,audit

    [hardened_scheduler]
    max_rpc_message_bytes = 2048
    nova_compatible_reasons = true
    placement_retry_max_seconds = 2.5
    claim_conflict_retries = 0
    """)


def _fresh_conf() -> cfg.ConfigOpts:
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    return conf


def _load(text: str) -> cfg.ConfigOpts:
    conf = _fresh_conf()
    with tempfile.NamedTemporaryFile(
            'w', suffix='.conf', delete=False) as f:
        f.write(text)
    try:
        conf(args=[], default_config_files=[f.name])
    finally:
        os.unlink(f.name)
    return conf


class TestRegistration(testtools.TestCase):

    def test_every_group_module_is_discovered(self):
        names = {m.__name__.rsplit('.', 1)[1]
                 for m in conf_pkg.option_modules()}
        self.assertEqual(EXPECTED_MODULES, names)

    def test_each_module_registers_alone_on_a_fresh_conf(self):
        for module in conf_pkg.option_modules():
            conf = cfg.ConfigOpts()
            module.register_opts(conf)
            conf(args=[], default_config_files=[])
            for group in module.list_opts():
                name = getattr(group, 'name', group)
                if name != 'DEFAULT':
                    self.assertIn(name, conf, module.__name__)

    def test_registering_twice_is_harmless(self):
        # The same (or equal) Opt objects may be registered again, e.g.
        # by a command and by a library helper that calls register_opts.
        conf = _fresh_conf()
        conf_pkg.register_opts(conf)
        for module in conf_pkg.option_modules():
            module.register_opts(conf)
        conf(args=[], default_config_files=[])
        self.assertEqual(3, conf.scheduler.max_attempts)

    def test_confs_do_not_share_registrations(self):
        # Loading the auth plugin registers its options (auth_url is
        # required) on one ConfigOpts; another must not see them.
        first = _load('[placement]\nauth_type = password\n'
                      'auth_url = http://keystone\n')
        ks_loading.load_auth_from_conf_options(first, 'placement')
        self.assertIn('auth_url', first.placement)
        second = _fresh_conf()
        second(args=[], default_config_files=[])
        self.assertNotIn('auth_url', second.placement)

    def test_listed_options_are_registered(self):
        # Everything the sample lists is readable, except the auth plugin
        # options that keystoneauth registers when it loads the plugin.
        conf = _fresh_conf()
        conf(args=[], default_config_files=[])
        plugin_dests = {
            o.dest for p in ('password', 'v2password', 'v3password')
            for o in ks_loading.get_auth_plugin_conf_options(p)}
        for group, listed in conf_opts.list_opts():
            name = getattr(group, 'name', group)
            section = conf if name == 'DEFAULT' else conf[name]
            for opt in listed:
                if (name in ('placement', 'neutron', 'service_user')
                        and opt.dest in plugin_dests):
                    continue
                # Reading fails with NoSuchOptError if it is missing.
                getattr(section, opt.dest)

    def test_groups_are_listed_with_their_help(self):
        for group, _ in conf_opts.list_opts():
            if group == 'DEFAULT':
                continue
            self.assertIsInstance(group, cfg.OptGroup)
            self.assertTrue(group.help)

    def test_every_option_has_help(self):
        for module in conf_pkg.option_modules():
            if module.__name__.endswith(('placement', 'database')):
                continue  # the libraries' own help texts
            for _, listed in module.list_opts().items():
                for opt in listed:
                    self.assertTrue(opt.help, opt.name)


class TestNovaConfParsing(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = _load(NOVA_CONF)

    def test_default_group(self):
        c = self.conf
        self.assertEqual('sched-1.example.org', c.host)
        self.assertEqual(7, c.report_interval)
        self.assertEqual(45, c.service_down_time)
        self.assertEqual(900, c.long_rpc_timeout)
        self.assertEqual('az1', c.default_availability_zone)
        self.assertEqual(16.0, c.cpu_allocation_ratio)
        self.assertIsInstance(c.cpu_allocation_ratio, float)
        self.assertIsNone(c.ram_allocation_ratio)
        self.assertEqual(1.5, c.initial_ram_allocation_ratio)
        self.assertEqual(4.0, c.initial_cpu_allocation_ratio)
        self.assertEqual(-1, c.scheduler_instance_sync_interval)
        self.assertEqual('threading', c.concurrency_backend)
        self.assertEqual(12, c.default_thread_pool_size)
        self.assertEqual(3, c.cell_worker_thread_pool_size)
        self.assertEqual(90, c.manager_shutdown_timeout)

    def test_scheduler_group(self):
        s = self.conf.scheduler
        self.assertEqual(5, s.max_attempts)
        self.assertEqual(300, s.discover_hosts_in_cells_interval)
        self.assertEqual(50, s.max_placement_results)
        self.assertEqual(2, s.workers)
        self.assertIs(True, s.limit_tenants_to_placement_aggregate)
        self.assertIs(True, s.query_placement_for_image_type_support)
        self.assertIs(False, s.enable_isolated_aggregate_filtering)

    def test_filter_scheduler_group(self):
        f = self.conf.filter_scheduler
        self.assertEqual(2, f.host_subset_size)
        self.assertEqual(
            ['nova.scheduler.filters.all_filters', 'my.filters.Extra'],
            f.available_filters)
        self.assertEqual(['ComputeFilter', 'AvailabilityZoneFilter'],
                         f.enabled_filters)
        self.assertEqual(['nova.scheduler.weights.ram.RAMWeigher'],
                         f.weight_classes)
        self.assertEqual(-1.5, f.ram_weight_multiplier)
        self.assertEqual(['os_distro=1', 'hw_machine_type=-1'],
                         f.image_props_weight_setting)
        self.assertEqual('aarch64', f.image_properties_default_architecture)
        self.assertEqual(['h1', 'h2'], f.isolated_hosts)
        self.assertEqual(':', f.aggregate_image_properties_isolation_separator)
        self.assertEqual(-1.0, f.io_ops_weight_multiplier)

    def test_metrics_group(self):
        m = self.conf.metrics
        self.assertEqual(['cpu.frequency=1.0', 'cpu.percent=-1.3'],
                         m.weight_setting)
        self.assertIs(False, m.required)
        self.assertEqual(-1.0, m.weight_of_unavailable)
        self.assertIsInstance(m.weight_of_unavailable, float)

    def test_database_groups(self):
        self.assertEqual('mysql+pymysql://nova:s3cret-db@db/nova_cell0',
                         self.conf.database.connection)
        self.assertEqual(11, self.conf.database.max_pool_size)
        self.assertEqual('mysql+pymysql://nova:s3cret-api@db/nova_api',
                         self.conf.api_database.connection)
        self.assertEqual(600, self.conf.api_database.connection_recycle_time)
        self.assertEqual(5, self.conf.api_database.max_pool_size)
        self.assertEqual('TRADITIONAL', self.conf.api_database.mysql_sql_mode)

    def test_other_nova_groups(self):
        c = self.conf
        self.assertIs(True, c.workarounds.disable_fallback_pcpu_query)
        self.assertIs(
            True, c.workarounds.disable_compute_service_check_for_ffu)
        self.assertEqual('4.5', c.upgrade_levels.scheduler)
        # Set under its deprecated group [DEFAULT], as old nova.conf do.
        self.assertEqual('both', c.notifications.notification_format)
        self.assertEqual(['versioned_notifications', 'audit'],
                         c.notifications.versioned_notifications_topics)

    def test_hardened_group(self):
        h = self.conf.hardened_scheduler
        self.assertEqual(2048, h.max_rpc_message_bytes)
        self.assertIs(True, h.nova_compatible_reasons)
        self.assertEqual(2.5, h.placement_retry_max_seconds)
        self.assertEqual(0, h.claim_conflict_retries)

    def test_placement_auth_plugin_loads_from_the_section(self):
        auth = ks_loading.load_auth_from_conf_options(self.conf, 'placement')
        self.assertEqual('http://keystone.example.org/identity',
                         auth.auth_url)
        self.assertEqual('placement-user', auth._username)
        self.assertEqual('s3cret-placement', auth._password)

    def test_placement_adapter_loads_from_the_section(self):
        sess = ks_session.Session()
        adapter = ks_loading.load_adapter_from_conf_options(
            self.conf, 'placement', session=sess)
        self.assertEqual('placement', adapter.service_type)
        self.assertEqual(['internal'], adapter.interface)
        self.assertEqual('RegionTwo', adapter.region_name)
        self.assertEqual(4, adapter.connect_retries)
        self.assertEqual(0.5, adapter.status_code_retry_delay)
        # Operators cannot pin the API version; the client chooses it.
        self.assertIsNone(adapter.version)

    def test_placement_defaults(self):
        conf = _load('')
        p = conf.placement
        self.assertEqual('placement', p.service_type)
        self.assertEqual(['internal', 'public'], p.valid_interfaces)
        self.assertIsNone(p.auth_type)
        self.assertIs(False, p.insecure)

    def test_value_below_minimum_is_rejected(self):
        conf = _load('[scheduler]\nmax_attempts = 0\n')
        self.assertRaises(cfg.ConfigFileValueError,
                          lambda: conf.scheduler.max_attempts)

    def test_choice_outside_list_is_rejected(self):
        conf = _load('[filter_scheduler]\n'
                     'image_properties_default_architecture = z80\n')
        group = conf.filter_scheduler
        self.assertRaises(
            cfg.ConfigFileValueError,
            lambda: group.image_properties_default_architecture)


class TestDefaults(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = _load('')

    def test_hardened_defaults(self):
        h = self.conf.hardened_scheduler
        self.assertEqual(4194304, h.max_rpc_message_bytes)
        self.assertEqual(10000, h.max_list_length)
        self.assertEqual(65535, h.max_string_length)
        self.assertEqual(32, h.max_nesting_depth)
        self.assertEqual(1000, h.max_num_instances)
        self.assertIs(False, h.nova_compatible_reasons)
        self.assertEqual(3, h.placement_retry_attempts)
        self.assertEqual(10.0, h.placement_retry_max_seconds)
        self.assertIsInstance(h.placement_retry_max_seconds, float)
        self.assertEqual(3, h.claim_conflict_retries)

    def test_hardened_minimums(self):
        expected = {
            'max_rpc_message_bytes': 1024, 'max_list_length': 1,
            'max_string_length': 1, 'max_nesting_depth': 4,
            'max_num_instances': 1, 'placement_retry_attempts': 1,
            'placement_retry_max_seconds': 0, 'claim_conflict_retries': 0,
        }
        by_name = {o.name: o for o in hardened.OPTS}
        self.assertEqual(
            expected, {n: by_name[n].type.min for n in expected})

    def test_host_defaults_to_hostname_but_sample_is_stable(self):
        self.assertEqual(socket.gethostname(), self.conf.host)
        by_name = {o.name: o for _, opts in conf_opts.list_opts()
                   for o in opts}
        self.assertEqual('<current_hostname>',
                         by_name['host'].sample_default)

    def test_notification_format_default(self):
        self.assertEqual('unversioned',
                         self.conf.notifications.notification_format)


class TestSecrets(testtools.TestCase):

    def test_credential_options_are_secret(self):
        listed = dict(
            (getattr(g, 'name', g), opts) for g, opts in conf_opts.list_opts())
        for group in ('database', 'api_database'):
            secret = {o.dest for o in listed[group] if o.secret}
            self.assertTrue(
                {'connection', 'slave_connection', 'asyncio_connection',
                 'asyncio_slave_connection'} <= secret, group)
        placement_secret = {o.dest for o in listed['placement'] if o.secret}
        self.assertIn('password', placement_secret)

    def test_secrets_never_reach_the_log(self):
        conf = _load(NOVA_CONF)
        # The plugin options are registered once the plugin is loaded.
        ks_loading.load_auth_from_conf_options(conf, 'placement')
        stream = io.StringIO()
        logger = logging.getLogger('test_secrets_never_reach_the_log')
        logger.propagate = False
        handler = logging.StreamHandler(stream)
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
        self.addCleanup(logger.removeHandler, handler)
        conf.log_opt_values(logger, logging.DEBUG)
        logged = stream.getvalue()
        self.assertIn('placement.username', logged)
        for secret in ('s3cret-placement', 's3cret-db', 's3cret-api'):
            self.assertNotIn(secret, logged)


class TestSampleConfig(testtools.TestCase):

    def _generate(self) -> bytes:
        out = self._temp_path()
        # A separate process: the oslo.service namespace imports eventlet,
        # which must never be loaded into a test process of ours.
        subprocess.run(
            [sys.executable, '-W', 'ignore', '-m', 'oslo_config.generator',
             '--config-file', GENERATOR_CONF, '--output-file', out],
            cwd=REPO_ROOT, check=True, capture_output=True, timeout=120)
        with open(out, 'rb') as f:
            return f.read()

    def _temp_path(self) -> str:
        fd, path = tempfile.mkstemp(suffix='.conf.sample')
        os.close(fd)
        self.addCleanup(os.unlink, path)
        return path

    def test_committed_sample_is_current(self):
        with open(os.path.join(REPO_ROOT, SAMPLE), 'rb') as f:
            committed = f.read()
        generated = self._generate()
        if committed != generated:
            diff = difflib.unified_diff(
                committed.decode().splitlines(),
                generated.decode().splitlines(),
                'committed', 'generated', lineterm='')
            self.fail('The sample config is stale; regenerate it with '
                      '"tox -e genconfig":\n'
                      + '\n'.join(itertools.islice(diff, 60)))

    def test_sample_has_no_duplicate_option_in_a_section(self):
        # Our [DEFAULT] options must not repeat ones the oslo libraries
        # own (oslo.messaging, oslo.log, oslo.service).
        section = None
        seen: dict[str, set[str]] = {}
        with open(os.path.join(REPO_ROOT, SAMPLE)) as f:
            for line in f:
                header = re.match(r'^\[(\w+)\]$', line)
                if header:
                    section = header.group(1)
                    self.assertNotIn(section, seen)
                    seen[section] = set()
                    continue
                option = re.match(r'^#([a-z][a-z0-9_]*) = ', line)
                if option:
                    self.assertNotIn(option.group(1), seen[section],
                                     section)
                    seen[section].add(option.group(1))
        self.assertIn('transport_url', seen['DEFAULT'])
        self.assertIn('max_nesting_depth', seen['hardened_scheduler'])

"""The [neutron] and [service_user] groups read a nova.conf unchanged."""

import os
import tempfile
import textwrap

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
import testtools

from scheduler import conf as conf_pkg
from scheduler.conf import opts as conf_opts
from scheduler.neutron import client

NOVA_CONF = textwrap.dedent("""\
    [neutron]
    auth_type = password
    auth_url = http://keystone.example.org/identity
    username = neutron-user
    password = s3cret-neutron
    project_name = service
    user_domain_name = Default
    project_domain_name = Default
    region_name = RegionTwo
    valid_interfaces = internal
    extension_sync_interval = 60
    http_retries = 1
    # compute-only nova options are ignored
    ovs_bridge = br-int
    service_metadata_proxy = true

    [service_user]
    send_service_user_token = true
    auth_type = password
    auth_url = http://keystone.example.org/identity
    username = nova-service
    password = s3cret-service
    """)


def _load(text):
    conf = cfg.ConfigOpts()
    conf_pkg.register_opts(conf)
    with tempfile.NamedTemporaryFile('w', suffix='.conf',
                                     delete=False) as f:
        f.write(text)
    try:
        conf(args=[], default_config_files=[f.name])
    finally:
        os.unlink(f.name)
    return conf


class NeutronOptionsTest(testtools.TestCase):

    def test_novas_defaults(self):
        conf = _load('')
        self.assertEqual('network', conf.neutron.service_type)
        self.assertEqual(['internal', 'public'],
                         conf.neutron.valid_interfaces)
        self.assertEqual(600, conf.neutron.extension_sync_interval)
        self.assertEqual(3, conf.neutron.http_retries)
        self.assertIsNone(conf.neutron.auth_type)
        self.assertIs(False, conf.service_user.send_service_user_token)

    def test_nova_conf_sections(self):
        conf = _load(NOVA_CONF)
        self.assertEqual(60, conf.neutron.extension_sync_interval)
        credentials = client._load_credentials(conf)
        self.assertEqual('neutron-user', credentials.admin._username)
        self.assertEqual('nova-service', credentials.service._username)
        adapter, _ = client.NeutronClient(conf)._setup()
        self.assertEqual(['internal'], adapter.interface)
        self.assertEqual('RegionTwo', adapter.region_name)
        self.assertEqual(1, adapter.connect_retries)

    def test_minimums(self):
        conf = _load('[neutron]\nhttp_retries = -1\n')
        self.assertRaises(cfg.ConfigFileValueError,
                          lambda: conf.neutron.http_retries)

    def test_passwords_are_secret(self):
        listed = {getattr(g, 'name', g): opts
                  for g, opts in conf_opts.list_opts()}
        for group in ('neutron', 'service_user'):
            secret = {o.dest for o in listed[group] if o.secret}
            self.assertIn('password', secret, group)

    def test_auth_plugin_options_are_not_shared_between_confs(self):
        first = _load(NOVA_CONF)
        ks_loading.load_auth_from_conf_options(first, 'neutron')
        second = _load('')
        self.assertNotIn('auth_url', second.neutron)

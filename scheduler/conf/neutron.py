"""The ``[neutron]`` group: how request filters reach the Networking API.

Only two request filters talk to Neutron (routed_networks_filter and
remote_managed_ports_filter). The group holds nova 34's two options the
scheduler reads plus keystoneauth1's session, auth and adapter options,
registered and listed as nova does (service type ``network``), so an
existing nova.conf ``[neutron]`` section works unchanged.
"""

from typing import cast

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_config import types

GROUP_NAME = 'neutron'
SERVICE_TYPE = 'network'
VALID_INTERFACES = ['internal', 'public']
# The API version is the client's business, not the operator's.
_VERSION_OPTS = ('version', 'min_version', 'max_version')
_LISTED_AUTH_PLUGINS = ('password', 'v2password', 'v3password')

_OPTS = [
    cfg.IntOpt(
        'extension_sync_interval', default=600, min=0,
        help='Seconds to keep the list of Neutron API extensions before '
             'asking Neutron again (the routed-networks request filter '
             'needs to know whether the "segment" extension is loaded). 0 '
             'asks every time.'),
    cfg.IntOpt(
        'http_retries', default=3, min=0,
        help='How many times a Neutron call is retried after a connection '
             'failure. 0 means one attempt only.'),
]


def opt_group() -> cfg.OptGroup:
    """A fresh group object, never shared (see scheduler.conf)."""
    return cfg.OptGroup(
        GROUP_NAME, title='Neutron Options',
        help='Credentials and endpoint selection for the Networking API, '
             'used by the routed-networks and remote-managed-ports request '
             'filters. The auth options are the service credentials nova '
             'uses for admin calls; user calls carry the caller\'s token.')


def _ignore(value: str) -> None:
    """Type of the inert version options: any value reads as None."""
    return None


def _inert_version_opts() -> list[cfg.Opt]:
    return [cfg.Opt(name, type=cast(types.ConfigType, _ignore))
            for name in _VERSION_OPTS]


def adapter_opts() -> list[cfg.Opt]:
    """keystoneauth1's adapter options with nova's defaults for Neutron."""
    opts = [
        opt for opt in ks_loading.get_adapter_conf_options(
            include_deprecated=False)
        if opt.dest not in _VERSION_OPTS]
    cfg.set_defaults(opts, service_type=SERVICE_TYPE,
                     valid_interfaces=list(VALID_INTERFACES))
    return opts


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(opt_group())
    conf.register_opts(_OPTS, group=GROUP_NAME)
    ks_loading.register_session_conf_options(conf, GROUP_NAME)
    ks_loading.register_auth_conf_options(conf, GROUP_NAME)
    conf.register_opts(adapter_opts(), group=GROUP_NAME)
    conf.register_opts(_inert_version_opts(), group=GROUP_NAME)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    opts: list[cfg.Opt] = list(_OPTS)
    opts += ks_loading.get_session_conf_options()
    opts += ks_loading.get_auth_common_conf_options()
    for plugin in _LISTED_AUTH_PLUGINS:
        opts += ks_loading.get_auth_plugin_conf_options(plugin)
    opts += adapter_opts()
    return {opt_group(): opts}

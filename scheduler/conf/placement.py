"""The ``[placement]`` group: how to reach the Placement API.

These are keystoneauth1's session, auth and adapter options, registered and
listed exactly as nova 34 does, so devstack's and operators' existing
``[placement]`` sections work unchanged.
"""

from typing import cast

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg
from oslo_config import types

SERVICE_TYPE = 'placement'
VALID_INTERFACES = ['internal', 'public']

# The API version is the client's business, not the operator's, so these
# adapter options are neither listed nor settable. keystoneauth still reads
# them when it builds an adapter from the group, hence the inert stand-ins.
_VERSION_OPTS = ('version', 'min_version', 'max_version')

# The auth plugins whose options the sample lists (as nova lists them).
_LISTED_AUTH_PLUGINS = ('password', 'v2password', 'v3password')

GROUP_NAME = 'placement'


def opt_group() -> cfg.OptGroup:
    """A fresh group object, never shared (see scheduler.conf)."""
    return cfg.OptGroup(
        GROUP_NAME,
        title='Placement API options',
        help='Credentials and endpoint selection for the Placement API.')


def _ignore(value: str) -> None:
    """Type of the inert version options: any value reads as None."""
    return None


_INERT_VERSION_OPTS: list[cfg.Opt] = [
    cfg.Opt(name, type=cast(types.ConfigType, _ignore))
    for name in _VERSION_OPTS]


def adapter_opts() -> list[cfg.Opt]:
    """keystoneauth1's adapter options with nova's defaults for Placement.

    The deprecated ``interface`` option and the version options are left
    out, as in nova.
    """
    opts = [
        opt for opt in ks_loading.get_adapter_conf_options(
            include_deprecated=False)
        if opt.dest not in _VERSION_OPTS]
    cfg.set_defaults(
        opts, service_type=SERVICE_TYPE,
        valid_interfaces=list(VALID_INTERFACES))
    return opts


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(opt_group())
    ks_loading.register_session_conf_options(conf, GROUP_NAME)
    # Only auth_type and auth_section; keystoneauth registers the chosen
    # plugin's own options when it loads the plugin.
    ks_loading.register_auth_conf_options(conf, GROUP_NAME)
    conf.register_opts(adapter_opts(), group=GROUP_NAME)
    conf.register_opts(_INERT_VERSION_OPTS, group=GROUP_NAME)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    opts: list[cfg.Opt] = []
    opts += ks_loading.get_session_conf_options()
    opts += ks_loading.get_auth_common_conf_options()
    for plugin in _LISTED_AUTH_PLUGINS:
        opts += ks_loading.get_auth_plugin_conf_options(plugin)
    opts += adapter_opts()
    return {opt_group(): opts}

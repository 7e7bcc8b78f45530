"""The ``[service_user]`` group: a service token next to the user's.

As nova 34: when ``send_service_user_token`` is set, calls made with the
caller's token (Neutron ``show_port`` in the request filters) also carry a
service token from these credentials, so a user token that expired while
the request was queued is still accepted.
"""

from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP_NAME = 'service_user'
_LISTED_AUTH_PLUGINS = ('password', 'v2password', 'v3password')

_OPTS = [
    cfg.BoolOpt(
        'send_service_user_token', default=False,
        help='When True, if sending a user token to a REST API (Neutron), '
             'also send a service token from this section\'s credentials, '
             'as nova does.'),
]


def opt_group() -> cfg.OptGroup:
    """A fresh group object, never shared (see scheduler.conf)."""
    return cfg.OptGroup(
        GROUP_NAME, title='Service token authentication type options',
        help='Service credentials sent as a service token along with the '
             'user token when calling other services on the user\'s behalf.')


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(opt_group())
    conf.register_opts(_OPTS, group=GROUP_NAME)
    ks_loading.register_session_conf_options(conf, GROUP_NAME)
    ks_loading.register_auth_conf_options(conf, GROUP_NAME)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    opts: list[cfg.Opt] = list(_OPTS)
    opts += ks_loading.get_session_conf_options()
    opts += ks_loading.get_auth_common_conf_options()
    for plugin in _LISTED_AUTH_PLUGINS:
        opts += ks_loading.get_auth_plugin_conf_options(plugin)
    return {opt_group(): opts}

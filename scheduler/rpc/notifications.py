"""The notifier for decision records, when notifications are enabled.

Enabled as in nova: ``[oslo_messaging_notifications] driver`` names a
driver other than ``noop`` (``messaging``, ``messagingv2``, ``log``...);
the transport is ``[oslo_messaging_notifications] transport_url`` or, if
unset, the RPC one. Without a driver no transport is created.
"""

from typing import Any

from oslo_config import cfg
import oslo_messaging
from oslo_messaging import opts as messaging_opts

GROUP = 'oslo_messaging_notifications'
PUBLISHER = 'scheduler'


def register_opts(conf: cfg.ConfigOpts) -> None:
    for group, opts in messaging_opts.list_opts():
        if group == GROUP:
            conf.register_opts(opts, group=GROUP)


def enabled(conf: cfg.ConfigOpts) -> bool:
    register_opts(conf)
    return any(d != 'noop' for d in conf.oslo_messaging_notifications.driver)


def decision_notifier(conf: cfg.ConfigOpts, transport: Any | None = None
                      ) -> oslo_messaging.Notifier | None:
    """A Notifier publishing as ``scheduler.<host>``, or None."""
    if not enabled(conf):
        return None
    if transport is None:
        transport = oslo_messaging.get_notification_transport(conf)
    return oslo_messaging.Notifier(
        transport, publisher_id=f'{PUBLISHER}.{conf.host}')

"""The ``[notifications]`` options the scheduler reads (nova 34's).

Whether notifications are sent at all is oslo.messaging's
``[oslo_messaging_notifications]driver``.
"""

from oslo_config import cfg

GROUP = cfg.OptGroup(
    'notifications',
    title='Notification options',
    help='Which notification formats are emitted, and where versioned '
         'notifications go.')

OPTS: list[cfg.Opt] = [
    cfg.StrOpt(
        'notification_format',
        default='unversioned',
        choices=[
            ('both', 'Legacy unversioned and versioned notifications.'),
            ('versioned', 'Versioned notifications only.'),
            ('unversioned', 'Legacy unversioned notifications only.'),
        ],
        deprecated_group='DEFAULT',
        help='Format of the notifications emitted, such as the '
             'select_destinations start and end events.'),
    cfg.ListOpt(
        'versioned_notifications_topics',
        default=['versioned_notifications'],
        help='Topics each versioned notification is sent to.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(GROUP)
    conf.register_opts(OPTS, group=GROUP)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {GROUP: OPTS}

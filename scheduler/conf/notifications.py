"""The ``[notifications]`` options the scheduler reads (nova 34's).

Whether notifications are sent at all is oslo.messaging's
``[oslo_messaging_notifications]driver``.
"""

from oslo_config import cfg

GROUP_NAME = 'notifications'


def opt_group() -> cfg.OptGroup:
    """A fresh group object, never shared (see scheduler.conf)."""
    return cfg.OptGroup(
        GROUP_NAME,
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
    conf.register_group(opt_group())
    conf.register_opts(OPTS, group=GROUP_NAME)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {opt_group(): OPTS}

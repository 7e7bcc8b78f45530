"""The ``[scheduler]`` group: nova's general scheduler options.

Names, types, defaults and bounds are nova 34's, so an existing nova.conf
keeps its meaning.
"""

from oslo_config import cfg

GROUP_NAME = 'scheduler'


def opt_group() -> cfg.OptGroup:
    """A fresh group object, never shared (see scheduler.conf)."""
    return cfg.OptGroup(
        GROUP_NAME,
        title='Scheduler options',
        help='General options of the scheduler service, read from the same '
             '[scheduler] section nova-scheduler uses.')


OPTS: list[cfg.Opt] = [
    cfg.IntOpt(
        'max_attempts',
        default=3,
        min=1,
        help='How many hosts a build or move may try in total. Each '
             'selection carries at most max_attempts - 1 alternate hosts '
             'that the conductor can retry on.'),
    cfg.IntOpt(
        'discover_hosts_in_cells_interval',
        default=-1,
        min=-1,
        help='Seconds between periodic runs that map newly added compute '
             'hosts in every cell. A negative value disables the task; 0 '
             'means the periodic-task default of 60 seconds.'),
    cfg.IntOpt(
        'max_placement_results',
        default=1000,
        min=1,
        help='Upper limit on the allocation candidates requested from '
             'Placement per scheduling request; it bounds how many hosts '
             'are filtered and weighed.'),
    cfg.IntOpt(
        'workers',
        min=0,
        help='Number of scheduler worker processes. Unset means one per '
             'CPU. Each worker keeps its own host-state cache.'),
    cfg.BoolOpt(
        'query_placement_for_routed_network_aggregates',
        default=False,
        help='Limit candidates to hosts in the Placement aggregates of the '
             'routed-network segments the request\'s ports are on.'),
    cfg.BoolOpt(
        'limit_tenants_to_placement_aggregate',
        default=False,
        help='Limit a project to the host aggregates whose metadata has a '
             'key starting with filter_tenant_id and the project ID as '
             'value. The aggregates must exist in Placement too.'),
    cfg.BoolOpt(
        'placement_aggregate_required_for_tenants',
        default=False,
        help='With limit_tenants_to_placement_aggregate, reject requests of '
             'projects that have no such aggregate instead of letting them '
             'use any host.'),
    cfg.BoolOpt(
        'query_placement_for_image_type_support',
        default=False,
        help='Ask Placement only for hosts that report support for the '
             'disk format of the requested image (not for volume-backed '
             'servers).'),
    cfg.BoolOpt(
        'enable_isolated_aggregate_filtering',
        default=False,
        help='Exclude aggregates whose metadata requires a trait '
             '(trait:NAME=required) that the flavor and image do not '
             'require as well.'),
    cfg.BoolOpt(
        'image_metadata_prefilter',
        default=False,
        help='Turn well-known image properties (bus, video, VIF and '
             'vIOMMU models, architecture) into required Placement traits.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(opt_group())
    conf.register_opts(OPTS, group=GROUP_NAME)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {opt_group(): OPTS}

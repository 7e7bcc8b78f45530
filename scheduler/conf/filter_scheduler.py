"""The ``[filter_scheduler]`` group: host filters and weighers.

Names, types, defaults and bounds are nova 34's, so an existing nova.conf
keeps its meaning. Filter and weigher names are nova's class names.
"""

from oslo_config import cfg

# The CPU architectures nova accepts (nova.virt.arch.ALL), in nova's order;
# they are the choices of image_properties_default_architecture.
ARCHITECTURES: tuple[str, ...] = (
    'alpha', 'armv6', 'armv7l', 'armv7b',
    'aarch64', 'cris', 'i686', 'ia64', 'lm32',
    'm68k', 'microblaze', 'microblazeel', 'mips', 'mipsel',
    'mips64', 'mips64el', 'openrisc', 'parisc', 'parisc64',
    'ppc', 'ppcle', 'ppc64', 'ppc64le', 'ppcemb',
    's390', 's390x', 'sh4', 'sh4eb', 'sparc',
    'sparc64', 'unicore32', 'x86_64', 'xtensa', 'xtensaeb',
)

DEFAULT_ENABLED_FILTERS: list[str] = [
    'ComputeFilter',
    'ComputeCapabilitiesFilter',
    'ImagePropertiesFilter',
    'ServerGroupAntiAffinityFilter',
    'ServerGroupAffinityFilter',
]

_ISOLATION_DEPRECATION = (
    'Image properties have been a fixed set since nova 12.0.0 (Liberty), '
    'so namespaced keys never match one. Use [scheduler] '
    'enable_isolated_aggregate_filtering instead.')

GROUP_NAME = 'filter_scheduler'


def opt_group() -> cfg.OptGroup:
    """A fresh group object, never shared (see scheduler.conf)."""
    return cfg.OptGroup(
        GROUP_NAME,
        title='Filter scheduler options',
        help='Which host filters and weighers run, and how strongly each '
             'weigher counts.')


OPTS: list[cfg.Opt] = [
    cfg.IntOpt(
        'host_subset_size',
        default=1,
        min=1,
        help='Pick the host at random among this many best-weighed hosts. '
             'Values above 1 make concurrent schedulers collide less often '
             'at the cost of a less optimal choice.'),
    cfg.IntOpt(
        'max_io_ops_per_host',
        default=8,
        min=0,
        help='Most instances in an IO-heavy task state (building, '
             'resizing, snapshotting, migrating, rescuing, unshelving) a '
             'host may have. Used by IoOpsFilter.'),
    cfg.IntOpt(
        'max_instances_per_host',
        default=50,
        min=1,
        help='Most instances a host may have. Used by NumInstancesFilter '
             'and AggregateNumInstancesFilter.'),
    cfg.BoolOpt(
        'track_instance_changes',
        default=True,
        help='Track the instances of each host from the updates '
             'nova-compute sends. Computes read this option too and send '
             'no updates when it is false; instance data is then read '
             'from the cell databases.'),
    cfg.MultiStrOpt(
        'available_filters',
        default=['nova.scheduler.filters.all_filters'],
        help='Filters that enabled_filters may name. The default stands '
             'for every built-in filter. Repeat the option to list more '
             'than one entry.'),
    cfg.ListOpt(
        'enabled_filters',
        default=DEFAULT_ENABLED_FILTERS,
        help='Host filters to run, in this order, by class name. Each '
             'must be among available_filters.'),
    cfg.ListOpt(
        'weight_classes',
        default=['nova.scheduler.weights.all_weighers'],
        help='Weighers to apply to the hosts that passed the filters. The '
             'default stands for every built-in weigher.'),
    cfg.FloatOpt(
        'ram_weight_multiplier',
        default=1.0,
        help='RAMWeigher: positive prefers hosts with more free RAM '
             '(spread), negative prefers fuller hosts (stack).'),
    cfg.FloatOpt(
        'cpu_weight_multiplier',
        default=1.0,
        help='CPUWeigher: positive prefers hosts with more free vCPUs '
             '(spread), negative stacks.'),
    cfg.FloatOpt(
        'disk_weight_multiplier',
        default=1.0,
        help='DiskWeigher: positive prefers hosts with more free disk '
             '(spread), negative stacks.'),
    cfg.FloatOpt(
        'hypervisor_version_weight_multiplier',
        default=1.0,
        help='HypervisorVersionWeigher: positive prefers newer hypervisor '
             'versions, negative older ones, 0 disables.'),
    cfg.FloatOpt(
        'num_instances_weight_multiplier',
        default=0.0,
        help='NumInstancesWeigher: positive prefers hosts with more '
             'instances (pack), negative fewer (spread), 0 disables.'),
    cfg.FloatOpt(
        'io_ops_weight_multiplier',
        default=-1.0,
        help='IoOpsWeigher: negative prefers hosts with fewer IO-heavy '
             'operations in progress, positive prefers busier hosts.'),
    cfg.FloatOpt(
        'image_props_weight_multiplier',
        default=0.0,
        help='ImagePropertiesWeigher: positive prefers hosts running '
             'instances whose images share the requested image\'s '
             'properties, negative avoids them, 0 disables.'),
    cfg.ListOpt(
        'image_props_weight_setting',
        default=[],
        help='ImagePropertiesWeigher: comma-separated name=ratio pairs '
             'that weigh individual image properties, for example '
             '"os_distro=1, hw_machine_type=-1". Empty means every '
             'property counts equally.'),
    cfg.FloatOpt(
        'pci_weight_multiplier',
        default=1.0,
        min=0.0,
        help='PCIWeigher: how strongly hosts with fewer free PCI devices '
             'are preferred, which keeps PCI-rich hosts free for the '
             'requests that need them.'),
    cfg.FloatOpt(
        'soft_affinity_weight_multiplier',
        default=1.0,
        min=0.0,
        help='ServerGroupSoftAffinityWeigher: how strongly hosts already '
             'running members of the server group are preferred.'),
    cfg.FloatOpt(
        'soft_anti_affinity_weight_multiplier',
        default=1.0,
        min=0.0,
        help='ServerGroupSoftAntiAffinityWeigher: how strongly hosts '
             'running fewer members of the server group are preferred.'),
    cfg.FloatOpt(
        'build_failure_weight_multiplier',
        default=1000000.0,
        help='BuildFailureWeigher: penalty per recent build failure on a '
             'host. Keep it large enough to outweigh the resource '
             'weighers; 0 disables.'),
    cfg.FloatOpt(
        'cross_cell_move_weight_multiplier',
        default=1000000.0,
        help='CrossCellWeigher: during a move, positive prefers hosts in '
             'the instance\'s current cell, negative prefers other cells. '
             'An aggregate metadata key of the same name overrides it.'),
    cfg.BoolOpt(
        'shuffle_best_same_weighed_hosts',
        default=False,
        help='Shuffle the hosts that share the best weight before picking, '
             'so equal hosts (typical for baremetal) are used evenly.'),
    cfg.StrOpt(
        'image_properties_default_architecture',
        choices=ARCHITECTURES,
        help='Architecture ImagePropertiesFilter assumes for images '
             'without hw_architecture.'),
    cfg.ListOpt(
        'isolated_images',
        default=[],
        help='IsolatedHostsFilter: UUIDs of images that may only run on '
             'isolated_hosts.'),
    cfg.ListOpt(
        'isolated_hosts',
        default=[],
        help='IsolatedHostsFilter: names of hosts reserved for '
             'isolated_images.'),
    cfg.BoolOpt(
        'restrict_isolated_hosts_to_isolated_images',
        default=True,
        help='IsolatedHostsFilter: also keep other images off the isolated '
             'hosts. Isolated images always go to isolated hosts.'),
    cfg.StrOpt(
        'aggregate_image_properties_isolation_namespace',
        deprecated_for_removal=True,
        deprecated_since='33.0.0',
        deprecated_reason=_ISOLATION_DEPRECATION,
        help='AggregateImagePropertiesIsolation: only aggregate metadata '
             'keys with this prefix are compared with image properties.'),
    cfg.StrOpt(
        'aggregate_image_properties_isolation_separator',
        default='.',
        deprecated_for_removal=True,
        deprecated_since='33.0.0',
        deprecated_reason=_ISOLATION_DEPRECATION,
        help='AggregateImagePropertiesIsolation: separator between the '
             'namespace prefix and the property name.'),
    cfg.BoolOpt(
        'pci_in_placement',
        default=False,
        help='Request and claim PCI devices through Placement. Enable '
             'only once every compute reports PCI devices to Placement '
             '([pci]report_in_placement), and set it alike on nova-api '
             'and nova-conductor.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(opt_group())
    conf.register_opts(OPTS, group=GROUP_NAME)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {opt_group(): OPTS}

"""The ``[DEFAULT]`` options the scheduler reads, as nova 34 defines them.

Options owned by oslo.messaging (transport_url, control_exchange,
rpc_response_timeout, executor_thread_pool_size...), oslo.log and
oslo.service are registered by those libraries and are not repeated here.
"""

import socket

from oslo_config import cfg

_RATIO_FALLBACK = (
    'Compute-node records that store no {kind} ratio (NULL or 0.0) are '
    'read with this value when it is set and non-zero, otherwise with '
    'initial_{kind}_allocation_ratio.')

_INITIAL_RATIO = (
    'Initial {what} allocation ratio; used for compute-node records that '
    'store no ratio when {kind}_allocation_ratio is unset.')

OPTS: list[cfg.Opt] = [
    cfg.HostDomainOpt(
        'host',
        default=socket.gethostname(),
        # Keeps the generated sample independent of the machine.
        sample_default='<current_hostname>',
        help='Name of this host: a hostname, FQDN or IP address. The '
             'service listens on the RPC server queue scheduler.<host>, '
             'and its service record carries this name.'),
    cfg.IntOpt(
        'report_interval',
        default=10,
        help='Seconds between service state reports. Keep it below '
             'service_down_time.'),
    cfg.IntOpt(
        'service_down_time',
        default=60,
        help='A service whose last report is older than this many seconds '
             'counts as down; the scheduler skips compute hosts whose '
             'service is down.'),
    cfg.IntOpt(
        'long_rpc_timeout',
        default=1800,
        help='Timeout in seconds of RPC calls that may take long, such as '
             'select_destinations. During such a call '
             'rpc_response_timeout only sets the heartbeat interval.'),
    cfg.StrOpt(
        'default_availability_zone',
        default='nova',
        help='Availability zone of compute hosts that are in no aggregate '
             'with availability_zone metadata.'),
    cfg.FloatOpt(
        'cpu_allocation_ratio',
        default=None,
        min=0.0,
        help='VCPU allocation ratio. ' + _RATIO_FALLBACK.format(kind='cpu')),
    cfg.FloatOpt(
        'ram_allocation_ratio',
        default=None,
        min=0.0,
        help='RAM allocation ratio. ' + _RATIO_FALLBACK.format(kind='ram')),
    cfg.FloatOpt(
        'disk_allocation_ratio',
        default=None,
        min=0.0,
        help='Disk allocation ratio. '
             + _RATIO_FALLBACK.format(kind='disk')),
    cfg.FloatOpt(
        'initial_cpu_allocation_ratio',
        default=4.0,
        min=0.0,
        help=_INITIAL_RATIO.format(what='VCPU', kind='cpu')),
    cfg.FloatOpt(
        'initial_ram_allocation_ratio',
        default=1.0,
        min=0.0,
        help=_INITIAL_RATIO.format(what='RAM', kind='ram')),
    cfg.FloatOpt(
        'initial_disk_allocation_ratio',
        default=1.0,
        min=0.0,
        help=_INITIAL_RATIO.format(what='disk', kind='disk')),
    cfg.IntOpt(
        'scheduler_instance_sync_interval',
        default=120,
        help='Seconds between the instance lists each nova-compute sends '
             'so the scheduler can check its view of that host (0: the '
             'periodic-task default, negative: never). Read by '
             'nova-compute; it paces the sync_instance_info messages this '
             'service receives.'),
    cfg.StrOpt(
        'concurrency_backend',
        default='auto',
        choices=[
            ('auto', 'Each service picks its own default.'),
            ('threading', 'Native threads.'),
            ('eventlet', 'Eventlet green threads (deprecated in nova).'),
        ],
        help='Concurrency model of nova services. This service always runs '
             'on native threads whatever the value; the option exists so '
             'a nova.conf shared with nova services stays valid.'),
    cfg.IntOpt(
        'default_thread_pool_size',
        default=10,
        min=1,
        help='Size of the general-purpose thread pool.'),
    cfg.IntOpt(
        'cell_worker_thread_pool_size',
        default=5,
        min=1,
        help='Size of the thread pool that queries the cell databases '
             'concurrently (one task per cell).'),
    cfg.IntOpt(
        'manager_shutdown_timeout',
        default=160,
        min=0,
        help='Seconds a graceful shutdown gives in-progress requests to '
             'finish. Up to 20 of them are reserved for cleanup, so values '
             'of 20 or less wait for nothing. Keep it below '
             'graceful_shutdown_timeout.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(OPTS)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {'DEFAULT': OPTS}

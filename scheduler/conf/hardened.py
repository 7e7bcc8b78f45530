"""The ``[hardened_scheduler]`` group: limits and behaviour of our own.

nova has none of these options; the decode limits bound what a single
message from the bus can make this service allocate.
"""

from oslo_config import cfg

GROUP_NAME = 'hardened_scheduler'


def opt_group() -> cfg.OptGroup:
    """A fresh group object, never shared (see scheduler.conf)."""
    return cfg.OptGroup(
        GROUP_NAME,
        title='Hardened scheduler options',
        help='Limits and behaviour specific to hardened-scheduler.')


OPTS: list[cfg.Opt] = [
    cfg.IntOpt(
        'max_rpc_message_bytes',
        default=4194304,
        min=1024,
        help='Largest RPC message, in bytes, that is decoded; bigger ones '
             'are rejected without being decoded.'),
    cfg.IntOpt(
        'max_list_length',
        default=10000,
        min=1,
        help='Most entries in any list, set or dict decoded from an RPC '
             'message.'),
    cfg.IntOpt(
        'max_string_length',
        default=65535,
        min=1,
        help='Longest string field, in characters, decoded from an RPC '
             'message.'),
    cfg.IntOpt(
        'max_nesting_depth',
        default=32,
        min=4,
        help='Deepest nesting of containers and objects decoded from an '
             'RPC message.'),
    cfg.IntOpt(
        'max_num_instances',
        default=1000,
        min=1,
        help='Most instances a single select_destinations request may ask '
             'hosts for; larger requests are refused.'),
    cfg.BoolOpt(
        'nova_compatible_reasons',
        default=False,
        help='Send nova\'s exact NoValidHost reason texts instead of our '
             'more specific explanations, for tools that match on them.'),
    cfg.IntOpt(
        'placement_retry_attempts',
        default=3,
        min=1,
        help='Attempts in total for a Placement request that fails '
             'transiently, for example with a connection error.'),
    cfg.FloatOpt(
        'placement_retry_max_seconds',
        default=10.0,
        min=0,
        help='Most time, in seconds, spent retrying one Placement '
             'request; retrying stops at whichever of this and '
             'placement_retry_attempts is reached first.'),
    cfg.IntOpt(
        'claim_conflict_retries',
        default=3,
        min=0,
        help='Retries of an allocation claim after Placement reports a '
             'resource-provider generation conflict (nova makes 4 '
             'attempts in total, i.e. 3 retries).'),
    cfg.IntOpt(
        'claim_refusals_before_requery',
        default=3,
        min=1,
        help='Claims Placement may refuse in a row (capacity taken by '
             'concurrent requests since the allocation candidates were '
             'read) before the request asks Placement for candidates '
             'again instead of trying further hosts of a list that has '
             'gone stale. nova tries every candidate host of its one '
             'query.'),
    cfg.IntOpt(
        'max_candidate_queries',
        default=4,
        min=1,
        help='Allocation-candidates queries one select_destinations may '
             'make: the first, then one more each time its claims were '
             'refused claim_refusals_before_requery times in a row (or '
             'every host left was refused to another request of this '
             'worker), while request_deadline lasts. 1 disables asking '
             'again.'),
    cfg.StrOpt(
        'rpc_topic',
        default='scheduler',
        advanced=True,
        help='RPC topic the service listens on. nova\'s conductors, API '
             'and computes send to "scheduler"; change it only to run a '
             'second scheduler that nova does not use, as tests do.'),
    cfg.FloatOpt(
        'host_state_resync_interval',
        default=10.0,
        min=1.0,
        help='Seconds between background reads of the compute_nodes and '
             'services rows changed in each cell database. Each request '
             'also reads the changes committed before it started, so this '
             'only keeps the cache current between requests (and the '
             'request-time reads small). Keep it well below '
             '[DEFAULT]service_down_time.'),
    cfg.FloatOpt(
        'host_state_change_overlap',
        default=2.0,
        min=0.0,
        help='Seconds before the newest timestamp already read at which '
             'the read each request makes of the compute_nodes, services '
             'and instances rows changed since the last read starts. nova '
             'stamps rows with the clock of the service that writes them, '
             'MySQL DATETIME columns keep whole seconds, and a transaction '
             'commits after it stamps its rows: the overlap catches rows '
             'committed late or stamped by a clock slightly behind. Keep '
             'the clocks of nova\'s hosts synchronized (NTP); a change '
             'stamped further in the past than this is only seen by the '
             'background resync (30 seconds of overlap) or the next full '
             'reload. Rows read again that did not change cost nothing.'),
    cfg.IntOpt(
        'host_state_full_resync_interval',
        default=600,
        min=0,
        help='Seconds between full background reloads of the host cache '
             '(cells, aggregates, compute nodes, services, instance '
             'lists), which heal any missed update. 0 disables them; '
             'SIGHUP always triggers one.'),
    cfg.FloatOpt(
        'cell_database_timeout',
        default=30.0,
        min=1.0,
        help='Seconds a read of one cell database may take. A cell that '
             'does not answer in time keeps its last known hosts and is '
             'named as unavailable in NoValidHost explanations.'),
    cfg.FloatOpt(
        'request_deadline',
        default=30.0,
        min=1.0,
        help='Seconds one select_destinations may spend on Placement in '
             'all: the allocation-candidates query, every claim over every '
             'candidate host, and their retries. When it runs out, or '
             'Placement does not answer a claim, the request stops trying '
             'further hosts, releases what it claimed and answers '
             'NoValidHost ("Placement is unavailable", or, when it was '
             'spent on claims concurrent requests won, that no claim '
             'succeeded before the deadline). Keep it well under '
             'nova-conductor\'s [DEFAULT] long_rpc_timeout (1800 s); each '
             'exchange is still bounded by [placement] timeout when that '
             'is smaller.'),
    cfg.StrOpt(
        'pending_releases_dir',
        default='/var/lib/hardened-scheduler/pending-releases',
        help='Directory of the journal of claim releases Placement did '
             'not take (down, failing, no answer): one small JSON file per '
             'release, retried until Placement takes it, also after a '
             'restart. All workers of a host may share it. Empty: keep them '
             'in memory only (lost when the worker stops). A directory '
             'that cannot be created or written falls back to memory, '
             'logged at start-up.'),
    cfg.FloatOpt(
        'pending_release_retry_interval',
        default=30.0,
        min=0.1,
        help='Seconds between retries of the pending claim releases.'),
    cfg.StrOpt(
        'log_identifiers',
        default='hashed',
        choices=[
            ('hashed', 'host, node, instance, aggregate and provider '
             'identifiers, and UUIDs other than request ids, appear in '
             'log lines as keyed hashes such as host~3f9a1c2b7d10, at '
             'every level'),
            ('clear', 'they appear as they are (for debugging)'),
        ],
        mutable=True,
        help='How log lines show the identifiers of hosts, nodes, '
             'instances, aggregates and resource providers. Passwords, '
             'tokens and URL credentials are masked in either mode. Use '
             '"hardened-scheduler-manage hash-identifier" to find the '
             'hash of a name. Takes effect on SIGHUP.'),
    cfg.StrOpt(
        'log_identifier_key',
        secret=True,
        # Not mutable: oslo.config logs a mutated value in clear.
        help='Key of the keyed hashes (HMAC-SHA256) of identifiers in '
             'log lines. Set the same value on every scheduler host to '
             'get the same hashes everywhere and across restarts, and to '
             'let hash-identifier compute them. When unset, a random key '
             'is drawn at each service start (shared by its workers): '
             'hashes then change on every restart. Changing it needs a '
             'restart.'),
    cfg.IntOpt(
        'debug_top_hosts',
        default=5,
        min=0,
        mutable=True,
        help='How many hosts a per-request DEBUG summary may name (the '
             'best ranked); the others are only counted. 0 names none.'),
]


def register_opts(conf: cfg.ConfigOpts) -> None:
    conf.register_group(opt_group())
    conf.register_opts(OPTS, group=GROUP_NAME)


def list_opts() -> dict[str | cfg.OptGroup, list[cfg.Opt]]:
    return {opt_group(): OPTS}

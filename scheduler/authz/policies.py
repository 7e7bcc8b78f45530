"""Authorization rules for the scheduler's RPC methods, in code.

nova's scheduler checks nothing: whoever can publish on the bus may claim
resources for any project and rewrite every scheduler's caches. These
rules look at the caller's context as nova's services send it:

- nova-compute, nova-api's aggregate calls and nova's periodic tasks send
  elevated or admin contexts (``is_admin`` true, ``admin`` role), so the
  cache casts need a service context;
- nova-conductor forwards the *requesting user's* context to
  select_destinations (boots, resizes and unshelves by the owner), so that
  call also accepts a member of the project the request is for. A context
  for another project, a reader, or one with no roles is refused.

Operators override any rule in the policy file named by
``[oslo_policy]policy_file`` (``etc/hardened-scheduler/policy.yaml.sample``
lists them). Rules have no scope types: RPC contexts of nova's services
carry no token scope, so scope enforcement would refuse them all.
"""

from collections.abc import Iterator

from oslo_policy import policy

PREFIX = 'hardened_scheduler'
SERVICE = f'{PREFIX}:service'
REQUESTING_PROJECT_MEMBER = f'{PREFIX}:requesting_project_member'
SELECT_DESTINATIONS = f'{PREFIX}:select_destinations'
UPDATE_AGGREGATES = f'{PREFIX}:update_aggregates'
DELETE_AGGREGATE = f'{PREFIX}:delete_aggregate'
UPDATE_INSTANCE_INFO = f'{PREFIX}:update_instance_info'
DELETE_INSTANCE_INFO = f'{PREFIX}:delete_instance_info'
SYNC_INSTANCE_INFO = f'{PREFIX}:sync_instance_info'
TARGET_HOSTS = f'{PREFIX}:request:target_hosts'

# The rule each RPC method is checked against.
METHOD_RULES = {
    'select_destinations': SELECT_DESTINATIONS,
    'update_aggregates': UPDATE_AGGREGATES,
    'delete_aggregate': DELETE_AGGREGATE,
    'update_instance_info': UPDATE_INSTANCE_INFO,
    'delete_instance_info': DELETE_INSTANCE_INFO,
    'sync_instance_info': SYNC_INSTANCE_INFO,
}

_RPC = 'RPC'


def _rpc(name: str, check: str, description: str, method: str
         ) -> policy.DocumentedRuleDefault:
    return policy.DocumentedRuleDefault(
        name=name, check_str=check, description=description,
        operations=[{'path': f'scheduler.{method}', 'method': _RPC}])


BASE_RULES = [
    policy.RuleDefault(
        SERVICE,
        'role:service or role:admin or is_admin:True',
        'A nova service acting as itself: the elevated contexts of '
        'nova-compute and nova-api, the admin contexts of periodic tasks, '
        'or a user with the service role. Matches nova\'s service_or_admin '
        'plus the is_admin flag that nova\'s admin contexts carry without '
        'roles.'),
    policy.RuleDefault(
        REQUESTING_PROJECT_MEMBER,
        'role:member and project_id:%(project_id)s',
        'The context of a member of the project the request schedules '
        'for (nova-conductor forwards the user\'s context). Matches nova\'s '
        'project_member_api, the default for creating, resizing and '
        'unshelving servers; align it with nova\'s policy if that was '
        'changed.'),
]

RPC_RULES = [
    _rpc(SELECT_DESTINATIONS,
         f'rule:{SERVICE} or rule:{REQUESTING_PROJECT_MEMBER}',
         'Schedule (and claim resources in Placement for) instances of '
         'the RequestSpec\'s project. A refused call gets NoValidHost '
         '"Not authorized" and claims nothing.',
         'select_destinations'),
    _rpc(UPDATE_AGGREGATES, f'rule:{SERVICE}',
         'Replace aggregates in the host-state cache (nova-api).',
         'update_aggregates'),
    _rpc(DELETE_AGGREGATE, f'rule:{SERVICE}',
         'Remove an aggregate from the host-state cache (nova-api).',
         'delete_aggregate'),
    _rpc(UPDATE_INSTANCE_INFO, f'rule:{SERVICE}',
         'Record instances on a host in the cache (nova-compute).',
         'update_instance_info'),
    _rpc(DELETE_INSTANCE_INFO, f'rule:{SERVICE}',
         'Forget an instance on a host in the cache (nova-compute).',
         'delete_instance_info'),
    _rpc(SYNC_INSTANCE_INFO, f'rule:{SERVICE}',
         'Compare a host\'s instance list with the cache (nova-compute).',
         'sync_instance_info'),
    policy.DocumentedRuleDefault(
        name=TARGET_HOSTS, check_str=f'rule:{SERVICE}',
        description='Honour the request fields that pick hosts by name '
        '(force_hosts, force_nodes, requested_destination host and node, '
        'ignore_hosts). nova-api lets only admins set them; otherwise '
        'they are dropped and audited, except a rebuild check of the '
        'request\'s own instance on the host it runs on, and ignore_hosts '
        'when the request moves an existing instance. Also lets a query '
        'scheduler hint (JsonFilter) read $host, $nodename and '
        '$hypervisor_hostname, which otherwise read as unknown.',
        operations=[{'path': 'scheduler.select_destinations', 'method':
                     _RPC}]),
]


def list_rules() -> Iterator[policy.RuleDefault]:
    """Every rule, for the enforcer and oslopolicy-sample-generator."""
    yield from BASE_RULES
    yield from RPC_RULES

"""Which request fields the caller may set, and dropping the rest.

Every RequestSpec field is classified below. Most are the user's own
choices (flavor, image, zone, hints), already bounded by the codec and
by nova-api's policy. A few pick hosts by name or switch the pipeline to
nova's internal rebuild check; nova-api lets only admins set those, or
sets them itself for a rebuild or resize of an existing instance. nova's
scheduler honours them from anybody on the bus: a user-supplied
``_nova_check_type=rebuild`` hint (CVE-2026-46448) skips Placement and
every claim. Here they are honoured only from a flow allowed to set them:

- a context that passes the ``hardened_scheduler:request:target_hosts``
  rule (admins and services, as nova-api's policy), or
- the flow's own shape, checked against the scheduler's own data, never
  against the message: a rebuild check names exactly the host and node
  the request's single instance already runs on; ``ignore_hosts`` comes
  with a move of an instance that runs somewhere (resize, evacuate,
  rebuild, live-migration retries), never with a new server.

Anything else is dropped, the request goes on without it, and each drop
is audited and counted in the decision record. Internal ``_nova*`` hints
other than a verified rebuild check are always dropped: no filter reads
them.

The same decision is handed on as ``RequestSpec.may_target_hosts`` (never
taken from the message) for the user hints that can name hosts (JsonFilter's
``query`` reads ``$host``, ``$nodename``, ``$hypervisor_hostname`` only
then), so filters stay functions of the host and the request.
"""

from collections.abc import Mapping, Sequence
import dataclasses
import enum
import types

from scheduler.authz import authorization
from scheduler.hoststate import source as host_source
from scheduler.authz import policies
from scheduler.objects import context as context_obj
from scheduler.objects import request_spec

INTERNAL_HINT_PREFIX = '_nova'
CHECK_TYPE_HINT = '_nova_check_type'
REBUILD = ('rebuild',)
MAX_HINT_NAME = 64


class Trust(enum.Enum):
    # The user's own choice through nova-api; honoured as given.
    USER = 'user'
    # Computed by nova-api or conductor from the user's choices (flavor,
    # image, ports); can only add requirements.
    DERIVED = 'derived'
    # Only removes hosts from the request's own choice; honoured.
    NARROWING = 'narrowing'
    # Whose request it is: checked by the select_destinations rule.
    IDENTITY = 'identity'
    # Picks hosts by name: the target_hosts rule or a verified flow.
    TARGETING = 'targeting'
    # Per hint: user hints honoured, internal ones service-only.
    HINTS = 'hints'
    # Decided here from the caller's context; never read from the message.
    ADMISSION = 'admission'


FIELD_TRUST: Mapping[str, Trust] = types.MappingProxyType({
    'flavor': Trust.USER,
    'image': Trust.USER,
    'availability_zone': Trust.USER,
    'num_instances': Trust.USER,
    'instance_group': Trust.USER,
    'requested_networks': Trust.USER,
    'numa_topology': Trust.DERIVED,
    'pci_requests': Trust.DERIVED,
    'network_metadata': Trust.DERIVED,
    'is_bfv': Trust.DERIVED,
    'requested_resources': Trust.DERIVED,
    'request_level_params': Trust.DERIVED,
    'instance_uuid': Trust.DERIVED,
    'id': Trust.DERIVED,
    'retry': Trust.NARROWING,
    'project_id': Trust.IDENTITY,
    'user_id': Trust.IDENTITY,
    'ignore_hosts': Trust.TARGETING,
    'force_hosts': Trust.TARGETING,
    'force_nodes': Trust.TARGETING,
    # Its cell, aggregates and forbidden aggregates only narrow (the cell
    # is resolved by UUID from our own data); host and node target.
    'requested_destination': Trust.TARGETING,
    'scheduler_hints': Trust.HINTS,
    'may_target_hosts': Trust.ADMISSION,
})
# User hints a filter may read host names in when the caller may target
# hosts (JsonFilter's query).
HOST_NAMING_HINTS = ('query',)

# Fixed reasons (audit records and metrics labels stay low-cardinality).
NOT_PRIVILEGED = 'caller may not target hosts'
NOT_A_MOVE = 'the request moves no existing instance'
INTERNAL_HINT = 'internal hint not set by a verified flow'


@dataclasses.dataclass(frozen=True, slots=True)
class Drop:
    field: str
    why: str


@dataclasses.dataclass(frozen=True, slots=True)
class Screened:
    spec: request_spec.RequestSpec
    drops: tuple[Drop, ...]
    # A rebuild check of an existing instance on its own host.
    rebuild: bool


def _instance_locations(snapshot: host_source.HostSnapshot,
                        uuid: str | None, project_id: str | None
                        ) -> frozenset[tuple[str, str]]:
    """(host, node) pairs our data places the instance on (lower-case
    host, as nova compares host names)."""
    if uuid is None:
        return frozenset()
    found = set()
    for host in snapshot.hosts.values():
        if uuid in host.instances and (
                project_id is None or host.instances[uuid] in (
                    None, project_id)):
            found.add((host.host.lower(), host.nodename))
    return frozenset(found)


def _is_rebuild_check(spec: request_spec.RequestSpec,
                      locations: frozenset[tuple[str, str]],
                      count: int) -> bool:
    """nova-api's rebuild check: the instance's own host and node."""
    if spec.scheduler_hints.get(CHECK_TYPE_HINT) != REBUILD or count != 1:
        return False
    hosts = tuple(h.lower() for h in spec.force_hosts or ())
    nodes = tuple(spec.force_nodes or ())
    if len(hosts) != 1 or len(nodes) > 1:
        return False
    return any(host == hosts[0] and (not nodes or node == nodes[0])
               for host, node in locations)


def screen(spec: request_spec.RequestSpec,
           context: context_obj.RequestContext,
           instance_uuids: Sequence[str] | None,
           authorizer: authorization.Authorizer,
           snapshot: host_source.HostSnapshot) -> Screened:
    """The request with every field the caller may not set dropped."""
    count = len(instance_uuids) if instance_uuids else spec.num_instances
    targeting = (spec.force_hosts or spec.force_nodes or spec.ignore_hosts
                 or (spec.requested_destination is not None
                     and (spec.requested_destination.host
                          or spec.requested_destination.node)))
    internal = [k for k in spec.scheduler_hints
                if k.startswith(INTERNAL_HINT_PREFIX)]
    naming = any(k in spec.scheduler_hints for k in HOST_NAMING_HINTS)
    if not (targeting or internal or naming or spec.may_target_hosts):
        return Screened(spec, (), False)
    uuid = (instance_uuids[0] if instance_uuids and len(instance_uuids) == 1
            else spec.instance_uuid)
    locations = (_instance_locations(snapshot, uuid, spec.project_id)
                 if targeting or internal else frozenset())
    rebuild = _is_rebuild_check(spec, locations, count)
    privileged = bool(targeting or naming) and authorizer.check(
        policies.TARGET_HOSTS, context,
        {'project_id': spec.project_id}).allowed
    drops: list[Drop] = []
    changes: dict[str, object] = {}
    if spec.may_target_hosts != privileged:
        changes['may_target_hosts'] = privileged
    hints = {k: v for k, v in spec.scheduler_hints.items()
             if not k.startswith(INTERNAL_HINT_PREFIX)}
    if rebuild:
        hints[CHECK_TYPE_HINT] = REBUILD
    for name in sorted(internal):
        if name not in hints:
            # The name is the caller's text: bounded in audit records.
            drops.append(Drop(f'scheduler_hints.{name[:MAX_HINT_NAME]}',
                              INTERNAL_HINT))
    if len(hints) != len(spec.scheduler_hints):
        changes['scheduler_hints'] = types.MappingProxyType(hints)
    if not privileged:
        if not rebuild:
            for name in ('force_hosts', 'force_nodes'):
                if getattr(spec, name):
                    drops.append(Drop(name, NOT_PRIVILEGED))
                    changes[name] = None
        # nova sets ignore_hosts only when moving an existing instance
        # (resize, evacuate, rebuild, live-migration retries listing the
        # hosts already tried, which project managers may start); it only
        # narrows the request's own hosts.
        if spec.ignore_hosts and not locations:
            drops.append(Drop('ignore_hosts', NOT_A_MOVE))
            changes['ignore_hosts'] = None
        dest = spec.requested_destination
        if dest is not None and (dest.host or dest.node):
            drops.append(Drop('requested_destination.host', NOT_PRIVILEGED))
            changes['requested_destination'] = dataclasses.replace(
                dest, host=None, node=None)
    screened = spec.replace(**changes) if changes else spec
    return Screened(screened, tuple(drops), rebuild)

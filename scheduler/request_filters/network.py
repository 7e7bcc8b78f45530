"""Request filters that ask Neutron about the requested networks.

routed_networks_filter turns the segments of the requested networks (or
of a port's subnet) into required aggregates; remote_managed_ports_filter
requires COMPUTE_REMOTE_MANAGED_PORTS when a port is remote-managed. Both
use the env's Neutron client (the caller's token for ports, the service
credentials for segments) and the first one Placement's provider
aggregates.

Failures become RequestFilterFailed. For the aggregate lookups nova says
"Aggregates not found for the network|subnet <id>"; that exact text is
kept for nova-compatible reasons, while users see it without the id. Where
nova lets the error escape as an unexpected RPC failure (a port Neutron
cannot show, a segment provider Placement refuses), we refuse the request
the same way instead, so the instance fault says why.
"""

from oslo_log import log as logging
import os_traits

from scheduler import errors
from scheduler.neutron import errors as neutron_errors
from scheduler.objects import network as network_obj
from scheduler.objects import request_spec
from scheduler.placement import errors as placement_errors
from scheduler.request_filters.base import FilterEnv
from scheduler.request_filters.base import NeutronReader
from scheduler.request_filters.base import ProviderAggregates
from scheduler.request_filters import edits

LOG = logging.getLogger(__name__)

REMOTE_MANAGED = 'remote-managed'
VNIC_TYPE = 'binding:vnic_type'
# Networks nova allocates itself after scheduling: nothing to look up.
UNRESOLVED_NETWORKS = ('auto', 'none')


class _NoAggregates(Exception):
    """A segment lookup failed (nova's InvalidRoutedNetworkConfiguration)."""


def _neutron(env: FilterEnv) -> NeutronReader:
    if env.neutron is None:
        raise errors.RequestFilterFailed(
            'Neutron is not available to the scheduler')
    return env.neutron


def _placement(env: FilterEnv) -> ProviderAggregates:
    if env.placement is None:
        raise errors.RequestFilterFailed(
            'Placement is not available to the scheduler')
    return env.placement


def _show_port(env: FilterEnv, port_id: str) -> dict[str, object]:
    try:
        return dict(_neutron(env).show_port(env.context, port_id))
    except neutron_errors.NeutronNotFound:
        raise errors.RequestFilterFailed(
            f'Port id {port_id} could not be found.',
            safe_reason='A requested port could not be found') from None
    except neutron_errors.NeutronError as exc:
        raise errors.RequestFilterFailed(
            f'Failed to access port {port_id}: {exc.detail}',
            safe_reason='A requested port could not be read from Neutron: '
                        f'{exc.detail}') from None


def _segment_aggregates(env: FilterEnv, segment_id: str) -> list[str]:
    try:
        found = _placement(env).get_provider_aggregates(
            segment_id, env.context.global_id)
    except placement_errors.PlacementError as exc:
        LOG.warning('Aggregates of a network segment could not be read: '
                    '%s', type(exc).__name__)
        raise _NoAggregates() from None
    if not found:
        LOG.warning('Failed to find aggregate related to segment %s',
                    segment_id)
        raise _NoAggregates()
    # nova keeps Placement's set; any order means the same member_of.
    return sorted(found)


def _network_aggregates(env: FilterEnv, network_id: str) -> list[str]:
    try:
        segments = _neutron(env).segment_ids_for_network(
            env.context, network_id)
        aggregates: list[str] = []
        for segment_id in segments:
            aggregates.extend(_segment_aggregates(env, segment_id))
        return aggregates
    except (_NoAggregates, neutron_errors.NeutronError):
        raise errors.RequestFilterFailed(
            f'Aggregates not found for the network {network_id}',
            safe_reason='Aggregates not found for the requested '
                        'network') from None


def _subnet_aggregates(env: FilterEnv, subnet_id: str) -> list[str]:
    try:
        segment_id = _neutron(env).segment_id_for_subnet(
            env.context, subnet_id)
        return _segment_aggregates(env, segment_id) if segment_id else []
    except (_NoAggregates, neutron_errors.NeutronError):
        raise errors.RequestFilterFailed(
            f'Aggregates not found for the subnet {subnet_id}',
            safe_reason='Aggregates not found for the subnet of a '
                        'requested port') from None


def _str_or_none(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _first_subnet(port_id: str, port: dict[str, object]) -> str:
    fixed_ips = port.get('fixed_ips')
    first = fixed_ips[0] if isinstance(fixed_ips, list) else None
    subnet_id = _str_or_none(
        first.get('subnet_id') if isinstance(first, dict) else None)
    if subnet_id is None:
        raise errors.RequestFilterFailed(
            f'Failed to access port {port_id}: malformed fixed_ips',
            safe_reason='A requested port could not be read from Neutron: '
                        'malformed fixed_ips')
    return subnet_id


def _nic_aggregates(env: FilterEnv, nic: network_obj.NetworkRequest
                    ) -> list[str] | None:
    """The aggregates one requested NIC allows; None: no constraint."""
    network_id = nic.network_id
    if nic.port_id:
        port = _show_port(env, nic.port_id)
        fixed_ips = port.get('fixed_ips')
        if fixed_ips:
            # A bound port sticks to its (first) subnet's segment.
            return _subnet_aggregates(env, _first_subnet(nic.port_id, port))
        network_id = _str_or_none(port.get('network_id'))
    if not network_id or network_id in UNRESOLVED_NETWORKS:
        # nova reuses the previous NIC's aggregates here (or fails with
        # UnboundLocalError): a NIC without network adds no constraint.
        return None
    return _network_aggregates(env, network_id)


def routed_networks_filter(spec: request_spec.RequestSpec, env: FilterEnv
                           ) -> request_spec.RequestSpec | None:
    """Hosts in the segments of every requested network (AND across NICs).
    """
    if not env.conf.scheduler.query_placement_for_routed_network_aggregates:
        return None
    changed = None
    for nic in spec.requested_networks:
        aggregates = _nic_aggregates(env, nic)
        if aggregates:
            spec = edits.require_aggregates(spec, aggregates)
            changed = spec
    return changed


def remote_managed_ports_filter(spec: request_spec.RequestSpec,
                                env: FilterEnv
                                ) -> request_spec.RequestSpec | None:
    """Require remote-managed port support if any port is remote-managed."""
    remote = False
    for nic in spec.requested_networks:
        # nova reads every port, even after finding a remote-managed one.
        if nic.port_id and _show_port(env, nic.port_id).get(
                VNIC_TYPE, 'normal') == REMOTE_MANAGED:
            remote = True
    if not remote:
        return None
    return edits.require_root_traits(
        spec, (os_traits.COMPUTE_REMOTE_MANAGED_PORTS,))

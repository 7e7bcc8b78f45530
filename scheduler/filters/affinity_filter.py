"""Affinity filters: server groups, instance hints and host address.

The server group filters read the group's ``policy``. nova's
ServerGroupAffinityFilter still reads the deprecated ``policies`` list;
the codec keeps the two consistent (one policy per group since
InstanceGroup 1.11), so the result is the same.

SameHostFilter and DifferentHostFilter read the ``same_host`` and
``different_host`` hints (instance uuids). Deliberate difference: only
instances of the request's own project count (the RequestSpec's
project_id, which the select_destinations policy ties to the caller's
project for non-service callers). nova counts any uuid, so a user could
learn which host runs another project's server (same_host succeeds only
there) or place a server next to it; here another project's instance
counts as absent, exactly as an unknown uuid does in nova.

SimpleCIDRAffinityFilter keeps hosts whose IP is in the network
``build_near_host_ip`` + ``cidr`` (default ``/24``), parsed as nova's
netaddr does: the two hints are simply concatenated, the prefix may be a
length, a netmask or a hostmask, and an address alone is a /32 (/128).
Deliberate difference: these hints are user input, and nova raises on
ones it cannot parse (or on several values of one hint), failing the
whole request; here the host is rejected with a reason.
"""

import ipaddress
from typing import ClassVar

from scheduler.hoststate import host_state
from scheduler.filters import base
from scheduler.filters import hints
from scheduler.objects import instance_group as group_obj
from scheduler.objects import request_spec

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.AFFINITY

NOT_GROUP_HOST = 'not a host of the affinity group'
GROUP_FULL = 'anti-affinity group members on host at max_server_per_host'


class _GroupPolicyFilter(base.BaseHostFilter):
    """A filter that applies only to requests whose server group has
    ``policy_name``; no host is asked otherwise."""

    RUN_ON_REBUILD = False
    policy_name: ClassVar[str]

    def _group(self, spec: request_spec.RequestSpec
               ) -> group_obj.InstanceGroup | None:
        group = spec.instance_group
        if group is None or group.policy != self.policy_name:
            return None
        return group

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck | None:
        if self._group(spec) is None:
            return None
        return super().host_check(spec)


class ServerGroupAntiAffinityFilter(_GroupPolicyFilter):
    """At most max_server_per_host members of the group on a host."""

    policy_name = 'anti-affinity'

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        group = self._group(spec)
        # A move (resize to the same host...) may check the host the
        # instance is already on: that host stays a valid destination.
        if group is None or spec.instance_uuid in host.instances:
            return None
        on_host = set(host.instances).intersection(group.members)
        if len(on_host) < group.max_server_per_host:
            return None
        return self.reject(GROUP_FULL, CODE)


class ServerGroupAffinityFilter(_GroupPolicyFilter):
    """Once the group has hosts, only those hosts."""

    policy_name = 'affinity'

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        group = self._group(spec)
        if group is None or not group.hosts or host.host in group.hosts:
            return None
        return self.reject(NOT_GROUP_HOST, CODE)

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck | None:
        group = self._group(spec)
        if group is None or not group.hosts:
            return None
        return super().host_check(spec)


_ABSENT = object()
NOT_SAME_HOST = 'no instance of the same_host hint on host'
NOT_DIFFERENT_HOST = 'instance of the different_host hint on host'
BAD_NETWORK_HINT = 'malformed build_near_host_ip/cidr hint'
NO_HOST_IP = 'host IP unknown'
NOT_NEAR = 'host IP not in build_near_host_ip/cidr network'


def _hinted_instances_on_host(host: host_state.HostState,
                              spec: request_spec.RequestSpec,
                              name: str) -> bool | None:
    """Whether an instance of hint ``name`` is on the host; None when
    the hint is not given (absent or empty, as nova)."""
    value = hints.hint(spec, name)
    if not value:
        return None
    project = spec.project_id
    instances = host.instances
    return project is not None and any(
        instances.get(uuid, _ABSENT) == project
        for uuid in hints.hint_values(value))


class DifferentHostFilter(base.BaseHostFilter):
    """None of the ``different_host`` instances on the host."""

    run_filter_once_per_request = True
    RUN_ON_REBUILD = False

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        if _hinted_instances_on_host(host, spec, 'different_host'):
            return self.reject(NOT_DIFFERENT_HOST, CODE)
        return None

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck | None:
        if not hints.hint(spec, 'different_host'):
            return None
        return super().host_check(spec)


class SameHostFilter(base.BaseHostFilter):
    """One of the ``same_host`` instances on the host."""

    run_filter_once_per_request = True
    RUN_ON_REBUILD = False

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        if _hinted_instances_on_host(host, spec, 'same_host') is False:
            return self.reject(NOT_SAME_HOST, CODE)
        return None

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck | None:
        if not hints.hint(spec, 'same_host'):
            return None
        return super().host_check(spec)


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _address(text: str) -> Address | None:
    # netaddr parses with inet_pton, which knows no IPv6 zone index.
    if '%' in text:
        return None
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _mask_prefix(mask: int, width: int) -> int | None:
    """The prefix length of a netmask or, failing that, a hostmask."""
    inverted = mask ^ ((1 << width) - 1)
    if inverted & (inverted + 1) == 0:
        return width - inverted.bit_length()
    if mask & (mask + 1) == 0:
        return width - mask.bit_length()
    return None


def parse_network(text: str) -> tuple[Address, int] | None:
    """``address[/prefix]`` as netaddr.IPNetwork reads it: (address,
    prefix length), or None when netaddr would raise.

    The prefix is anything int() reads, else a netmask or hostmask of the
    address's family; no prefix means the full address width.
    """
    address_text, slash, prefix_text = text.partition('/')
    address = _address(address_text)
    if address is None:
        return None
    width = address.max_prefixlen
    if not slash:
        return address, width
    try:
        prefix = int(prefix_text)
    except ValueError:
        mask = _address(prefix_text)
        if mask is None or mask.version != address.version:
            return None
        found = _mask_prefix(int(mask), width)
        if found is None:
            return None
        prefix = found
    if not 0 <= prefix <= width:
        return None
    return address, prefix


def in_network(address: Address, network: tuple[Address, int]) -> bool:
    base, prefix = network
    if address.version != base.version:
        return False
    shift = base.max_prefixlen - prefix
    return int(address) >> shift == int(base) >> shift


class SimpleCIDRAffinityFilter(base.BaseHostFilter):
    """Hosts whose IP is in the network build_near_host_ip + cidr."""

    run_filter_once_per_request = True
    RUN_ON_REBUILD = False

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        near = hints.hint(spec, 'build_near_host_ip')
        if not near:
            return None
        cidr = hints.hint(spec, 'cidr', '/24')
        if not isinstance(near, str) or not isinstance(cidr, str):
            return self.reject(BAD_NETWORK_HINT, CODE)
        network = parse_network(near + cidr)
        if network is None:
            return self.reject(BAD_NETWORK_HINT, CODE)
        address = _address(host.host_ip) if host.host_ip else None
        if address is None:
            return self.reject(NO_HOST_IP, CODE)
        if in_network(address, network):
            return None
        return self.reject(NOT_NEAR, CODE)

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck | None:
        if not hints.hint(spec, 'build_near_host_ip'):
            return None
        return super().host_check(spec)

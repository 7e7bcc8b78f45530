"""PCIWeigher: keep hosts with free PCI devices for requests needing them.

Hosts with fewer free PCI devices weigh more, so requests without PCI
devices avoid PCI hosts and requests with them stack instead of
fragmenting the hosts with the most devices.
"""

from collections.abc import Sequence
import operator

from scheduler.hoststate import host_state
from scheduler.objects import request_spec
from scheduler.weighers import base

MAX_DEVS = 100
_POOLS = operator.attrgetter('pci_pools')


class PCIWeigher(base.BaseWeigher):
    multiplier_option = 'pci_weight_multiplier'

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        pools = host.pci_pools
        free = sum(pool.count for pool in pools) if pools else 0
        return MAX_DEVS - min(free, MAX_DEVS - 1)

    def weigh_many(self, hosts: Sequence[host_state.HostState],
                   spec: request_spec.RequestSpec) -> list[float]:
        # Most clouds have no PCI pools: every host then weighs MAX_DEVS.
        if not any(map(_POOLS, hosts)):
            return [MAX_DEVS] * len(hosts)
        return super().weigh_many(hosts, spec)

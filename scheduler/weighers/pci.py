"""PCIWeigher: keep hosts with free PCI devices for requests needing them.

Hosts with fewer free PCI devices weigh more, so requests without PCI
devices avoid PCI hosts and requests with them stack instead of
fragmenting the hosts with the most devices.
"""

from scheduler import host_state
from scheduler import weighers
from scheduler.objects import request_spec

MAX_DEVS = 100


class PCIWeigher(weighers.BaseWeigher):
    multiplier_option = 'pci_weight_multiplier'

    def weigh(self, host: host_state.HostState,
              spec: request_spec.RequestSpec) -> float:
        pools = host.pci_pools
        free = sum(pool.count for pool in pools) if pools else 0
        return MAX_DEVS - min(free, MAX_DEVS - 1)

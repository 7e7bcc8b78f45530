"""PciPassthroughFilter: the host's PCI pools must serve the requests.

As nova's: for at least one allocation candidate the pools (restricted to
the providers Placement allocated PCI devices from, when it did) hold the
requested devices; candidates they cannot serve are dropped.
"""

import dataclasses

from scheduler.hoststate import host_state
from scheduler.filters import base
from scheduler.objects import request_spec
from scheduler.pci import stats

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.PCI

NO_DEVICES = 'not enough matching PCI devices'


class PciPassthroughFilter(base.RefiningHostFilter):
    """Filter on the instance's PCI requests (flavor aliases, ports)."""

    RUN_ON_REBUILD = False

    def refine(self, host: host_state.HostState,
               spec: request_spec.RequestSpec
               ) -> host_state.HostState | base.Rejection:
        if spec.pci_requests is None or not spec.pci_requests.requests:
            return host
        requests = spec.pci_requests.requests
        good = base.keep_candidates(
            host, lambda candidate: stats.support_requests(
                host.pci_pools, requests, candidate.get('mappings')))
        if not good:
            return self.reject(NO_DEVICES, CODE)
        return dataclasses.replace(host, allocation_candidates=good)

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck | None:
        if spec.pci_requests is None or not spec.pci_requests.requests:
            return None  # refine keeps every host as it is
        return super().host_check(spec)

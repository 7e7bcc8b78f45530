"""NUMATopologyFilter: the instance's NUMA topology must fit the host's.

As nova's: a dedicated-CPU request with the 'require' thread policy needs
a host with SMT; an instance NUMA topology needs a host NUMA topology it
fits on (CPUs, pinning, memory pages, oversubscription limits, PCI-NUMA
affinity, network NUMA affinity) for at least one of the host's
allocation candidates. Candidates it does not fit are dropped, and the
NUMA limits are set on the host for the compute node's claim.
"""

import dataclasses

from oslo_config import cfg

from scheduler.hoststate import host_state
from scheduler.filters import base
from scheduler.numa import consume
from scheduler.numa import fit
from scheduler.numa import instance
from scheduler.numa import pinning
from scheduler.numa import topology
from scheduler.objects import image as image_obj
from scheduler.objects import numa
from scheduler.objects import request_spec

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.NUMA

NO_THREADS = 'host has no SMT threads for the require thread policy'
NO_HOST_TOPOLOGY = 'host has no NUMA topology'
UNREADABLE = 'host NUMA topology unreadable'
NO_SIBLINGS = 'host NUMA topology lists no CPU thread siblings'
DOES_NOT_FIT = 'instance NUMA topology does not fit'


def wants_smt(spec: request_spec.RequestSpec) -> bool:
    """Dedicated CPUs with the 'require' thread policy, asked for by the
    flavor or the image (nova does not reconcile the two here)."""
    extra = spec.flavor.extra_specs
    props = (spec.image.properties if spec.image is not None
             else image_obj.ImageProperties())
    policies = (extra.get('hw:cpu_policy'), props.get('hw_cpu_policy'))
    threads = (extra.get('hw:cpu_thread_policy'),
               props.get('hw_cpu_thread_policy'))
    return (instance.DEDICATED in policies
            and instance.THREAD_REQUIRE in threads)


class NUMATopologyFilter(base.RefiningHostFilter):
    """Filter on the requested NUMA topology (nova's, with candidates)."""

    # The API refuses rebuilds that would change the NUMA constraints.
    RUN_ON_REBUILD = False

    def __init__(self, conf: cfg.ConfigOpts) -> None:
        super().__init__(conf)
        self._pack = consume.numa_packing(conf)

    def refine(self, host: host_state.HostState,
               spec: request_spec.RequestSpec
               ) -> host_state.HostState | base.Rejection:
        try:
            host_topo = topology.host_topology(host.numa_topology)
        except topology.InvalidTopology:
            return self.reject(UNREADABLE, CODE)
        if host_topo is not None and not host_topo.cells:
            host_topo = None  # nova reads a topology without cells so
        if (host_topo is not None and wants_smt(spec)
                and not host_topo.has_threads):
            return self.reject(NO_THREADS, CODE)
        requested = spec.numa_topology
        if requested is None or not requested.cells:
            return host
        if host_topo is None:
            return self.reject(NO_HOST_TOPOLOGY, CODE)
        limits = numa.NUMATopologyLimits(
            cpu_allocation_ratio=host.cpu_allocation_ratio,
            ram_allocation_ratio=host.ram_allocation_ratio,
            network_metadata=spec.network_metadata)
        requests = (spec.pci_requests.requests
                    if spec.pci_requests is not None else ())
        # One copy of the request per host, changed by every attempt in
        # turn as nova's copy is (see scheduler.numa.instance).
        work = instance.WorkTopology(requested)
        try:
            good = base.keep_candidates(
                host, lambda candidate: fit.fit_instance(
                    host_topo, work,
                    provider_mapping=candidate.get('mappings'),
                    limits=limits, pci_requests=requests,
                    pci_pools=host.pci_pools, pack=self._pack) is not None)
        except pinning.NoSiblingInformation:
            # nova fails the whole request here; we only drop the host.
            return self.reject(NO_SIBLINGS, CODE)
        if not good:
            return self.reject(DOES_NOT_FIT, CODE)
        return dataclasses.replace(
            host, allocation_candidates=good,
            limits=dataclasses.replace(host.limits, numa_topology=limits))

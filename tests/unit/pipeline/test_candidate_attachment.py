"""Candidates go on every host exactly when some filter reads them."""

from oslo_config import cfg
import testtools

from scheduler import conf as conf_pkg
from scheduler.filters import compute_filter
from scheduler.filters import numa_topology_filter
from scheduler.filters import pci_passthrough_filter
from scheduler.hoststate import source as host_source
from scheduler import manager


class CandidateAttachmentTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = cfg.ConfigOpts()
        conf_pkg.register_opts(self.conf)
        self.conf([], default_config_files=[])

    def attaches(self, *filter_classes):
        m = manager.SchedulerManager(
            self.conf, placement=None, hosts=host_source.InMemoryHostSource(),
            filters=[cls(self.conf) for cls in filter_classes], weighers=())
        return m._attach_candidates

    def test_lazy_without_candidate_filters(self):
        self.assertFalse(self.attaches(compute_filter.ComputeFilter))

    def test_upfront_with_numa_or_pci(self):
        for cls in (numa_topology_filter.NUMATopologyFilter,
                    pci_passthrough_filter.PciPassthroughFilter):
            self.assertTrue(self.attaches(compute_filter.ComputeFilter, cls),
                            cls.__name__)

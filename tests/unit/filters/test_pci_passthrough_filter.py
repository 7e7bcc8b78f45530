"""PciPassthroughFilter."""

import testtools

from scheduler.hoststate import host_state
from scheduler.filters import pci_passthrough_filter as pf
from scheduler.objects import pci
from scheduler.pci import pools as pools_mod
from tests.unit import fakes
from tests.unit.filters import conf_fixture

REQUEST_ID = '00000001-3333-4333-8333-000000000001'
RP1 = '00000001-7777-4777-8777-000000000001'


def _candidate(name, rp=None):
    mappings = {'': ['root']}
    if rp:
        mappings[f'{REQUEST_ID}-0'] = [rp]
    return {'allocations': {name: {}}, 'mappings': mappings}


def _spec(count=1, alias='a1'):
    return fakes.spec(pci_requests=pci.PCIRequests(requests=(pci.PCIRequest(
        count=count, alias_name=alias, request_id=REQUEST_ID,
        spec=({'vendor_id': '8086', 'product_id': '1520'},)),)))


class PciPassthroughFilterTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.filter = pf.PciPassthroughFilter(conf_fixture.make_conf())

    def _host(self, *pools, candidates=(_candidate('c1'),)):
        return fakes.host('a', pci_pools=pools, candidates=candidates)

    def test_no_requests_pass_unchanged(self):
        host = self._host()
        self.assertIs(host, self.filter.refine(host, fakes.spec()))
        self.assertIs(host, self.filter.refine(
            host, fakes.spec(pci_requests=pci.PCIRequests())))

    def test_enough_devices(self):
        host = self._host(pools_mod.PciPool('8086', '1520', 2))
        self.assertIsInstance(self.filter.refine(host, _spec(2)),
                              host_state.HostState)
        self.assertEqual(pf.NO_DEVICES,
                         self.filter.refine(host, _spec(3)).reason)
        self.assertIsNone(self.filter.host_passes(host, _spec(2)))

    def test_no_pools(self):
        self.assertEqual(pf.NO_DEVICES,
                         self.filter.refine(self._host(), _spec()).reason)

    def test_candidates_from_other_providers_are_dropped(self):
        candidates = (_candidate('c1', 'elsewhere'), _candidate('c2', RP1))
        host = self._host(pools_mod.PciPool('8086', '1520', 1,
                                             tags={'rp_uuid': RP1}),
                          candidates=candidates)
        result = self.filter.refine(host, _spec())
        self.assertEqual((candidates[1],), result.allocation_candidates)
        # Port requests are not in Placement: every candidate stays.
        result = self.filter.refine(host, _spec(alias=None))
        self.assertEqual(candidates, result.allocation_candidates)

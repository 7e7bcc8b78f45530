"""PCI requests against a host's pools (support and consumption)."""

import testtools

from scheduler.objects import pci
from scheduler.pci import pools as pools_mod
from scheduler.pci import stats

REQUEST_ID = '00000001-3333-4333-8333-000000000001'
RP1 = '00000001-7777-4777-8777-000000000001'
RP2 = '00000002-7777-4777-8777-000000000002'


def _pool(count, node=None, vendor='8086', **tags):
    return pools_mod.PciPool(vendor, '1520', count=count, numa_node=node,
                              tags=tags)


def _request(count=1, alias='a1', policy=None, **spec):
    return pci.PCIRequest(
        count=count, spec=({'vendor_id': '8086', 'product_id': '1520',
                            **spec},),
        alias_name=alias, numa_policy=policy, request_id=REQUEST_ID)


def _mapping(*rps):
    return {'': ['root'], **{f'{REQUEST_ID}-{i}': [rp]
                             for i, rp in enumerate(rps)}}


def _supports(pools, *requests, mapping=None, cells=None):
    return stats.support_requests(pools, requests, mapping,
                                  numa_cells=cells)


class SupportTest(testtools.TestCase):

    def test_counts_across_matching_pools(self):
        pools = [_pool(1), _pool(1, vendor='15b3'), _pool(1, node=1)]
        self.assertTrue(_supports(pools, _request(2)))
        self.assertFalse(_supports(pools, _request(3)))

    def test_requests_add_up(self):
        pools = [_pool(2)]
        self.assertTrue(_supports(pools, _request(1), _request(1)))
        self.assertFalse(_supports(pools, _request(2), _request(1)))

    def test_pfs_vdpa_and_remote_managed_only_when_asked_for(self):
        for tags, asked in ((dict(dev_type='type-PF'), 'type-PF'),
                            (dict(dev_type='vdpa'), 'vdpa')):
            self.assertFalse(_supports([_pool(1, **tags)], _request()))
            self.assertTrue(_supports([_pool(1, **tags)],
                                      _request(dev_type=asked)))
        managed = _pool(1, remote_managed='true')
        self.assertFalse(_supports([managed], _request()))
        self.assertTrue(_supports([managed], _request(remote_managed='True')))

    def test_live_migratable(self):
        pools = [_pool(1, live_migratable='false'),
                 _pool(1, live_migratable='true')]
        self.assertTrue(_supports(pools, _request(2)))
        self.assertFalse(_supports(pools, _request(2,
                                                   live_migratable='true')))
        # A pool that does not say is neither.
        self.assertFalse(_supports([_pool(1)], _request(
            live_migratable='false')))

    def test_placement_providers_restrict_the_pools(self):
        pools = [_pool(1, rp_uuid=RP1), _pool(1, rp_uuid=RP2), _pool(5)]
        self.assertTrue(_supports(pools, _request(1), mapping=_mapping(RP2)))
        self.assertFalse(_supports(pools, _request(2),
                                   mapping=_mapping(RP2, RP2)))
        self.assertTrue(_supports(pools, _request(2),
                                  mapping=_mapping(RP1, RP2)))
        # Unknown provider: nothing is allocated from the pools.
        self.assertFalse(_supports(pools, _request(1),
                                   mapping=_mapping('other')))

    def test_port_requests_are_not_in_placement(self):
        pools = [_pool(1, rp_uuid=RP1), _pool(1)]
        self.assertTrue(_supports(pools, _request(2, alias=None),
                                  mapping=_mapping('other')))

    def test_spec_providers_when_there_is_no_mapping(self):
        pools = [_pool(1, rp_uuid=RP1), _pool(1, rp_uuid=RP2)]
        self.assertTrue(_supports(pools, _request(1, rp_uuids=RP1)))
        self.assertFalse(_supports(pools, _request(2, rp_uuids=RP1)))

    def test_numa_cells(self):
        pools = [_pool(1, node=0), _pool(1, node=1)]
        self.assertTrue(_supports(pools, _request(1, policy='required'),
                                  cells=[1]))
        self.assertFalse(_supports(pools, _request(2, policy='required'),
                                   cells=[1]))

    def test_support_does_not_consume(self):
        pools = (_pool(1),)
        self.assertTrue(_supports(pools, _request(1)))
        self.assertEqual((_pool(1),), pools)


class ApplyTest(testtools.TestCase):

    def test_takes_from_the_first_pools_and_drops_emptied_ones(self):
        working = pools_mod.to_dicts([_pool(1), _pool(3, node=1)])
        stats.apply_requests(working, [_request(2)], None)
        self.assertEqual((_pool(2, node=1),), pools_mod.from_dicts(working))

    def test_follows_the_placement_allocation(self):
        working = pools_mod.to_dicts([_pool(2, rp_uuid=RP1),
                                      _pool(2, rp_uuid=RP2)])
        stats.apply_requests(working, [_request(2)], _mapping(RP2, RP2))
        self.assertEqual([2], [p['count'] for p in working])

    def test_one_provider_must_be_one_pool(self):
        working = pools_mod.to_dicts([_pool(2, rp_uuid=RP1),
                                      _pool(2, rp_uuid=RP1, x='y')])
        self.assertRaises(stats.PciRequestFailed, stats.apply_requests,
                          working, [_request(1)], _mapping(RP1))

    def test_requests_before_a_failing_one_stay_applied(self):
        working = pools_mod.to_dicts([_pool(2)])
        self.assertRaises(stats.PciRequestFailed, stats.apply_requests,
                          working, [_request(1), _request(2)], None)
        self.assertEqual([1], [p['count'] for p in working])

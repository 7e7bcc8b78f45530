"""PCI pools as the dicts nova matches requests against."""

import testtools

from scheduler.pci import pools


class PoolsTest(testtools.TestCase):

    def test_round_trip(self):
        original = (pools.PciPool('8086', '1520', 3, numa_node=1,
                                       tags={'dev_type': 'type-VF',
                                             'physical_network': None}),
                    pools.PciPool('15b3', '10fb', 0))
        dicts = pools.to_dicts(original)
        self.assertEqual({'vendor_id': '8086', 'product_id': '1520',
                          'numa_node': 1, 'count': 3,
                          'dev_type': 'type-VF', 'physical_network': None},
                         dicts[0])
        self.assertEqual(original, pools.from_dicts(dicts))

    def test_match_ignores_case_of_strings(self):
        pool = {'vendor_id': '15B3', 'product_id': '10fb', 'numa_node': 0}
        self.assertTrue(pools.prop_match(pool, [{'vendor_id': '15b3',
                                                 'product_id': '10FB'}]))

    def test_match_needs_every_key_of_one_spec(self):
        pool = {'vendor_id': '8086', 'product_id': '1520'}
        self.assertFalse(pools.prop_match(pool, [{'vendor_id': '8086',
                                                  'dev_type': 'type-PF'}]))
        self.assertTrue(pools.prop_match(pool, [{'vendor_id': 'x'},
                                                {'vendor_id': '8086'}]))
        self.assertFalse(pools.prop_match(pool, []))

    def test_numbers_are_not_strings(self):
        pool = {'numa_node': 0}
        self.assertTrue(pools.prop_match(pool, [{'numa_node': 0}]))
        self.assertFalse(pools.prop_match(pool, [{'numa_node': '0'}]))

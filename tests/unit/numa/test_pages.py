"""Memory page sizes: which size serves a cell, and usage."""

import testtools

from scheduler.numa import pages

SMALL_4K = pages.PageSize(4, 1024 * 256)          # 1 GiB of 4 KiB pages
HUGE_2M = pages.PageSize(2048, 512, used=100)     # 412 free 2 MiB pages
HUGE_1G = pages.PageSize(1048576, 2)


class PickTest(testtools.TestCase):

    def test_small_is_the_smallest_size(self):
        self.assertEqual(4, pages.pick([HUGE_2M, SMALL_4K], pages.SMALL,
                                       512))

    def test_large_prefers_the_largest_that_fits(self):
        sizes = [SMALL_4K, HUGE_2M, HUGE_1G]
        self.assertEqual(1048576, pages.pick(sizes, pages.LARGE, 1024))
        # 512 MiB is not a whole number of 1 GiB pages.
        self.assertEqual(2048, pages.pick(sizes, pages.LARGE, 512))

    def test_large_never_uses_the_smallest_size(self):
        self.assertIsNone(pages.pick([SMALL_4K, HUGE_2M], pages.LARGE,
                                     4096))

    def test_any_falls_back_to_small_pages(self):
        self.assertEqual(4, pages.pick([SMALL_4K, HUGE_2M], pages.ANY, 1000))

    def test_an_explicit_size_the_cell_lacks_is_not_supported(self):
        self.assertRaises(pages.PageSizeNotSupported, pages.pick,
                          [SMALL_4K], 2048, 512)

    def test_free_pages_count_used_and_reserved(self):
        size = pages.PageSize(2048, 10, used=4, reserved=2)
        self.assertEqual(2048, pages.pick([size], 2048, 8))  # 4 pages
        self.assertIsNone(pages.pick([size], 2048, 10))  # 5 pages

    def test_overcommit_of_small_pages_when_asked(self):
        used = pages.PageSize(4, 256 * 100, used=256 * 100)
        self.assertFalse(pages.can_fit([used], 4, 50 * 1024))
        self.assertTrue(pages.can_fit([used], 4, 50 * 1024, use_free=False))


class UsageTest(testtools.TestCase):

    def test_usage_of_the_pages_of_that_size_only(self):
        after = pages.after_usage([SMALL_4K, HUGE_2M], 2048, 1024, 1)
        self.assertEqual((SMALL_4K, pages.PageSize(2048, 512, used=612)),
                         after)

    def test_freeing_never_goes_below_zero(self):
        after = pages.after_usage([HUGE_2M], 2048, 4096, -1)
        self.assertEqual(0, after[0].used)

    def test_partial_pages_are_truncated_as_nova_does(self):
        after = pages.after_usage([pages.PageSize(2048, 10)], 2048, 3, 1)
        self.assertEqual(1, after[0].used)  # 1.5 pages

    def test_smallest(self):
        self.assertEqual(4, pages.smallest([HUGE_1G, SMALL_4K]))
        self.assertRaises(pages.NoPageSizes, pages.smallest, [])

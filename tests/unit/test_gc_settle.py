"""The host-state snapshot is kept out of the cyclic collector's walks."""

import gc
import weakref

import testtools

from scheduler import gc_settle


class SettleTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.addCleanup(gc.unfreeze)
        self.addCleanup(gc_settle._owned.clear)
        gc_settle.own_process()

    def test_live_objects_are_frozen(self):
        gc.unfreeze()
        kept = [{'host': f'h{i}'} for i in range(1000)]
        gc_settle.settle_long_lived()
        self.assertGreaterEqual(gc.get_freeze_count(), len(kept))

    def test_earlier_cycles_stay_collectable(self):
        class Node:
            pass

        gc.unfreeze()
        a, b = Node(), Node()
        a.other, b.other = b, a
        gc_settle.settle_long_lived()
        gone = weakref.ref(a)
        del a, b
        gc.collect()
        # Frozen: a plain collection leaves the cycle alone...
        self.assertIsNotNone(gone())
        # ...the next settle unfreezes first, so it is collected.
        gc_settle.settle_long_lived()
        self.assertIsNone(gone())


class EmbeddedTest(testtools.TestCase):
    """A process that only embeds the service keeps its collector."""

    def test_nothing_is_frozen_or_unfrozen(self):
        self.addCleanup(gc.unfreeze)
        gc_settle._owned.clear()
        gc.freeze()  # the host application's own freeze
        frozen = gc.get_freeze_count()
        kept = [{'host': f'h{i}'} for i in range(1000)]
        gc_settle.settle_long_lived()
        self.assertEqual(frozen, gc.get_freeze_count())
        self.assertEqual(1000, len(kept))

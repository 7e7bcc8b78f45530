"""The host-state snapshot is kept out of the cyclic collector's walks."""

import gc
import subprocess
import sys
import textwrap
from unittest import mock
import weakref

import testtools

from scheduler.hoststate import gc_settle


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
        with gc_settle._lock:
            # A cache thread left by another test of this process may be
            # settling: it is done once the lock is ours.
            gc_settle._owned.clear()
        # Asked object by object: the count of frozen objects also drops
        # whenever one frozen before the test is freed meanwhile.
        host_object = [{'the host application': 'frozen it'}]
        gc.freeze()  # the host application's own freeze
        kept = [{'host': f'h{i}'} for i in range(1000)]
        gc_settle.settle_long_lived()
        collectable = {id(o) for o in gc.get_objects()}
        # Not frozen (frozen objects are in no generation)...
        self.assertIn(id(kept), collectable)
        # ...and the host's freeze not undone.
        self.assertNotIn(id(host_object), collectable)


class OwnerTest(testtools.TestCase):
    """Only the service's worker processes own theirs."""

    def test_importing_the_commands_does_not_opt_in(self):
        # A fresh interpreter: this test process may have opted in already.
        # A test runner imports the commands' modules (the functional
        # workers import scheduler.cmd.check): a full collection of its
        # whole process on every full load starved SighupStressTest.
        out = subprocess.run([sys.executable, '-c', textwrap.dedent('''
            import scheduler.cmd.check
            import scheduler.cmd.manage
            import scheduler.cmd.scheduler
            from scheduler.hoststate import gc_settle
            print(gc_settle._owned.is_set())
        ''')], capture_output=True, text=True, check=True)
        self.assertEqual('False', out.stdout.strip(), out.stderr)

    def test_a_worker_of_the_service_opts_in(self):
        from scheduler.cmd import scheduler as scheduler_cmd

        self.addCleanup(gc_settle._owned.clear)
        gc_settle._owned.clear()
        with mock.patch.object(scheduler_cmd.server, 'get_transport'), \
                mock.patch.object(scheduler_cmd.service,
                                  'create_service') as create:
            built = scheduler_cmd.default_build(mock.sentinel.conf)
        self.assertIs(create.return_value, built)
        self.assertTrue(gc_settle._owned.is_set())

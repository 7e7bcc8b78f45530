"""ReadCoalescer.request()/serve(): reads asked for without waiting.

What SIGHUP uses: the asking caller returns at once, one thread runs the
reads, and requests made while a read runs share the next one. Threads
are forced through every interleaving by the blocking read double (the
test releases each read), never timed.
"""

import threading

import fixtures

from scheduler.hoststate import read_coalescer
from tests.unit.hoststate import test_read_coalescer as base

LONG = base.LONG


class RequestTest(base.CoalescerTestBase):

    def setUp(self):
        super().setUp()
        self.server = threading.Thread(target=self.coalescer.serve,
                                       daemon=True)
        self.server.start()
        self.addCleanup(self.server.join, LONG)
        self.addCleanup(self.coalescer.close)

    def test_request_returns_before_the_read_runs(self):
        self.assertFalse(self.coalescer.request())
        # The read is blocked until released: request() did not wait.
        self.assertTrue(self.read.started[0].wait(LONG))
        self.assertFalse(self.coalescer.wait_served(0))
        self.read.release[0].set()
        self.assertTrue(self.coalescer.wait_served(LONG))
        self.assertEqual(1, self.read.count)

    def test_a_burst_during_a_read_costs_one_more(self):
        self.coalescer.request()
        self.assertTrue(self.read.started[0].wait(LONG))
        busy = [self.coalescer.request() for _ in range(49)]
        self.assertEqual([True] * 49, busy)
        self.assertFalse(self.read.started[1].is_set())
        self.read.release[0].set()
        # The requests arrived after read 0 began: read 1 serves them all.
        self.assertTrue(self.read.started[1].wait(LONG))
        self.read.release[1].set()
        self.assertTrue(self.coalescer.wait_served(LONG))
        self.assertEqual(2, self.read.count)
        self.assertEqual(2, self.coalescer.reads)
        # Nothing left over: a later request gets a read of its own.
        self.read.release[2].set()
        self.assertFalse(self.coalescer.request())
        self.assertTrue(self.coalescer.wait_served(LONG))
        self.assertEqual(3, self.read.count)

    def test_served_by_a_waiters_read_that_began_after_it(self):
        # serve() is idle; a waiter and a request arrive together, while
        # a waiter's read holds the turn.
        first = self.start()
        self.assertTrue(self.read.started[0].wait(LONG))
        self.coalescer.request()   # after read 0 began: needs read 1
        late = self.start()        # needs read 1 too
        base.waiting(self.coalescer, 2)  # late and serve() are parked
        self.read.release[0].set()
        self.assertTrue(self.read.started[1].wait(LONG))
        self.read.release[1].set()
        first.join(LONG)
        late.join(LONG)
        self.assertTrue(self.coalescer.wait_served(LONG))
        self.assertTrue(late.result)
        # Read 1 served the request and the waiter alike.
        self.assertEqual(2, self.read.count)

    def test_a_reload_that_began_before_the_request_does_not_serve_it(self):
        entered, leave = threading.Event(), threading.Event()

        def reload():
            with self.coalescer.counted():
                entered.set()
                assert leave.wait(LONG)
        thread = threading.Thread(target=reload, daemon=True)
        thread.start()
        self.assertTrue(entered.wait(LONG))
        self.assertTrue(self.coalescer.request())
        leave.set()
        thread.join(LONG)
        self.assertTrue(self.read.started[0].wait(LONG))
        self.read.release[0].set()
        self.assertTrue(self.coalescer.wait_served(LONG))
        self.assertEqual(2, self.coalescer.reads)

    def test_a_failed_read_is_logged_and_the_next_request_served(self):
        logger = self.useFixture(fixtures.FakeLogger(
            name=read_coalescer.__name__))
        self.read.fail.add(0)
        self.coalescer.request()
        self.read.release[0].set()
        self.assertTrue(self.coalescer.wait_served(LONG))
        self.assertIn('A requested read failed', logger.output)
        self.read.release[1].set()
        self.coalescer.request()
        self.assertTrue(self.coalescer.wait_served(LONG))
        self.assertEqual(2, self.read.count)


class CloseTest(base.CoalescerTestBase):

    def test_close_ends_serve_and_leaves_later_requests(self):
        server = threading.Thread(target=self.coalescer.serve, daemon=True)
        server.start()
        self.coalescer.request()
        self.assertTrue(self.read.started[0].wait(LONG))
        self.coalescer.request()
        self.coalescer.close()
        # The running read finishes; the one asked for after it never
        # starts.
        self.read.release[0].set()
        server.join(LONG)
        self.assertFalse(server.is_alive())
        self.assertFalse(self.coalescer.wait_served(LONG))
        self.assertEqual(1, self.read.count)

    def test_serve_returns_at_once_when_closed(self):
        self.coalescer.close()
        self.coalescer.serve()
        self.assertEqual(0, self.read.count)

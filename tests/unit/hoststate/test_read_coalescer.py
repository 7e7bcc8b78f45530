"""ReadCoalescer: each caller gets a read that started after it arrived.

The read double blocks on Events, so every interleaving is forced, never
timed: threads are only observed through what the double recorded.
"""

import threading

import testtools

from scheduler.hoststate import read_coalescer

LONG = 30.0


class BlockingRead:
    """A read that records its start and waits to be released."""

    def __init__(self):
        self.lock = threading.Lock()
        self.started = []          # one Event per read, set when it starts
        self.release = []          # one Event per read, set by the test
        self.count = 0
        self.fail = set()
        for _ in range(10):
            self.started.append(threading.Event())
            self.release.append(threading.Event())

    def __call__(self):
        with self.lock:
            index = self.count
            self.count += 1
        self.started[index].set()
        assert self.release[index].wait(LONG)
        if index in self.fail:
            raise RuntimeError('read failed')


class Caller(threading.Thread):
    def __init__(self, coalescer, timeout=LONG):
        super().__init__(daemon=True)
        self.coalescer = coalescer
        self.timeout = timeout
        self.result = None
        self.error = None

    def run(self):
        try:
            self.result = self.coalescer.wait_fresh(self.timeout)
        except Exception as exc:
            self.error = exc


def waiting(coalescer, n):
    """Block until ``n`` threads wait on the coalescer's condition."""
    # Condition keeps its waiters in a deque; polling it is not timing:
    # the loop ends exactly when the threads are parked.
    while len(coalescer._cond._waiters) < n:
        threading.Event().wait(0.001)


class CoalescerTestBase(testtools.TestCase):
    """A coalescer over a BlockingRead, and callers started on it."""

    def setUp(self):
        super().setUp()
        self.read = BlockingRead()
        self.coalescer = read_coalescer.ReadCoalescer(self.read)

    def start(self, **kwargs):
        caller = Caller(self.coalescer, **kwargs)
        caller.start()
        return caller


class ReadCoalescerTest(CoalescerTestBase):

    def test_lone_caller_runs_its_own_read(self):
        self.read.release[0].set()
        self.assertTrue(self.coalescer.wait_fresh(LONG))
        self.assertEqual(1, self.read.count)
        self.read.release[1].set()
        self.assertTrue(self.coalescer.wait_fresh(LONG))
        self.assertEqual(2, self.read.count)

    def test_callers_during_a_read_share_the_next_one(self):
        first = self.start()
        self.assertTrue(self.read.started[0].wait(LONG))
        # Arrive while read 0 runs: read 0 started before them.
        late = [self.start() for _ in range(5)]
        waiting(self.coalescer, 5)
        self.read.release[0].set()
        first.join(LONG)
        self.assertTrue(first.result)
        # One of them starts read 1; the others wait for it.
        self.assertTrue(self.read.started[1].wait(LONG))
        waiting(self.coalescer, 4)
        for caller in late:
            self.assertTrue(caller.is_alive())
        self.read.release[1].set()
        for caller in late:
            caller.join(LONG)
            self.assertTrue(caller.result)
        self.assertEqual(2, self.read.count)
        self.assertEqual(2, self.coalescer.reads)

    def test_caller_never_satisfied_by_a_read_that_began_before_it(self):
        first = self.start()
        self.assertTrue(self.read.started[0].wait(LONG))
        second = self.start()
        waiting(self.coalescer, 1)
        self.read.release[0].set()
        first.join(LONG)
        # Read 0 ended, but second arrived after it began.
        self.assertTrue(self.read.started[1].wait(LONG))
        self.assertTrue(second.is_alive())
        self.read.release[1].set()
        second.join(LONG)
        self.assertTrue(second.result)

    def test_a_failed_read_releases_its_waiters(self):
        self.read.fail.add(0)
        first = self.start()
        self.assertTrue(self.read.started[0].wait(LONG))
        self.read.release[0].set()
        first.join(LONG)
        self.assertIsInstance(first.error, RuntimeError)
        self.read.release[1].set()
        self.assertTrue(self.coalescer.wait_fresh(LONG))
        self.assertEqual(2, self.read.count)

    def test_waiter_gives_up_at_its_timeout(self):
        first = self.start()
        self.assertTrue(self.read.started[0].wait(LONG))
        self.assertFalse(self.coalescer.wait_fresh(0))
        self.read.release[0].set()
        first.join(LONG)
        self.assertEqual(1, self.read.count)


class ReloadTurnTest(CoalescerTestBase):
    """A full reload (``counted()``) takes its turn like a read."""

    def reload(self):
        entered, leave = threading.Event(), threading.Event()

        def run():
            with self.coalescer.counted():
                entered.set()
                assert leave.wait(LONG)
        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.assertTrue(entered.wait(LONG))
        return thread, leave

    def test_a_reload_that_began_earlier_does_not_count(self):
        reload, leave = self.reload()
        late = self.start()  # arrives while the reload runs
        waiting(self.coalescer, 1)
        leave.set()
        reload.join(LONG)
        # The reload may have read before this caller's changes: it reads.
        self.assertTrue(self.read.started[0].wait(LONG))
        self.read.release[0].set()
        late.join(LONG)
        self.assertTrue(late.result)
        self.assertEqual(1, self.read.count)
        self.assertEqual(2, self.coalescer.reads)

    def test_a_reload_waits_for_the_running_read(self):
        first = self.start()
        self.assertTrue(self.read.started[0].wait(LONG))
        entered = threading.Event()

        def run():
            with self.coalescer.counted():
                entered.set()
        reload = threading.Thread(target=run, daemon=True)
        reload.start()
        waiting(self.coalescer, 1)
        self.assertFalse(entered.is_set())
        self.read.release[0].set()
        reload.join(LONG)
        first.join(LONG)
        self.assertTrue(entered.is_set())
        self.assertEqual(2, self.coalescer.reads)

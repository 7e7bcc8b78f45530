"""Hostile messages leave nothing behind (issue 13: RSS 111 -> 344 MB).

The dispatcher's live heap must not grow with what it refuses; and the
huge transient buffers of such messages must be given back to the OS,
which glibc does only with its mmap threshold pinned (``dispatcher``).
Both are checked without measuring RSS or time.
"""

import gc
import logging
import os
import random
import tracemalloc
from unittest import mock

import fixtures
import testtools

from scheduler import malloc_tuning
from scheduler.cmd import scheduler as scheduler_cmd
from tests.unit.codec import wire
from tests.unit.rpc import fakes

BIG = 'x' * (5 << 20)
HUGE_LIST = [fakes.UUID1] * 10 ** 6


class _Cache:
    """A host cache that keeps nothing (the fake one records calls)."""

    def update_aggregates(self, aggregates):
        pass

    def delete_aggregate(self, aggregate):
        pass

    def update_instance_info(self, host_name, instances):
        pass

    def delete_instance_info(self, host_name, instance_uuid):
        pass

    def sync_instance_info(self, host_name, instance_uuids):
        pass


def hostile(rng, index):
    ctxt = {'request_id': f'req-{index:08x}-0000-4000-8000-000000000000',
            'user_id': 'u1', 'project_id': 'p1', 'is_admin': True,
            f'k{rng.getrandbits(32)}': 'v'}
    uuid = (f'{rng.getrandbits(32):08x}-0000-4000-8000-'
            f'{rng.getrandbits(48):012x}')
    nested = []
    for _ in range(200):
        nested = [nested]
    kinds = (
        (f'm{rng.getrandbits(32):x}', {'x': 1}, '4.5'),
        ('select_destinations', {}, f'{rng.randint(5, 99)}.0'),
        ('select_destinations', {'spec_obj': rng.choice([1, 'x', [1]])},
         '4.5'),
        ('sync_instance_info', {'host_name': 'h',
                                'instance_uuids': HUGE_LIST}, '4.2'),
        ('update_instance_info', {'host_name': BIG, 'instance_info': []},
         '4.2'),
        ('select_destinations', {'spec_obj': wire.request_spec(
            scheduler_hints={'a': nested})}, '4.5'),
        ('select_destinations', {'spec_obj': wire.obj(
            f'Evil{rng.getrandbits(32)}', '1.0', {'k': uuid})}, '4.5'),
        ('select_destinations', {f'a{rng.getrandbits(32)}': uuid}, '4.5'),
        ('select_destinations', {'spec_obj': wire.request_spec(
            scheduler_hints={f'h{rng.getrandbits(40)}': uuid}),
            'instance_uuids': [uuid]}, '4.5'),
        ('update_instance_info', {'host_name': f'h{rng.getrandbits(32)}',
                                  'instance_info': fakes.instance(uuid)},
         '4.2'),
    )
    method, args, version = kinds[index % len(kinds)]
    return fakes.Incoming(method, args, version=version, ctxt=ctxt)


class _NoScheduler(fakes.FakeScheduler):
    def select_destinations(self, *args, **kwargs):
        return [[fakes.selection_for(fakes.NODE1, 'host1')]]


class HostileMessagesTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        # Every line formatted and written, nothing kept (a FakeLogger
        # would keep them all).
        devnull = open(os.devnull, 'w')
        self.addCleanup(devnull.close)
        self.useFixture(fixtures.LogHandler(
            logging.StreamHandler(devnull), level=logging.DEBUG,
            nuke_handlers=True))
        self.disp = fakes.build(scheduler=_NoScheduler(), cache=_Cache())[0]

    def run_batch(self, rng, start, count):
        for index in range(start, start + count):
            fakes.dispatch(self.disp, hostile(rng, index))
        gc.collect()

    def test_live_heap_does_not_grow(self):
        rng = random.Random(13)
        self.run_batch(rng, 0, 100)  # warm-up: caches, lazy imports
        tracemalloc.start(64)
        self.addCleanup(tracemalloc.stop)
        before = tracemalloc.take_snapshot()
        self.run_batch(rng, 100, 600)
        after = tracemalloc.take_snapshot()
        # What was allocated while our code was on the stack.
        ours = [tracemalloc.Filter(True, '*/scheduler/*', all_frames=True)]
        growth = sum(stat.size_diff for stat in after.filter_traces(
            ours).compare_to(before.filter_traces(ours), 'filename'))
        # 600 messages, 5 MiB strings and million-item lists among them:
        # a retained payload, record or label per message would show.
        self.assertLess(growth, 64 * 1024)

    def test_the_service_worker_pins_the_mmap_threshold(self):
        mallopt = mock.Mock(return_value=True)
        self.useFixture(fixtures.MockPatch(
            'scheduler.malloc_tuning._mallopt', mallopt))
        # As in a fresh process (MockPatchObject would put a mock there).
        self.addCleanup(setattr, malloc_tuning, '_pinned',
                        malloc_tuning._pinned)
        malloc_tuning._pinned = None
        self.useFixture(fixtures.MockPatch(
            'scheduler.hoststate.gc_settle.own_process'))
        create = self.useFixture(fixtures.MockPatch(
            'scheduler.service.create_service')).mock
        self.useFixture(fixtures.MockPatch(
            'scheduler.rpc.server.get_transport'))
        fakes.build()  # building a dispatcher (embedding) does not pin
        mallopt.assert_not_called()
        scheduler_cmd.default_build(mock.sentinel.conf)
        scheduler_cmd.default_build(mock.sentinel.conf)
        mallopt.assert_called_once_with(malloc_tuning.M_MMAP_THRESHOLD,
                                        1 << 20)
        self.assertEqual(2, create.call_count)
        self.assertTrue(malloc_tuning.pin_mmap_threshold())

    def test_pinning_is_harmless_where_unsupported(self):
        self.useFixture(fixtures.MockPatch('sys.platform', 'darwin'))
        self.assertFalse(malloc_tuning._mallopt(-3, 1 << 20))

"""Decoding the allocation-candidates body: what is kept, what is refused."""

import gc
import json

import orjson
import testtools

from scheduler.pipeline import candidates
from scheduler.placement import candidates_body

RP1 = 'a1a1a1a1-0000-4000-8000-000000000001'
RP2 = 'a2a2a2a2-0000-4000-8000-000000000002'
SHARED = 'a3a3a3a3-0000-4000-8000-000000000003'
GOOD = {'allocations': {RP1: {'resources': {'VCPU': 1}}},
        'mappings': {'': [RP1]}}
ERRORS = (ValueError, KeyError, TypeError, AttributeError)


def body(requests, summaries):
    return json.dumps({'allocation_requests': requests,
                       'provider_summaries': summaries}).encode()


# Every body the decoder refuses, with the part that is wrong.
MALFORMED = [
    b'not json',
    b'[]',
    b'"text"',
    b'3',
    b'null',
    b'{"allocation_requests": []',
    json.dumps({'provider_summaries': {}}).encode(),
    json.dumps({'allocation_requests': []}).encode(),
    body({}, {}),
    body(None, {}),
    body('x', {}),
    body([GOOD], []),
    body([GOOD], None),
    body(['x'], {}),
    body([None], {}),
    body([3], {}),
    body([[]], {}),
    body([{}], {}),
    body([{'mappings': {}}], {}),
    body([{'allocations': []}], {}),
    body([{'allocations': None}], {}),
    body([{'allocations': 'x'}], {}),
    body([{'allocations': {RP1: None}}], {}),
    body([{'allocations': {RP1: 3}}], {}),
    body([{'allocations': {RP1: 'resources'}}], {}),
    body([{'allocations': {RP1: []}}], {}),
    body([{'allocations': {RP1: {}}}], {}),
    body([{'allocations': {RP1: {'resources': []}}}], {}),
    body([{'allocations': {RP1: {'resources': None}}}], {}),
    body([{'allocations': {RP1: {'resources': {'VCPU': '1'}}}}], {}),
    body([{'allocations': {RP1: {'resources': {'VCPU': 1.0}}}}], {}),
    body([{'allocations': {RP1: {'resources': {'VCPU': True}}}}], {}),
    body([{'allocations': {RP1: {'resources': {'VCPU': None}}}}], {}),
    body([{'allocations': {RP1: {'resources': {'VCPU': {}}}}}], {}),
    # A later request is malformed, the first is not.
    body([GOOD, {'allocations': {RP2: {'resources': {'VCPU': '1'}}}}], {}),
    body([GOOD, {'allocations': []}], {}),
    body([GOOD], {RP1: 3}),
    body([GOOD], {RP1: None}),
    body([GOOD], {RP1: []}),
    body([GOOD], {RP1: 'x'}),
    body([GOOD], {RP1: {'resources': []}}),
    body([GOOD], {RP1: {'resources': None}}),
    body([GOOD], {RP1: {'resources': 'x'}}),
    body([GOOD], {RP1: {'traits': 'x'}}),
    body([GOOD], {RP1: {'traits': None}}),
    body([GOOD], {RP1: {'traits': {}}}),
    body([GOOD], {RP1: {}, RP2: {'traits': 'x'}}),
]


class TestDecode(testtools.TestCase):

    def test_requests_are_placements_own_in_its_order(self):
        second = {'allocations': {RP2: {'resources': {'VCPU': 1}},
                                  SHARED: {'resources': {'DISK_GB': 5}}},
                  'mappings': {'': [RP2, SHARED]}}
        got = candidates_body.decode(body(
            [GOOD, second], {RP1: {'resources': {}}, RP2: {}, SHARED: {}}))
        self.assertEqual((GOOD, second), got.requests)
        self.assertEqual(
            (GOOD['allocations'], second['allocations']), got.allocations)
        for req, allocs in zip(got.requests, got.allocations):
            self.assertIs(req['allocations'], allocs)
        self.assertEqual((RP1, RP2, SHARED), got.providers)

    def test_summaries_are_keys_first_and_decoded_when_read(self):
        summaries = {RP2: {'resources': {'VCPU': {'capacity': 4, 'used': 1}},
                           'traits': ['HW_CPU_X86_AVX2']},
                     RP1: {}}
        got = candidates_body.decode(body([GOOD], summaries)).summaries
        self.assertEqual([RP2, RP1], list(got))
        self.assertEqual(2, len(got))
        self.assertIn(RP1, got)
        self.assertNotIn(SHARED, got)
        self.assertEqual(summaries, dict(got))
        self.assertRaises(KeyError, got.__getitem__, SHARED)

    def test_empty_answer(self):
        got = candidates_body.decode(body([], {}))
        self.assertEqual(((), (), ()), got[:3])
        self.assertEqual({}, dict(got.summaries))

    def test_every_malformed_body_is_one_error(self):
        for content in MALFORMED:
            self.assertRaises(ERRORS, candidates_body.decode, content)

    def test_the_decoder_of_record_refuses_the_same_bodies(self):
        # What the decoder refused before it read only what scheduling
        # reads (a full decode and a walk of every field).
        def full_decode(content):
            data = orjson.loads(content)
            requests = data['allocation_requests']
            summaries = data['provider_summaries']
            if not isinstance(requests, list) or not isinstance(
                    summaries, dict):
                raise TypeError()
            for req in requests:
                if not isinstance(req['allocations'], dict):
                    raise TypeError()
                for alloc in req['allocations'].values():
                    resources = alloc['resources']
                    if not isinstance(resources, dict) or not all(
                            type(n) is int for n in resources.values()):
                        raise TypeError()
            for summary in summaries.values():
                if not isinstance(summary, dict) or not isinstance(
                        summary.get('resources', {}), dict) or not (
                        isinstance(summary.get('traits', []), list)):
                    raise TypeError()
        for content in MALFORMED:
            self.assertRaises(ERRORS, full_decode, content)

    def test_the_collector_is_left_as_it_was(self):
        self.assertTrue(gc.isenabled())
        candidates_body.decode(body([GOOD], {RP1: {}}))
        self.assertTrue(gc.isenabled())
        self.assertRaises(ERRORS, candidates_body.decode, MALFORMED[0])
        self.assertTrue(gc.isenabled())
        gc.disable()
        self.addCleanup(gc.enable)
        candidates_body.decode(body([GOOD], {RP1: {}}))
        self.assertFalse(gc.isenabled())
        self.assertRaises(ERRORS, candidates_body.decode, MALFORMED[-1])
        self.assertFalse(gc.isenabled())


class TestByProvider(testtools.TestCase):

    def index(self, *requests):
        got = candidates_body.decode(body(list(requests), {}))
        return candidates.by_provider(got.requests, got.allocations)

    def test_one_provider_each(self):
        second = {'allocations': {RP2: {'resources': {'VCPU': 1}}}}
        self.assertEqual({RP1: (GOOD,), RP2: (second,)},
                         self.index(GOOD, second))

    def test_a_provider_in_several_requests_keeps_placements_order(self):
        again = {'allocations': {RP1: {'resources': {'VCPU': 2}}}}
        shared = {'allocations': {RP2: {'resources': {'VCPU': 1}},
                                  SHARED: {'resources': {'DISK_GB': 5}}}}
        shared2 = {'allocations': {RP1: {'resources': {'VCPU': 1}},
                                   SHARED: {'resources': {'DISK_GB': 5}}}}
        self.assertEqual({RP1: (GOOD, again)}, self.index(GOOD, again))
        self.assertEqual(
            {RP1: (GOOD, shared2), RP2: (shared,),
             SHARED: (shared, shared2)},
            self.index(GOOD, shared, shared2))

    def test_nothing(self):
        self.assertEqual({}, candidates.by_provider((), ()))

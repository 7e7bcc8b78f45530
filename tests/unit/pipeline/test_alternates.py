import json

import testtools

from scheduler.pipeline import alternates
from scheduler.pipeline import selection_rows as selections
from tests.unit import fakes


def cand(rp):
    return {'allocations': {rp: {'resources': {'VCPU': 1}}},
            'mappings': {'': [rp]}}


class SelectionsTest(testtools.TestCase):

    def test_az_from_aggregate_else_default(self):
        h = fakes.host('h1', aggregates=[
            fakes.agg(1, 'a1', availability_zone='az-b'),
            fakes.agg(2, 'a2', ssd='true')])
        self.assertEqual('az-b', selections.availability_zone(h, 'nova'))
        self.assertEqual('nova', selections.availability_zone(
            fakes.host('h2'), 'nova'))

    def test_build_dumps_allocation_request(self):
        h = fakes.host('h1')
        sel = selections.build(h, default_az='nova',
                               allocation_request=cand('rp1'),
                               allocation_request_version='1.36')
        self.assertEqual(cand('rp1'), json.loads(sel.allocation_request))
        self.assertEqual('1.36', sel.allocation_request_version)
        self.assertEqual((h.uuid, 'h1', 'h1', fakes.CELL1),
                         (sel.compute_node_uuid, sel.service_host,
                          sel.nodename, sel.cell_uuid))
        legacy = selections.build(h, default_az='nova')
        self.assertEqual('null', legacy.allocation_request)
        self.assertIsNone(legacy.allocation_request_version)


class AlternatesTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.a = fakes.host('a', candidates=[cand('ra')])
        self.b = fakes.host('b', candidates=[cand('rb')])
        self.c = fakes.host('c', candidates=[])
        self.d = fakes.host('d', cell=fakes.CELL2, candidates=[cand('rd')])
        self.e = fakes.host('e', candidates=[cand('re'), cand('re2')])

    def build(self, chosen, ordered, num_alts, with_candidates=True):
        return alternates.build(
            chosen, ordered, num_alts=num_alts,
            allocation_request_version='1.36' if with_candidates else None,
            default_az='nova',
            candidates_of=((lambda h: h.allocation_candidates)
                           if with_candidates else None))

    def test_candidates_come_from_the_lookup(self):
        table = {self.b.uuid: (cand('from-table'),)}
        rows = alternates.build(
            [(self.a, cand('ra'))], [self.a, self.c, self.b], num_alts=2,
            allocation_request_version='1.36', default_az='nova',
            candidates_of=lambda h: table.get(h.uuid, ()))
        # c has none in the table; b's comes from the table.
        self.assertEqual(['a', 'b'], [s.service_host for s in rows[0]])
        self.assertEqual(cand('from-table'),
                         json.loads(rows[0][1].allocation_request))

    def test_same_cell_unchosen_with_candidates(self):
        ordered = [self.a, self.d, self.c, self.b, self.e]
        rows = self.build([(self.a, cand('ra'))], ordered, num_alts=2)
        self.assertEqual(['a', 'b', 'e'],
                         [s.service_host for s in rows[0]])
        self.assertEqual(cand('re'),
                         json.loads(rows[0][2].allocation_request))

    def test_chosen_hosts_are_never_alternates(self):
        ordered = [self.a, self.b, self.e]
        rows = self.build([(self.a, cand('ra')), (self.b, cand('rb'))],
                          ordered, num_alts=5)
        self.assertEqual([['a', 'e'], ['b', 'e']],
                         [[s.service_host for s in r] for r in rows])

    def test_no_alternates_when_not_asked(self):
        rows = self.build([(self.a, cand('ra'))], [self.a, self.b], 0)
        self.assertEqual(1, len(rows[0]))

    def test_legacy_alternates_have_no_allocation(self):
        rows = self.build([(self.a, None)], [self.a, self.c], 1,
                          with_candidates=False)
        self.assertEqual(['a', 'c'], [s.service_host for s in rows[0]])
        self.assertEqual('null', rows[0][1].allocation_request)

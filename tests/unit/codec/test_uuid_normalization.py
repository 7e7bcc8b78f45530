"""Every UUID read from the bus comes out lower-case and hyphenated.

Issue 13: Placement lower-cases a consumer on PUT but matches GET and
DELETE as sent, so an instance uuid kept upper-case made the rollback
DELETE answer 404 (taken as released) and leaked the claim.
"""

import testtools

from scheduler.codec import aggregate
from scheduler.codec import errors
from scheduler.codec import instance
from scheduler.codec import legacy
from scheduler.codec import request_spec
from scheduler.codec import values as v
from scheduler.codec import limits as limits_mod
from tests.unit.codec import wire

PATH = v.Path('field', limits_mod.DEFAULT_LIMITS)
CANON = 'a1b2c3d4-00ef-4000-8abc-0000000000ff'
UPPER = CANON.upper()
BARE = UPPER.replace('-', '')


class AsUuidTest(testtools.TestCase):

    def test_upper_case_and_dashless_become_canonical(self):
        for sent in (CANON, UPPER, BARE, BARE.lower(), 'A1b2C3d4-00Ef-'
                     '4000-8AbC-0000000000fF'):
            self.assertEqual(CANON, v.as_uuid(PATH, sent), sent)

    def test_still_strict(self):
        for bad in ('', 'g' * 32, CANON + 'a', '{' + CANON + '}',
                    'urn:uuid:' + CANON, 42, None):
            self.assertRaises(errors.ValidationError, v.as_uuid, PATH, bad)

    def test_uuid_or_str(self):
        self.assertEqual(CANON, v.as_uuid_or_str(PATH, UPPER))
        self.assertEqual('Not-A-Uuid', v.as_uuid_or_str(PATH, 'Not-A-Uuid'))


class DecoderEntryPointsTest(testtools.TestCase):

    def test_request_spec(self):
        group = wire.obj('RequestGroup', '1.3', {
            'requester_id': 'p', 'resources': {'VCPU': 1},
            'provider_uuids': [UPPER], 'in_tree': BARE})
        spec = request_spec.decode_request_spec(wire.request_spec(
            instance_uuid=UPPER,
            instance_group=wire.instance_group(uuid=UPPER,
                                               members=[UPPER, 'm1']),
            pci_requests=wire.obj('InstancePCIRequests', '1.1', {
                'instance_uuid': UPPER, 'requests': []}),
            requested_destination=wire.destination(
                cell=wire.cell_mapping(uuid=UPPER)),
            scheduler_hints={'same_host': UPPER, 'different_host': [BARE],
                             'group': 'Group-Name'},
            requested_resources=[group],
            image=wire.image(id=UPPER)))
        self.assertEqual(CANON, spec.instance_uuid)
        self.assertEqual(CANON, spec.instance_group.uuid)
        self.assertEqual((CANON, 'm1'), spec.instance_group.members)
        self.assertEqual(CANON, spec.pci_requests.instance_uuid)
        self.assertEqual(CANON, spec.requested_destination.cell.uuid)
        self.assertEqual(CANON, spec.image.id)
        self.assertEqual((CANON,), spec.requested_resources[0].provider_uuids)
        self.assertEqual(CANON, spec.requested_resources[0].in_tree)
        self.assertEqual({'same_host': (CANON,), 'different_host': (CANON,),
                          'group': ('Group-Name',)},
                         dict(spec.scheduler_hints))

    def test_legacy_request(self):
        spec = legacy.decode_legacy_request(
            {'num_instances': 1, 'image': {'id': UPPER, 'properties': {}},
             'instance_properties': {'uuid': UPPER, 'project_id': 'p1'},
             'instance_type': wire.flavor()['nova_object.data']},
            {'group_updated': True, 'group_policies': ['affinity'],
             'group_members': [UPPER], 'group_uuid': BARE})
        self.assertEqual(CANON, spec.instance_uuid)
        self.assertEqual(CANON, spec.instance_group.uuid)
        self.assertEqual((CANON,), spec.instance_group.members)

    def test_instance_uuids_and_instance_info(self):
        self.assertEqual((CANON, CANON),
                         instance.decode_instance_uuids([UPPER, BARE]))
        info = instance.decode_instance_list(wire.obj(
            'InstanceList', '2.6', {'objects': [wire.obj(
                'Instance', '2.8', {'uuid': UPPER, 'host': 'h'})]}))
        self.assertEqual(CANON, info[0].uuid)

    def test_aggregate(self):
        agg = aggregate.decode_aggregate(wire.obj('Aggregate', '1.3', {
            'id': 1, 'uuid': UPPER, 'name': 'a', 'hosts': [],
            'metadata': {}}))
        self.assertEqual(CANON, agg.uuid)

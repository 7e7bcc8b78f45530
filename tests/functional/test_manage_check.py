"""hardened-scheduler-manage check against the real Placement service."""

import json

import testtools

from scheduler.cmd import check
from scheduler.cmd import outcome
from tests.functional import placement_service
from tests.unit.db import fake_nova_db


class CheckWithPlacementTest(testtools.TestCase):

    def test_everything_reachable(self):
        service = self.useFixture(placement_service.PlacementService())
        dbs = self.useFixture(fake_nova_db.FakeNovaDatabases())
        rp = service.admin.provider('cmp1', {'VCPU': {'total': 4}})
        dbs.add_compute('cell1', 'cmp1', uuid=rp)
        conf = service.conf
        conf.set_override('connection', dbs.api_url, 'api_database')
        conf.set_override('connection', dbs.cell_url('cell1'), 'database')
        lines = []
        # The message bus is RabbitMQ's: checked in tests/integration.
        code = check.run(conf, fmt='json', out=lines.append,
                         connect_broker=lambda broker: None)
        text = '\n'.join(lines)
        self.assertEqual(outcome.OK, code, text)
        checks = {c['check']: c for c in json.loads(text)['checks']}
        self.assertEqual({'check': 'Placement', 'result': 'Success',
                          'details': ['reachable, max microversion 1.39']},
                         checks['Placement'])
        self.assertEqual(['1 usable compute nodes'],
                         checks['Host states']['details'][:1])
        self.assertNotIn('token', text.lower())

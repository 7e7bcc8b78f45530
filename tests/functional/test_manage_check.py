"""hardened-scheduler-manage check against the real Placement service."""

import testtools

from scheduler.cmd import check
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
        code = check.run(conf, out=lines.append)
        text = '\n'.join(lines)
        self.assertEqual(0, code, text)
        self.assertIn('Placement: reachable, max microversion 1.39', text)
        self.assertIn('Host states: 1 usable compute nodes', text)
        self.assertNotIn('token', text.lower())

"""owner_nova_filter and the cached minimum nova-compute version."""

import dataclasses

import testtools

from scheduler.hoststate import source as host_source
from scheduler.hoststate import host_state
from scheduler.objects import pci
from scheduler.objects import request_group
from scheduler.objects import request_spec
from scheduler.request_filters import owner
from tests.unit import fakes
from tests.unit.request_filters import env as env_mod


def _host(name, version, cell=fakes.CELL1, forced_down=False):
    host = fakes.host(name, cell=cell)
    return dataclasses.replace(host, service=host_state.ServiceInfo(
        host=name, version=version, forced_down=forced_down))


def _snapshot(*hosts, min_version=None):
    return dataclasses.replace(host_source.HostSnapshot.of(hosts),
                               min_compute_version=min_version)


class MinComputeVersionTest(testtools.TestCase):

    def test_cached_value_wins(self):
        snapshot = _snapshot(_host('a', 50), min_version=80)
        self.assertEqual(80, owner.min_compute_version(snapshot))

    def test_estimate_from_hosts(self):
        self.assertEqual(72, owner.min_compute_version(_snapshot(
            _host('a', 80), _host('b', 72))))

    def test_forced_down_and_unset_versions_are_ignored(self):
        self.assertEqual(80, owner.min_compute_version(_snapshot(
            _host('a', 80), _host('b', 60, forced_down=True),
            _host('c', None))))

    def test_cell_reporting_zero_is_ignored(self):
        self.assertEqual(75, owner.min_compute_version(_snapshot(
            _host('a', 75), _host('b', 0, cell=fakes.CELL2),
            _host('c', 90, cell=fakes.CELL2))))
        # A zero makes its whole cell's minimum zero (SQL MIN), so that
        # cell is ignored too: here nothing is left.
        self.assertEqual(0, owner.min_compute_version(_snapshot(
            _host('a', 75), _host('b', 0))))

    def test_nothing_known_is_zero(self):
        self.assertEqual(0, owner.min_compute_version(_snapshot()))


class OwnerNovaFilterTest(testtools.TestCase):

    def _run(self, spec, version):
        env, _ = env_mod.make_env(self, _snapshot(min_version=version))
        return owner.owner_nova_filter(spec, env)

    def test_old_computes_add_nothing(self):
        self.assertIsNone(self._run(fakes.spec(), 72))

    def test_root_requires_owner_nova(self):
        spec = self._run(fakes.spec(), 73)
        self.assertEqual(frozenset({'OWNER_NOVA'}),
                         spec.request_level_params.root_required)

    def test_already_required_skips_the_check(self):
        spec = fakes.spec(request_level_params=request_group.
                          RequestLevelParams(
                              root_required=frozenset({'OWNER_NOVA'})))
        self.assertIsNone(self._run(spec, 99))

    def test_flavor_pci_groups_require_owner_nova(self):
        groups = tuple(
            request_group.RequestGroup(requester_id=rid, resources={'X': 1})
            for rid in ('alias-req-0', 'alias-req-1', 'port-req-0',
                        'other', None))
        spec = fakes.spec(
            pci_requests=pci.PCIRequests(requests=(
                pci.PCIRequest(count=2, alias_name='gpu',
                               request_id='alias-req'),
                pci.PCIRequest(count=1, alias_name=None,
                               request_id='port-req'),
                pci.PCIRequest(count=1, alias_name='nic', request_id=None),
            )),
            requested_resources=groups)
        spec = self._run(spec, 73)
        owned = [g.requester_id for g in spec.requested_resources
                 if 'OWNER_NOVA' in g.required_traits]
        self.assertEqual(['alias-req-0', 'alias-req-1'], owned)

    def test_no_pci_requests_leaves_groups(self):
        groups = (request_group.RequestGroup(requester_id='a-0'),)
        spec = self._run(fakes.spec(requested_resources=groups), 73)
        self.assertEqual(groups, spec.requested_resources)
        self.assertIsInstance(spec, request_spec.RequestSpec)

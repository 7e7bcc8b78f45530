"""cache_state: host states share what they do not change."""

import testtools

from scheduler.hoststate import cache_data as cache_state
from tests.unit import fakes
from tests.unit.hoststate import test_builder as rows


def _state(instances):
    cell = cache_state.CellRows(
        nodes=cache_state.frozen({1: rows._row(id=1)}),
        services=cache_state.frozen({7: rows._service(id=7)}))
    return cache_state.build(cache_state.CacheState(
        rows=cache_state.frozen({fakes.CELL1: cell}),
        instances=cache_state.frozen(
            {h: cache_state.frozen(i) for h, i in instances.items()})))


class SharingTest(testtools.TestCase):

    def test_instance_list_is_shared_not_copied(self):
        state = _state({'cmp1': {'i1': 'p1'}})
        host = state.snapshot.hosts[rows.UUID]
        self.assertEqual({'i1': 'p1'}, dict(host.instances))
        self.assertIs(state.instances['cmp1'], host.instances)

    def test_empty_maps_are_one_object(self):
        state = _state({'cmp1': {}})
        host = state.snapshot.hosts[rows.UUID]
        self.assertEqual({}, dict(host.instances))
        self.assertEqual({}, dict(host.instance_images))
        self.assertIs(cache_state.frozen({}), host.instances)
        self.assertIs(cache_state.frozen({}), host.instance_images)

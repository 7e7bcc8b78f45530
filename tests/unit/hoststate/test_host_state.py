"""HostState helpers: per-request candidates and consumption."""

import dataclasses
import datetime

import testtools

from scheduler.pipeline import consumption
from scheduler.hoststate import host_state
from scheduler.objects import flavor
from scheduler.objects import image
from scheduler.objects import instance_group
from scheduler.pci import pools as pools_mod
from tests.unit import fakes

NOW = datetime.datetime(2026, 3, 1, 12, 0, 0)


def _host(**fields):
    fields.setdefault('free_ram_mb', 4096)
    fields.setdefault('free_disk_mb', 100 * 1024)
    fields.setdefault('vcpus_used', 2)
    fields.setdefault('num_instances', 3)
    fields.setdefault('num_io_ops', 1)
    return fakes.host('h1', **fields)


def _spec(**fields):
    fields.setdefault('flavor', flavor.Flavor(
        memory_mb=1024, vcpus=4, root_gb=10, ephemeral_gb=5, swap=512))
    return fakes.spec(**fields)


class WithCandidatesTest(testtools.TestCase):

    def test_sets_candidates_without_touching_original(self):
        host = _host()
        requests = [{'allocations': {'rp': {'resources': {'VCPU': 1}}}}]
        updated = host_state.with_candidates(host, requests)
        self.assertEqual(tuple(requests), updated.allocation_candidates)
        self.assertEqual((), host.allocation_candidates)
        self.assertEqual(dataclasses.replace(updated,
                                             allocation_candidates=()), host)

    def test_accepts_an_iterator(self):
        updated = host_state.with_candidates(_host(), iter([{'a': 1}]))
        self.assertEqual(({'a': 1},), updated.allocation_candidates)


class ConsumeTest(testtools.TestCase):

    def test_resources_and_counters(self):
        host = _host()
        after = consumption.consume_host(host, _spec(), NOW)
        self.assertEqual(4096 - 1024, after.free_ram_mb)
        # Root and ephemeral disk, not swap (as nova).
        self.assertEqual((100 - 15) * 1024, after.free_disk_mb)
        self.assertEqual(6, after.vcpus_used)
        self.assertEqual(4, after.num_instances)
        self.assertEqual(2, after.num_io_ops)

    def test_never_mutates(self):
        host = _host()
        before = dataclasses.replace(host)
        consumption.consume_host(host, _spec(instance_uuid='u1'), NOW)
        self.assertEqual(before, host)
        self.assertNotIn('u1', host.instances)

    def test_updated_is_aware_utc(self):
        after = consumption.consume_host(_host(), _spec(), NOW)
        self.assertEqual(NOW.replace(tzinfo=datetime.UTC), after.updated)
        plus_two = datetime.timezone(datetime.timedelta(hours=2))
        after = consumption.consume_host(
            _host(), _spec(), NOW.replace(tzinfo=plus_two))
        self.assertEqual(datetime.datetime(2026, 3, 1, 10, 0,
                                           tzinfo=datetime.UTC),
                         after.updated)

    def test_free_ram_may_go_negative(self):
        after = consumption.consume_host(_host(free_ram_mb=512), _spec(), NOW)
        self.assertEqual(-512, after.free_ram_mb)

    def test_instance_added_with_project(self):
        host = _host(instances={'old': 'p0'})
        after = consumption.consume_host(
            host, _spec(instance_uuid='new', project_id='p1'), NOW)
        self.assertEqual({'old': 'p0', 'new': 'p1'}, dict(after.instances))

    def test_no_instance_uuid_adds_nothing(self):
        after = consumption.consume_host(_host(), _spec(), NOW)
        self.assertEqual({}, dict(after.instances))

    def test_numa_and_pci_left_alone(self):
        pool = pools_mod.PciPool('8086', '1520', 2)
        host = _host(numa_topology={'cells': []}, pci_pools=(pool,))
        after = consumption.consume_host(host, _spec(), NOW)
        self.assertEqual({'cells': []}, after.numa_topology)
        self.assertEqual((pool,), after.pci_pools)

    def test_group_request_records_image_of_new_instance(self):
        props = image.ImageProperties({'os_distro': 'ubuntu',
                                       'hw_numa_nodes': 2,
                                       'traits_required': ('A', 'B')})
        spec = _spec(instance_uuid='new',
                     image=image.ImageMeta(properties=props),
                     instance_group=instance_group.InstanceGroup(
                         policy='soft-affinity'))
        after = consumption.consume_host(_host(), spec, NOW)
        self.assertEqual({'os_distro': 'ubuntu', 'hw_numa_nodes': '2',
                          'traits_required': "['A', 'B']"},
                         dict(after.instance_images['new']))

    def test_without_group_image_not_recorded(self):
        spec = _spec(instance_uuid='new', image=image.ImageMeta(
            properties=image.ImageProperties({'os_distro': 'ubuntu'})))
        after = consumption.consume_host(_host(), spec, NOW)
        self.assertNotIn('new', after.instance_images)


class RenderImagePropertyTest(testtools.TestCase):

    def test_renders_like_nova_str(self):
        render = host_state.render_image_property
        self.assertEqual('x86_64', render('x86_64'))
        self.assertEqual('True', render(True))
        self.assertEqual('3', render(3))
        self.assertEqual('1.5', render(1.5))
        self.assertEqual("['a', 'b']", render(('a', 'b')))
        self.assertEqual('[{0, 1}, {2}]',
                         render((frozenset({1, 0}), frozenset({2}))))
        self.assertEqual("[{'a': None}]", render(({'a': None},)))

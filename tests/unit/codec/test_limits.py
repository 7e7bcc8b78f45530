"""Size, length and depth limits while decoding."""

import importlib
import types

from oslo_config import cfg
import testtools

from scheduler.codec import errors
from scheduler.codec import limits
from scheduler.codec import request_spec
from tests.unit.codec import wire

decode = request_spec.decode_request_spec


class LimitsTest(testtools.TestCase):

    def test_defaults(self):
        self.assertEqual(limits.DecodeLimits(10000, 65535, 32, 1000),
                         limits.DEFAULT_LIMITS)

    def test_from_conf(self):
        conf = types.SimpleNamespace(hardened_scheduler=types.SimpleNamespace(
            max_list_length=5, max_string_length=6, max_nesting_depth=7,
            max_num_instances=8))
        self.assertEqual(limits.DecodeLimits(5, 6, 7, 8),
                         limits.DecodeLimits.from_conf(conf))

    def test_conf_defaults_match(self):
        try:
            hardened = importlib.import_module('scheduler.conf.hardened')
        except ImportError:
            self.skipTest('scheduler.conf.hardened not present yet')
        conf = cfg.ConfigOpts()
        hardened.register_opts(conf)
        conf([], project='test')
        self.assertEqual(limits.DEFAULT_LIMITS,
                         limits.DecodeLimits.from_conf(conf))

    def test_string_too_long(self):
        small = limits.DecodeLimits(max_string_length=40)
        prim = wire.request_spec(project_id='p' * 41)
        error = self.assertRaises(errors.ValidationError, decode, prim, small)
        self.assertEqual('spec_obj.project_id', error.field)
        self.assertEqual('longer than 40 characters', error.reason)
        self.assertEqual('p' * 40, decode(
            wire.request_spec(project_id='p' * 40), small).project_id)

    def test_default_string_limit(self):
        prim = wire.request_spec(availability_zone='z' * 65536)
        error = self.assertRaises(errors.ValidationError, decode, prim)
        self.assertEqual('longer than 65535 characters', error.reason)

    def test_unknown_image_property_strings_bounded(self):
        small = limits.DecodeLimits(max_string_length=40)
        for value in ('x' * 41, ['ok', 'x' * 41]):
            prim = wire.request_spec(image=wire.image({'hw_future': value}))
            error = self.assertRaises(errors.ValidationError, decode, prim,
                                      small)
            self.assertTrue(error.field.startswith(
                'spec_obj.image.properties[hw_future]'), error.field)

    def test_list_too_long(self):
        small = limits.DecodeLimits(max_list_length=3)
        prim = wire.request_spec(ignore_hosts=['a', 'b', 'c', 'd'])
        error = self.assertRaises(errors.ValidationError, decode, prim, small)
        self.assertEqual('spec_obj.ignore_hosts', error.field)
        self.assertEqual('more than 3 items', error.reason)

    def test_dict_too_long(self):
        small = limits.DecodeLimits(max_list_length=3)
        hints = {str(i): [str(i)] for i in range(4)}
        prim = wire.request_spec(scheduler_hints=hints)
        error = self.assertRaises(errors.ValidationError, decode, prim, small)
        self.assertEqual('spec_obj.scheduler_hints', error.field)

    def test_key_too_long(self):
        small = limits.DecodeLimits(max_string_length=8)
        prim = wire.request_spec(flavor=wire.flavor(
            name='m1', flavorid='2', extra_specs={'k' * 9: 'v'}))
        error = self.assertRaises(errors.ValidationError, decode, prim, small)
        self.assertEqual('spec_obj.flavor.extra_specs[0]', error.field)

    def test_nesting_depth(self):
        # Objects, lists and dicts each count as one level: RequestSpec >
        # Destination > CellMapping is three, and so is RequestSpec >
        # Flavor > extra_specs.
        dest = wire.destination(cell=wire.cell_mapping())
        prim = wire.request_spec(requested_destination=dest)
        error = self.assertRaises(errors.ValidationError, decode, prim,
                                  limits.DecodeLimits(max_nesting_depth=2))
        self.assertEqual('spec_obj.flavor.extra_specs', error.field)
        self.assertEqual('nested deeper than 2 levels', error.reason)
        spec = decode(prim, limits.DecodeLimits(max_nesting_depth=3))
        self.assertEqual(wire.CELL_UUID, spec.requested_destination.cell.uuid)
        # RequestSpec > topology > cells > cell > cpuset is five.
        cell = wire.obj('InstanceNUMACell', '1.6',
                        {'id': 0, 'cpuset': [0], 'memory': 1})
        topo = wire.obj('InstanceNUMATopology', '1.3', {'cells': [cell]})
        prim = wire.request_spec(numa_topology=topo)
        error = self.assertRaises(errors.ValidationError, decode, prim,
                                  limits.DecodeLimits(max_nesting_depth=4))
        self.assertEqual('spec_obj.numa_topology.cells[0].cpuset',
                         error.field)
        decode(prim, limits.DecodeLimits(max_nesting_depth=5))

    def test_deep_garbage_is_bounded(self):
        deep = 'x'
        for _ in range(100000):
            deep = [deep]
        prim = wire.request_spec(force_hosts=deep)
        error = self.assertRaises(errors.ValidationError, decode, prim)
        self.assertEqual('spec_obj.force_hosts[0]', error.field)

    def test_huge_int_rejected(self):
        prim = wire.request_spec(flavor=wire.flavor(memory_mb=10 ** 30))
        error = self.assertRaises(errors.ValidationError, decode, prim)
        self.assertEqual('integer out of range', error.reason)

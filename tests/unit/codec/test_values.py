"""The typed readers and the envelope checks."""

import testtools

from scheduler.codec import errors
from scheduler.codec import limits
from scheduler.codec import primitive
from scheduler.codec import request_spec
from scheduler.codec import values as v
from tests.unit.codec import wire

PATH = v.Path('x', limits.DEFAULT_LIMITS)


class ReadersTest(testtools.TestCase):

    def _bad(self, reader, value, reason=None):
        error = self.assertRaises(errors.ValidationError, reader, PATH, value)
        self.assertEqual('x', error.field)
        if reason:
            self.assertEqual(reason, error.reason)

    def test_int(self):
        for good, expected in ((3, 3), ('  -7 ', -7), ('+4', 4), (2.0, 2),
                               (2 ** 63 - 1, 2 ** 63 - 1)):
            self.assertEqual(expected, v.as_int(PATH, good))
        self._bad(v.as_int, True, 'expected int, got bool')
        self._bad(v.as_int, 2.5)
        self._bad(v.as_int, float('inf'))
        self._bad(v.as_int, '1_000')
        self._bad(v.as_int, '0x10')
        self._bad(v.as_int, '9' * 5000)
        self._bad(v.as_int, 2 ** 63, 'integer out of range')
        self._bad(v.as_int, None, 'expected int, got null')
        self._bad(v.as_int, [], 'expected int, got list')

    def test_float(self):
        self.assertEqual(1.5, v.as_float(PATH, '1.5'))
        self.assertEqual(2.0, v.as_float(PATH, 2))
        for bad in (float('nan'), 'nan', 'inf', False, 'x', {}):
            self._bad(v.as_float, bad)

    def test_str(self):
        self.assertEqual('3', v.as_str(PATH, 3))
        self.assertEqual('1.5', v.as_str(PATH, 1.5))
        self._bad(v.as_str, True)
        self._bad(v.as_str, b'bytes', 'expected str, got unsupported type')
        self._bad(v.as_str, 10 ** 30, 'integer out of range')

    def test_bools(self):
        self.assertIs(True, v.as_bool(PATH, True))
        self._bad(v.as_bool, 1)
        self._bad(v.as_bool, 'true')
        for text, expected in (('yes', True), ('On', True), ('1', True),
                               ('no', False), ('garbage', False),
                               (0, False), (1, True)):
            self.assertIs(expected, v.as_flex_bool(PATH, text))
        self._bad(v.as_flex_bool, [])

    def test_uuid_and_ip(self):
        dashed = wire.INSTANCE_UUID
        self.assertEqual(dashed, v.as_uuid(PATH, dashed))
        # Canonical form out, whatever form nova's pattern let in.
        self.assertEqual(dashed, v.as_uuid(PATH, dashed.replace('-', '')))
        self.assertEqual(dashed, v.as_uuid(PATH, dashed.upper()))
        for bad in ('', 'g' * 32, dashed + 'a', 42):
            self._bad(v.as_uuid, bad)
        self.assertEqual('2001:db8::1', v.as_ip(PATH, '2001:DB8:0::1'))
        self._bad(v.as_ip, '300.1.1.1')

    def test_list_set_dict(self):
        self.assertEqual((1, 2), v.as_list(PATH, [1, '2'], v.as_int))
        self.assertEqual(frozenset({1}), v.as_set(PATH, [1, 1], v.as_int))
        self.assertEqual({1: 2}, dict(v.as_dict(PATH, {'1': 2}, v.as_int,
                                                key=v.int_key)))
        error = self.assertRaises(errors.ValidationError, v.as_list, PATH,
                                  [1, 'a'], v.as_int)
        self.assertEqual('x[1]', error.field)
        error = self.assertRaises(errors.ValidationError, v.as_dict, PATH,
                                  {'ok': 1, 'bad key!': 'a'}, v.as_int)
        self.assertEqual('x[#1]', error.field)
        error = self.assertRaises(errors.ValidationError, v.as_dict, PATH,
                                  {1: 1}, v.as_int)
        self.assertEqual('key: expected str, got int', error.reason)
        self._bad(lambda p, x: v.as_list(p, x, v.as_int), 'abc')
        self._bad(lambda p, x: v.as_dict(p, x, v.as_int), [])


class EnvelopeTest(testtools.TestCase):

    def _open(self, value, names='Flavor'):
        return primitive.open_object(PATH, value, names)

    def test_versions(self):
        for version, expected in (('1.2', (1, 2)), ('1.2.3', (1, 2)),
                                  ('1.99', (1, 99))):
            prim = wire.flavor()
            prim['nova_object.version'] = version
            self.assertEqual(expected, self._open(prim).version)
        for bad in ('1', '1.x', 'v1.2', '1.2.3.4', 1.2, None, '2.0', '0.9'):
            prim = wire.flavor()
            prim['nova_object.version'] = bad
            error = self.assertRaises(errors.ValidationError, self._open,
                                      prim)
            self.assertEqual('x.nova_object.version', error.field)

    def test_envelope_errors(self):
        prim = wire.flavor()
        del prim['nova_object.data']
        error = self.assertRaises(errors.ValidationError, self._open, prim)
        self.assertEqual('x.nova_object.data', error.field)
        prim = wire.flavor()
        prim['nova_object.changes'] = 'vcpus'
        error = self.assertRaises(errors.ValidationError, self._open, prim)
        self.assertEqual('x.nova_object.changes', error.field)
        prim = wire.flavor()
        del prim['nova_object.namespace']
        error = self.assertRaises(errors.ValidationError, self._open, prim)
        self.assertEqual('x.nova_object.namespace', error.field)

    def test_changes_are_optional(self):
        prim = wire.flavor()
        del prim['nova_object.changes']
        self.assertEqual('Flavor', self._open(prim).name)


class GuardTest(testtools.TestCase):

    def test_unexpected_exceptions_become_validation_errors(self):
        class Hostile(dict):
            def get(self, *args):
                raise RuntimeError('secret-in-message')

        error = self.assertRaises(errors.ValidationError,
                                  request_spec.decode_request_spec,
                                  Hostile(wire.request_spec()))
        self.assertEqual('spec_obj', error.field)
        self.assertEqual('malformed input', error.reason)
        self.assertNotIn('secret', str(error))
        self.assertIsNone(error.__cause__)
        self.assertTrue(error.__suppress_context__)

    def test_error_repr_and_attrs(self):
        error = errors.ValidationError('a.b', 'bad')
        self.assertEqual('a.b: bad', str(error))
        self.assertEqual(('a.b', 'bad'), (error.field, error.reason))
        self.assertIsInstance(error, Exception)

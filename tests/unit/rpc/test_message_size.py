"""The message-size bound: JSON length, measured lazily."""

import json

from hypothesis import given
from hypothesis import strategies as st
import testtools

from scheduler.rpc import message_size

# Characters JSON writes as themselves (no escapes).
PLAIN = st.characters(min_codepoint=0x20, max_codepoint=0x7e,
                      blacklist_characters='"\\')
SCALARS = (st.none() | st.booleans() | st.integers()
           | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(PLAIN, max_size=20))
VALUES = st.recursive(
    SCALARS,
    lambda inner: (st.lists(inner, max_size=5)
                   | st.dictionaries(st.text(PLAIN, max_size=8), inner,
                                     max_size=5)),
    max_leaves=30)


def compact(value):
    return len(json.dumps(value, separators=(',', ':')))


class JsonSizeTest(testtools.TestCase):

    @given(VALUES)
    def test_equals_the_compact_json_length(self, value):
        size = compact(value)
        self.assertEqual(size, message_size.json_size(value, size))
        self.assertFalse(message_size.too_large(value, size))

    @given(VALUES)
    def test_one_byte_less_is_too_large(self, value):
        size = compact(value)
        self.assertTrue(message_size.too_large(value, size - 1))

    def test_tuples_count_as_lists(self):
        self.assertEqual(compact([1, 'a', [None]]),
                         message_size.json_size((1, 'a', (None,)), 100))

    def test_deep_nesting_does_not_recurse(self):
        value = []
        for _ in range(100000):
            value = [value]
        # json.dumps would raise RecursionError on this.
        self.assertEqual(200002, message_size.json_size(value, 10 ** 9))

    def test_stops_at_the_limit(self):
        # A list with more entries than the limit is over it at once; one
        # whose strings are huge stops after the first string.
        class Exploding(list):
            def __iter__(self):
                raise AssertionError('walked')
        self.assertGreater(
            message_size.json_size(Exploding(range(2000)), 1000), 1000)
        # The walk takes the last item first: the string passes the limit
        # before the exploding list is reached.
        huge = [Exploding([1]), 'x' * 2000]
        self.assertGreater(message_size.json_size(huge, 1000), 1000)

    def test_mapping_keys_count(self):
        value = {'key': 'value', 'n': 1}
        self.assertEqual(compact(value), message_size.json_size(value, 100))

"""Our parse_cpu_spec against nova 34's nova.virt.hardware.parse_cpu_spec.

Every spec, valid or not, must give the same set of ids, or fail in both
with the same message (nova raises exception.Invalid, we ValueError).
"""

from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from nova import exception
from nova.virt import hardware
import testtools

from scheduler.numa import cpu_spec

# nova builds every range in full; specs naming more ids are not drawn.
_LIMIT = 10000
_NUMBERS = st.integers(min_value=0, max_value=40).map(str)
_SPACE = st.sampled_from(('', ' ', '  ', '\t'))
# Pieces int() accepts or refuses in surprising ways.
_ODD = st.sampled_from(
    ('', 'x', '-', '^', '+3', '1_0', '\u0663', '3.0', '--1', '0x1', '-2'))


def _piece(draw):
    # Mostly numbers, so that most specs get past their first rule.
    odd = draw(st.integers(min_value=0, max_value=9)) == 0
    return draw(_ODD if odd else _NUMBERS)


@st.composite
def _rule(draw):
    rule = _piece(draw)
    if draw(st.booleans()):
        rule += f'{draw(_SPACE)}-{draw(_SPACE)}{_piece(draw)}'
    if draw(st.booleans()):
        rule = f'^{draw(_SPACE)}{rule}'
    return f'{draw(_SPACE)}{rule}{draw(_SPACE)}'


_GRAMMAR = st.lists(_rule(), max_size=6).map(','.join)
# Unstructured strings over the syntax's own characters, for what the
# grammar above does not think of.
_NOISE = st.text(alphabet='0123456789-^, x+_', max_size=16)


def _nova(spec):
    try:
        return hardware.parse_cpu_spec(spec)
    except exception.Invalid as exc:
        return str(exc)


def _ours(spec, limit=None):
    try:
        return cpu_spec.parse_cpu_spec(spec, limit)
    except ValueError as exc:
        return str(exc)


class ParseCpuSpecParityTest(testtools.TestCase):

    def assert_same(self, spec):
        ours = _ours(spec)
        self.assertEqual(_nova(spec), ours, repr(spec))
        # A limit the spec stays under changes nothing.
        self.assertEqual(ours, _ours(spec, _LIMIT), repr(spec))

    def test_examples(self):
        for spec in ('1-4,^3,6', '0-4,^1-3', ' 0 ,, 5 ', '^1,0-2', '',
                     '^ 1 - 2 ,0-3', '4-1', '-1', '^', '^-2', 'x', '^y',
                     '1-2-3', '3, ^3', '0-3,^0-3', '0-+3', '\u0663'):
            self.assert_same(spec)

    @settings(max_examples=500)
    @given(_GRAMMAR)
    def test_generated_specs(self, spec):
        self.assert_same(spec)

    @given(_NOISE)
    def test_generated_noise(self, spec):
        assume(_ours(spec, _LIMIT) != f'more than {_LIMIT} CPUs')
        self.assert_same(spec)

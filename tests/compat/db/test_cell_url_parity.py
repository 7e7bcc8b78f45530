"""Cell database URL templates filled exactly as nova 34 fills them."""

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
import testtools

from scheduler.db import urls
from tests.compat.db import nova_db

DEFAULTS = (
    'mysql+pymysql://nova:secret@db.example:3306/nova?charset=utf8',
    'mysql+pymysql://nova:s%40cr%3At@[2001:db8::1]:3307/nova',
    'postgresql://nova@db/nova',
    'sqlite:////var/lib/nova/nova.sqlite',
    'rabbit://u1:p1@h1:5672,u2:p2@h2,u3@h3:5673/vhost',
    'mysql+pymysql://db.example/nova',
)
TEMPLATES = (
    '{scheme}://{username}:{password}@{hostname}:{port}/{path}_cell1',
    '{scheme}://{username}:{password}@{hostname}/{path}?{query}',
    '{scheme}://{username1}:{password1}@{hostname2}:{port3}/{path}',
    'mysql+pymysql://other:pw@elsewhere/nova_cell2',
    '{scheme}://{nope}@x/y',
    '{scheme}://{username.upper}@x/y',
    '{scheme}://{port:>6}/y',
    'mysql://u:p{{w}}@h/db',
    'mysql://u:p{w@h/db',
    '',
)


def nova_format(template, default):
    return nova_db.objects.CellMapping._format_url(template, default)


class CellUrlParityTest(testtools.TestCase):

    def test_same_urls_as_nova(self):
        for default in DEFAULTS:
            for template in TEMPLATES:
                try:
                    expected = nova_format(template, default)
                except Exception:
                    # nova logs and keeps the stored value.
                    expected = template
                if '.upper' in template:
                    # We refuse attribute lookups nova would evaluate.
                    self.assertEqual(template, urls.format_cell_url(
                        template, default))
                    continue
                self.assertEqual(expected, urls.format_cell_url(
                    template, default), (template, default))

    def test_arbitrary_credentials(self):
        part = st.text(
            alphabet=st.characters(blacklist_characters='@/:,?#[]{}',
                                   blacklist_categories=('Cs', 'Cc')),
            min_size=1, max_size=12)

        @settings(max_examples=200, deadline=None)
        @given(user=part, password=part, host=part, path=part)
        def check(user, password, host, path):
            default = f'mysql+pymysql://{user}:{password}@{host}/{path}'
            template = TEMPLATES[1]
            try:
                expected = nova_format(template, default)
            except Exception:
                expected = template
            self.assertEqual(expected,
                             urls.format_cell_url(template, default))
        check()

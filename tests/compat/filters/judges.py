"""How nova's answer for one host becomes the expected outcome for ours.

The plain judge takes nova's answer as it is. The others encode the
deliberate differences (see test_more_filter_parity): they decide what
ours must answer where nova raises or reads what ours may not, and count
those cases in the test's tally.
"""

import json
from unittest import mock
import warnings

from scheduler.filters import affinity_filter
from scheduler.filters import json_filter
# Imported first: it prepares the environment nova is imported in.
from tests.compat.filters import nova_env  # noqa: F401

with warnings.catch_warnings():
    warnings.simplefilter('ignore')
    from nova.scheduler.filters import extra_specs_ops as nova_ops

HIDDEN = '$__not_an_attribute__'


def _nova_rebuild(nova_spec):
    return nova_spec.scheduler_hints.get('_nova_check_type') == ['rebuild']


def _blank_hidden(query):
    """The query with references outside our allow-list made unknown."""
    if not isinstance(query, list):
        return query
    out = query[:1]
    for arg in query[1:]:
        if isinstance(arg, list):
            arg = _blank_hidden(arg)
        elif (isinstance(arg, str) and arg.startswith('$')
              and arg[1:].split('.')[0] not in json_filter.ATTRIBUTES):
            arg = HIDDEN
        out.append(arg)
    return out


def _query_shape(nova_spec):
    """(parsed query or None, whether it is a JSON string query)."""
    text = nova_spec.get_scheduler_hint('query')
    if not isinstance(text, str) or not text:
        return None, False
    try:
        parsed = json.loads(text)
    except ValueError:
        return None, False
    return parsed, isinstance(parsed, str) and bool(parsed)


_ORIGINAL_MATCH = nova_ops.match


def _tolerant_match(value, req):
    """nova's match with an uncomparable value counting as no match."""
    try:
        return _ORIGINAL_MATCH(value, req)
    except (ValueError, IndexError):
        return False


class Judge:
    """nova's answer for one host (the expected outcome for ours)."""

    def __init__(self, test):
        self.test = test

    def prepare(self, nova_spec):
        pass

    def expected(self, nova_filter, nova_host, nova_spec, reason):
        return bool(nova_filter._filter_one(nova_host, nova_spec))


class ExtraSpecsJudge(Judge):

    def expected(self, nova_filter, nova_host, nova_spec, reason):
        try:
            return bool(nova_filter._filter_one(nova_host, nova_spec))
        except (ValueError, IndexError):
            self.test.tally['nova_raised'] += 1
            with mock.patch.object(nova_ops, 'match', _tolerant_match):
                return bool(nova_filter._filter_one(nova_host, nova_spec))


class CidrJudge(Judge):

    def expected(self, nova_filter, nova_host, nova_spec, reason):
        try:
            result = bool(nova_filter._filter_one(nova_host, nova_spec))
        except Exception:
            self.test.tally['nova_raised'] += 1
            self.test.assertEqual(affinity_filter.BAD_NETWORK_HINT, reason)
            return False
        self.test.assertNotEqual(affinity_filter.BAD_NETWORK_HINT, reason)
        return result


class JsonJudge(Judge):

    def prepare(self, nova_spec):
        parsed, self.string_query = _query_shape(nova_spec)
        blanked = _blank_hidden(parsed)
        self.raw_query = None
        if blanked != parsed:
            self.test.tally['hidden_refs'] += 1
            self.raw_query = nova_spec.scheduler_hints['query']
            nova_spec.scheduler_hints['query'] = [json.dumps(blanked)]

    @staticmethod
    def _nova(nova_filter, nova_host, nova_spec):
        try:
            return bool(nova_filter._filter_one(nova_host, nova_spec))
        except Exception:
            return None

    def expected(self, nova_filter, nova_host, nova_spec, reason):
        if self.string_query and not _nova_rebuild(nova_spec):
            self.test.tally['string_query'] += 1
            self.test.assertEqual(json_filter.MALFORMED, reason)
            return False
        result = self._nova(nova_filter, nova_host, nova_spec)
        if self.raw_query is not None:
            # How nova answers reading the internals: sometimes not as we
            # do, or the allow-list would be doing nothing.
            blanked = nova_spec.scheduler_hints['query']
            nova_spec.scheduler_hints['query'] = self.raw_query
            if self._nova(nova_filter, nova_host, nova_spec) != result:
                self.test.tally['internals_would_change_result'] += 1
            nova_spec.scheduler_hints['query'] = blanked
        if result is None:
            self.test.tally['nova_raised'] += 1
            self.test.assertEqual(json_filter.MALFORMED, reason)
            return False
        self.test.assertNotEqual(json_filter.MALFORMED, reason)
        return result


class OwnProjectJudge(Judge):
    """Same/DifferentHostFilter count only the request's project's
    instances: nova's answer on the host with the other projects'
    instances taken away."""

    def expected(self, nova_filter, nova_host, nova_spec, reason):
        everything = nova_host.instances
        own = {u: i for u, i in everything.items()
               if i.project_id == nova_spec.project_id}
        nova_host.instances = own
        try:
            result = bool(nova_filter._filter_one(nova_host, nova_spec))
        finally:
            nova_host.instances = everything
        if result != bool(nova_filter._filter_one(nova_host, nova_spec)):
            self.test.tally['other_project_would_change_result'] += 1
        return result

"""AggregateInstanceExtraSpecsFilter: flavors matched to aggregates.

Every flavor extra spec that is unscoped or scoped
``aggregate_instance_extra_specs:`` names an aggregate metadata key
(the part after the scope, which may itself contain ``:``). The host's
aggregates must set that key, and one of its comma-separated values must
satisfy the extra spec's requirement in the extra-spec operator grammar
(see extra_specs_ops). Extra specs with any other scope are ignored.

Deliberate difference: a value a numeric operator cannot compare (or a
bare ``<or>``) makes nova's filter raise, or not, depending on the order
in which it happens to try the values; here such a value just does not
match, and the host passes if another value does.
"""

from collections.abc import Mapping

from scheduler.hoststate import host_state
from scheduler.filters import aggregate_metadata
from scheduler.filters import base
from scheduler.filters import extra_specs_ops
from scheduler.objects import request_spec

# The kind of every rejection of this module's filters.
CODE = base.RejectionCode.AGGREGATE

SCOPE = 'aggregate_instance_extra_specs'


def _matches(value: str, requirement: str) -> bool:
    try:
        return extra_specs_ops.match(value, requirement)
    except ValueError:
        return False


def _checked_specs(extra_specs: Mapping[str, str]
                   ) -> tuple[tuple[str, str], ...]:
    """(metadata key, requirement) of the extra specs this filter reads."""
    checked = []
    for key, requirement in extra_specs.items():
        scope, sep, rest = key.partition(':')
        if sep:
            if scope != SCOPE:
                continue
            key = rest
        checked.append((key, requirement))
    return tuple(checked)


class AggregateInstanceExtraSpecsFilter(base.BaseHostFilter):
    """The host's aggregate metadata satisfies the flavor's extra specs."""

    run_filter_once_per_request = True
    RUN_ON_REBUILD = False

    def host_passes(self, host: host_state.HostState,
                    spec: request_spec.RequestSpec
                    ) -> base.Rejection | None:
        return self._check(host, _checked_specs(spec.flavor.extra_specs))

    def host_check(self, spec: request_spec.RequestSpec
                   ) -> base.HostCheck | None:
        checked = _checked_specs(spec.flavor.extra_specs)
        if not checked:
            return None

        def check(host: host_state.HostState
                  ) -> host_state.HostState | base.Rejection:
            rejection = self._check(host, checked)
            return host if rejection is None else rejection
        return check

    def _check(self, host: host_state.HostState,
               checked: tuple[tuple[str, str], ...]
               ) -> base.Rejection | None:
        if not checked:
            return None
        metadata = aggregate_metadata.metadata_by_key(host)
        for key, requirement in checked:
            values = metadata.get(key)
            if not values:
                return self.reject(f'extra spec {key} not in aggregate '
                                   'metadata', CODE)
            if not any(_matches(value, requirement) for value in values):
                return self.reject(f'extra spec {key} not satisfied by '
                                   'aggregate metadata', CODE)
        return None
